"""optimizer-api: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "optimizer-api"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_models_that_cannot_be_shown_are_reported(tmp_path: Path) -> None:
    # an annotated optimizer with no caller; an untyped `opt` in a file that builds Optimizers
    assert reported_lines("unknown_model", tmp_path) == [10, 14]


def test_model_and_optimizer_calls_are_not_reported(tmp_path: Path) -> None:
    # `update(grads)` on a ModelAndOptimizer is its API: the construction is reported (one
    # function it is passed to is also called with an Optimizer), and that function
    assert reported_lines("model_and_optimizer", tmp_path) == [12, 19]


def test_model_and_optimizer_with_a_use_not_in_hand_is_reported(tmp_path: Path) -> None:
    # nnx.state(opt), returned, an attribute, passed without its model, model rebound, opt.model stored
    case = next(c for c in CASES if c.stem == "model_and_optimizer_kept")
    _, result = migrate_copy(case, tmp_path, RULE)
    found = {d.line: d.message for f in result.files for d in f.diagnostics}
    assert sorted(found) == [12, 18, 24, 35, 40, 46]
    assert "passed at line 14" in found[12] and "line 19" in found[18] and "plain name" in found[24]
    assert "model beside" in found[35] and "bound more than once" in found[40] and "`opt.model` at line 47" in found[46]


import pytest  # noqa: E402


@pytest.mark.parametrize("name,reported", [("model_and_optimizer_tutorial", []), ("model_and_optimizer_passed", [35, 41])])
def test_model_and_optimizer_runs_on_the_old_flax_and_migrated_on_the_new(name: str, reported: list, tmp_path: Path) -> None:
    """model_and_optimizer_tutorial.py and _passed.py (through two functions) run on flax 0.11.2 as written and, migrated, on the
    flax of this environment (0.12.8) with DeprecationWarnings as errors, printing the same
    losses, step count and parameter; only the constructions not in hand are reported."""
    import subprocess
    import sys

    from nnx_migrate.verify.envs import BaselineError, baseline_python

    case = next(c for c in CASES if c.stem == name)
    out, result = migrate_copy(case, tmp_path, RULE)
    assert sorted(d.line for f in result.files for d in f.diagnostics) == reported
    try:
        old_python = str(baseline_python("0.11.2"))
    except BaselineError as error:
        pytest.skip(f"no flax 0.11.2 environment: {error}")

    def run(python: str, path: Path, *flags: str) -> str:
        done = subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    before = run(old_python, case, "-W", "ignore")
    after = run(sys.executable, out, "-W", "error::DeprecationWarning")
    assert before == after and len(before.splitlines()) == 2, (before, after)
    if not reported:
        assert "ModelAndOptimizer(" not in out.read_text() and ": nnx.ModelAndOptimizer" not in out.read_text()


def test_a_model_and_optimizer_used_by_a_file_that_never_says_flax_stays(tmp_path: Path) -> None:
    # user.py imports the module-level ModelAndOptimizer and reads `.model`; run.py calls the
    # train step with an optimizer of unknown kind: both files are read, nothing is rewritten
    project = tmp_path / "project"
    project.mkdir()
    (project / "script.py").write_text(
        "import optax\nfrom flax import nnx\n\nmodel = nnx.Linear(2, 2, rngs=nnx.Rngs(0))\n"
        "optimizer = nnx.ModelAndOptimizer(model, optax.sgd(0.1))\n"
        "optimizer.update(nnx.grad(lambda m: (m.kernel[...] ** 2).sum())(model))\n\n\n"
        "def step(model, opt, grads):\n    opt.update(grads)\n\n\n"
        "def main():\n    net = nnx.Linear(2, 2, rngs=nnx.Rngs(0))\n"
        "    opt = nnx.ModelAndOptimizer(net, optax.sgd(0.1))\n    step(net, opt, None)\n")
    (project / "user.py").write_text("from script import optimizer\n\nprint(optimizer.model)\n")
    (project / "run.py").write_text("from script import step\nfrom setup import make\n\nmodel, opt = make()\nstep(model, opt, None)\n")
    before = {p.name: p.read_text() for p in project.iterdir()}
    from nnx_migrate.config import Settings
    from nnx_migrate.pipeline import run

    result = run([project], Settings(select=[RULE]), tmp_path, write=True)
    assert {p.name: p.read_text() for p in project.iterdir()} == before
    found = sorted((Path(f.display).name, d.line) for f in result.files for d in f.diagnostics
                   if "ModelAndOptimizer" in d.message)
    assert found == [("script.py", 5), ("script.py", 15)]


_TRAIN = (
    "import optax\nfrom flax import nnx\n\n\ndef loss_fn(model, x):\n    return model(x).mean()\n\n\n"
    "def train_step(model, optimizer, x):\n    grads = nnx.grad(loss_fn)(model, x)\n    optimizer.update(grads)\n\n\n"
    "def main(x):\n    model = nnx.Linear(2, 2, rngs=nnx.Rngs(0))\n    optimizer = nnx.Optimizer(model, optax.sgd(0.1))\n"
    "    train_step(model, optimizer, x)\n"
)
# another caller, whose optimizer holds `head`, not the model it passes beside it
_FINETUNE = (
    "def finetune(x):\n    encoder = nnx.Linear(2, 2, rngs=nnx.Rngs(0))\n    head = nnx.Linear(2, 2, rngs=nnx.Rngs(1))\n"
    "    optimizer = nnx.Optimizer(head, optax.sgd(0.1), wrt=nnx.Param)\n    train_step(encoder, optimizer, x)\n"
)


@pytest.mark.parametrize("unseen", ["star import", "failed file", "file given alone", "other name"])
def test_a_caller_the_engine_cannot_see_keeps_the_update_as_it_is(unseen: str, tmp_path: Path) -> None:
    """The optimizer parameter's model comes from the engine's call-site search (with its
    checks: a whole-folder run, no file that failed, no star import or other name), not a
    text search of the files read: a call it cannot see may pass another model."""
    from nnx_migrate.config import Settings
    from nnx_migrate.pipeline import run

    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(_TRAIN)
    header = "import optax\nfrom flax import nnx\n"
    importing = {"star import": "from train import *\n", "failed file": "from train import train_step\n",
                 "file given alone": "from train import train_step\n",
                 "other name": "from train import train_step as step\n"}[unseen]
    body = _FINETUNE.replace("train_step(", "step(") if unseen == "other name" else _FINETUNE
    broken = "\n\ndef broken(:\n    pass\n" if unseen == "failed file" else ""
    (project / "finetune.py").write_text(header + importing + "\n\n" + body + broken)
    paths = [project / "train.py"] if unseen == "file given alone" else [project]
    result = run(paths, Settings(select=[RULE]), tmp_path, write=True)
    assert "optimizer.update(grads)" in (project / "train.py").read_text()
    found = [d for f in result.files for d in f.diagnostics if d.line == 11]
    assert len(found) == 1 and "update(grads)" in found[0].message
