"""Recorded cases (`trace --record-cases`) rebuilt on this side and run on what was
recorded. Loaded by runner.py inside the interpreter under test: jax, flax, numpy and the
standard library only. The encoding read here is written by nnx_migrate/trace/case_recorder.py.

A case is one recorded construction: the class and everything its arguments name
(configs, enums, functions, other Modules) are looked up by import path in this tree, the
Module is built from the recorded arguments, its state after construction is recorded
and then set to the recorded one by path; each recorded call (of `__call__`, or of the public method recorded: `forward`) starts
from the state and the submodule modes recorded at that call, is fed the recorded inputs, and gives its
outputs, its non-Param state after the call and the gradients of the same loss.

Keys written (as the automatic cases, with the call in the path):
  <case>/init/<path>   <case>/outputs/call<k>/<output>   <case>/state/call<k>/<path>
  <case>/grads/call<k>/<path>
"""

from __future__ import annotations

import functools
import importlib
import io
import zipfile

import numpy as np


class CannotRebuild(Exception):
    """The recording names something this tree does not have, or could not record it."""


class Archive:
    """The arrays of a cases file, read when first asked for."""

    def __init__(self, path: str):
        self.zip = zipfile.ZipFile(path)
        self.cache: dict[str, np.ndarray] = {}

    def array(self, entry: dict) -> np.ndarray:
        digest = entry["array"]
        if digest not in self.cache:
            self.cache[digest] = np.lib.format.read_array(io.BytesIO(self.zip.read(digest + ".npy")),
                                                          allow_pickle=False)
        return self.cache[digest]


def resolve(reference: str, aliases: dict | None = None):
    """`module:qualname` imported on this side (`__main__`, a script that was run, by its
    module name in this tree: `aliases`); CannotRebuild where this tree lacks it (an error
    raised by the module's own code is the code's, and propagates)."""
    module_name, _, qualname = reference.partition(":")
    module_name = (aliases or {}).get(module_name, module_name)
    try:
        found = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            raise CannotRebuild(f"{reference.replace(':', '.')} is missing on this side: no module "
                                f"{module_name}") from None
        raise
    for part in qualname.split("."):
        if not hasattr(found, part):
            raise CannotRebuild(f"{reference.replace(':', '.')} is missing on this side: {module_name} has no "
                                f"{qualname} (renamed or removed?)")
        found = getattr(found, part)
    return found


class Rebuilder:
    """Values from their recorded encoding; Modules a case references are built once."""

    def __init__(self, runner, nnx, jax, document: dict, archive: Archive, aliases: dict | None = None):
        self.runner, self.nnx, self.jax, self.document, self.archive = runner, nnx, jax, document, archive
        self.aliases = aliases or {}
        self.modules: dict[tuple, object] = {}

    def resolve(self, reference: str):
        return resolve(reference, self.aliases)

    def module(self, rid: str, instance=None):
        """Construction `rid` built; one Module per recorded `instance` (the distinct
        objects a construction was passed: equal ones stay distinct, a shared one shared)."""
        if (rid, instance) not in self.modules:
            record = self.document["records"][rid]
            if record.get("unrecordable"):
                raise CannotRebuild(f"its construction could not be recorded: {record['unrecordable']}")
            cls = self.resolve(record["class"])
            args = [self.value(a) for a in record.get("args", [])]
            kwargs = {k: self.value(v) for k, v in record.get("kwargs", {}).items()}
            self.modules[rid, instance] = cls(*args, **kwargs)
        return self.modules[rid, instance]

    def value(self, encoded):
        if not isinstance(encoded, dict):
            return encoded
        jax, nnx = self.jax, self.nnx
        jnp = jax.numpy
        if "@module" in encoded:  # another Module: its own construction, set to its state when passed
            module = self.module(encoded["@module"], encoded.get("instance"))
            state = {k: self.archive.array(e) for k, e in encoded.get("state", {}).items() if "array" in e}
            self.runner._load_values(nnx, jax, module, state)
            return module
        if "array" in encoded:
            array = self.archive.array(encoded)
            if encoded.get("key"):
                return jax.random.wrap_key_data(jnp.asarray(array), impl=encoded["key"])
            if encoded.get("type") == "numpy":
                return array.astype(jnp.dtype(encoded["dtype"])) if encoded.get("stored_as") else array.copy()
            return jnp.asarray(array, dtype=jnp.dtype(encoded["dtype"]))
        (tag, body), *rest = encoded.items()
        if tag == "float":
            return float(body)
        if tag == "scalar":
            return np.dtype(body).type(encoded["value"])
        if tag == "dtype":
            form = encoded["form"]
            return getattr(jnp, body) if form == "jax" else jnp.dtype(body) if form == "dtype" else jnp.dtype(body).type
        if tag == "enum":
            return self.resolve(body)[encoded["name"]]
        if tag in ("list", "tuple"):
            items = [self.value(x) for x in body]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            return {self.value(k): self.value(v) for k, v in body}
        if tag in ("namedtuple", "dataclass"):
            return self.resolve(body)(**{k: self.value(v) for k, v in encoded["fields"].items()})
        if tag == "object":
            cls = self.resolve(body)
            made = cls.__new__(cls)
            vars(made).update({k: self.value(v) for k, v in encoded["attributes"].items()})
            return made
        if tag == "partial":
            return functools.partial(self.value(body), *[self.value(a) for a in encoded["args"]],
                                     **{k: self.value(v) for k, v in encoded["keywords"].items()})
        if tag in ("class", "function"):
            return self.resolve(body)
        if tag == "factory":
            return self.resolve(body)(**{k: self.value(v) for k, v in encoded["kwargs"].items()})
        if tag == "partition_spec":
            return jax.sharding.PartitionSpec(*[self.value(p) for p in body])
        if tag == "rngs":
            rngs = nnx.Rngs(**{name: self.value(stream["key"]) for name, stream in body.items()})
            for name, stream in body.items():
                count = getattr(rngs, name).count
                current = count.get_value() if hasattr(count, "get_value") else count.value
                self.runner._set_leaf(count, jnp.asarray(stream["count"], dtype=current.dtype))
            return rngs
        if tag == "variable":
            return self.resolve(body)(self.value(encoded["value"]))
        raise CannotRebuild(f"a recorded value of unknown kind {tag!r} (a newer nnx-migrate wrote this file?)")


