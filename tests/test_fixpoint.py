"""Fixes to a fix-point: one run is final, a second finds nothing."""

from __future__ import annotations

from fixtures import fixture_tests

FOLDER = "fixpoint"  # cases whose second run found more before the analysis was fixed
test_fixture, test_idempotent = fixture_tests(None, FOLDER)
