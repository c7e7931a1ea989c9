"""`nnx-migrate trace` and `--evidence`: what the recorder writes, how fragments merge, and
how the rules use evidence where static inference cannot tell (and only there)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nnx_migrate.evidence import merge
from nnx_migrate.trace import run_trace

# Receivers static inference cannot type: a registry, getattr, an unannotated parameter.
DYNAMIC = '''\
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, dim: int):
        self.scale = nnx.Param(jnp.full((dim,), 2.0))
        self.count = nnx.Variable(3)


def pick(module, name):
    return getattr(module, name)


block = Block(4)
a, b = pick(block, "scale"), pick(block, "count")
print(float(a.value.sum()) + b.value, a.value.shape)
'''


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnx_migrate", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=_env())


def _env() -> dict:
    import os

    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def _trace(project: Path, python: str = sys.executable) -> dict:
    result = _cli("trace", "-o", "evidence.json", "--python", python, "--", "main.py", cwd=project)
    assert result.returncode == 0, result.stderr
    return json.loads((project / "evidence.json").read_text())


def _migrate(project: Path, *args: str) -> subprocess.CompletedProcess:
    return _cli(".", "--no-cache", "--evidence", "evidence.json", *args, cwd=project)


def _sites(document: dict, name: str, kind: str) -> list[dict]:
    (path,) = [p for p in document["files"] if p.endswith(name)]
    return [s for s in document["files"][path]["sites"] if s["kind"] == kind]


def test_several_value_sites_on_one_line_are_told_apart(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": DYNAMIC})
    document = _trace(project)
    reads = _sites(document, "main.py", "value-read")
    on_line = sorted((s["column"], s["end_column"], tuple(s["values"])) for s in reads if s["line"] == 17)
    line = DYNAMIC.splitlines()[16]
    first, second, third = line.index("a.value"), line.index("b.value"), line.rindex("a.value")
    # `a.value` (an array, twice) and `b.value` (an int), each with its own columns
    assert on_line == [(first, first + 7, ("array:float32",)), (second, second + 7, ("other:int",)),
                       (third, third + 7, ("array:float32",))]

    result = _migrate(project, "--output-format", "json")
    assert result.returncode == 0, result.stderr
    migrated = (project / "main.py").read_text()
    assert "print(float(a[...].sum()) + b.get_value(), a.shape)" in migrated
    report = json.loads(result.stdout)
    marked = [e for f in report["files"] for e in f["edits"] if e["from_evidence"]]
    assert len(marked) == 3
    assert report["summary"]["evidence"]["rewrites"] == 3
    run = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "main.py"], cwd=project,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "11.0 (4,)"


def test_without_evidence_the_dynamic_sites_stay(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": DYNAMIC})
    result = _cli(".", "--no-cache", "--diff", cwd=project)
    assert "a.value" not in result.stdout and "b.value" not in result.stdout


def test_stale_evidence_is_ignored_and_said_so(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": DYNAMIC})
    _trace(project)
    path = project / "main.py"
    path.write_text(path.read_text() + "# edited after the trace\n")
    result = _migrate(project, "--diff")
    assert "a[...]" not in result.stdout and "get_value" not in result.stdout
    assert "changed since it was traced: its evidence is ignored" in result.stderr


# no jax computation anywhere: a forked process may deadlock in XLA once the parent ran one
CHILD = '''\
import sys
from flax import nnx


class Counter(nnx.Module):
    def __init__(self):
        self.n = nnx.Variable(0)


def bump(variable):
    variable.value = variable.value + 1


def child_work(_=None):
    bump(getattr(Counter(), "n"))


if __name__ == "__main__" and sys.argv[1:] == ["child"]:
    child_work()
'''
PARENT = '''\
import multiprocessing
import subprocess
import sys
import child


def show(variable):
    return variable.value


if __name__ == "__main__":
    print(show(getattr(child.Counter(), "n")))
    subprocess.run([sys.executable, "child.py", "child"], check=True)
    worker = multiprocessing.get_context("fork").Process(target=child.child_work)
    worker.start()
    worker.join()
'''


def test_fragments_of_several_processes_are_merged(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": PARENT, "child.py": CHILD})
    target = project / "evidence.json"
    result = run_trace(["main.py"], target, python=sys.executable, cwd=project)
    assert result.returncode == 0
    assert result.processes == 3  # the script, the subprocess, the forked worker (left through os._exit)
    document = json.loads(target.read_text())
    assert {s["line"] for s in _sites(document, "main.py", "value-read")} == {8}
    assert {s["line"] for s in _sites(document, "child.py", "value-read")} == {11}
    assert {s["line"] for s in _sites(document, "child.py", "value-write")} == {11}
    migrated = _migrate(project)
    assert migrated.returncode == 0, migrated.stderr
    assert "variable.set_value(variable.get_value() + 1)" in (project / "child.py").read_text()
    assert "return variable.get_value()" in (project / "main.py").read_text()


def test_merge_unites_values_and_drops_files_that_changed_during_the_run() -> None:
    site = {"kind": "value-read", "line": 3, "column": 4, "end_line": 3, "end_column": 11}
    first = {"runs": [{"pid": 1}], "files": {
        "/p/a.py": {"sha256": "x", "sites": [{**site, "values": ["array:float32"]}]},
        "/p/b.py": {"sha256": "old", "sites": [site | {"values": ["other:int"]}]}}}
    second = {"runs": [{"pid": 2}], "files": {
        "/p/a.py": {"sha256": "x", "sites": [{**site, "values": ["other:NoneType"]}]},
        "/p/b.py": {"sha256": "new", "sites": []}}}
    merged = merge([first, second])
    assert merged["files"]["/p/a.py"]["sites"] == [{**site, "values": ["array:float32", "other:NoneType"]}]
    assert "/p/b.py" not in merged["files"] and merged["changed_during_run"] == ["/p/b.py"]
    assert [run["pid"] for run in merged["runs"]] == [1, 2]


DISAGREE = '''\
import enum
import jax.numpy as jnp
from flax import nnx


class Plain:
    def __init__(self):
        self.value = 1.0


class Mode(enum.Enum):
    TRAIN = 1


def read(holder: Plain):
    return holder.value


variable = nnx.Variable(jnp.ones(()))
print(read(Plain()), read(variable), Mode.TRAIN.value)
'''


def test_evidence_never_overrides_a_static_proof(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": DISAGREE})
    document = _trace(project)
    assert [s["line"] for s in _sites(document, "main.py", "value-read")] == [16]  # the Variable passed to read()
    result = _migrate(project, "--output-format", "json")
    assert result.returncode == 0, result.stderr
    text = (project / "main.py").read_text()
    assert "return holder.value" in text and "Mode.TRAIN.value" in text
    report = json.loads(result.stdout)
    (item,) = [d for f in report["files"] for d in f["diagnostics"] if d["rule"] == "evidence"]
    assert item["line"] == 16 and "static inference shows the receiver is a main.Plain" in item["message"]


STATE_ITEMS = '''\
import jax.numpy as jnp
from flax import nnx


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones((2,)))


class Config:
    def __init__(self):
        self.w = 2  # `w` is not only a Variable's name: statically, params["w"] is not known


params = nnx.state(Model(), nnx.Param)
print(params["w"].value.shape, params.w.value.shape, Config().w)
'''


def test_evidence_decides_a_state_item_static_inference_types_only_as_state(tmp_path: Path) -> None:
    # `state[...]` may be a sub-State or a leaf Variable: static inference says "State" for
    # both, which is no proof against the run's Variable
    project = _project(tmp_path, {"main.py": STATE_ITEMS})
    document = _trace(project)
    assert {s["line"] for s in _sites(document, "main.py", "value-read")} == {16}
    result = _migrate(project, "--output-format", "json")
    assert result.returncode == 0, result.stderr
    line = (project / "main.py").read_text().splitlines()[15]
    assert ".value" not in line, line
    report = json.loads(result.stdout)
    assert not [d for f in report["files"] for d in f["diagnostics"] if d["rule"] == "evidence"]


def test_unexecuted_value_sites_are_counted(tmp_path: Path) -> None:
    source = DYNAMIC + textwrap.dedent('''\

        def never_called(thing):
            return thing.value + thing.other.value
        ''')
    project = _project(tmp_path, {"main.py": source})
    _trace(project)
    result = _migrate(project, "--check", "--output-format", "json")
    report = json.loads(result.stdout)
    assert report["summary"]["evidence"]["unexecuted_value_sites"] == 2
    text = _migrate(project, "--check").stderr
    assert "2 `.value` site(s) in files that mention nnx were neither proven nor executed" in text


REGISTRY = '''\
from flax import nnx


LAYERS = {}


def register(name):  # what the registry holds is known only when it runs
    def add(cls):
        LAYERS[name] = cls
        return cls
    return add


@register("dense")
class Dense(nnx.Module):
    def __init__(self, din, dout, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)


class Stack(nnx.Module):
    def __init__(self, kinds, rngs: nnx.Rngs):
        self.layers = [LAYERS[kind](2, 2, rngs) for kind in kinds]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


stack = Stack(["dense", "dense"], rngs=nnx.Rngs(0))
print(len(stack.layers))
'''


def _flax_011() -> str:
    """Plain lists of Modules fail on flax 0.12: such code is traced where it still runs."""
    from nnx_migrate.verify.envs import baseline_python

    return str(baseline_python("0.11.2"))


def test_registry_constructors_and_containers_from_evidence(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": REGISTRY})
    _trace(project, _flax_011())
    result = _migrate(project, "-v")
    assert result.returncode == 0, result.stderr
    text = (project / "main.py").read_text()
    assert "def __init__(self, din, dout, *, rngs):" in text
    assert "self.layers = nnx.List([LAYERS[kind](2, 2, rngs=rngs) for kind in kinds])" in text
    assert "module-containers: `self.layers` -> `nnx.List(...)` (from evidence)" in result.stderr
    run = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "main.py"], cwd=project,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and run.stdout.strip() == "2", run.stderr


def test_a_constructor_called_positionally_where_it_cannot_be_rewritten_stays(tmp_path: Path) -> None:
    source = REGISTRY.replace("LAYERS[kind](2, 2, rngs)", "LAYERS[kind](*(2, 2, rngs))")
    project = _project(tmp_path, {"main.py": source})
    _trace(project, _flax_011())
    _migrate(project)
    assert "def __init__(self, din, dout, rngs):" in (project / "main.py").read_text()


def test_the_environments_own_sitecustomize_still_runs(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": "import os\nprint(os.environ.get('CUSTOMIZED'))\n",
                                  "site/sitecustomize.py": "import os\nos.environ['CUSTOMIZED'] = 'yes'\n"})
    import os

    env = {**_env(), "PYTHONPATH": str(project / "site")}
    result = subprocess.run([sys.executable, "-m", "nnx_migrate", "trace", "-o", "e.json", "--", sys.executable,
                             "main.py"], cwd=project, capture_output=True, text=True, timeout=600, env=env)
    assert result.stdout.strip() == "yes", result.stderr
    assert "0 site(s) in 0 file(s) from 1 process(es) (flax not imported)" in result.stderr
    assert os.environ.get("CUSTOMIZED") is None


def test_trace_exits_with_the_commands_status(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": "raise SystemExit(3)\n"})
    result = _cli("trace", "-o", "e.json", "--python", sys.executable, "--", "main.py", cwd=project)
    assert result.returncode == 3
    assert json.loads((project / "e.json").read_text())["files"] == {}


@pytest.mark.parametrize("content", [None, "{not json", '{"format": 99, "files": {}}'])
def test_a_bad_evidence_file_is_a_usage_error(tmp_path: Path, content: str | None) -> None:
    project = _project(tmp_path, {"main.py": DYNAMIC})
    if content is not None:
        (project / "evidence.json").write_text(content)
    result = _migrate(project, "--diff")
    assert result.returncode == 2
    assert "evidence" in result.stderr


def test_evidence_from_pyproject_is_relative_to_it(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": DYNAMIC})
    _trace(project)
    (project / "pyproject.toml").write_text('[tool.nnx-migrate]\nevidence = "evidence.json"\n')
    (project / "sub").mkdir()
    result = _cli(str(project / "main.py"), "--no-cache", "--diff", cwd=project / "sub")
    assert "a[...]" in result.stdout, result.stderr


def test_a_registered_class_keeps_positional_rngs_without_evidence(tmp_path: Path) -> None:
    source = REGISTRY.replace('class Dense(nnx.Module):', '@register("dense")\nclass Dense(nnx.Module):').replace(
        'LAYERS = {"dense": Dense}', '').replace("from flax import nnx\n", textwrap.dedent('''\
        from flax import nnx

        LAYERS = {}


        def register(name):
            return lambda cls: LAYERS.setdefault(name, cls)
        '''), 1)
    project = _project(tmp_path, {"main.py": source})
    result = _cli(".", "--no-cache", cwd=project)
    assert "def __init__(self, din, dout, rngs):" in (project / "main.py").read_text()
    assert "is handed to the decorator `register`, so its callers cannot all be seen" in result.stderr


SHARED = """\
import enum
import jax.numpy as jnp
from flax import nnx


