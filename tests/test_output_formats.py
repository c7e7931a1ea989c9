"""Machine-readable reports: GitHub annotations and SARIF 2.1.0 (with fixes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures import TESTDATA

CASES = ("writes.py", "manual.py")


def report(tmp_path: Path, output_format: str) -> subprocess.CompletedProcess:
    for name in CASES:
        shutil.copy(TESTDATA / "value-access" / name, tmp_path / name)
    return subprocess.run(
        [sys.executable, "-m", "nnx_migrate", ".", "--check", "--no-cache", "--output-format", output_format],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )


def test_sarif_has_the_required_structure_and_its_fixes_reproduce_the_migration(tmp_path: Path) -> None:
    completed = report(tmp_path, "sarif")
    assert completed.returncode == 1
    document = json.loads(completed.stdout)
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "nnx-migrate" and driver["version"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert "value-access" in rule_ids and all(rule["shortDescription"]["text"] for rule in driver["rules"])
    replacements: dict[str, list[dict]] = {}
    for result in run["results"]:
        assert result["ruleId"] in rule_ids and rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error") and result["message"]["text"]
        (location,) = result["locations"]
        region = location["physicalLocation"]["region"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] in CASES
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                replacements.setdefault(change["artifactLocation"]["uri"], []).extend(change["replacements"])
    assert any(r["level"] == "note" for r in run["results"])  # the items needing manual attention
    # applying every fix to the original reproduces what nnx-migrate writes
    expected = {"writes.py": (TESTDATA / "value-access" / "writes.expected.py").read_text(),
                "manual.py": (TESTDATA / "value-access" / "manual.expected.py").read_text()}
    for uri, changes in replacements.items():
        text = (tmp_path / uri).read_text()
        for change in sorted(changes, key=lambda c: -c["deletedRegion"]["charOffset"]):
            start = change["deletedRegion"]["charOffset"]
            text = text[:start] + change["insertedContent"]["text"] + text[start + change["deletedRegion"]["charLength"]:]
        assert text == expected[uri]


def test_github_annotations(tmp_path: Path) -> None:
    completed = report(tmp_path, "github")
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(line.startswith("::error file=writes.py,line=12,col=") and "value-access" in line for line in lines)
    assert any(line.startswith("::warning file=manual.py,line=12,") and "Fix by hand" in line for line in lines)
