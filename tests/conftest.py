import os
import shutil
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# nnx-migrate's caches the tests fill (results, verify's flax environments of ~720 MB
# each) live in the checkout's .test-cache/, never in the user's cache directory, unless
# NNX_MIGRATE_TEST_SHARED_CACHE=1 says to share the user's (or $NNX_MIGRATE_CACHE_DIR).
# The real-code corpus has its own folder (corpus.py).
TEST_CACHE = Path(__file__).resolve().parent.parent / ".test-cache"
if os.environ.get("NNX_MIGRATE_TEST_SHARED_CACHE") != "1":
    os.environ["NNX_MIGRATE_CACHE_DIR"] = str(TEST_CACHE)
    shutil.rmtree(TEST_CACHE / "results", ignore_errors=True)  # results of earlier sessions: never read again

# CI: bounded, reproducible. By hand: HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_fuzz.py
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
