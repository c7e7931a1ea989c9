"""Runs inside the interpreter under test (old or new flax): builds each case, records
what it computes, writes one .npz. Depends on jax, flax and numpy only, and runs as a
plain script (`python runner.py REQUEST.json`), never as part of nnx_migrate. Recorded
cases (`trace --record-cases`) are replayed by replay.py, beside it.

Recorded per case, keys `<case>/<part>/<path>` (and `<case>/inputs/<i>`, the inputs used):
  init    every Variable after construction
  train   outputs of a call in train mode     state  non-Param Variables after it
  eval    outputs of a call in eval mode      grads  d(sum of squared outputs)/d Params
With `load_state`, the case's Variables are first set, by path, to the values recorded
there (the original's), so one difference in initialisation does not hide the rest.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

STANDARD_FLOATS = ("float16", "float32", "float64")
DEVICE_UNAVAILABLE = 4  # exit status: JAX found no device of the kind asked for


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text())
    # Run as a script, Python puts this folder first on sys.path: a project module named
    # `compare` or `driver` must not resolve to the verifier's own files.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = list(request["paths"]) + [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    import flax
    import jax
    from flax import nnx

    precision = request.get("matmul_precision", "highest")
    if precision != "default":
        jax.config.update("jax_default_matmul_precision", precision)
    if request.get("x64"):  # recorded under jax_enable_x64: float64 inputs stay float64
        jax.config.update("jax_enable_x64", True)
    autocase = _load_sibling("autocase")
    try:
        device = jax.devices()[0]
    except RuntimeError as error:
        print(autocase.reason(error), file=sys.stderr)
        return DEVICE_UNAVAILABLE
    loaded = dict(np.load(request["load_state"], allow_pickle=False)) if request.get("load_state") else {}
    results: dict[str, np.ndarray] = {}
    report = {
        "flax": flax.__version__,
        "jax": jax.__version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "device": f"{device.platform}:{getattr(device, 'device_kind', '')}",
        "matmul_precision": str(jax.config.jax_default_matmul_precision or "default"),
        "cases": {},
    }
    cases = {name: ("spec", _built(nnx, jax, name, factory, loaded))
             for name, factory in (_spec_cases(request["spec"]) if request.get("spec") else {}).items()}
    for name, target in request.get("auto", {}).items():
        factory = lambda target=target: _auto_case(nnx, jax, autocase, target)  # noqa: E731
        cases[name] = ("automatic", _built(nnx, jax, name, factory, loaded))
    replay = _load_sibling("replay") if request.get("recorded") else None
    if replay is not None:
        recorded = request["recorded"]
        archive = replay.Archive(recorded["file"])
        document = json.loads(archive.zip.read("cases.json"))
        for name, rid in recorded["cases"].items():
            aliases = recorded.get("aliases", {}).get(name)
            cases[name] = ("recorded", lambda entry, results, rid=rid, name=name, aliases=aliases: entry.update(
                built=replay.replay(sys.modules[__name__], nnx, jax, document, archive, rid, name, results,
                                    aliases)))
    lines_of = request.get("lines_of") or []
    for name, (kind, run) in cases.items():
        entry = report["cases"][name] = {"kind": kind, "deprecations": []}
        with warnings.catch_warnings(record=True) as caught, _LinesRan(lines_of, entry):
            warnings.simplefilter("always")
            try:
                computed: dict[str, np.ndarray] = {}
                run(entry, computed)
                results.update(computed)  # a case that fails half-way leaves nothing to compare
                entry["status"] = "ok"
            except Exception as error:  # a case that cannot run is reported, not fatal
                entry["status"] = "error"
                entry["error"] = autocase.reason(error)
                entry["traceback"] = traceback.format_exc()[-4000:]
                if replay is not None and isinstance(error, replay.CannotRebuild):
                    entry["stage"] = "rebuild"  # the recording names what this tree lacks
                    entry["error"] = str(error)
                elif isinstance(error, DeprecationWarning):
                    entry["deprecation_error"] = _raised_at(error, request["paths"])
        entry["deprecations"] = sorted({
            f"{_where(w.filename, request['paths'])}:{w.lineno}: {str(w.message).splitlines()[0]}"
            for w in caught
            if issubclass(w.category, DeprecationWarning) and _from_project_or_flax(w.filename, request["paths"])
        })
    np.savez(request["out"], **results)
    Path(request["report"]).write_text(json.dumps(report, indent=2))
    return 0


class _LinesRan:
    """Records in `entry["lines"]` the lines executed in `files` (resolved paths) while the
    block runs: which code of the changed files a case exercised (coverage.py, beside
    this file, reads it). Frames of other files are not traced line by line."""

    def __init__(self, files: list[str], entry: dict):
        self.files, self.entry, self.ran, self.known = set(files), entry, {}, {}

    def _wanted(self, filename: str) -> str | None:
        if filename not in self.known:
            resolved = os.path.realpath(filename)
            self.known[filename] = resolved if resolved in self.files else None
        return self.known[filename]

    def _call(self, frame, event, arg):
        file = self._wanted(frame.f_code.co_filename)
        if file is None:
            return None
        lines = self.ran.setdefault(file, set())

        def line(frame, event, arg):
            if event == "line":
                lines.add(frame.f_lineno)
            return line
        return line

    def __enter__(self):
        if self.files:
            sys.settrace(self._call)
        return self

    def __exit__(self, *exc):
        if self.files:
            sys.settrace(None)
            self.entry["lines"] = {file: sorted(lines) for file, lines in self.ran.items()}
        return False


def _load_sibling(name: str):
    """A module beside this file, by path: this folder is not on sys.path (see main)."""
    spec = importlib.util.spec_from_file_location(f"nnx_migrate_verify_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _built(nnx, jax, name: str, factory, loaded: dict):
    """A spec's or automatic case's run: build it, then record what it computes."""
    def run(entry: dict, results: dict) -> None:
        module, inputs, call_kwargs, built = _unpack(factory())
        inputs = _same_inputs(jax, name, inputs, loaded)
        entry["built"] = built
        entry["inputs"] = [list(np.shape(x)) for x in jax.tree.leaves(inputs or ())]
        _record(nnx, jax, name, module, inputs, call_kwargs, loaded, results)
    return run


def _where(filename: str, roots: list[str]) -> str:
    """A file as the user finds it: relative to the import root it lies under, flax's own
    from `flax/`."""
    for root in roots:
        if filename.startswith(root.rstrip(os.sep) + os.sep):
            return os.path.relpath(filename, root)
    marker = filename.rfind(os.sep + "flax" + os.sep)
    return filename[marker + 1:] if marker >= 0 else Path(filename).name


def _raised_at(error: BaseException, roots: list[str]) -> str:
    """`file:line: message` of a DeprecationWarning raised as an error (a `-W error`
    filter in the code under test): the innermost frame of the project, else of flax."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if _from_project_or_flax(f.filename, roots)]
    frame = mine[-1] if mine else frames[-1]
    return f"{_where(frame.filename, roots)}:{frame.lineno}: {str(error).splitlines()[0] if str(error) else ''}"


