"""Compare what the two sides recorded: same keys (parameter paths), shapes, dtypes, and
values within tolerance. One `Comparison` per case and part."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PARTS = {
    "init": "parameters and state after construction",
    "train": "outputs, train mode",
    "eval": "outputs, eval mode",
    "grads": "gradients of a scalar loss w.r.t. Params",
    "state": "mutable state after a train-mode call",
}


@dataclass
class Comparison:
    case: str
    part: str
    keys: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0
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
            rtol: float, atol: float) -> Comparison:
    result = Comparison(case, part, keys=len(left))
    missing, extra = sorted(set(left) - set(right)), sorted(set(right) - set(left))
    if missing:
        result.problems.append(f"only in the original: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))
    if extra:
        result.problems.append(f"only in the migrated: {', '.join(extra[:5])}" + (" ..." if len(extra) > 5 else ""))
    for key in sorted(set(left) & set(right)):
        a, b = left[key], right[key]
        if a.shape != b.shape:
            result.problems.append(f"{key}: shape {a.shape} vs {b.shape}")
            continue
        if a.dtype != b.dtype:
            result.problems.append(f"{key}: dtype {a.dtype} vs {b.dtype}")
            continue
        if not np.issubdtype(a.dtype, np.number) and a.dtype != np.bool_:
            if not np.array_equal(a, b):
                result.problems.append(f"{key}: values differ")
            continue
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        difference = np.abs(a64 - b64)
        if difference.size:
            result.max_abs = max(result.max_abs, float(np.nanmax(difference)))
            scale = np.maximum(np.abs(a64), np.abs(b64))
            relative = np.where(scale > 0, difference / np.where(scale > 0, scale, 1), 0.0)
            result.max_rel = max(result.max_rel, float(np.nanmax(relative)))
        if not np.allclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True):
            worst = float(np.nanmax(difference)) if difference.size else 0.0
            result.problems.append(f"{key}: values differ (max abs {worst:.3g})")
    return result
