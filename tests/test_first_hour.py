"""What a new user meets in the first hour (issue 15): the installed wheel, the cache under
another spelling of a path, runs with worker processes, read-only folders, bad paths,
reports at scale, newer Python syntax. Each test is the issue's repro, made to fail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from nnx_migrate import cli, pipeline
from nnx_migrate.config import Settings
from nnx_migrate.registry import RULES
from nnx_migrate.review import review
from nnx_migrate.workers import worker_pool

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "mlp_project"
MODULE = '''import jax.numpy as jnp
from flax import nnx


class Block{n}(nnx.Module):
    def __init__(self, dim, rngs):
        self.w = nnx.Param(jnp.ones((dim,)))

    def __call__(self, x):
        return x * self.w.value


def build{n}():
    return Block{n}(2, nnx.Rngs(0))
'''


def run(*args: str, cwd: Path, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnx_migrate", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})})


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def make_tree(root: Path, count: int) -> Path:
    for n in range(count):
        package = root / f"pkg{n // 10}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"m{n}.py").write_text(MODULE.format(n=n))
    return root


def children_of(pid: int) -> list[int]:
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


def is_running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for an init that may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


# 1. the wheel holds every package, the verifier included


def test_the_wheel_holds_every_package_of_the_source_tree(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("nnx_migrate-*.whl")
    in_wheel = {str(Path(name).parent).replace("/", ".") for name in zipfile.ZipFile(wheel).namelist()
                if name.endswith("/__init__.py")}
    in_source = {".".join(("nnx_migrate", *p.parent.relative_to(REPO / "nnx_migrate").parts))
                 for p in (REPO / "nnx_migrate").rglob("__init__.py")}
    in_source |= {".".join(("nnx_migrate", *p.parent.relative_to(REPO).parts))
                  for p in (REPO / "codemods").rglob("__init__.py")}
    assert "nnx_migrate.verify" in in_source and "nnx_migrate.codemods" in in_source
    assert in_wheel == in_source
    assert "codemods/__init__.py" not in zipfile.ZipFile(wheel).namelist()  # never a top-level `codemods`


# 2. the cache, under another spelling of the same tree


def test_the_cache_serves_a_tree_named_another_way(tmp_path: Path) -> None:
    project = tmp_path / "work" / "proj"
    make_tree(project, 3)
    cache = tmp_path / "cache"
    relative = run("proj", "--check", "--cache-dir", str(cache), cwd=project.parent)
    absolute = run(str(project), "--check", "--cache-dir", str(cache), cwd=project.parent)
    dotted = run("./work/../work/proj", "--check", "--cache-dir", str(cache), cwd=tmp_path)
    for result in (relative, absolute, dotted):
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "3 parsed" in relative.stderr and "0 parsed" in absolute.stderr and "0 parsed" in dotted.stderr
    assert len(list(cache.glob("*.json"))) == 1
    # `--diff` from one folder, the in-place run from another: it writes, from the cache
    written = run(".", "--cache-dir", str(cache), cwd=project)
    assert written.returncode == 0 and "0 parsed" in written.stderr, written.stderr
    assert all("self.w[...]" in p.read_text() for p in project.rglob("*.py"))


@pytest.mark.parametrize("damage", [
    "not json", "[]", '{"files": 7}', '{"files": [{"path": 3}]}', '{"files": [{"status": "changed"}]}',
    '{"files": [{"path": "/elsewhere/x.py", "status": "changed"}]}',
])
def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path, damage: str) -> None:
    project = make_tree(tmp_path / "proj", 2)
    cache = tmp_path / "cache"
    assert run(".", "--check", "--cache-dir", str(cache), cwd=project).returncode == 1
    (entry,) = cache.glob("*.json")
    entry.write_text(damage)
    again = run(".", "--check", "--cache-dir", str(cache), cwd=project)
    assert again.returncode == 1 and "Traceback" not in again.stderr, again.stderr
    assert "2 parsed" in again.stderr  # computed again, not taken from the damaged entry


# 3 and 11. worker processes: no inherited handlers, no orphans


def _worker_state() -> tuple:
    pdeathsig = None
    if sys.platform.startswith("linux"):
        import ctypes

        value = ctypes.c_int()
        ctypes.CDLL(None).prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
        pdeathsig = value.value
    return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT), pdeathsig


def test_workers_do_not_inherit_the_parents_signal_handlers() -> None:
    def parent_handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, parent_handler)
    try:
        with worker_pool(2) as pool:
            states = [pool.apply(_worker_state) for _ in range(4)]
    finally:
        signal.signal(signal.SIGTERM, previous)
    for term, interrupt, pdeathsig in states:
        assert term == signal.SIG_DFL and interrupt == signal.SIG_IGN
        if sys.platform.startswith("linux"):
            assert pdeathsig == signal.SIGKILL
    assert signal.getsignal(signal.SIGTERM) is previous


@linux_only
def test_a_terminated_run_with_workers_prints_no_traceback(tmp_path: Path) -> None:
    make_tree(tmp_path, 1500)
    process = subprocess.Popen([sys.executable, "-m", "nnx_migrate", ".", "--check", "--no-cache", "-j", "2", "-q"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None and len(children_of(process.pid)) < 2:
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before its workers could be seen"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and "interrupted" in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr


def test_many_files_with_jobs_end_cleanly(tmp_path: Path) -> None:
    make_tree(tmp_path, 60)
    for _ in range(4):  # the inherited handler printed tracebacks in about half of such runs
        result = run(".", "--check", "--no-cache", "-j", "2", cwd=tmp_path)
        assert result.returncode == 1 and "60 files would be changed" in result.stderr
        assert "Traceback" not in result.stderr, result.stderr


ORPHAN_SCRIPT = """
import sys, time
from nnx_migrate.workers import worker_pool
with worker_pool(2) as pool:
    pending = pool.map_async(time.sleep, [120, 120], chunksize=1)
    print(*(worker.pid for worker in pool._pool), flush=True)
    time.sleep(120)
