"""`nnx-migrate trace --record-cases`: what `verify --cases` replays. Loaded by the
recorder (sitecustomize) in the traced program, which may have flax 0.10/0.11 and not
nnx-migrate: it imports only the standard library, and numpy and jax once flax built a
Module.

For each Module class of the project (defined outside the standard library and
site-packages), the first few distinct constructions are recorded: the constructor's
arguments (arrays by content; configs, enums and NamedTuples by their class's import path
and fields; other Modules as references to their own construction; `nnx.Rngs` as its keys
and counts), the state right after construction, and its first few eager calls (of
`__call__`, or of a public method of the project's classes: `forward`, `encode`):
inputs, the state and the boolean attributes (`deterministic`, ...) of its submodules at
the call, outputs, non-Param state after it, and the gradients of the sum of squared
outputs, computed on a clone so the program's own objects are left as they were. Work done
inside jax transforms (tracers) is not recorded.

Each process writes one zip (`cases.json` and one `.npy` per distinct array) into
$NNX_MIGRATE_TRACE_DIR; `trace` merges them (nnx_migrate/trace/cases.py). Kept compatible
with Python 3.8+.
"""

import dataclasses
import enum
import functools
import hashlib
import inspect
import io
import json
import os
import sys
import sysconfig
import threading
import warnings
import weakref
import zipfile

FORMAT = "nnx-migrate-cases/1"


