"""Only regular files are read, and read-only files are left alone.

A FIFO, socket or device (found in a folder or named on the command line) is skipped with
a note; a read would block or never end. Every CLI run has a timeout, so a regression fails
instead of hanging. A file with mode 0444 is one file's failure (exit 123), left as it is.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_cli import GOOD, GOOD_MIGRATED

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 60

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX file kinds")


def nnx_migrate(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "nnx_migrate", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=env, timeout=TIMEOUT)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "good.py").write_text(GOOD)
    return tmp_path


@pytest.mark.parametrize("name", ["x.py", "x.ipynb"])
@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_a_fifo_in_a_scanned_folder_is_skipped(project: Path, name: str, cache: list[str]) -> None:
    os.mkfifo(project / "src" / name)
    for _ in range(2):  # the second run is a warm one where the cache is on
        result = nnx_migrate("src", "--diff", *cache, cwd=project)
        assert result.returncode == 0, result.stderr
        assert f"skipped src/{name}: is a FIFO, not a regular file" in result.stderr
        assert "Traceback" not in result.stderr
        assert "+        return x * self.w[...]" in result.stdout
    result = nnx_migrate("src", *cache, cwd=project)
    assert result.returncode == 0 and (project / "src" / "good.py").read_text() == GOOD_MIGRATED
    assert stat.S_ISFIFO(os.lstat(project / "src" / name).st_mode)


def test_a_fifo_named_on_the_command_line_is_skipped(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    result = nnx_migrate("pipe.py", "src/good.py", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "skipped pipe.py: is a FIFO, not a regular file" in result.stderr
    assert (project / "src" / "good.py").read_text() == GOOD_MIGRATED


def test_a_symlink_to_a_fifo_is_skipped_as_a_link(project: Path) -> None:
    os.mkfifo(project / "pipe")
    (project / "src" / "linked.py").symlink_to(project / "pipe")
    (project / "linked.py").symlink_to(project / "pipe")
    result = nnx_migrate("src", "linked.py", "--no-cache", "--check", cwd=project)
    assert result.returncode == 1, result.stderr  # good.py would change
    assert "skipped src/linked.py: is a symbolic link" in result.stderr
    assert "skipped linked.py: is a symbolic link" in result.stderr


def test_a_socket_is_skipped(project: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(project / "src" / "s.py"))
        server.listen(1)
        result = nnx_migrate("src", "--no-cache", "--check", cwd=project)
    finally:
        server.close()
    assert result.returncode == 1, result.stderr
    assert "skipped src/s.py: is a socket, not a regular file" in result.stderr


def test_a_device_named_on_the_command_line_is_skipped(tmp_path: Path) -> None:
    result = nnx_migrate("/dev/null", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "skipped /dev/null: is a character device, not a regular file" in result.stderr


def test_a_fifo_gitignore_is_not_read(project: Path) -> None:
    (project / ".git").mkdir()
    os.mkfifo(project / ".gitignore")
    result = nnx_migrate("src", "--no-cache", "--check", cwd=project)
    assert result.returncode == 1 and "would change src/good.py" in result.stderr, result.stderr


READERS = textwrap.dedent('''
    import os, sys
    from pathlib import Path
    from nnx_migrate.apply import FileError, read_source, write_atomic
    pipe = Path(sys.argv[1])
    os.mkfifo(pipe)
    for attempt in (lambda: read_source(pipe), lambda: write_atomic(pipe, b"", b"x")):
        try:
            attempt()
        except FileError as error:
            print(error)
''')


def test_the_readers_refuse_a_fifo_without_blocking(tmp_path: Path) -> None:
    """What discovery let through and became a FIFO since: an error, never a wait."""
    result = subprocess.run([sys.executable, "-c", READERS, str(tmp_path / "late.py")], capture_output=True,
                            text=True, timeout=TIMEOUT, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["cannot read: is a FIFO, not a regular file",
                                          "cannot re-read before writing: is a FIFO, not a regular file"]


@pytest.fixture
def locked(project: Path) -> Path:
    """A file to migrate beside good.py, with mode 0444."""
    path = project / "src" / "locked.py"
    path.write_text(GOOD.replace("class M", "class N"))
    path.chmod(0o444)
    return path


def test_a_read_only_file_is_reported_and_left_as_it_is(project: Path, locked: Path) -> None:
    before = locked.read_bytes()
    result = nnx_migrate("src", "--no-cache", cwd=project)
    assert result.returncode == 123, result.stderr
    assert "error: src/locked.py: read-only (mode 0444); file left unchanged" in result.stderr
    assert locked.read_bytes() == before and stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert (project / "src" / "good.py").read_text() == GOOD_MIGRATED  # the others are still written


def test_review_reports_a_read_only_file(project: Path, locked: Path) -> None:
    before = locked.read_bytes()
    result = nnx_migrate("src", "--review", "--no-cache", cwd=project, stdin="y\ny\n")  # piped: line answers
    assert result.returncode == 123, result.stderr
    assert "not written src/locked.py: read-only (mode 0444)" in result.stdout
    assert locked.read_bytes() == before
    assert (project / "src" / "good.py").read_text() == GOOD_MIGRATED