class Mode(enum.Enum):
    TRAIN = 1


def read(thing):
    return thing.value


print(read(Mode.TRAIN), float(read(nnx.Variable(jnp.ones(())))))
"""


def test_a_site_the_run_saw_on_a_variable_and_an_enum_member_is_reported(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": SHARED})
    document = _trace(project)
    assert [s["line"] for s in _sites(document, "main.py", "enum-value")] == [11]
    result = _migrate(project, "--output-format", "json")
    assert "return thing.value" in (project / "main.py").read_text()
    (item,) = [d for f in json.loads(result.stdout)["files"] for d in f["diagnostics"] if d["rule"] == "evidence"]
    assert item["line"] == 11 and "also saw an Enum member" in item["message"]


USER_TESTS = {
    "model.py": '''\
        from flax import nnx


        class Counter(nnx.Module):
            def __init__(self):
                self.n = nnx.Variable(0)


        def get(module, name):
            return getattr(module, name)
        ''',
    "test_first.py": '''\
        from model import Counter, get


        def test_read():
            assert get(Counter(), "n").value == 0
        ''',
    "test_second.py": '''\
        from model import Counter, get


        def test_write():
            counter = get(Counter(), "n")
            counter.value = 5
            assert counter.get_value() == 5
        ''',
}


def test_pytest_xdist_workers_record_too(tmp_path: Path) -> None:
    project = _project(tmp_path, USER_TESTS)
    target = project / "evidence.json"
    result = run_trace(["-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"],
                       target, python=sys.executable, cwd=project)
    assert result.returncode == 0
    assert result.processes == 3  # the controller and two workers
    document = json.loads(target.read_text())
    assert [s["line"] for s in _sites(document, "test_first.py", "value-read")] == [5]
    assert [s["line"] for s in _sites(document, "test_second.py", "value-write")] == [6]


def test_the_recorder_never_breaks_the_program(tmp_path: Path) -> None:
    source = '''\
        from flax import nnx


        class Weird:
            @property
            def dtype(self):
                raise RuntimeError("no dtype here")


        variable = nnx.Variable(Weird())
        print(type(variable.value).__name__)
        '''
    project = _project(tmp_path, {"main.py": source})
    document = _trace(project)
    assert [s["values"] for s in _sites(document, "main.py", "value-read")] == [["other:Weird"]]


def test_line_only_evidence_from_python_310_is_used_only_where_the_line_is_unambiguous(tmp_path: Path) -> None:
    import hashlib

    source = "from flax import nnx\n\n\ndef f(a, b):\n    x = a.value\n    return x, a.value + b.value\n"
    project = _project(tmp_path, {"main.py": source})
    path = str((project / "main.py").resolve())
    sites = [{"kind": "value-read", "line": line, "column": None, "end_line": line, "end_column": None,
              "values": ["other:int"]} for line in (5, 6)]
    document = {"format": 1, "runs": [], "files": {
        path: {"sha256": hashlib.sha256(source.encode()).hexdigest(), "sites": sites}}}
    (project / "evidence.json").write_text(json.dumps(document))
    _migrate(project)
    text = (project / "main.py").read_text()
    assert "x = a.get_value()" in text and "return x, a.value + b.value" in text


def test_a_project_moves_with_its_evidence(tmp_path: Path) -> None:
    project = _project(tmp_path / "first", {"main.py": DYNAMIC})
    document = _trace(project)
    assert list(document["files"]) == ["main.py"]  # relative to the evidence file
    moved = tmp_path / "second"
    shutil.copytree(project, moved)
    result = _migrate(moved, "--diff")
    assert "a[...]" in result.stdout, result.stderr


def test_trace_help(tmp_path: Path) -> None:
    result = _cli("trace", "-h", cwd=tmp_path)
    assert result.returncode == 0 and "--python" in result.stdout and "COMMAND" in result.stdout


SHARDING_NAMES = '''\
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, dim: int):
        self.scale = nnx.Param(jnp.ones((dim,)), sharding_names=("model",), eager_sharding=False)


def pick(module, name):
    return getattr(module, name)


block = Block(4)
print(pick(block, "scale").sharding_names)
'''


@pytest.mark.parametrize("traced_on", ["this flax", "0.11.2"])
def test_sharding_names_reads_the_run_saw_on_a_variable_are_rewritten(tmp_path: Path, traced_on: str) -> None:
    """`v.sharding_names` warns from flax 0.12.4: a property there, a metadata entry
    through `Variable.__getattr__` on 0.10/0.11; the recorder sees both."""
    from fixtures import cached_python

    python = sys.executable if traced_on == "this flax" else cached_python(traced_on)
    project = _project(tmp_path, {"main.py": SHARDING_NAMES})
    before = subprocess.run([python, "-W", "ignore", "main.py"], cwd=project, capture_output=True, text=True,
                            timeout=600)
    assert before.returncode == 0, before.stderr[-2000:]
    (site,) = _sites(_trace(project, python), "main.py", "sharding_names-read")
    assert site["line"] == 15
    result = _migrate(project)
    assert result.returncode == 0, result.stderr
    migrated = (project / "main.py").read_text()
    assert "print(pick(block, \"scale\").get_metadata('out_sharding', None))" in migrated
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "main.py"], cwd=project,
                           capture_output=True, text=True, timeout=600)
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout == before.stdout == "('model',)\n"
