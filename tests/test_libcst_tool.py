"""Each rule also runs as a plain libcst codemod (`python -m libcst.tool codemod -x ...`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from fixtures import TESTDATA


def test_value_access_under_libcst_tool(tmp_path: Path) -> None:
    case = TESTDATA / "value-access" / "writes.py"
    target = tmp_path / "writes.py"
    shutil.copy(case, target)
    result = subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", "-x", "--no-format", "--hide-progress",
         "nnx_migrate.codemods.value_access.ValueAccessCommand", str(target)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert target.read_text() == (TESTDATA / "value-access" / "writes.expected.py").read_text()
