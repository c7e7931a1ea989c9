"""layer-subclass-attributes: fixture pairs, idempotence, and the fixture run on both flax."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from fixtures import fixture_tests, single_file_cases

RULE = "layer-subclass-attributes"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def test_bypassing_subclasses_run_on_the_old_flax_and_migrated_on_the_new() -> None:
    """bypass.py (a Conv and a Linear subclass whose __init__ sets the layer's attributes
    by hand): it runs on flax 0.11.2 and raises AttributeError on 0.12.8; the migrated
    file runs on 0.12.8 with DeprecationWarnings as errors, with the same outputs."""
    from nnx_migrate.verify.envs import BaselineError, baseline_python

    case = next(c for c in CASES if c.stem == "bypass")
    try:
        old_python = str(baseline_python("0.11.2"))
    except BaselineError as error:
        pytest.skip(f"no flax 0.11.2 environment: {error}")

    def run(python: str, path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)

    before = run(old_python, case, "-W", "ignore")
    assert before.returncode == 0, before.stderr[-2000:]
    broken = run(sys.executable, case)
    assert broken.returncode != 0 and "no attribute 'preferred_element_type'" in broken.stderr
    after = run(sys.executable, case.with_name("bypass.expected.py"), "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-2000:]
    old, new = before.stdout.split(), after.stdout.split()
    assert len(old) == len(new) == 3
    assert all(math.isclose(float(a), float(b), rel_tol=1e-5) for a, b in zip(old, new)), (old, new)


def test_a_bias_param_holding_none_is_reported_not_rewritten(tmp_path) -> None:
    from fixtures import migrate_copy

    case = next(c for c in CASES if c.stem == "untouched")
    out, result = migrate_copy(case, tmp_path, RULE)
    assert out.read_text() == case.read_text()
    (diagnostic,) = [d for f in result.files for d in f.diagnostics]
    assert diagnostic.line == 58 and "reads `self.bias[...]`" in diagnostic.message