def _unpack(made) -> tuple:
    """(module, inputs, call_kwargs(train) -> dict, description) from a spec's
    `(module, inputs)` or an automatic case."""
    if hasattr(made, "call_kwargs"):
        return made.module, made.inputs, made.call_kwargs, made.described
    module, inputs = made
    return module, inputs, (lambda train: {}), "spec"


def _same_inputs(jax, name: str, inputs, loaded: dict) -> tuple:
    """The other side's inputs for this case where it recorded them, so both sides compute
    on the same arrays even if probing chose differently."""
    if inputs is None:
        return None
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    recorded = [loaded.get(f"{name}/inputs/{i}") for i in range(len(inputs))]
    if all(r is not None and hasattr(x, "shape") for r, x in zip(recorded, inputs)):
        return tuple(jax.numpy.asarray(r) for r in recorded)
    return inputs


def _from_project_or_flax(filename: str | None, roots: list[str]) -> bool:
    """Warnings raised for the code under test (flax attributes them to the caller)."""
    if not filename or filename == __file__:
        return False
    return any(filename.startswith(root) for root in roots) or "/flax/" in filename


def _spec_cases(spec: str) -> dict:
    loader = importlib.util.spec_from_file_location("nnx_migrate_verify_spec", spec)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return {name[len("case_"):]: getattr(module, name) for name in sorted(vars(module))
            if name.startswith("case_") and callable(getattr(module, name))}


def _auto_case(nnx, jax, autocase, target: str):
    """`pkg.module:Class` built from its signature, with inputs found by probing."""
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return autocase.build(nnx, jax, cls)


def _flat(nnx, state) -> dict[str, object]:
    flat = nnx.to_flat_state(state) if hasattr(nnx, "to_flat_state") else state.flat_state()
    return {"/".join(str(part) for part in path): leaf for path, leaf in flat}


def _flat_values(nnx, state) -> dict[str, object]:
    return {key: _leaf_value(leaf) for key, leaf in _flat(nnx, state).items()}


def _leaf_value(leaf):
    return leaf.get_value() if hasattr(leaf, "get_value") else leaf.value


def _set_leaf(leaf, value) -> None:
    if hasattr(leaf, "set_value"):
        leaf.set_value(value)
    else:
        leaf.value = value