"""


@linux_only
def test_workers_end_when_the_main_process_is_killed() -> None:
    process = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in process.stdout.readline().split()]
    assert len(workers) == 2 and all(is_running(pid) for pid in workers)
    process.kill()  # as a CI timeout does: SIGKILL, no handler runs
    process.wait(timeout=30)
    deadline = time.time() + 10
    while time.time() < deadline and any(is_running(pid) for pid in workers):
        time.sleep(0.05)
    alive = [pid for pid in workers if is_running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "workers outlived the killed main process"


# 4. a folder that cannot be written to


def test_a_read_only_folder_is_one_files_failure(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "open").mkdir()
    (tmp_path / "locked" / "a.py").write_text(MODULE.format(n=0))
    (tmp_path / "open" / "b.py").write_text(MODULE.format(n=1))
    real_mkstemp = pipeline.write_atomic.__globals__["tempfile"].mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if Path(dir).name == "locked":  # what a read-only mount or a chmod 555 folder answers
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr("tempfile.mkstemp", mkstemp)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["locked", "open", "--no-cache"])
    stderr = capsys.readouterr().err
    assert exit_.value.code == 123
    assert "locked/a.py: cannot write: Permission denied; file left unchanged" in stderr
    assert (tmp_path / "locked" / "a.py").read_text() == MODULE.format(n=0)
    assert "self.w[...]" in (tmp_path / "open" / "b.py").read_text()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into a chmod 555 folder")
def test_a_chmod_555_folder_is_one_files_failure(tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.py").write_text(MODULE.format(n=0))
    (tmp_path / "locked").chmod(0o555)
    try:
        result = run("locked", "--no-cache", cwd=tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert result.returncode == 123 and "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_a_read_only_mount_is_one_files_failure(tmp_path: Path) -> None:
    source, mount = tmp_path / "source", tmp_path / "mount"
    make_tree(source, 2)
    mount.mkdir()
    if subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(mount)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here (needs root or a mount namespace)")
    try:
        before = snapshot(source)
        result = run(str(mount), "--no-cache", cwd=tmp_path)
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    assert result.returncode == 123 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("cannot write: Read-only file system; file left unchanged") == 2
    assert snapshot(source) == before


# 5. paths are checked before anything is touched


@pytest.mark.parametrize("mode", [[], ["--check"], ["--diff"]], ids=["write", "check", "diff"])
def test_a_missing_path_is_a_usage_error_that_writes_nothing(tmp_path: Path, mode: list[str]) -> None:
    make_tree(tmp_path / "proj", 2)
    before = snapshot(tmp_path)
    result = run("proj", "missing.py", *mode, "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.py: no such file or directory" in result.stderr
    assert result.stdout == "" and "changed" not in result.stderr
    assert snapshot(tmp_path) == before


def test_a_missing_path_alone_says_only_that(tmp_path: Path) -> None:
    result = run("/nonexistent", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "nnx-migrate: error: /nonexistent: no such file or directory"


def test_review_ended_by_its_input_is_not_an_abort(tmp_path: Path) -> None:
    make_tree(tmp_path / "src", 1)
    before = snapshot(tmp_path)
    result = run("src", "--review", "--no-cache", cwd=tmp_path, stdin="n\n")
    assert result.returncode == 0, result.stderr
    assert "Abort" not in result.stderr and "0 hunk(s) accepted" in result.stderr
    assert snapshot(tmp_path) == before


# 6. reports at scale


def test_repeated_notes_are_one_line_and_check_names_the_files(tmp_path: Path) -> None:
    make_tree(tmp_path, 5)
    default = run(".", "--check", "--no-cache", cwd=tmp_path)
    notes = [line for line in default.stderr.splitlines() if line.startswith("  note ")]
    assert len(notes) == 1 and "keyword-only (callers" in notes[0] and "and 4 more like it" in notes[0]
    would = sorted(line for line in default.stderr.splitlines() if line.startswith("would change "))
    assert would == sorted(f"would change pkg0/m{n}.py" for n in range(5))
    verbose = run(".", "--check", "--no-cache", "-v", cwd=tmp_path)
    assert len([line for line in verbose.stderr.splitlines() if line.startswith("  note ")]) == 5


def test_stdin_reports_kept_signatures_once(tmp_path: Path) -> None:
    source = "".join(MODULE.format(n=n) for n in range(4))
    result = run("-", "--no-cache", cwd=tmp_path, stdin=source)
    kept = [line for line in result.stderr.splitlines() if "keeps `rngs` positional" in line]
    assert len(kept) == 1 and "and 3 more like it" in kept[0]
    assert result.returncode == 0 and "self.w[...]" in result.stdout


# 7. --review: which rule, and one rule per question


def test_review_names_the_rule_and_asks_about_the_signature_group_alone(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(textwrap.dedent('''\
        from flax import nnx


        class Stack(nnx.Module):
            def __init__(self, dim, rngs):
                self.layers = [
                    nnx.Linear(dim, dim, rngs=rngs),
                ]


        def build():
            return Stack(2, nnx.Rngs(0))
    '''))
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=False)
    console = Console(record=True, width=200, force_terminal=False)
    questions = []

    def ask(prompt: str) -> str:
        questions.append((console.export_text(), prompt))
        return "y"

    counts = review(result, ask=ask, console=console)
    assert counts["accepted"] >= 3 and counts["failed"] == 0
    shown = [screen for screen, _ in questions]
    (containers,) = [screen for screen in shown if "[module-containers]" in screen]
    assert "one rewrite over several lines" in containers and "+        ])" in containers  # the list's end with it
    (group,) = [screen for screen in shown if "(a signature and its call sites)" in screen]
    assert "[keyword-only-rngs]" in group and "nnx.List" not in group
    assert any("[a]ll of keyword-only-rngs," in prompt for _, prompt in questions)
    text = (tmp_path / "model.py").read_text()
    assert "def __init__(self, dim, *, rngs)" in text and "nnx.List([" in text and "Stack(2, rngs=" in text


# 8. small things users see


def test_diff_header_of_an_absolute_path_and_a_nul_byte(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    target = tmp_path / "proj" / "a.py"
    target.write_text(MODULE.format(n=0))
    (tmp_path / "proj" / "nul.py").write_bytes(b"import flax\nx = 1\x00\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(str(tmp_path / "proj"), "--diff", "--no-cache", cwd=elsewhere)
    assert f"--- a{target}\n+++ b{target}\n" in result.stdout and "a//" not in result.stdout
    assert "nul.py: cannot parse: source code string cannot contain null bytes" in result.stderr
    assert "line None" not in result.stderr and result.returncode == 123


def test_rules_listing_is_whole_when_piped(tmp_path: Path) -> None:
    result = run("rules", cwd=tmp_path, env={"COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    for rule, line in zip(RULES, lines):
        assert line.startswith(rule.name + " ") and rule.summary in line and rule.safety in line


@pytest.mark.parametrize("command", ["migrate", "verify", "rules"])
def test_help_shows_no_type_after_flags(tmp_path: Path, command: str) -> None:
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "--help" in result.stdout
    assert "<bool>" not in result.stdout


# 9. the tests' caches stay out of the user's cache directory


def test_caches_live_where_the_variable_says(tmp_path: Path) -> None:
    from nnx_migrate.cache import default_directory
    from nnx_migrate.verify.envs import cache_root

    if os.environ.get("NNX_MIGRATE_TEST_SHARED_CACHE") != "1":
        assert Path(os.environ["NNX_MIGRATE_CACHE_DIR"]) == REPO / ".test-cache"
    assert default_directory() == Path(os.environ["NNX_MIGRATE_CACHE_DIR"]) / "results"
    assert cache_root() == Path(os.environ["NNX_MIGRATE_CACHE_DIR"]) / "envs"
    make_tree(tmp_path / "proj", 1)
    home = tmp_path / "home"
    result = run("proj", "--check", cwd=tmp_path, env={"NNX_MIGRATE_CACHE_DIR": str(tmp_path / "mine"),
                                                        "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")})
    assert result.returncode == 1
    assert list((tmp_path / "mine" / "results").glob("*.json")) and not home.exists()


# 10. the flax releases after 0.12.8


@pytest.mark.parametrize("version", ["0.12.9", "0.12.10", "0.12.11", "0.12.12"])
def test_target_version_knows_the_newest_flax(tmp_path: Path, version: str) -> None:
    make_tree(tmp_path, 1)
    result = run(".", "--check", "--no-cache", "--target-version", version, cwd=tmp_path)
    assert result.returncode == 1 and "value-access" in result.stderr


def test_an_unknown_newer_flax_is_a_usage_error(tmp_path: Path) -> None:
    result = run(".", "--check", "--no-cache", "--target-version", "0.12.13", cwd=tmp_path)
    assert result.returncode == 2 and "0.12.12" in result.stderr


# 12. a file written for a newer Python than the one running the tool

PEP_701 = MODULE.format(n=0) + """

