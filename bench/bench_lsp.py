"""The language server's answer times on a 1,000-line agreement, through the real process.

Run: python bench/bench_lsp.py [--lines 1000] [--repeat 15]

Starts `python -m sladsl.lsp` and speaks LSP to it over stdio (a minimal JSON-RPC client),
on samples/cloud-platform.sla with its services repeated to about `--lines` lines. Measured,
each `--repeat` times, from the request written to the answer read:
  * didChange -> diagnostics: a one-character edit until its `publishDiagnostics` arrives,
    alternately breaking a credit tier (`below 99.0: ...`, a syntax error) and mending it,
  * hover on an availability target in the middle of the file,
  * completion at the start of a statement in the middle of the file,
  * hover while the text has a syntax error (the last good AST answers).
Baseline, in the same run: `check_source` of the same text in this process (what every
change costs at least), and of the broken text (what a change that breaks it cost before
`sladsl.lsp.incremental`). Printed: median and best in ms, the median over the baseline's
median, and whether the median is within the 50 ms goal (issue 18).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sladsl.language.front_end import check_source

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "cloud-platform.sla"
FIRST_SERVICE = '    service "Compute"'
AFTER_SERVICES = '    calendar "Support hours"'
GOAL_MS = 50.0


def generate(lines: int) -> str:
    """The sample with its services repeated and renamed until the text has about `lines` lines."""
    text = SAMPLE.read_text(encoding="utf-8")
    start, end = text.index(FIRST_SERVICE), text.index(AFTER_SERVICES)
    services = text[start:end]
    body: list[str] = []
    n = 0
    while (text[:start] + "".join(body) + text[end:]).count("\n") < lines:
        body.append(services.replace('service "', f'service "{n} '))
        n += 1
    return text[:start] + "".join(body) + text[end:]


class Client:
    """Just enough of an LSP client: framed JSON-RPC over the server's stdin and stdout."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sladsl.lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT
        )
        self.next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the server stopped")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait_for(self, method: str, check: Callable[[dict[str, Any]], bool] = lambda p: True) -> dict[str, Any]:
        while True:
            message = self.read()
            if message.get("method") == method and check(message["params"]):
                params: dict[str, Any] = message["params"]
                return params

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=10)


def position(text: str, index: int) -> dict[str, int]:
    line = text.count("\n", 0, index)
    return {"line": line, "character": index - (text.rfind("\n", 0, index) + 1)}


def timed(repeat: int, work: Callable[[int], object]) -> list[float]:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        work(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    text = generate(args.lines)
    lines = text.count("\n")
    check_source(text)
    baseline = timed(args.repeat, lambda _: check_source(text))

    client = Client()
    uri = "file:///bench/agreement.sla"
    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "sla", "version": 1, "text": text}}
    )
    client.wait_for("textDocument/publishDiagnostics")
    middle = len(text) // 2
    target = text.index("availability at least", middle) + 3
    statement = text.index("            downtime from incidents", middle) + 12
    # the `%` of a credit tier after the target, deleted (a syntax error) and written again
    percent = text.index("below 99.0%", target) + 10
    version = [1]
    current = [text]

    def change(i: int) -> None:
        version[0] += 1
        at = position(text, percent)
        end = {"line": at["line"], "character": at["character"] + 1}
        new = "" if i % 2 == 0 else "%"
        edit = {"range": {"start": at, "end": at if i % 2 else end}, "text": new}
        current[0] = text[:percent] + text[percent + 1 :] if i % 2 == 0 else text
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version[0]}, "contentChanges": [edit]},
        )
        client.wait_for("textDocument/publishDiagnostics", lambda p: p.get("version") == version[0])

    broken_text = text[:percent] + text[percent + 1 :]
    broken_baseline = timed(args.repeat, lambda _: check_source(broken_text))
    changes = timed(args.repeat * 2, change)
    assert current[0] == text
    breaking, mending = changes[0::2], changes[1::2]
    doc = {"uri": uri}
    hovers = timed(
        args.repeat,
        lambda _: client.request("textDocument/hover", {"textDocument": doc, "position": position(text, target)}),
    )
    completions = timed(
        args.repeat,
        lambda _: client.request(
            "textDocument/completion", {"textDocument": doc, "position": position(text, statement)}
        ),
    )
    change(0)  # break the text: hover answers from the last AST that parsed
    broken_hovers = timed(
        args.repeat,
        lambda _: client.request("textDocument/hover", {"textDocument": doc, "position": position(text, target)}),
    )
    answer = client.request("textDocument/hover", {"textDocument": doc, "position": position(text, target)})
    change(1)
    good_answer = client.request("textDocument/hover", {"textDocument": doc, "position": position(text, target)})
    items = client.request("textDocument/completion", {"textDocument": doc, "position": position(text, statement)})
    client.close()

    base = statistics.median(baseline)
    print(f"agreement: {lines} lines, {len(text):,} characters; each figure over {args.repeat} or more runs")
    print(f"{'':34} {'median ms':>10} {'best ms':>9} {'x check_source':>15} {'goal 50 ms':>11}")
    print(f"{'baseline: check_source in-process':34} {base:10.1f} {min(baseline):9.1f} {1.0:15.2f} {'':>11}")
    print(
        f"{'check_source, broken text':34} {statistics.median(broken_baseline):10.1f} {min(broken_baseline):9.1f} "
        f"{statistics.median(broken_baseline) / base:15.2f}"
    )
    for name, times in (
        ("didChange -> diagnostics (break)", breaking),
        ("didChange -> diagnostics (mend)", mending),
        ("hover (target)", hovers),
        ("completion (keywords)", completions),
        ("hover, text broken (last AST)", broken_hovers),
    ):
        median = statistics.median(times)
        verdict = "met" if median <= GOAL_MS else "NOT MET"
        print(f"{name:34} {median:10.1f} {min(times):9.1f} {median / base:15.2f} {verdict:>11}")
    if not answer or not good_answer or not items or not items.get("items"):
        print("warning: a hover or the completion gave nothing")
    else:
        labels = sorted(i["label"] for i in items["items"])
        print(
            f"hover: {good_answer['contents']['value'].splitlines()[0]}; completion: {len(labels)} items {labels[:6]}"
        )


if __name__ == "__main__":
    main()
