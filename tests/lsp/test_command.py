"""`sladsl lsp` starts the language server the VS Code extension and other editors run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_sladsl_lsp_answers_initialize_over_stdio(tmp_path: Path) -> None:
    command = shutil.which("sladsl") or str(Path(sys.executable).with_name("sladsl"))
    requests = (
        _message(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            }
        )
        + _message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + _message({"jsonrpc": "2.0", "method": "exit"})
    )
    done = subprocess.run([command, "lsp"], input=requests, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    header, _, rest = done.stdout.partition(b"\r\n\r\n")
    fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
    length = int(fields[b"Content-Length"])
    answer = json.loads(rest[:length])
    assert answer["id"] == 1
    capabilities = answer["result"]["capabilities"]
    assert capabilities["hoverProvider"] and capabilities["definitionProvider"]
    assert "completionProvider" in capabilities and "documentFormattingProvider" in capabilities
