"""A hostile or broken Prometheus HTTP API on 127.0.0.1, in a thread of the test process.

Adapted from the round-3 reproducer r04 (`hostile_prom.py`). The mode is the first path
segment: `--data prometheus+http://127.0.0.1:PORT/MODE` keeps that prefix, so requests
arrive as `/MODE/api/v1/query_range`. Every request's method, path and Authorization
header is recorded in `HostileServer.requests`.

Queries: a query containing "errors" gives 0 per step, any other query 1000 per step
(the modes change that). `/api/v1/labels` answers that the metric has the labels
`__name__` and `code`, so that the source's series checks pass and the misbehaviour under
test is what the answer says.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FORGED = "line one\nsladsl: error: forged second line\x1b[2J\x1b]0;pwned\x07 \u202eevil\x9b31m"
INFINITE_LIMIT = 2 * 1024**3  # an endless body stops here, so that a failing test ends


@dataclass
class HostileServer:
    port: int
    requests: list[dict[str, Any]] = field(default_factory=list)
    other_port: int = 0  # where the redirect modes send the client
    ftp_port: int = 0  # where `redirect-ftp` sends it
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, mode: str, *, userinfo: str = "", options: str = "") -> str:
        return f"prometheus+http://{userinfo}127.0.0.1:{self.port}/{mode}" + (f"?{options}" if options else "")


def _steps(form: dict[str, str]) -> list[float]:
    start, end, step = float(form["start"]), float(form["end"]), float(form["step"])
    count = round((end - start) / step)
    return [start + i * step for i in range(count + 1)]


def _matrix(result: list[dict[str, Any]], warnings: list[str] | None = None) -> bytes:
    answer: dict[str, Any] = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    if warnings:
        answer["warnings"] = warnings
    return json.dumps(answer).encode()


def _series(times: list[float], value: Callable[[float], str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metric": labels or {}, "values": [[t, value(t)] for t in times]}


def handler(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to `server` (its log and its redirect targets)."""

    class Hostile(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            query = urllib.parse.urlsplit(self.path).query
            form = dict(urllib.parse.parse_qsl(body or query))
            server.requests.append(
                {"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"), "form": form}
            )
            return form

        def send(
            self, code: int, body: bytes, ctype: str = "application/json", extra: dict[str, str] | None = None
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            try:
                self._answer()
            except OSError:  # the client hung up, as it should on a hostile answer
                self.close_connection = True

        def _answer(self) -> None:
            form = self._form()
            parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
            mode, endpoint = parts[0], "/".join(parts[1:])
            if endpoint == "api/v1/labels":
                return self.send(200, json.dumps({"status": "success", "data": ["__name__", "code"]}).encode())
            if endpoint.startswith("api/v1/label/"):
                return self.send(200, json.dumps({"status": "success", "data": ["200"]}).encode())
            answer = MODES.get(mode)
            if answer is None:
                return self.send(404, b"unknown mode", "text/plain")
            answer(self, form, _steps(form) if "start" in form else [], "errors" in form.get("query", ""))
            return None

    return Hostile


Mode = Callable[[Any, dict[str, str], list[float], bool], None]
MODES: dict[str, Mode] = {}


def mode(*names: str) -> Callable[[Mode], Mode]:
    def register(function: Mode) -> Mode:
        for name in names:
            MODES[name] = function
        return function

    return register


def _usual(is_errors: bool) -> Callable[[float], str]:
    return lambda t: "0" if is_errors else "1000"


@mode("ok")
def _ok(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series(ts, _usual(is_errors))]))


