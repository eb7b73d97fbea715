"""Writing outputs (`-o`, `fmt`): never over an input, through symlinks, into FIFOs and
devices, with the umask's permissions, one clear line when it cannot; a batch stopped by a
signal leaves no worker behind (issue 10, section 3). Each case of repro 10-outputs.sh (the
input overwritten, mode 0600, a device node and a symlink replaced) has its test here."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, run

SLADSL = [sys.executable, "-m", "sladsl.cli"]
TINY = 'sla "Tiny" {\n    service "S" {\n        objective "A" {\n            availability at least 99.9% per calendar month\n        }\n    }\n}\n'
EVALUATE = ("evaluate", "--data", "samples/evidence/managed-database", "--period", "2026-10")


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o027)
    yield
    os.umask(old)


@pytest.fixture
def agreement(tmp_path: Path) -> Path:
    path = tmp_path / "a.sla"
    shutil.copy(ROOT / "samples" / "managed-database.sla", path)
    return path


def _command(kind: str, sla: Path, out: Path) -> list[str]:
    if kind == "evaluate":
        return [EVALUATE[0], str(sla), *EVALUATE[1:], "-o", str(out)]
    if kind == "compile":
        return ["compile", str(sla), "--target", "prometheus", "-o", str(out)]
    return ["render", str(sla), "--format", kind, "-o", str(out)]


@pytest.mark.parametrize(
    ("kind", "how"),
    [(kind, how) for kind in ("html", "md", "compile") for how in ("same name", "symlink", "hard link")]
    + [("pdf", "same name"), ("evaluate", "hard link")],
)
def test_an_output_that_is_the_input_is_refused(tmp_path: Path, agreement: Path, kind: str, how: str) -> None:
    before = agreement.read_bytes()
    out = agreement
    if how == "symlink":
        out = tmp_path / "link.sla"
        out.symlink_to(agreement.name)
    elif how == "hard link":
        out = tmp_path / "hard.sla"
        os.link(agreement, out)
    result = run(*_command(kind, agreement, out))
    assert result.exit_code == 2, result.output
    assert (
        result.stderr.splitlines()[-1]
        == f"sladsl: error: {out}: is the input {agreement}; write the output to another file"
    )
    assert agreement.read_bytes() == before


def test_evaluate_refuses_to_replace_its_history_or_evidence(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    shutil.copy(ROOT / "samples" / "evidence" / "cloud-platform-history.csv", history)
    before = history.read_bytes()
    result = run(
        "evaluate",
        "samples/cloud-platform.sla",
        "--data",
        "samples/evidence/cloud-platform",
        "--period",
        "2026-10",
        "--plan",
        "Enterprise",
        "--history",
        str(history),
        "-o",
        str(history),
    )
    assert result.exit_code == 2 and "is the input" in result.stderr and history.read_bytes() == before
    evidence = tmp_path / "evidence"
    shutil.copytree(ROOT / "samples" / "evidence" / "managed-database", evidence)
    table = next(evidence.glob("*.csv"))
    before = table.read_bytes()
    result = run(
        "evaluate", "samples/managed-database.sla", "--data", str(evidence), "--period", "2026-10", "-o", str(table)
    )
    assert result.exit_code == 2 and f"is a file the command reads from {evidence}" in result.stderr
    assert table.read_bytes() == before


def test_batch_refuses_an_output_that_is_an_input(tmp_path: Path) -> None:
    source = tmp_path / "contract.md"  # an agreement under an odd name
    source.write_text(TINY)
    result = run("render", "--batch", str(source), "--format", "md", "-o", str(tmp_path))
    assert result.exit_code == 2 and "is the input" in result.stderr and source.read_text() == TINY


def test_batch_stops_with_one_line_when_a_document_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "tiny.sla").write_text(TINY)
    (tmp_path / "customers.csv").write_text("customer\nAcme\nGlobex\n")
    (tmp_path / "out" / "tiny-globex.html").mkdir(parents=True)  # in the way
    command = ["render", "--batch", str(tmp_path / "tiny.sla"), "--customers", str(tmp_path / "customers.csv")]
    result = run(*command, "--jobs", "2", "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"sladsl: error: {tmp_path}/out/tiny-globex.html: is a directory; -o takes a file name"
    )
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = run(*command, "-o", str(blocked / "out"))
    assert (
        result.exit_code == 2
        and result.stderr == f"sladsl: error: {blocked}/out: cannot make the folder: Not a directory\n"
    )


@pytest.mark.usefixtures("umask")
def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path, agreement: Path) -> None:
    for kind, name in [("html", "new.html"), ("compile", "rules.yml"), ("evaluate", "report.txt")]:
        result = run(*_command(kind, agreement, tmp_path / name))
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640, name  # 0o666 & ~0o027
    kept = tmp_path / "kept.md"
    kept.write_text("old")
    kept.chmod(0o604)
    assert run(*_command("md", agreement, kept)).exit_code == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_text().startswith("# ")
    messy = tmp_path / "messy.sla"
    shutil.copy(ROOT / "tests" / "cases" / "fmt" / "messy.sla", messy)
    messy.chmod(0o664)
    assert run("fmt", str(messy)).exit_code == 0
    assert (
        stat.S_IMODE(messy.stat().st_mode) == 0o664
        and messy.read_text() != (ROOT / "tests/cases/fmt/messy.sla").read_text()
    )
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_symlink_is_written_through_and_kept(tmp_path: Path, agreement: Path) -> None:
    (tmp_path / "docs").mkdir()
    target = tmp_path / "docs" / "v3.html"
    target.write_text("old")
    link = tmp_path / "current.html"
    link.symlink_to("docs/v3.html")
    assert run(*_command("html", agreement, link)).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == "docs/v3.html"
    assert target.read_text().startswith("<!DOCTYPE html>")
    dangling = tmp_path / "next.html"
    dangling.symlink_to("docs/v4.html")
    assert run(*_command("html", agreement, dangling)).exit_code == 0
    assert dangling.is_symlink() and (tmp_path / "docs" / "v4.html").read_text().startswith("<!DOCTYPE html>")


def test_fmt_on_a_symlink_formats_the_file_it_points_at(tmp_path: Path) -> None:
    v3 = tmp_path / "v3.sla"
    shutil.copy(ROOT / "tests" / "cases" / "fmt" / "messy.sla", v3)
    current = tmp_path / "current.sla"
    current.symlink_to("v3.sla")
    result = run("fmt", str(current))
    assert result.exit_code == 0 and f"reformatted {current}" in result.stderr  # a message, not a result: stderr
    assert current.is_symlink() and run("fmt", "--check", str(v3)).exit_code == 0


def test_a_fifo_is_written_into(tmp_path: Path, agreement: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(*_command("md", agreement, fifo))
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [run("render", str(agreement), "--format", "md").stdout.encode()]


def test_a_character_device_stays_a_device(tmp_path: Path, agreement: Path) -> None:
    fake_null = tmp_path / "fakenull"
    try:
        os.mknod(fake_null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    result = run(*_command("html", agreement, fake_null))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(fake_null.lstat().st_mode)


def test_dev_stdout_is_the_standard_output(tmp_path: Path, agreement: Path) -> None:
    expected = run("render", str(agreement), "--format", "md").stdout.encode()
    piped = subprocess.run(
        [*SLADSL, "render", str(agreement), "--format", "md", "-o", "/dev/stdout"], capture_output=True
    )
    assert piped.returncode == 0 and piped.stdout == expected, piped.stderr
    file = tmp_path / "out.md"
    file.write_bytes(b"kept\n")
    with file.open("ab") as handle:  # `>>`: appended, the file is not replaced
        subprocess.run(
            [*SLADSL, "render", str(agreement), "--format", "md", "-o", "/dev/stdout"], stdout=handle, check=True
        )
    assert file.read_bytes() == b"kept\n" + expected


def test_an_unwritable_output_is_one_line(tmp_path: Path, agreement: Path) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("")
    result = run(*_command("html", agreement, not_a_folder / "x.html"))
    assert result.exit_code == 2
    assert result.stderr == f"sladsl: error: {not_a_folder}/x.html: {not_a_folder} is not a folder\n"


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to run as nobody")
def test_an_unwritable_folder_is_one_line_as_another_user() -> None:
    folder = Path(tempfile.mkdtemp(prefix="sladsl-ro-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        messy = folder / "messy.sla"
        shutil.copy(ROOT / "tests" / "cases" / "fmt" / "messy.sla", messy)
        messy.chmod(0o644)
        nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *SLADSL]
        fmt = subprocess.run([*nobody, "fmt", str(messy)], capture_output=True, text=True, cwd=folder)
        assert fmt.returncode == 2
        assert fmt.stderr == f"sladsl: error: {messy}: cannot write in the folder {folder}: Permission denied\n"
        # standard output is a pipe this user could not open by name: written through the descriptor
        stdout = subprocess.run([*nobody, "render", str(messy), "-o", "/dev/stdout"], capture_output=True, cwd=folder)
        assert stdout.returncode == 0 and stdout.stdout.startswith(b"<!DOCTYPE html>"), stdout.stderr
    finally:
        shutil.rmtree(folder)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_batch_leaves_no_worker_and_writes_nothing_more(tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "tiny.sla").write_text(TINY)
    (tmp_path / "customers.csv").write_text("customer\n" + "".join(f"C{i}\n" for i in range(12)))
    out = tmp_path / "out"
    command = [
        *SLADSL,
        "render",
        "--batch",
        "tiny.sla",
        "--customers",
        "customers.csv",
        "--format",
        "pdf",
        "--jobs",
        "2",
    ]
    batch = subprocess.Popen([*command, "-o", str(out)], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(_children(batch.pid)) < 2 and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are busy laying out the first documents
    workers = _children(batch.pid)
    assert len(workers) >= 2 and batch.poll() is None
    before = _outputs(out)
    batch.send_signal(sig)
    _, stderr = batch.communicate(timeout=10)
    assert batch.returncode == (128 + sig if sig == signal.SIGTERM else -sig)
    deadline = time.monotonic() + (0 if sig == signal.SIGTERM else 1)  # SIGTERM: stopped before the batch exits
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(_running(w) for w in workers)
    time.sleep(0.5)
    written = _outputs(out)
    # a document finished in the millisecond between the listing and the signal may land
    assert len(written) - len(before) <= 1 and len(written) < 12
    assert not [n for n in written if not n.endswith(".pdf")]  # no temporary file left behind
    if sig == signal.SIGTERM:  # the count is of documents the batch heard of: at most those written
        assert "sladsl: stopped by SIGTERM: " in stderr and " of 12 documents written to " in stderr
