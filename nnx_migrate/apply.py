"""Apply stage: read a source file faithfully, diff, and write atomically.

A file keeps its encoding (PEP 263 cookie, UTF-8 BOM), its line endings and its final
newline or lack of one: text is decoded without newline translation and the rewrite
only ever replaces expressions inside lines.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import io
import os
import signal
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class FileError(Exception):
    """The file cannot be processed (unreadable, undecodable, changed while we worked)."""

    def __init__(self, message: str, data: bytes | None = None):
        super().__init__(message)
        self.data = data  # the bytes, where they could be read


class NotARegularFile(OSError):
    """A FIFO, socket or device: reading it could wait forever or never end, so it is not read."""

    def __init__(self, why: str):
        super().__init__(errno.EINVAL, why)


def why_not_regular(mode: int) -> str | None:
    """Why a file of this `st_mode` is not read ("is a FIFO, not a regular file"), or None."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))
    kind = next((kind for is_kind, kind in kinds if is_kind(mode)), "something else")
    return f"is {kind}, not a regular file"


def read_regular_file(path: Path) -> bytes:
    """The bytes of `path`, which must be a regular file (NotARegularFile otherwise).

    Checked before opening (opening a device can do things), and again on the open
    descriptor, opened non-blocking: a FIFO swapped in meanwhile cannot make a read wait.
    """
    why = why_not_regular(os.stat(path).st_mode)
    if why is not None:
        raise NotARegularFile(why)
    with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
        why = why_not_regular(os.fstat(handle.fileno()).st_mode)
        if why is not None:
            raise NotARegularFile(why)
        return handle.read()


@dataclass
class SourceText:
    data: bytes
    text: str  # the Python the rules see (a notebook's code cells or a page's blocks, joined)
    encoding: str
    embedded: object | None = None  # notebook.Notebook or docblocks.Page: where the code lives
    unread: tuple[tuple[int, int], ...] = ()  # (line, column) of f-strings newer than this Python reads

    def render(self, new_text: str) -> bytes:
        """The file's bytes with `new_text` in place of `text`."""
        from nnx_migrate import docblocks, notebook

        if isinstance(self.embedded, notebook.Notebook):
            return notebook.dump(new_text, self.embedded).encode("utf-8")
        if isinstance(self.embedded, docblocks.Page):
            return docblocks.dump(new_text, self.embedded).encode(self.encoding)
        return new_text.encode(self.encoding)

    def diff(self, display: str, new_text: str) -> str:
        display = display.lstrip("/")  # as git names an absolute path: a/tmp/x.py, not a//tmp/x.py
        if getattr(self.embedded, "script", False):  # a percent script: one diff of the file
            from nnx_migrate import docblocks

            return unified_diff(display, "".join(self.embedded.lines), docblocks.dump(new_text, self.embedded))
        if self.embedded is not None:
            from nnx_migrate import notebook

            label = "cell" if isinstance(self.embedded, notebook.Notebook) else "block"
            return notebook.cell_diffs(display, self.text, new_text, label, self.embedded.masker)
        return unified_diff(display, self.text, new_text)


def read_source(path: Path) -> SourceText:
    try:
        data = read_regular_file(path)
    except OSError as error:
        raise FileError(f"cannot read: {error.strerror or error}") from error
    if path.suffix == ".ipynb":
        from nnx_migrate import notebook

        try:
            text, book = notebook.load(data.decode("utf-8"))
        except (UnicodeDecodeError, notebook.NotebookError) as error:
            raise FileError(f"cannot read the notebook: {error}", data) from error
        return SourceText(data, text, "utf-8", book)
    if path.suffix in (".md", ".markdown", ".rst"):
        from nnx_migrate import docblocks

        try:
            page_text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileError(f"cannot decode as utf-8: {error}", data) from error
        text, page = docblocks.load(page_text, path.suffix)
        return SourceText(data, text, "utf-8", page)
    source = decode_source(data)
    if path.suffix == ".py":
        from nnx_migrate import docblocks

        if docblocks.is_percent_script(source.text):
            text, script = docblocks.load(source.text, ".py")
            return SourceText(data, text, source.encoding, script)
    return source


def read_unchanged(path: Path, text: str) -> SourceText | None:
    """The file read again, or None unless the text the rules saw is still what it holds."""
    try:
        source = read_source(path)
    except FileError:
        return None
    return source if source.text == text else None


def decode_source(data: bytes) -> SourceText:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise FileError(f"cannot determine the encoding: {error}", data) from error
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise FileError(f"cannot decode as {encoding}: {error}", data) from error
    return SourceText(data, text, encoding)


def unified_diff(display_path: str, old: str, new: str) -> str:
    """A unified diff that `git apply` accepts: a/ b/ prefixes and the
    '\\ No newline at end of file' marker, which difflib alone does not write."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(
        old_lines, new_lines, fromfile=f"a/{display_path}", tofile=f"b/{display_path}", lineterm="\n"
    ):
        if line.startswith(("---", "+++")):
            out.append(line)
            continue
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomic(path: Path, expected_old: bytes, new_data: bytes) -> None:
    """Replace `path` with `new_data` in one step, keeping its permission bits.

    The file is re-read first: if it changed on disk since it was read, or its
    permissions say it is read-only, nothing is written. A temporary file in the same
    folder is renamed over the original, so an interruption leaves either the old file
    or the new one, never half of either.
    """
    try:
        if read_regular_file(path) != expected_old:
            raise FileError("changed on disk while nnx-migrate ran; not written")
        info = path.stat()
    except OSError as error:
        raise FileError(f"cannot re-read before writing: {error.strerror or error}") from error
    mode = stat.S_IMODE(info.st_mode)
    if _write_protected(info):  # the rename below would replace it all the same
        raise FileError(f"read-only (mode {mode:04o})")
    with _signals_held():
        try:  # a read-only folder fails here: one file's failure, like any other
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".nnx-migrate")
        except OSError as error:
            raise FileError(f"cannot write: {error.strerror or error}") from error
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(new_data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException as error:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            if isinstance(error, OSError):
                raise FileError(f"cannot write: {error.strerror or error}") from error
            raise


def _write_protected(info: os.stat_result) -> bool:
    """Whether the file's permission bits deny this user writing it; for root, whether
    they deny everyone (0444: made read-only on purpose)."""
    if not hasattr(os, "geteuid"):  # pragma: no cover - not on POSIX
        return not info.st_mode & stat.S_IWUSR
    user = os.geteuid()
    if user == 0:
        return not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    if info.st_uid == user:
        return not info.st_mode & stat.S_IWUSR
    if info.st_gid in (os.getegid(), *os.getgroups()):
        return not info.st_mode & stat.S_IWGRP
    return not info.st_mode & stat.S_IWOTH


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the file is replaced (or the temporary removed), so an
    interruption never leaves a temporary file behind; they are delivered right after."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