def replay(runner, nnx, jax, document: dict, archive: Archive, rid: str, name: str, results: dict,
           aliases: dict | None = None) -> str:
    """Build recorded construction `rid`, run its recorded calls, store what they give under
    `name`; returns a description of what was built."""
    record = document["records"][rid]
    rebuild = Rebuilder(runner, nnx, jax, document, archive, aliases)
    module = rebuild.module(rid)
    for key, value in runner._flat_values(nnx, nnx.state(module)).items():
        if hasattr(value, "shape"):
            runner._store(results, f"{name}/init/{key}", jax, value)
    for number, call in enumerate(record.get("calls", []), 1):
        def start(call=call):
            values = {k: archive.array(e) for k, e in call["state_before"].items() if "array" in e}
            runner._load_values(nnx, jax, module, values)
            _set_flags(nnx, module, call.get("flags", {}))
            return [rebuild.value(a) for a in call["args"]], {k: rebuild.value(v) for k, v in call["kwargs"].items()}

        method = call.get("method", "__call__")  # `forward`, `encode`: a public method of the class
        if not callable(getattr(module, method, None)):
            raise CannotRebuild(f"{record['class'].replace(':', '.')} has no method {method} on this side "
                                "(renamed or removed?)")
        args, kwargs = start()
        prefix = f"call{number}"
        runner._arrays(f"{name}/outputs/{prefix}", getattr(module, method)(*args, **kwargs), jax, results)
        runner._store_mutable_state(nnx, jax, module, f"{name}/state/{prefix}", results)
        if "grads" in call:
            args, kwargs = start()
            grads = nnx.grad(lambda model: runner._loss(jax, getattr(model, method)(*args, **kwargs)))(module)
            for key, value in runner._flat_values(nnx, grads).items():
                runner._store(results, f"{name}/grads/{prefix}/{key}", jax, value)
    calls = record.get("calls", [])
    methods = sorted({call["method"] for call in calls if call.get("method")})
    return (f"{describe(record, document)}, {len(calls)} recorded call(s)"
            + (f" (of {', '.join(methods)})" if methods else ""))


def _set_flags(nnx, module, flags: dict) -> None:
    """The submodules' boolean modes (`deterministic`, `use_running_average`) at the call."""
    for path, node in nnx.iter_graph(module):
        wanted = flags.get("/".join(str(p) for p in path)) if isinstance(node, nnx.Module) else None
        for attribute, value in (wanted or {}).items():
            if type(getattr(node, attribute, None)) is bool and getattr(node, attribute) != value:
                setattr(node, attribute, value)


def describe(record: dict, document: dict) -> str:
    """`Class(arguments)` from the recording, short, with where it was constructed."""
    parts = [_short(a, document) for a in record.get("args", [])]
    parts += [f"{k}={_short(v, document)}" for k, v in record.get("kwargs", {}).items()]
    text = f"{record['class'].rpartition(':')[2]}({', '.join(parts)})"
    return text + (f" constructed at {record['site']}" if record.get("site") else "")


def _short(encoded, document: dict, limit: int = 60) -> str:
    if not isinstance(encoded, dict):
        text = repr(encoded)
    elif "@module" in encoded:
        text = document["records"][encoded["@module"]]["class"].rpartition(":")[2] + "(...)"
    elif "array" in encoded or "left_out" in encoded:
        text = f"{encoded['dtype']}{encoded['shape']}"
    else:
        tag, body = next(iter(encoded.items()))
        if tag in ("dataclass", "namedtuple", "object"):
            fields = encoded.get("fields") or encoded.get("attributes") or {}
            inner = ", ".join(f"{k}={_short(v, document, 20)}" for k, v in fields.items())
            text = f"{body.rpartition(':')[2].rpartition('.')[2]}({inner})"
        elif tag == "enum":
            text = f"{body.rpartition(':')[2]}.{encoded['name']}"
        elif tag in ("list", "tuple"):
            inner = ", ".join(_short(x, document, 20) for x in body)
            text = f"[{inner}]" if tag == "list" else f"({inner}{',' if len(body) == 1 else ''})"
        elif tag == "rngs":
            text = f"Rngs({', '.join(body)})"
        elif tag == "variable":
            text = f"{body.rpartition(':')[2]}({_short(encoded['value'], document, 30)})"
        elif tag in ("class", "function", "factory"):
            text = body.rpartition(":")[2] + ("(...)" if tag == "factory" else "")
        else:
            text = str(body)
    return text if len(text) <= limit else text[:limit - 3] + "..."