@mode("slow")
def _slow(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    """Every request answered well, after 0.4 s: only a deadline per query cuts it."""
    time.sleep(0.4)
    _ok(h, form, ts, is_errors)


@mode("redirect301", "redirect302", "redirect303", "redirect307", "redirect308")
def _redirect(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    code = int(urllib.parse.urlsplit(h.path).path.strip("/").split("/")[0].removeprefix("redirect"))
    target = f"http://127.0.0.1:{h.server.hostile.other_port}/ok/api/v1/query_range?" + urllib.parse.urlencode(form)
    h.send(code, b"", extra={"Location": target})


@mode("redirect-same")
def _redirect_same(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(302, b"", extra={"Location": "/ok/api/v1/query_range?" + urllib.parse.urlencode(form)})


@mode("redirect-ftp")
def _redirect_ftp(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(302, b"", extra={"Location": f"ftp://127.0.0.1:{h.server.hostile.ftp_port}/x"})


@mode("redirect-file")
def _redirect_file(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(302, b"", extra={"Location": "file:///etc/passwd"})


@mode("drip")
def _drip(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    """Headers at once, then a valid body one byte every 0.1 s: each read is quick."""
    body = _matrix([_series(ts, _usual(is_errors))])
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.flush()
    for byte in body:
        if h.server.hostile.stop.wait(0.1):
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()


@mode("drip-headers")
def _drip_headers(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    """The status line and headers one byte every 0.1 s, without end."""
    line = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 60000
    for byte in line:
        if h.server.hostile.stop.wait(0.1):
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()


@mode("infinite")
def _infinite(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    """A body without length and without end (up to INFINITE_LIMIT), sent as fast as read."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.end_headers()
    chunk = b" " * (1 << 20)
    for _ in range(INFINITE_LIMIT // len(chunk)):
        if h.server.hostile.stop.is_set():
            break
        h.wfile.write(chunk)
    h.close_connection = True


@mode("escape")
def _escape(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(422, json.dumps({"status": "error", "errorType": "execution", "error": FORGED}).encode())


@mode("escape-long")
def _escape_long(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(500, json.dumps({"status": "error", "errorType": "internal", "error": "x" * 10_000}).encode())


@mode("escape-type")
def _escape_type(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, json.dumps({"status": "success", "data": {"resultType": FORGED, "result": []}}).encode())


@mode("warnings", "warnings-escape")
def _warnings(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    """A partial answer: the first half of the steps, and a warning saying so."""
    text = "partial response: store 2 of 4 unavailable"
    if "escape" in h.path:
        text += " " + FORGED
    h.send(200, _matrix([_series(ts[: len(ts) // 2], _usual(is_errors))], warnings=[text]))


@mode("all-nan-total")
def _all_nan_total(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series(ts, lambda t: "0" if is_errors else "NaN")]))


@mode("nan-errors")
def _nan_errors(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series(ts, lambda t: "NaN" if is_errors else "1000")]))


@mode("nan-first-day")
def _nan_first_day(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    """Errors NaN at the first 24 instants, 0 after; total 1000 throughout."""
    first = set(ts[:24])
    h.send(200, _matrix([_series(ts, lambda t: ("NaN" if t in first else "0") if is_errors else "1000")]))


@mode("outside")
def _outside(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series([t - 86400 * 365 * 40 for t in ts], _usual(is_errors))]))


@mode("offgrid")
def _offgrid(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series([t + 7.5 for t in ts], _usual(is_errors))]))


@mode("nothing")
def _nothing(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([]))


@mode("dup-series")
def _dup_series(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series(ts, _usual(is_errors)), _series(ts, _usual(is_errors))]))


@mode("dup-instant")
def _dup_instant(h: Any, form: dict[str, str], ts: list[float], is_errors: bool) -> None:
    h.send(200, _matrix([_series([t for t in ts for _ in (0, 1)], _usual(is_errors))]))


@contextlib.contextmanager
def serve() -> Iterator[HostileServer]:
    """A hostile server on a free port of 127.0.0.1, for the `with` block."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    hostile = HostileServer(httpd.server_address[1])
    httpd.RequestHandlerClass = handler(hostile)
    httpd.hostile = hostile  # type: ignore[attr-defined]
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield hostile
    finally:
        hostile.stop.set()
        httpd.shutdown()
        httpd.server_close()
