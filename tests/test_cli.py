"""The command line, through a real subprocess, as users and CI run it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOOD = '''import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))  # weights

    def __call__(self, x):
        return x * self.w.value
'''
GOOD_MIGRATED = GOOD.replace("self.w.value", "self.w[...]")


CACHE_HOME = tempfile.mkdtemp(prefix="nnx-migrate-test-cache-")  # keeps the user's cache clean


def nnx_migrate(*args: str, cwd: Path, text: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "XDG_CACHE_HOME": CACHE_HOME}
    return subprocess.run(
        [sys.executable, "-m", "nnx_migrate", *args],
        cwd=cwd, capture_output=True, text=text, env=env, timeout=120,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def bad_tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "good.py").write_text(GOOD)
    (tmp_path / "pkg" / "broken.py").write_text("from flax import nnx\ndef f(:\n    pass\n")
    (tmp_path / "pkg" / "latin.py").write_bytes(b"from flax import nnx\nname = '\xe9t\xe9'\n")
    return tmp_path


def test_diff_writes_nothing_and_reports_bad_files(bad_tree: Path) -> None:
    before = snapshot(bad_tree)
    result = nnx_migrate("pkg", "--diff", cwd=bad_tree)
    assert result.returncode == 123
    assert "-        return x * self.w.value" in result.stdout
    assert "+        return x * self.w[...]" in result.stdout
    assert "pkg/broken.py" in result.stderr and "syntax error" in result.stderr
    assert "pkg/latin.py" in result.stderr and "cannot decode" in result.stderr
    assert snapshot(bad_tree) == before


def test_check_exits_nonzero_and_writes_nothing(bad_tree: Path) -> None:
    before = snapshot(bad_tree)
    assert nnx_migrate("--check", "pkg", cwd=bad_tree).returncode == 123  # 123 wins over 1
    assert snapshot(bad_tree) == before
    (bad_tree / "pkg" / "broken.py").unlink()
    (bad_tree / "pkg" / "latin.py").unlink()
    assert nnx_migrate("--check", "pkg", cwd=bad_tree).returncode == 1
    assert snapshot(bad_tree)["pkg/good.py"] == GOOD.encode()


def test_run_migrates_good_files_and_leaves_bad_ones_identical(bad_tree: Path) -> None:
    before = snapshot(bad_tree)
    result = nnx_migrate("pkg", cwd=bad_tree)
    assert result.returncode == 123
    after = snapshot(bad_tree)
    assert after["pkg/good.py"] == GOOD_MIGRATED.encode()
    assert after["pkg/broken.py"] == before["pkg/broken.py"]
    assert after["pkg/latin.py"] == before["pkg/latin.py"]
    assert "1 file changed" in result.stderr
    (bad_tree / "pkg" / "broken.py").unlink()
    (bad_tree / "pkg" / "latin.py").unlink()
    assert nnx_migrate("--check", "pkg", cwd=bad_tree).returncode == 0


def test_files_without_flax_are_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("def f(:\n")  # a syntax error nobody looks at
    result = nnx_migrate(".", "--check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_piped_diff_applies_with_git(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    (tmp_path / "a.py").write_text(GOOD)
    (tmp_path / "no_newline.py").write_text(GOOD.rstrip("\n"))
    (tmp_path / "crlf.py").write_bytes(GOOD.replace("\n", "\r\n").encode())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = nnx_migrate(".", "--diff", cwd=tmp_path, text=False)  # bytes: keep the \r\n
    assert result.returncode == 0
    assert b"\\ No newline at end of file" in result.stdout
    assert b"\x1b[" not in result.stdout  # no colour when piped
    (tmp_path / "patch.diff").write_bytes(result.stdout)
    applied = subprocess.run(["git", "apply", "patch.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert (tmp_path / "a.py").read_text() == GOOD_MIGRATED
    assert (tmp_path / "no_newline.py").read_text() == GOOD_MIGRATED.rstrip("\n")
    assert (tmp_path / "crlf.py").read_bytes() == GOOD_MIGRATED.replace("\n", "\r\n").encode()
    (tmp_path / "patch.diff").unlink()
    assert nnx_migrate(".", "--check", cwd=tmp_path).returncode == 0


def test_file_format_is_kept(tmp_path: Path) -> None:
    files = {
        "crlf.py": GOOD.replace("\n", "\r\n").encode(),
        "crlf_bom.py": b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(),
        "bom.py": b"\xef\xbb\xbf" + GOOD.encode(),
        "latin1.py": b"# -*- coding: latin-1 -*-\n" + GOOD.replace("# weights", "# poids \u00e9").encode("latin-1"),
        "tabs.py": GOOD.replace("    ", "\t").encode(),
        "no_newline.py": GOOD.rstrip("\n").encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    os.chmod(tmp_path / "tabs.py", 0o751)
    assert nnx_migrate(".", cwd=tmp_path).returncode == 0
    for name, data in files.items():
        after = (tmp_path / name).read_bytes()
        assert after == data.replace(b"self.w.value", b"self.w[...]"), name
    assert stat.S_IMODE((tmp_path / "tabs.py").stat().st_mode) == 0o751
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_excludes_gitignore_and_symlinks(tmp_path: Path) -> None:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    for folder in ("src", "src/generated", "src/skipme", ".venv/lib", "build"):
        (project / folder).mkdir(parents=True, exist_ok=True)
    outside.mkdir()
    (outside / "linked.py").write_text(GOOD)
    for rel in ("src/a.py", "src/generated/g.py", "src/skipme/s.py", ".venv/lib/v.py", "build/b.py"):
        (project / rel).write_text(GOOD)
    (project / ".gitignore").write_text("generated/\n")
    (project / "src" / "link.py").symlink_to(outside / "linked.py")
    (project / "src" / "linkdir").symlink_to(outside, target_is_directory=True)
    result = nnx_migrate(".", "--exclude", "src/skipme", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "src/a.py").read_text() == GOOD_MIGRATED
    for rel in ("src/generated/g.py", "src/skipme/s.py", ".venv/lib/v.py", "build/b.py"):
        assert (project / rel).read_text() == GOOD, rel
    assert (outside / "linked.py").read_text() == GOOD
    assert "symbolic link" in result.stderr


def test_select_ignore_and_unknown_rule(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(GOOD)
    assert nnx_migrate(".", "--check", "--ignore", "value-access", cwd=tmp_path).returncode == 0
    assert nnx_migrate(".", "--check", "--select", "value-access", cwd=tmp_path).returncode == 1
    result = nnx_migrate(".", "--check", "--select", "no-such-rule", cwd=tmp_path)
    assert result.returncode == 2 and "unknown rule" in result.stderr
    assert nnx_migrate(".", "--target-version", "9.9", cwd=tmp_path).returncode == 2
    assert nnx_migrate("missing_dir", cwd=tmp_path).returncode == 2
    assert (tmp_path / "a.py").read_text() == GOOD


def test_pyproject_settings(tmp_path: Path) -> None:
    source = GOOD.replace("return x * self.w.value", "self.n = nnx.Variable(0)\n        return self.n.value")
    (tmp_path / "a.py").write_text(source)
    (tmp_path / "pyproject.toml").write_text('[tool.nnx-migrate]\ntarget-version = "0.12.0"\n')
    assert nnx_migrate(".", "--check", cwd=tmp_path).returncode == 0  # no get_value() on 0.12.0
    assert nnx_migrate(".", "--check", "--target-version", "0.12.8", cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text("[tool.nnx-migrate]\nbogus = 1\n")
    result = nnx_migrate(".", "--check", cwd=tmp_path)
    assert result.returncode == 2 and "bogus" in result.stderr


def test_skip_comment(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(GOOD.replace("self.w.value", "self.w.value  # nnx-migrate: skip"))
    result = nnx_migrate(".", "--check", cwd=tmp_path)
    assert result.returncode == 0
    assert "suppressed" in result.stderr


def test_json_report(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(GOOD + "\n\ndef f(m: M):\n    m.w.value.append(1)\n")
    result = nnx_migrate(".", "--check", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    (entry,) = report["files"]
    assert entry["path"] == "a.py" and entry["status"] == "changed"
    assert entry["edits"][0]["rule"] == "value-access" and entry["edits"][0]["line"] == 10
    assert entry["diagnostics"][0]["line"] == 14 and entry["diagnostics"][0]["advice"]
    assert report["summary"]["rewrites"] == {"value-access": 1}


def test_version_rules_and_routing(tmp_path: Path) -> None:
    version = nnx_migrate("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("nnx-migrate ")
    listing = nnx_migrate("rules", cwd=tmp_path)
    assert listing.returncode == 0 and "value-access" in listing.stdout
    page = nnx_migrate("rules", "value-access", cwd=tmp_path)
    assert page.stdout == (REPO / "docs" / "rules" / "value-access.md").read_text()
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.py").write_text(GOOD)
    assert nnx_migrate("./rules", "--check", cwd=tmp_path).returncode == 1
    assert nnx_migrate("migrate", "--check", "rules", cwd=tmp_path).returncode == 1
    assert nnx_migrate("--bogus-option", "rules", cwd=tmp_path).returncode == 2


def test_verbose_lists_every_rewrite(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(GOOD)
    result = nnx_migrate(".", "--check", "-v", cwd=tmp_path)
    assert "a.py:10:" in result.stderr and "value-access" in result.stderr
    quiet = nnx_migrate(".", "--check", "-q", cwd=tmp_path)
    assert quiet.stderr == "" and quiet.returncode == 1


def test_stdin_to_stdout(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "nnx_migrate", "-", "--stdin-filename", "model.py"],
        input=GOOD.encode(), capture_output=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert result.returncode == 0
    assert result.stdout == GOOD_MIGRATED.encode()
    assert b"1 file would be changed (1 scanned, 1 parsed; stdin: printed on stdout, nothing written)" in result.stderr
    assert b"files changed" not in result.stderr and b"file changed" not in result.stderr
    assert os.listdir(tmp_path) == []
    diff = subprocess.run(
        [sys.executable, "-m", "nnx_migrate", "-", "--diff"],
        input=GOOD.encode(), capture_output=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert diff.returncode == 0 and b"+        return x * self.w[...]" in diff.stdout
    assert b"1 file would be changed (1 scanned, 1 parsed; stdin: diff printed, nothing written)" in diff.stderr
    broken = subprocess.run(
        [sys.executable, "-m", "nnx_migrate", "-"], input=b"from flax import nnx\nx = (\n",
        capture_output=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert broken.returncode == 123 and broken.stdout == b""


def test_stdin_reports_write_nothing_and_keep_stdout_for_the_code(tmp_path: Path) -> None:
    """With `-`, a JSON report says mode "stdin" and goes to stderr (stdout holds the
    migrated code, as ruff's fixes from stdin); `--review` is refused before anything is read,
    so no file named after `--stdin-filename` (or stdin.py) is written."""
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "nnx_migrate", "-", "--output-format", "json", "--no-cache"],
        input=GOOD.encode(), capture_output=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert result.returncode == 0 and result.stdout == GOOD_MIGRATED.encode()
    document = json.loads(result.stderr)
    assert document["mode"] == "stdin" and document["summary"]["changed"] == 1
    check = subprocess.run(
        [sys.executable, "-m", "nnx_migrate", "-", "--check", "--output-format", "json", "--no-cache"],
        input=GOOD.encode(), capture_output=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert check.returncode == 1 and json.loads(check.stdout)["mode"] == "check"
    for name in ([], ["--stdin-filename", "model.py"]):
        review = subprocess.run(
            [sys.executable, "-m", "nnx_migrate", "-", "--review", *name],
            input=GOOD.encode() + b"y\ny\ny\n", capture_output=True, cwd=tmp_path, env=env, timeout=120,
        )
        assert review.returncode == 2 and b"--review" in review.stderr and review.stdout == b""
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_evidence_file_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """evidence.py reads as discovery does: regular files only, opened non-blocking."""
    (tmp_path / "model.py").write_text(GOOD)
    os.mkfifo(tmp_path / "evidence.json")
    result = nnx_migrate(".", "--check", "--no-cache", "--evidence", "evidence.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot read the evidence file" in result.stderr and "is a FIFO, not a regular file" in result.stderr


def test_warm_run_uses_the_cache_and_agrees_with_a_cold_one(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(GOOD)
    (tmp_path / "b.py").write_text(GOOD.replace("class M", "class N"))
    cache = tmp_path.parent / f"{tmp_path.name}-cache"
    cold = nnx_migrate(".", "--diff", "--cache-dir", str(cache), cwd=tmp_path)
    assert list(cache.glob("*.json"))
    warm = nnx_migrate(".", "--diff", "--cache-dir", str(cache), cwd=tmp_path)
    uncached = nnx_migrate(".", "--diff", "--no-cache", cwd=tmp_path)
    assert cold.stdout == warm.stdout == uncached.stdout and "self.w[...]" in warm.stdout
    assert "0 parsed" in warm.stderr and "2 parsed" in cold.stderr
    # the warm run writes too, from the cache
    assert nnx_migrate(".", "--cache-dir", str(cache), cwd=tmp_path).returncode == 0
    assert (tmp_path / "a.py").read_text() == GOOD_MIGRATED
    # an edit invalidates the entry
    (tmp_path / "b.py").write_text(GOOD)
    again = nnx_migrate(".", "--check", "--cache-dir", str(cache), cwd=tmp_path)
    assert again.returncode == 1 and "2 parsed" in again.stderr


def test_another_build_of_the_tool_does_not_reuse_the_cached_results(tmp_path: Path, monkeypatch) -> None:
    """The key holds the tool's own sources: an edited rule with an unchanged version
    number must parse again, not serve what the previous build concluded."""
    from nnx_migrate import cache
    from nnx_migrate.config import Settings

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "rule.py").write_text("A = 1\n")
    before = cache.source_digest([rules])
    assert cache.source_digest([rules]) == before
    (rules / "rule.py").write_text("A = 2\n")
    assert cache.source_digest([rules]) != before

    # the running tool's sources: its package and the rules (elsewhere in an editable install)
    package = Path(cache.__file__).parent
    rules_folder = REPO / "codemods"
    expected = [package] if rules_folder.is_relative_to(package) else [package, rules_folder]
    assert cache.tool_digest() == cache.source_digest(expected)

    files = [(tmp_path / "a.py", GOOD.encode())]
    key = cache.project_key(Settings(), files, complete=True)
    assert cache.project_key(Settings(), files, complete=True) == key
    monkeypatch.setattr(cache, "tool_digest", lambda: "another build")
    assert cache.project_key(Settings(), files, complete=True) != key


def test_jobs_give_the_same_result(tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"m{n}.py").write_text(GOOD.replace("class M", f"class M{n}"))
    one = nnx_migrate(".", "--diff", "--no-cache", "-j", "1", cwd=tmp_path)
    two = nnx_migrate(".", "--diff", "--no-cache", "-j", "2", cwd=tmp_path)
    assert one.stdout == two.stdout and one.stdout.count("+++ b/") == 40


def test_line_100_is_not_an_emoji(tmp_path: Path) -> None:
    """rich reads `:100:` as an emoji code unless told not to: `a.py:100:5` must print as is."""
    lines = ["from flax import nnx", *["x = 1"] * 97, "def f(v: nnx.Param):", "    v.value.append(1)"]
    (tmp_path / "a.py").write_text("\n".join(lines) + "\n")
    result = nnx_migrate("a.py", "--check", "--no-cache", cwd=tmp_path)
    assert "a.py:100:5: value-access" in result.stderr
