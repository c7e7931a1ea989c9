"""Runs inside the interpreter under test (old or new flax): builds each case, records
what it computes, writes one .npz. Depends on jax, flax and numpy only, and runs as a
plain script (`python runner.py REQUEST.json`), never as part of nnx_migrate.

Recorded per case, keys `<case>/<part>/<path>`:
  init    every Variable after construction
  train   outputs of a call in train mode     state  non-Param Variables after it
  eval    outputs of a call in eval mode      grads  d(sum of squared outputs)/d Params
With `load_state`, the case's Variables are first set, by path, to the values recorded
there (the original's), so one difference in initialisation does not hide the rest.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

DIMENSION_WORDS = ("dim", "features", "size", "width", "hidden", "channels", "din", "dout", "units", "embed", "d_model")
COUNT_WORDS = ("depth", "layers", "num", "heads", "blocks", "n_")


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text())
    root = request["root"]
    sys.path.insert(0, root)
    import flax
    import jax
    from flax import nnx

    loaded = dict(np.load(request["load_state"], allow_pickle=False)) if request.get("load_state") else {}
    results: dict[str, np.ndarray] = {}
    report = {
        "flax": flax.__version__,
        "jax": jax.__version__,
        "device": f"{jax.devices()[0].platform}:{getattr(jax.devices()[0], 'device_kind', '')}",
        "cases": {},
    }
    cases = _spec_cases(request["spec"]) if request.get("spec") else {}
    for name, target in request.get("auto", {}).items():
        cases[name] = lambda target=target: _auto_case(nnx, root, target)
    for name, factory in cases.items():
        entry = report["cases"][name] = {"deprecations": []}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                module, inputs = factory()
                entry["inputs"] = [list(np.shape(x)) for x in jax.tree.leaves(inputs)]
                _record(nnx, jax, name, module, inputs, loaded, results)
                entry["status"] = "ok"
            except Exception as error:  # a case that cannot run is reported, not fatal
                entry["status"] = "error"
                entry["error"] = f"{type(error).__name__}: {error}".splitlines()[0][:500]
                entry["traceback"] = traceback.format_exc()[-4000:]
        entry["deprecations"] = sorted({
            f"{Path(w.filename).name}:{w.lineno}: {str(w.message).splitlines()[0]}"
            for w in caught
            if issubclass(w.category, DeprecationWarning) and _from_project_or_flax(w.filename, root)
        })
    np.savez(request["out"], **results)
    Path(request["report"]).write_text(json.dumps(report, indent=2))
    return 0


def _from_project_or_flax(filename: str | None, root: str) -> bool:
    """Warnings raised for the code under test (flax attributes them to the caller)."""
    if not filename or filename == __file__:
        return False
    return filename.startswith(root) or "/flax/" in filename


def _spec_cases(spec: str) -> dict:
    loader = importlib.util.spec_from_file_location("nnx_migrate_verify_spec", spec)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return {name[len("case_"):]: getattr(module, name) for name in sorted(vars(module))
            if name.startswith("case_") and callable(getattr(module, name))}


def _auto_case(nnx, root: str, target: str):
    """`pkg.module:Class` built from its signature, with inputs found by trying shapes."""
    import jax.numpy as jnp

    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    kwargs, dims = {}, []
    for parameter in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        name = parameter.name.lower()
        if name == "rngs":
            kwargs[parameter.name] = nnx.Rngs(0)
        elif parameter.default is not inspect.Parameter.empty:
            continue
        elif any(word in name for word in DIMENSION_WORDS):
            kwargs[parameter.name] = 4
            dims.append(4)
        elif any(word in name for word in COUNT_WORDS):
            kwargs[parameter.name] = 2
        else:
            raise TypeError(f"cannot choose a value for parameter `{parameter.name}` of {class_name}")
    module = cls(**kwargs)
    errors = []
    for shape in ((2, 4), (2, 3, 4), (2, 8, 8, 4)):
        x = jnp.linspace(-1.0, 1.0, int(np.prod(shape)), dtype=jnp.float32).reshape(shape)
        try:
            _with_state_restored(nnx, module, lambda: module(x))
            return module, (x,)
        except Exception as error:
            errors.append(f"{shape}: {type(error).__name__}")
    raise TypeError(f"no input shape worked ({'; '.join(errors)})")


def _flat(nnx, state) -> dict[str, object]:
    flat = nnx.to_flat_state(state) if hasattr(nnx, "to_flat_state") else state.flat_state()
    return {"/".join(str(part) for part in path): leaf for path, leaf in flat}


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
            results[f"{prefix}/{key}"] = np.asarray(leaf)


def _record(nnx, jax, name, module, inputs, loaded, results) -> None:
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    state = nnx.state(module)
    flat = _flat(nnx, state)
    for key, leaf in flat.items():
        value = _leaf_value(leaf)
        if hasattr(value, "shape"):
            results[f"{name}/init/{key}"] = np.asarray(value)
    prefix = f"{name}/init/"
    if loaded:
        for key, leaf in flat.items():
            if prefix + key in loaded:
                _set_leaf(leaf, jax.numpy.asarray(loaded[prefix + key]))
        nnx.update(module, state)

    def set_mode(train: bool):
        method = getattr(module, "train" if train else "eval", None)
        if method is not None:
            method()

    def call_train():
        set_mode(True)
        out = module(*inputs)
        _arrays(f"{name}/train", out, jax, results)
        after = _flat(nnx, nnx.state(module, nnx.Not(nnx.Param)))
        for key, leaf in after.items():
            value = _leaf_value(leaf)
            if hasattr(value, "shape") and np.issubdtype(np.asarray(value).dtype, np.number):
                results[f"{name}/state/{key}"] = np.asarray(value)

    def call_eval():
        set_mode(False)
        _arrays(f"{name}/eval", module(*inputs), jax, results)

    def gradients():
        set_mode(True)

        def loss(model):
            out = model(*inputs)
            return sum(jax.numpy.sum(jax.numpy.square(x)) for x in jax.tree.leaves(out)
                       if hasattr(x, "dtype") and jax.numpy.issubdtype(x.dtype, jax.numpy.floating))

        grads = nnx.grad(loss)(module)
        for key, leaf in _flat(nnx, grads).items():
            results[f"{name}/grads/{key}"] = np.asarray(_leaf_value(leaf))

    for action in (call_train, call_eval, gradients):
        _with_state_restored(nnx, module, action)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
