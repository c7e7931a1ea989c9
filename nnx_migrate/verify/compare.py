"""Compare what the two sides recorded: same keys (parameter paths), shapes, dtypes, and
values within tolerance. One `Comparison` per case and part.

Tolerance is per array and relative to its scale:
    max|a - b| <= atol + rtol * scale,  scale = max(max|a|, (largest max|a| of the part) / 10)
a being the original's array. Element-wise relative error would fail a correct migration
on the near-zero elements of a large gradient: float32 rounding is relative to the
magnitudes summed, not to each result. The part's share serves arrays that are nothing
but rounding, such as the gradient of a bias right before a BatchNorm or of an attention
key bias (mathematically zero; measured 2.3e-5 on one side, 0 on the other, where the
other gradients reach 20). The reported `max_rel` is the error over that scale. With
rtol = atol = 0 (one environment: only the rewrite differs) arrays must be identical.
Integer and boolean arrays (counters, RNG key data, tokens) must be equal, and only float
arrays set a part's scale."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PARTS = {
    "init": "parameters and state after construction",
    "train": "outputs, train mode",
    "eval": "outputs, eval mode",
    "outputs": "outputs of the recorded calls",
    "grads": "gradients of a scalar loss w.r.t. Params",
    "state": "mutable state after a call (train mode, or as recorded)",
    "runs": "the migrated code runs where the other side ran",
}


# Across versions: float32 rounding from different jax/XLA builds, measured up to 8e-6 of
# an array's scale (BatchNorm gradients: examples/train_010 under flax 0.10.7/jax 0.6.2 vs
# 0.12.8/0.10.2); a 0.1% change in a constant is still ten times the allowance.
DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-7
PART_SHARE = 0.1  # an array's scale is at least this share of its part's largest


@dataclass
class Comparison:
    case: str
    part: str
    keys: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0  # the largest max|a - b| / max|b| over the arrays: error relative to scale
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"case": self.case, "part": self.part, "what": PARTS[self.part], "keys": self.keys,
                "max_abs": self.max_abs, "max_rel": self.max_rel, "passed": self.passed, "problems": self.problems}


def split_keys(arrays: dict[str, np.ndarray]) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    grouped: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        case, part, path = key.split("/", 2)
        grouped.setdefault((case, part), {})[path] = value
    return grouped


def compare(case: str, part: str, left: dict[str, np.ndarray], right: dict[str, np.ndarray],
            rtol: float, atol: float, left_name: str = "original") -> Comparison:
    result = Comparison(case, part, keys=len(left))
    missing, extra = sorted(set(left) - set(right)), sorted(set(right) - set(left))
    if missing:
        result.problems.append(f"only in the {left_name}: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))
    if extra:
        result.problems.append(f"only in the migrated: {', '.join(extra[:5])}" + (" ..." if len(extra) > 5 else ""))
    # Floats only: the key data of an RNG stream (uint32, ~4e9) would make every float
    # array of the part pass.
    part_scale = max((_scale(v) for v in left.values() if np.issubdtype(v.dtype, np.inexact)), default=0.0)
    for key in sorted(set(left) & set(right)):
        a, b = left[key], right[key]
        if a.shape != b.shape:
            result.problems.append(f"{key}: shape {a.shape} vs {b.shape}")
            continue
        if a.dtype != b.dtype:
            result.problems.append(f"{key}: dtype {a.dtype} vs {b.dtype}")
            continue
        if not np.issubdtype(a.dtype, np.inexact):  # counts, keys, tokens, masks: exactly
            if not np.array_equal(a, b):
                differ = int(np.sum(a != b)) if a.shape == b.shape and np.issubdtype(a.dtype, np.number) else a.size
                result.problems.append(f"{key}: values differ ({differ} of {a.size} elements)")
            continue
        problem = _values(key, a, b, rtol, atol, PART_SHARE * part_scale, result)
        if problem:
            result.problems.append(problem)
    return result


def _scale(array: np.ndarray) -> float:
    if array.size == 0 or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        return 0.0
    finite = np.abs(array.astype(np.float64))
    finite = finite[np.isfinite(finite)]
    return float(finite.max()) if finite.size else 0.0


def _values(key: str, a: np.ndarray, b: np.ndarray, rtol: float, atol: float, floor: float,
            result: Comparison) -> str | None:
    """Why `a` (original) and `b` (migrated) differ beyond tolerance, or None. The scale is
    the array's largest magnitude, or `floor` (a share of its part's largest) if more."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    if a64.size == 0:
        return None
    nan_a, nan_b = np.isnan(a64), np.isnan(b64)
    if not np.array_equal(nan_a, nan_b):
        return f"{key}: NaN in one side only"
    finite = ~nan_a
    if np.any(np.isinf(a64[finite]) | np.isinf(b64[finite])):
        same = np.array_equal(a64[finite], b64[finite])
        return None if same else f"{key}: infinite values differ"
    if not finite.any():
        return None
    difference = float(np.max(np.abs(a64[finite] - b64[finite])))
    scale = max(float(np.max(np.abs(a64[finite]))), floor)
    relative = difference / scale if scale > 0 else (0.0 if difference == 0 else float("inf"))
    result.max_abs = max(result.max_abs, difference)
    result.max_rel = max(result.max_rel, relative)
    allowed = atol + rtol * scale
    if difference <= allowed:
        return None
    if allowed == 0:
        return f"{key}: not identical (max abs {difference:.3g}, {relative:.2g} of its scale {scale:.3g})"
    return (f"{key}: differs by {difference:.3g}, {relative:.2g} of its scale {scale:.3g} "
            f"(allowed {allowed:.2g})")