def _with_state_restored(nnx, module, action):
    saved = nnx.state(module)
    snapshot = {k: _leaf_value(v) for k, v in _flat(nnx, saved).items()}
    try:
        return action()
    finally:
        restore = nnx.state(module)
        for key, leaf in _flat(nnx, restore).items():
            if key in snapshot:
                _set_leaf(leaf, snapshot[key])
        nnx.update(module, restore)


def _arrays(prefix: str, tree, jax, results) -> None:
    leaves, _ = jax.tree_util.tree_flatten_with_path(tree)
    for path, leaf in leaves:
        key = jax.tree_util.keystr(path) or "out"
        if hasattr(leaf, "shape"):
            _store(results, f"{prefix}/{key}", jax, leaf)


def _is_key(jax, value) -> bool:
    return hasattr(value, "dtype") and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def _store(results: dict, key: str, jax, value) -> None:
    """`value` as a NumPy array under `key`; a typed PRNG key (an RngKey, e.g. of Dropout)
    as its key data (keys come from the fixed seeds: compared, never loaded across sides).
    A float type .npz cannot hold (bfloat16, float8) as float32, its name added to the key
    (`kernel@bfloat16`), so a change of dtype still shows as a different key."""
    array = np.asarray(jax.random.key_data(value) if _is_key(jax, value) else value)
    if array.dtype.kind == "V" or (array.dtype.kind == "f" and array.dtype.name not in STANDARD_FLOATS):
        key, array = f"{key}@{array.dtype.name}", array.astype(np.float32)
    results[key] = array


def _load_values(nnx, jax, module, values: dict, prefix: str = "") -> None:
    """Set the module's Variables, by path, to `values` (the other side's); keys come from
    the fixed seeds and are never loaded across sides."""
    state = nnx.state(module)
    for key, leaf in _flat(nnx, state).items():
        value = _leaf_value(leaf)
        stored = values.get(prefix + key)
        if stored is None and hasattr(value, "dtype"):
            stored = values.get(f"{prefix}{key}@{np.dtype(value.dtype).name}")
        if stored is not None and not _is_key(jax, value):
            # a NumPy array stays one: jnp.asarray would make an int64 one int32 (x64 off),
            # where the other side kept its int64 (bijx's ConvSym orbits, a false mismatch)
            convert = np.asarray if isinstance(value, np.ndarray) else jax.numpy.asarray
            _set_leaf(leaf, convert(stored, dtype=getattr(value, "dtype", None)))
    nnx.update(module, state)


def _store_mutable_state(nnx, jax, module, prefix: str, results: dict) -> None:
    """The non-Param arrays (BatchStat, counters, RNG keys) after a call."""
    for key, value in _flat_values(nnx, nnx.state(module, nnx.Not(nnx.Param))).items():
        if hasattr(value, "shape") and (_is_key(jax, value) or np.issubdtype(value.dtype, np.number)):
            _store(results, f"{prefix}/{key}", jax, value)


def _loss(jax, out):
    """The scalar whose gradients are compared: the sum of squared floating outputs."""
    return sum(jax.numpy.sum(jax.numpy.square(x)) for x in jax.tree.leaves(out)
               if hasattr(x, "dtype") and jax.numpy.issubdtype(x.dtype, jax.numpy.floating))


def _record(nnx, jax, name, module, inputs, call_kwargs, loaded, results) -> None:
    for i, x in enumerate(inputs or ()):
        if hasattr(x, "shape"):
            results[f"{name}/inputs/{i}"] = np.asarray(x)
    for key, value in _flat_values(nnx, nnx.state(module)).items():
        if hasattr(value, "shape"):
            _store(results, f"{name}/init/{key}", jax, value)
    if loaded:
        _load_values(nnx, jax, module, loaded, prefix=f"{name}/init/")

    def set_mode(train: bool):
        method = getattr(module, "train" if train else "eval", None)
        if method is not None:
            method()

    def call_train():
        set_mode(True)
        out = module(*inputs, **call_kwargs(True))
        _arrays(f"{name}/train", out, jax, results)
        _store_mutable_state(nnx, jax, module, f"{name}/state", results)

    def call_eval():
        set_mode(False)
        _arrays(f"{name}/eval", module(*inputs, **call_kwargs(False)), jax, results)

    def gradients():
        set_mode(True)

        grads = nnx.grad(lambda model: _loss(jax, model(*inputs, **call_kwargs(True))))(module)
        for key, leaf in _flat(nnx, grads).items():
            _store(results, f"{name}/grads/{key}", jax, _leaf_value(leaf))

    if inputs is None:  # not callable: construction only
        return
    for action in (call_train, call_eval, gradients):
        _with_state_restored(nnx, module, action)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