def _number(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return float(default)


PER_CLASS = int(_number("NNX_MIGRATE_CASES_PER_CLASS", 3))  # distinct constructions per class
CALLS = int(_number("NNX_MIGRATE_CASES_CALLS", 2))  # calls per construction
ARRAY_LIMIT = int(_number("NNX_MIGRATE_CASES_ARRAY_MB", 16) * 2 ** 20)
FILE_LIMIT = int(_number("NNX_MIGRATE_CASES_FILE_MB", 256) * 2 ** 20)
BORN_LIMIT = 200_000  # constructions remembered for references from later ones
STANDARD_FLOATS = ("float16", "float32", "float64")
# Where a function or class is looked up first: public names survive version changes,
# `jax._src...` paths do not.
PUBLIC_MODULES = ("flax.nnx", "flax.nnx.initializers", "jax.nn", "jax.nn.initializers", "jax.numpy", "jax",
                  "jax.random", "jax.lax", "numpy", "math", "operator", "functools")

_lock = threading.RLock()
_busy = [False]  # our own work in progress: constructions and calls it makes are not recorded
_mods = {}  # nnx, jax, np, Tracer
_project = {}  # class -> defined in the project
_born = {}  # id(node) -> (weakref, before()'s token, fingerprint): constructions a later one may take
_of_node = {}  # id(node) -> (weakref, record id, fingerprint)
_wanted = {}  # id(node) -> (weakref, record id): instances whose calls are recorded
_in_call = set()
_shape_at = {}  # id(node) -> (weakref, fingerprint after its last recorded call)
_records = {}  # record id -> record (JSON-able)
_by_key = {}  # content key -> record id
_counts = {}  # class -> distinct constructions recorded
_unrecordable = set()  # classes with one unrecordable construction noted
_arrays = {}  # content hash -> numpy array (as stored)
_stored = [0]  # bytes held in _arrays
_left_out = []
_wrapped = set()  # (class, method name) wrapped
_barren = set()  # (record id, method name): a method whose calls are not recorded (no arrays out)
_environment = {}


class _Unrecordable(Exception):
    """One reason an argument (or input) cannot be written down."""


# -- entry points, called by the recorder's construction wrapper ---------------------------
def before(cls, args, kwargs, frame):
    """Before `cls(*args, **kwargs)` runs: the keys and counts of every Rngs passed (the
    constructor consumes them), the attributes and state of every Module passed. Returns
    a token for `after`, or None."""
    if _busy[0]:
        return None
    try:
        return (cls, args, kwargs, _snapshots(args, kwargs), (frame.f_code.co_filename, frame.f_lineno))
    except Exception:  # recording must never break the program
        return None


def after(token, node):
    if token is None or _busy[0]:
        return
    with _lock:
        _busy[0] = True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _constructed(token, node)
        except Exception as error:
            _note_left_out("construction of %s: recording failed: %s" % (_qualified(token[0]), _one_line(error)))
        finally:
            _busy[0] = False


def _constructed(token, node):
    cls, args, kwargs, snapshots, where = token
    if not _load_modules():
        return
    if not isinstance(node, _mods["nnx"].Module):
        return
    ref, fingerprint = weakref.ref(node), _fingerprint(node)
    if not _is_project(cls) or _counts.get(cls, 0) >= PER_CLASS:
        _remember(node, ref, token, fingerprint)
        return
    try:
        encoded = _encode_arguments(cls, args, kwargs, snapshots)
    except _Unrecordable as error:
        _remember(node, ref, token, fingerprint)
        if cls not in _unrecordable and not _traced(node):
            _unrecordable.add(cls)
            _add_record(_class_entry(cls, where, unrecordable=str(error)), None)
        return
    key = _content_key(cls, encoded)
    if key in _by_key:  # built the same way before: its calls count for that construction
        rid = _by_key[key]
        _of_node[id(node)] = (ref, rid, fingerprint)
        if "calls" in _records[rid] and len(_records[rid]["calls"]) < CALLS:
            _wanted[id(node)] = (ref, rid)
        return
    flat = _flat_state(node)
    if any(isinstance(value, _mods["Tracer"]) for value in flat.values()):
        return  # built inside a transform (nnx.eval_shape, vmap): no concrete state
    record = _class_entry(cls, where)
    record.update(encoded)
    record["key"] = key
    record["state"] = _state_entries(flat)
    record["flags"] = _flags(node)
    record["calls"] = []
    rid = _add_record(record, key)
    _counts[cls] = _counts.get(cls, 0) + 1
    _of_node[id(node)] = (ref, rid, fingerprint)
    if CALLS > 0 and _wrap_call(cls):
        _wanted[id(node)] = (ref, rid)


def _remember(node, ref, token, fingerprint):
    if len(_born) < BORN_LIMIT:
        identity = id(node)
        _born[identity] = (ref, token, fingerprint)
        weakref.finalize(node, _born.pop, identity, None)


def _add_record(record, key):
    rid = "%d-%d" % (os.getpid(), len(_records) + 1)
    _records[rid] = record
    if key is not None:
        _by_key[key] = rid
    return rid


def _class_entry(cls, where, unrecordable=None):
    path = _class_file(cls)
    entry = {"class": "%s:%s" % (cls.__module__, cls.__qualname__),
             "file": os.path.realpath(path) if path else None,
             "site": "%s:%d" % (os.path.realpath(where[0]), where[1]) if where else None,
             "environment": _environment_id()}
    if unrecordable is not None:
        entry["unrecordable"] = unrecordable
    return entry


# -- calls ----------------------------------------------------------------------------------
def _wrap_call(cls):
    """Wraps the `__call__` that instances of `cls` run (once per defining class, which
    may be flax's: `class Dense(nnx.Linear)`), and the public methods the project's own
    classes of its MRO define (`forward`, `reverse`, `log_density`, `encode`: the entry
    points of a library whose Modules are not called); other instances pass through at
    the cost of a dict lookup. A method that runs inside another recorded one of the same
    instance (`__call__` calling `self.forward`) is part of that call."""
    methods = []
    owner = next((k for k in cls.__mro__ if "__call__" in vars(k)), None)
    if owner is not None and owner is not object:
        methods.append((owner, "__call__"))
    seen = {"__call__"}
    for klass in cls.__mro__:
        if klass is object or not _is_project(klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen or not inspect.isfunction(value):
                continue
            seen.add(name)  # the MRO's first definition is the one instances run
            methods.append((klass, name))
    for klass, name in methods:
        if (klass, name) not in _wrapped:
            setattr(klass, name, _wrapper(vars(klass)[name], name))
            _wrapped.add((klass, name))
    return bool(methods)


def _wrapper(method, name):
    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        entry = _wanted.get(id(self))
        if (entry is None or _busy[0] or entry[0]() is not self or id(self) in _in_call
                or (entry[1], name) in _barren):
            return method(self, *args, **kwargs)
        prepared = _call_starts(entry[1], self, args, kwargs, name)
        if prepared is None:
            return method(self, *args, **kwargs)
        _in_call.add(id(self))
        try:
            out = method(self, *args, **kwargs)
        finally:
            _in_call.discard(id(self))
        _call_ends(prepared, self, out)
        return out

    return wrapped


def _call_starts(rid, node, args, kwargs, method="__call__"):
    with _lock:
        record = _records[rid]
        if len(record["calls"]) >= CALLS:
            _wanted.pop(id(node), None)
            return None
        _busy[0] = True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                jax, nnx = _mods["jax"], _mods["nnx"]
                leaves = jax.tree_util.tree_leaves((args, kwargs), is_leaf=_is_flax_object)
                if any(isinstance(leaf, _mods["Tracer"]) for leaf in leaves):
                    return None  # called inside jit/grad/vmap: not concrete
                flat = _flat_state(node)
                if any(isinstance(value, _mods["Tracer"]) for value in flat.values()):
                    return None
                changed = _reassigned(node)
                if changed:  # `dist.rngs = nnx.Rngs(0)` after construction: the replay cannot see it
                    record["calls_not_recorded"] = (
                        "its attributes were reassigned after its construction (%s): the module rebuilt from "
                        "its construction would not be the one called" % ", ".join(changed))
                    _wanted.pop(id(node), None)
                    return None
                try:
                    call = {"args": [_encode(a, "input %d" % i, 0, {}) for i, a in enumerate(args)],
                            "kwargs": {k: _encode(v, "input `%s`" % k, 0, {}) for k, v in kwargs.items()}}
                except _Unrecordable as error:
                    if method != "__call__":  # this method's calls only: others may be recordable
                        record.setdefault("calls_not_recorded", "%s(): %s" % (method, error))
                        _barren.add((rid, method))
                        return None
                    record["calls_not_recorded"] = str(error)
                    _wanted.pop(id(node), None)
                    return None
                call["state_before"] = _state_entries(flat)
                missing = [e["left_out"] for e in call["state_before"].values() if "left_out" in e]
                if missing:  # a call that cannot be replayed: not worth its outputs and gradients
                    record["calls_not_recorded"] = missing[0]
                    _wanted.pop(id(node), None)
                    return None
                call["flags"] = _flags(node)
                if method != "__call__":
                    call["method"] = method
                clone = nnx.clone(node)
                copies = _clone_objects((args, kwargs))
                return record, call, clone, copies, rid
        except Exception as error:
            record["calls_not_recorded"] = "recording failed: " + _one_line(error)
            _wanted.pop(id(node), None)
            return None
        finally:
            _busy[0] = False


def _call_ends(prepared, node, out):
    record, call, clone, (args, kwargs), rid = prepared
    with _lock:
        if len(record["calls"]) >= CALLS:
            return
        _busy[0] = True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                jax, nnx = _mods["jax"], _mods["nnx"]
                leaves, _ = jax.tree_util.tree_flatten_with_path(out)
                outputs = {}
                for path, leaf in leaves:
                    if isinstance(leaf, _mods["Tracer"]):
                        return
                    if hasattr(leaf, "shape"):
                        key = jax.tree_util.keystr(path) or "out"
                        outputs[key] = _array_entry(leaf, "output " + key)
                if not outputs and call.get("method"):
                    _barren.add((rid, call["method"]))
                    return  # a method that gives no array (a getter, a setter): nothing to compare
                call["outputs"] = outputs
                after = _flat_state(node, nnx.Not(nnx.Param))
                call["state_after"] = {path: _array_entry(v, "state " + path) for path, v in after.items()
                                       if hasattr(v, "shape") and (_is_key(v) or _is_number(v))}
                floats = [x for x in jax.tree_util.tree_leaves(out) if _is_float(x)]
                if not floats:
                    call["grads_error"] = "no floating-point output to differentiate"
                else:
                    try:
                        call["grads"] = _gradients(clone, call.get("method", "__call__"), args, kwargs)
                    except Exception as error:  # a call that cannot be differentiated
                        call["grads_error"] = _one_line(error)
                record["calls"].append(call)
                _shape_at[id(node)] = (weakref.ref(node), _fingerprint(node))  # what the replay has next
                if len(record["calls"]) >= CALLS:
                    _wanted.pop(id(node), None)
        except Exception as error:
            record["calls_not_recorded"] = "recording failed: " + _one_line(error)
        finally:
            _busy[0] = False


def _gradients(clone, method, args, kwargs):
    jax, nnx = _mods["jax"], _mods["nnx"]
    numpy = jax.numpy

    def loss(model):
        out = getattr(model, method)(*args, **kwargs)
        # the same loss as verify's runner: the sum of squared floating-point outputs
        return sum(numpy.sum(numpy.square(x)) for x in jax.tree_util.tree_leaves(out) if _is_float(x))

    grads = nnx.grad(loss)(clone)
    return {path: _array_entry(v, "gradient " + path) for path, v in _flat(grads).items()}


def _clone_objects(tree):
    """Copies of the flax objects (Rngs, Modules) among call arguments, which a call mutates."""
    nnx = _mods["nnx"]
    if _is_flax_object(tree):
        return nnx.clone(tree)
    if type(tree) in (list, tuple):
        return type(tree)(_clone_objects(x) for x in tree)
    if type(tree) is dict:
        return {k: _clone_objects(v) for k, v in tree.items()}
    return tree


# -- values -----------------------------------------------------------------------------
def _encode_arguments(cls, args, kwargs, snapshots):
    names = _parameter_names(cls)
    encoded_args = []
    for i, value in enumerate(args):
        name = names[i] if i < len(names) else "*args[%d]" % (i - len(names))
        encoded_args.append(_encode(value, "argument `%s`" % name, 0, snapshots))
    encoded_kwargs = {k: _encode(v, "argument `%s`" % k, 0, snapshots) for k, v in kwargs.items()}
    return {"args": encoded_args, "kwargs": encoded_kwargs}


def _parameter_names(cls):
    try:
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _encode(value, where, depth, snapshots):
    """`value` as JSON (arrays by content hash), or _Unrecordable naming `where` and why."""
    if depth > 12:
        raise _Unrecordable("%s: nested more than 12 deep" % where)
    np, jax, nnx = _mods["np"], _mods["jax"], _mods["nnx"]
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if isinstance(value, enum.Enum):
        return {"enum": _reference(kind, where), "name": value.name}
    if kind is int:
        return value
    if kind is float:
        return value if value == value and value not in (float("inf"), float("-inf")) else {"float": repr(value)}
    if isinstance(value, _mods["Tracer"]):
        raise _Unrecordable("%s: a traced value (built inside jit, vmap or another transform)" % where)
    if isinstance(value, np.generic):
        return {"scalar": value.dtype.name, "value": value.item()}
    if isinstance(value, (np.ndarray, jax.Array)):
        entry = _array_entry(value, where)
        if "array" not in entry:
            raise _Unrecordable("%s: %s" % (where, entry["left_out"]))
        entry["type"] = "numpy" if isinstance(value, np.ndarray) else "jax"
        return entry
    if isinstance(value, np.dtype):
        return {"dtype": value.name, "form": "dtype"}
    if isinstance(value, type) and (issubclass(value, np.generic) or kind.__name__ == "_ScalarMeta"):
        return {"dtype": np.dtype(value).name, "form": "jax" if kind.__name__ == "_ScalarMeta" else "numpy"}
    if isinstance(value, nnx.Rngs):
        taken = snapshots.get(id(value))
        snapshot = taken[1] if taken and taken[0] == "rngs" else _rngs_snapshot(value)
        if any(isinstance(x, _mods["Tracer"]) for pair in snapshot.values() for x in pair):
            raise _Unrecordable("%s: Rngs split inside a transform (nnx.vmap, split_rngs)" % where)
        return {"rngs": {name: {"key": _array_entry(key, where), "count": int(count)}
                         for name, (key, count) in snapshot.items()}}
    if isinstance(value, nnx.Module):
        return _module_reference(value, where, snapshots)
    if isinstance(value, nnx.Variable):  # by class and value: metadata (sharding) is not kept
        return {"variable": _reference(kind, where), "value": _encode(_value(value), where, depth + 1, snapshots)}
    if isinstance(value, jax.sharding.PartitionSpec):
        return {"partition_spec": [_encode(part, where, depth + 1, snapshots) for part in value]}
    if kind in (list, tuple):
        return {kind.__name__: [_encode(x, "%s[%d]" % (where, i), depth + 1, snapshots) for i, x in enumerate(value)]}
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return {"namedtuple": _reference(kind, where),
                "fields": {f: _encode(getattr(value, f), "%s.%s" % (where, f), depth + 1, snapshots)
                           for f in kind._fields}}
    if kind is dict:
        return {"dict": [[_encode(k, where + " (a key)", depth + 1, snapshots),
                          _encode(v, "%s[%r]" % (where, k), depth + 1, snapshots)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"dataclass": _reference(kind, where),
                "fields": {f.name: _encode(getattr(value, f.name), "%s.%s" % (where, f.name), depth + 1, snapshots)
                           for f in dataclasses.fields(value) if f.init}}
    if isinstance(value, functools.partial):
        return {"partial": _encode(value.func, where, depth + 1, snapshots),
                "args": [_encode(a, where, depth + 1, snapshots) for a in value.args],
                "keywords": {k: _encode(v, where, depth + 1, snapshots) for k, v in value.keywords.items()}}
    if isinstance(value, type):
        return {"class": _reference(value, where)}
    if callable(value) and isinstance(getattr(value, "__qualname__", None), str):
        if "<locals>" in value.__qualname__ or "<lambda>" in value.__qualname__:
            return _closure(value, where, depth, snapshots)
        return {"function": _reference(value, where)}
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and (_is_project(kind) or kind.__name__ in ("SimpleNamespace", "Namespace")):
        return {"object": _reference(kind, where),
                "attributes": {k: _encode(v, "%s.%s" % (where, k), depth + 1, snapshots)
                               for k, v in attributes.items()}}
    raise _Unrecordable("%s: a %s (recorded are arrays, numbers, strings, containers, dataclasses, NamedTuples, "
                        "enums, plain config objects, Modules, Variables, Rngs, classes and importable functions)"
                        % (where, _qualified(kind)))


def _closure(function, where, depth, snapshots):
    """A function made by an importable factory from its arguments
    (`nnx.initializers.normal(0.02)`): the factory and the values it closed over."""
    qualname = function.__qualname__
    factory_name = qualname.split(".<locals>", 1)[0]
    made_here = "the function %s.%s" % (getattr(function, "__module__", "?"), qualname)
    if factory_name == qualname or "." in factory_name:
        raise _Unrecordable("%s: %s, made at run time, cannot be looked up on the other side" % (where, made_here))
    factory = getattr(sys.modules.get(getattr(function, "__module__", "")), factory_name, None)
    try:
        captured = inspect.getclosurevars(function).nonlocals
        accepted = set(inspect.signature(factory).parameters) if callable(factory) else set()
        rebuilt = factory(**captured) if captured and set(captured) <= accepted else None
    except Exception:
        rebuilt = None
    if rebuilt is None or getattr(rebuilt, "__code__", None) is not function.__code__ \
            or inspect.getclosurevars(rebuilt).nonlocals != captured:
        raise _Unrecordable("%s: %s, made at run time, is not its factory's arguments alone" % (where, made_here))
    return {"factory": _reference(factory, where),
            "kwargs": {k: _encode(v, "%s (%s)" % (where, k), depth + 1, snapshots) for k, v in captured.items()}}


def _reference(thing, where):
    """`module:qualname` that finds `thing` again by import, public names first."""
    name = getattr(thing, "__name__", None)
    for public in PUBLIC_MODULES:
        module = sys.modules.get(public)
        if module is not None and name and getattr(module, name, None) is thing:
            return "%s:%s" % (public, name)
    module_name, qualname = getattr(thing, "__module__", None), getattr(thing, "__qualname__", None)
    if not module_name or not qualname or "<locals>" in qualname:
        raise _Unrecordable("%s: %s is defined inside a function: it cannot be imported on the other side"
                            % (where, qualname or thing))
    found = sys.modules.get(module_name)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if found is not thing:
        raise _Unrecordable("%s: %s.%s is not found again under that name" % (where, module_name, qualname))
    return "%s:%s" % (module_name, qualname)


def _module_reference(module, where, snapshots):
    """{"@module": its construction, "state": its state when passed}: rebuilt from its
    own construction, then set to the state it had (trained, say) when it was passed."""
    _reference(type(module), where)  # a class defined inside a function cannot be rebuilt
    taken = snapshots.get(id(module))
    fingerprint, flat = taken[1:] if taken and taken[0] == "module" else (_fingerprint(module), _flat_state(module))
    entry = _of_node.get(id(module))
    if entry is not None and entry[0]() is module:
        rid, then = entry[1], entry[2]
    else:
        born = _born.get(id(module))
        if born is None or born[0]() is not module:
            raise _Unrecordable("%s: a %s made without a construction the recorder saw (nnx.merge, nnx.clone, "
                                "inside a transform, or before flax was imported)" % (where, type(module).__name__))
        (cls, args, kwargs, inner, site), then = born[1], born[2]
        try:
            encoded = _encode_arguments(cls, args, kwargs, inner)
        except _Unrecordable as error:
            raise _Unrecordable("%s: a %s whose construction cannot be recorded (%s)" % (where, cls.__name__, error))
        key = _content_key(cls, encoded)
        rid = _by_key.get(key)
        if rid is None:
            record = _class_entry(cls, site)
            record.update(encoded)
            record["key"] = key
            record["dependency"] = True  # rebuilt only for what takes it
            rid = _add_record(record, key)
        _of_node[id(module)] = (born[0], rid, then)
    if fingerprint != then:
        changed = sorted({name for name, _ in set(fingerprint) ^ set(then)})
        raise _Unrecordable("%s: a %s whose attributes were reassigned after its construction (%s): rebuilt from "
                            "its construction it would not be the one passed" % (where, type(module).__name__,
                                                                                  ", ".join(changed)))
    # `instance`: which object it was, among those the same construction passes: Chain(a, b)
    # of two equal bijections is rebuilt with two, Chain(a, a) with one (shared) Module
    return {"@module": rid, "instance": id(module), "state": _state_entries(flat)}


def _reassigned(node):
    """The attributes of `node` added, removed or given another kind of value since its
    construction (or its last recorded call, which the replay runs too)."""
    shaped = _shape_at.get(id(node))
    if shaped is not None and shaped[0]() is node:
        then = shaped[1]
    else:
        entry = _of_node.get(id(node))
        if entry is None or entry[0]() is not node:
            return []
        then = entry[2]
    now = _fingerprint(node)
    return sorted({name for name, _ in set(now) ^ set(then)}) if now != then else []


def _fingerprint(node):
    """The attributes of a Module and the kinds of what they hold (not the values)."""
    return tuple(sorted((k, type(v).__qualname__) for k, v in vars(node).items()
                        if not k.startswith(("_pytree__", "_object__"))))


def _content_key(cls, encoded):
    """Equal for equal constructions, in any process: module references by their own keys."""
    instances = {}

    def canonical(value):
        if isinstance(value, dict):
            if "@module" in value:
                return {"@module": _records[value["@module"]].get("key"), "state": value.get("state"),
                        "instance": instances.setdefault(value.get("instance"), len(instances))}
            return {k: canonical(v) for k, v in value.items()}
        if isinstance(value, list):
            return [canonical(v) for v in value]
        return value

    text = json.dumps([_qualified(cls), canonical(encoded)], sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _array_entry(value, where):
    """{"array": content hash, "shape", "dtype"}, or "left_out" with the reason."""
    np = _mods["np"]
    key = _is_key(value)
    try:
        array = np.asarray(_mods["jax"].random.key_data(value) if key else value)
    except Exception as error:
        return {"left_out": "%s: cannot be read as an array (%s)" % (where, _one_line(error))}
    dtype = str(value.dtype) if key else array.dtype.name
    entry = {"shape": list(array.shape), "dtype": dtype}
    if key:
        entry["key"] = str(_mods["jax"].random.key_impl(value))
    if array.dtype.kind == "V" or (array.dtype.kind == "f" and array.dtype.name not in STANDARD_FLOATS):
        array = array.astype(np.float32)  # bfloat16 and float8: exact in float32, and .npy can hold it
        entry["stored_as"] = "float32"
    if array.dtype.kind not in "biufc":
        return dict(entry, left_out="%s: dtype %s is not recorded" % (where, dtype))
    if array.nbytes > ARRAY_LIMIT:
        reason = "%s: %s, over the %s per-array limit" % (where, _size(array.nbytes), _size(ARRAY_LIMIT))
        _note_left_out(reason)
        return dict(entry, left_out=reason)
    digest = hashlib.blake2b(array.dtype.str.encode() + str(array.shape).encode() + array.tobytes(),
                             digest_size=16).hexdigest()
    if digest not in _arrays:
        if _stored[0] + array.nbytes > FILE_LIMIT:
            reason = "%s: the %s limit of the cases file was reached" % (where, _size(FILE_LIMIT))
            _note_left_out(reason)
            return dict(entry, left_out=reason)
        _arrays[digest] = np.array(array, copy=True)
        _stored[0] += array.nbytes
    entry["array"] = digest
    return entry


def _snapshots(args, kwargs):
    """id -> what an argument (or an item of a list, tuple or dict argument) was at the
    call: ("rngs", streams) or ("module", fingerprint, flat state)."""
    nnx = _mods.get("nnx") or _load_modules() and _mods["nnx"]
    if not nnx:
        return {}
    found = {}
    values = list(args) + list(kwargs.values())
    for value in list(values):
        if type(value) in (list, tuple):
            values += value
        elif type(value) is dict:
            values += list(value.values())
    for value in values:
        if isinstance(value, nnx.Rngs):
            found[id(value)] = ("rngs", _rngs_snapshot(value))
        elif isinstance(value, nnx.Module) and id(value) not in found:
            found[id(value)] = ("module", _fingerprint(value), _flat_state(value))
    return found


def _rngs_snapshot(rngs):
    """{stream: (key, count)}: the values themselves (jax arrays do not change)."""
    nnx = _mods["nnx"]
    streams = {}
    for name, stream in vars(rngs).items():
        if isinstance(stream, nnx.RngStream):
            streams[name] = (_value(stream.key), _value(stream.count))
    return streams


def _flags(node):
    """{submodule path: {attribute: bool}}: the modes `.eval()` / `.train()` set."""
    nnx = _mods["nnx"]
    found = {}
    if hasattr(nnx, "iter_graph"):
        nodes = ((p, n) for p, n in nnx.iter_graph(node) if isinstance(n, nnx.Module))
    else:
        nodes = node.iter_modules()
    for path, sub in nodes:
        flags = {k: v for k, v in vars(sub).items() if type(v) is bool and not k.startswith("_")}
        if flags:
            found["/".join(str(p) for p in path)] = flags
    return found


def _state_entries(flat):
    """Array leaves only, as verify's runner compares and loads them."""
    return {path: _array_entry(v, "state " + path) for path, v in flat.items() if hasattr(v, "shape")}


def _traced(node):
    return any(isinstance(v, _mods["Tracer"]) for v in _flat_state(node).values())


def _flat_state(node, *filters):
    return _flat(_mods["nnx"].state(node, *filters))


def _flat(state):
    nnx = _mods["nnx"]
    pairs = nnx.to_flat_state(state) if hasattr(nnx, "to_flat_state") else state.flat_state()
    return {"/".join(str(part) for part in path): _value(leaf) for path, leaf in pairs}


def _value(variable):
    if hasattr(variable, "get_value"):
        return variable.get_value()
    return variable.value if hasattr(variable, "value") else variable


def _is_flax_object(value):
    nnx = _mods["nnx"]
    base = getattr(nnx, "Pytree", None) or getattr(nnx, "Object", None)
    return base is not None and isinstance(value, base)


def _is_key(value):
    jax = _mods["jax"]
    return hasattr(value, "dtype") and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def _is_number(value):
    np = _mods["np"]
    try:
        return np.issubdtype(value.dtype, np.number)
    except TypeError:
        return False


def _is_float(value):
    jax = _mods["jax"]
    return hasattr(value, "dtype") and not _is_key(value) and jax.numpy.issubdtype(value.dtype, jax.numpy.floating)


def _load_modules():
    if _mods:
        return True
    nnx = sys.modules.get("flax.nnx")
    if nnx is None:
        return False
    import jax
    import numpy

    with warnings.catch_warnings():  # jax deprecates its `jax.core` names one by one
        warnings.simplefilter("ignore")
        try:
            from jax._src.core import Tracer
        except ImportError:
            Tracer = jax.core.Tracer
    _mods.update(nnx=nnx, jax=jax, np=numpy, Tracer=Tracer)
    precision = os.environ.get("NNX_MIGRATE_CASES_MATMUL_PRECISION", "default")
    if precision != "default":  # as `verify` replays: TF32 on a GPU is not a difference of the code
        jax.config.update("jax_default_matmul_precision", precision)
    return True


def _library_paths():
    paths = {sysconfig.get_paths().get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    here = os.path.dirname(os.path.realpath(__file__))
    return tuple(os.path.realpath(p) + os.sep for p in paths if p) + (here + os.sep,)


_LIBRARY = _library_paths()


def _is_project(cls):
    known = _project.get(cls)
    if known is None:
        path = _class_file(cls)
        known = _project[cls] = bool(path) and not os.path.realpath(path).startswith(_LIBRARY)
    return known


def _class_file(cls):
    """The file defining `cls`: its module's, else its methods' (a script run by runpy)."""
    path = getattr(sys.modules.get(getattr(cls, "__module__", "")), "__file__", None)
    if path:
        return path
    for value in vars(cls).values():
        code = getattr(value, "__code__", None)
        if code is not None and not code.co_filename.startswith("<"):
            return code.co_filename
    return None


def _environment_id():
    if not _environment:
        jax, flax = _mods["jax"], sys.modules.get("flax")
        try:
            device = jax.devices()[0]
            device = "%s:%s" % (device.platform, getattr(device, "device_kind", ""))
        except Exception:
            device = "?"
        _environment.update({
            "flax": getattr(flax, "__version__", "?"), "jax": jax.__version__,
            "python": ".".join(str(v) for v in sys.version_info[:3]), "python_executable": sys.executable,
            "device": device, "matmul_precision": str(jax.config.jax_default_matmul_precision or "default"),
            "x64": bool(jax.config.jax_enable_x64)})
    return 0


def _qualified(cls):
    return "%s.%s" % (getattr(cls, "__module__", "?"), getattr(cls, "__qualname__", cls))


def _one_line(error):
    text = " ".join(str(error).split())
    return "%s: %s" % (type(error).__name__, text[:300]) if text else type(error).__name__


def _size(count):
    return "%.1f MiB" % (count / 2 ** 20) if count >= 2 ** 20 else "%d KiB" % max(1, count // 1024)


def _note_left_out(reason):
    if len(_left_out) < 1000:
        _left_out.append(reason)


# -- the fragment ---------------------------------------------------------------------------
def dump(directory):
    """This process's records as one zip in `directory` (nothing when it recorded none)."""
    with _lock:
        if not _records:
            return
        _busy[0] = True
        document = {"format": FORMAT, "pid": os.getpid(), "environment": dict(_environment),
                    "limits": {"per_class": PER_CLASS, "calls": CALLS, "array_bytes": ARRAY_LIMIT,
                               "file_bytes": FILE_LIMIT},
                    "records": _records, "left_out": _left_out}
        target = os.path.join(directory, "cases-%d-%d.zip" % (os.getpid(), id(document)))
        np = _mods["np"]
        with zipfile.ZipFile(target + ".tmp", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("cases.json", json.dumps(document))
            for digest, array in _arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                archive.writestr(digest + ".npy", buffer.getvalue())
        os.replace(target + ".tmp", target)