def show(lines):
    return f"{'\\n'.join([str(Block0(2, nnx.Rngs(0))), *lines])}" + str(Block0(3, nnx.Rngs(1)).w.value)
"""


def test_a_file_with_a_pep_701_f_string_is_migrated_around_it(tmp_path: Path) -> None:
    (tmp_path / "new.py").write_text(PEP_701)
    (tmp_path / "old.py").write_text(MODULE.format(n=1))
    result = run(".", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0 and "syntax error" not in result.stderr, result.stderr
    assert "self.w[...]" in (tmp_path / "old.py").read_text()
    new = (tmp_path / "new.py").read_text()
    assert "return x * self.w[...]" in new and "nnx.Rngs(1)).w[...])" in new
    if sys.version_info >= (3, 12):  # everything, the f-string's inside too
        assert "def __init__(self, dim, *, rngs)" in new and "str(Block0(2, rngs=nnx.Rngs(0)))" in new
    else:  # a call inside the f-string is unseen: the signature stays, and both say why
        assert "def __init__(self, dim, rngs)" in new and "str(Block0(2, nnx.Rngs(0)))" in new
        assert "new.py:18:12: python-version: this f-string is Python 3.12 syntax" in result.stderr
        assert "keeps `rngs` positional" in result.stderr


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads `type` statements")
def test_other_newer_syntax_needs_that_python(tmp_path: Path) -> None:
    source = MODULE.format(n=0) + "\ntype Pair = tuple[int, int]\n"
    (tmp_path / "new.py").write_text(source)
    result = run(".", "--no-cache", cwd=tmp_path)
    assert result.returncode == 123 and "syntax error" not in result.stderr
    assert "new.py: needs Python 3.12 to parse" in result.stderr
    assert (tmp_path / "new.py").read_text() == source


def test_a_rule_whose_project_plan_fails_fails_files_not_the_run(tmp_path: Path, monkeypatch, capsys) -> None:
    """A bug in a rule's project-wide step (keyword-only-rngs's plan): each file it reaches
    is reported and left as it was, without a traceback; the other rules do not change it."""
    from nnx_migrate.codemods import keyword_only_rngs

    def broken_plan(self):
        raise RuntimeError("planning bug")

    monkeypatch.setattr(keyword_only_rngs._Planner, "plan", broken_plan)
    (tmp_path / "a.py").write_text(MODULE.format(n=0))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.main([".", "--no-cache"])
    captured = capsys.readouterr()
    assert exit_.value.code == 123
    assert "planning bug" in captured.err and "Traceback" not in captured.err + captured.out
    assert (tmp_path / "a.py").read_text() == MODULE.format(n=0)
