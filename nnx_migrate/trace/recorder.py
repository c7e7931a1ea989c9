"""The recorder of `nnx-migrate trace`: installed as `sitecustomize` in the interpreter that
runs the user's code, which may have flax 0.10/0.11 and not nnx-migrate.

It imports only the standard library at start-up. When the program imports `flax.nnx`, it
wraps the few flax entry points that show what an object is at a source position:
`Variable.value` / `.raw_value` (read and write), `.sharding_names` reads (a property on
flax 0.12, a metadata entry through `Variable.__getattr__` before), the in-place operators of Variables,
`Module.iter_modules` / `iter_children`, attribute assignment on Modules (containers
holding Modules, Variables or arrays) and Module construction (`rngs` passed by position).
Each event costs a flag check and a set insertion keyed by the caller's code object and
instruction offset; positions, classes and file hashes are worked out once, at exit, and
written as one JSON fragment per process into $NNX_MIGRATE_TRACE_DIR. With
$NNX_MIGRATE_RECORD_CASES (`--record-cases`), the construction wrapper also hands each
Module construction to the case recorder (case_recorder.py, copied beside this file).

Kept compatible with Python 3.8+ and free of nnx-migrate imports on purpose.
"""

import atexit
import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import json
import os
import sys
import sysconfig
import threading

FORMAT = 1
_getframe = sys._getframe
# (id(code), instruction offset, kind, detail) -> (code, dtype of the first value seen). Keyed
# by the code's id: hashing a code object hashes its whole bytecode, on every event.
_events = {}
_recording = True
_patched = []  # what was wrapped, for the fragment
_assigned = {}  # (id(module), attribute) -> (code, offset) of the last container assignment
_rngs_index = {}  # class -> index of a positional-or-keyword `rngs` parameter, or -1
_flax = {}  # the flax classes the recorder needs: Module, Variable
_dumped = []
_lock = threading.Lock()
_cases = []  # with --record-cases: the case recorder module (case_recorder.py)
CASE_RECORDER = "_nnx_migrate_case_recorder"
_CONTAINERS = (list, tuple, dict)
_ASSIGNED_LIMIT = 100_000  # containers assigned outside construction and never looked at again
_SETATTR_CODES = set()  # code of Variable.__setattr__, which stands between a write and the setter
_VALUE_ATTRIBUTES = ("value", "raw_value")
_METADATA_ATTRIBUTES = ("sharding_names",)  # deprecated reads the rules rewrite on a Variable


# -- the wrappers: one flag check and one set insertion per event -------------------------
def _wrap_property(cls, name, descriptor):
    getter = descriptor.__get__
    setter = descriptor.__set__
    read_kind, write_kind = name + "-read", name + "-write"

    def get(self):
        value = getter(self, type(self))
        if _recording:
            frame = _getframe(1)
            key = (id(frame.f_code), frame.f_lasti, read_kind, type(value))
            if key not in _events:
                _events[key] = (frame.f_code, _dtype(value))
        return value

    def set_(self, value):
        if _recording:
            frame = _getframe(1)
            if frame.f_code in _SETATTR_CODES:  # `v.value = y` goes through Variable.__setattr__
                frame = frame.f_back
            key = (id(frame.f_code), frame.f_lasti, write_kind, type(value))
            if key not in _events:
                _events[key] = (frame.f_code, _dtype(value))
        setter(self, value)

    setattr(cls, name, property(get, set_, None, getattr(descriptor, "__doc__", None)))


def _wrap_metadata_lookup(cls, method):
    """`Variable.__getattr__` (flax 0.10/0.11): runs only when normal lookup fails."""
    def __getattr__(self, name):
        value = method(self, name)
        if _recording and name in _METADATA_ATTRIBUTES:
            frame = _getframe(1)
            key = (id(frame.f_code), frame.f_lasti, name + "-read", type(value))
            if key not in _events:
                _events[key] = (frame.f_code, _dtype(value))
        return value

    setattr(cls, "__getattr__", __getattr__)


def _wrap_in_place(cls, name, method, held):
    def in_place(self, other):
        if _recording:
            frame = _getframe(1)
            value = held(self)
            key = (id(frame.f_code), frame.f_lasti, "in-place", type(value))
            if key not in _events:
                _events[key] = (frame.f_code, _dtype(value))
        return method(self, other)

    in_place.__name__ = name
    setattr(cls, name, in_place)


def _wrap_walk(cls, name, method):
    def walk(self, *args, **kwargs):
        if _recording:
            frame = _getframe(1)
            _note(frame.f_code, frame.f_lasti, name, type(self))
        return method(self, *args, **kwargs)

    walk.__name__ = name
    setattr(cls, name, walk)


def _wrap_setattr(cls, method):
    def __setattr__(self, name, value):
        if _recording and type(value) in _CONTAINERS:
            frame = _getframe(1)
            elements = _data_elements(value)
            if elements:
                _note(frame.f_code, frame.f_lasti, "container", (type(self), name, type(value), elements))
            elif len(_assigned) < _ASSIGNED_LIMIT:  # filled later (`self.xs = []`, appends): seen after construction
                _assigned[(id(self), name)] = (frame.f_code, frame.f_lasti)
        method(self, name, value)

    setattr(cls, "__setattr__", __setattr__)


def _wrap_construction(metaclass, method):
    def __call__(cls, *args, **kwargs):
        token = None
        if _recording:
            index = _rngs_index.get(cls)
            if index is None:
                index = _rngs_index[cls] = _find_rngs_index(cls)
            if index >= 0:
                frame = _getframe(1)
                _note(frame.f_code, frame.f_lasti, "construct", (cls, index if len(args) > index else -1))
            if _cases:
                token = _cases[0].before(cls, args, kwargs, _getframe(1))
        node = method(cls, *args, **kwargs)
        if _assigned:
            _check_assigned(node)
        if token is not None:
            _cases[0].after(token, node)
        return node

    setattr(metaclass, "__call__", __call__)


def _note(code, offset, kind, detail):
    key = (id(code), offset, kind, detail)
    if key not in _events:
        _events[key] = (code, None)


def _dtype(value):
    try:
        return getattr(value, "dtype", None)
    except Exception:  # a user's property may raise anything
        return None


def _find_rngs_index(cls):
    try:
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return -1
    for position, parameter in enumerate(parameters):
        if parameter.kind is not parameter.POSITIONAL_OR_KEYWORD:
            return -1
        if parameter.name == "rngs":
            return position
    return -1


def _check_assigned(node):
    try:
        attributes = vars(node)
    except TypeError:
        return
    identity = id(node)
    for name, value in list(attributes.items()):
        where = _assigned.pop((identity, name), None)
        if where is not None and type(value) in _CONTAINERS:
            elements = _data_elements(value)
            if elements:
                _note(where[0], where[1], "container", (type(node), name, type(value), elements))


def _data_elements(container, depth=0):
    """What flax 0.12 would treat as data in a container: ('module', 'variable', 'array',
    'nested', 'str-keys' / 'other-keys'), or () when nothing is data."""
    if depth > 3:  # deep or self-containing structures: not a container of layers
        return ()
    module, variable = _flax.get("Module"), _flax.get("Variable")
    items = list(container.values()) if type(container) is dict else container
    found = set()
    for item in items:
        if module is not None and isinstance(item, module):
            found.add("module")
        elif variable is not None and isinstance(item, variable):
            found.add("variable")
        elif _is_array_type(type(item)):
            found.add("array")
        elif type(item) in _CONTAINERS and _data_elements(item, depth + 1):
            found.add("nested")
    if not found:
        return ()
    if type(container) is dict:
        found.add("str-keys" if all(isinstance(key, str) for key in container) else "other-keys")
    return tuple(sorted(found))


def _is_array_type(kind):
    for module_name, class_name in (("jax", "Array"), ("numpy", "ndarray")):
        module = sys.modules.get(module_name)
        array = getattr(module, class_name, None) if module is not None else None
        if isinstance(array, type):
            try:
                if issubclass(kind, array):
                    return True
            except TypeError:
                pass
    return False


# -- installing the wrappers once flax.nnx is imported ------------------------------------
def _owner(cls, name):
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass
    return None


def _patch(nnx):
    variable, module = getattr(nnx, "Variable", None), getattr(nnx, "Module", None)
    if not (isinstance(variable, type) and isinstance(module, type)):
        return
    _flax.update(Variable=variable, Module=module)
    for klass in variable.__mro__:
        code = getattr(vars(klass).get("__setattr__"), "__code__", None)
        if code is not None:
            _SETATTR_CODES.add(code)
    value_of = None
    for name in _VALUE_ATTRIBUTES:
        owner = _owner(variable, name)
        descriptor = vars(owner).get(name) if owner is not None else None
        if descriptor is not None and hasattr(descriptor, "__set__"):
            if name == "value":
                value_of = descriptor.__get__
            _wrap_property(owner, name, descriptor)
            _patched.append(name)
    for name in _METADATA_ATTRIBUTES:
        owner = _owner(variable, name)
        descriptor = vars(owner).get(name) if owner is not None else None
        if descriptor is not None and hasattr(descriptor, "__set__"):
            _wrap_property(owner, name, descriptor)
            _patched.append(name)
    owner = _owner(variable, "__getattr__")
    if owner is not None and not all(_owner(variable, name) for name in _METADATA_ATTRIBUTES):
        _wrap_metadata_lookup(owner, vars(owner)["__getattr__"])
        _patched.append("__getattr__")
    for name, method in list(vars(variable).items()):
        if name.startswith("__i") and name.endswith("__") and name[3:-2] in _IN_PLACE and callable(method):
            _wrap_in_place(variable, name, method, (lambda self: value_of(self, type(self))) if value_of else _nothing)
            _patched.append(name)
    for name in ("iter_modules", "iter_children"):
        owner = _owner(module, name)
        if owner is not None:
            _wrap_walk(owner, name, vars(owner)[name])
            _patched.append(name)
    owner = _owner(module, "__setattr__")
    if owner is not None and owner is not object:
        _wrap_setattr(owner, vars(owner)["__setattr__"])
        _patched.append("__setattr__")
    owner = _owner(type(module), "__call__")
    if owner is not None and owner is not type:
        _wrap_construction(owner, vars(owner)["__call__"])
        _patched.append("construction")


def _nothing(_):
    return None


_IN_PLACE = {"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
             "lshift", "rshift"}


class _FlaxImportHook:
    """Wraps the loader of `flax.nnx` so the patches go in right after it is imported."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "flax.nnx":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            _remove_hook()
            try:
                _patch(module)
            except Exception as error:  # the user's program must run even if recording cannot
                sys.stderr.write(f"nnx-migrate trace: cannot record flax here: {type(error).__name__}: {error}\n")

        spec.loader.exec_module = exec_module
        return spec


_HOOK = _FlaxImportHook()


def _remove_hook():
    if _HOOK in sys.meta_path:
        sys.meta_path.remove(_HOOK)


# -- the fragment written at exit ---------------------------------------------------------
_positions = {}


def _position(code, offset):
    """(line, column, end line, end column) of the instruction; columns are None before 3.11."""
    table = _positions.get(code)
    if table is None:
        if hasattr(code, "co_positions"):
            table = _positions[code] = list(code.co_positions())
        else:
            table = _positions[code] = [(line, start, end) for start, end, line in code.co_lines()]
    if hasattr(code, "co_positions"):
        index = offset // 2
        if index >= len(table):
            return None
        line, end_line, column, end_column = table[index]
        return None if line is None else (line, column, end_line, end_column)
    for line, start, end in table:
        if start <= offset < end and line is not None:
            return (line, None, line, None)
    return None


def _library_paths():
    paths = {sysconfig.get_paths().get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(os.path.realpath(p) + os.sep for p in paths if p)


def _value_kind(kind, dtype):
    if _is_array_type(kind):
        return "array:" + str(dtype)
    return "other:" + getattr(kind, "__qualname__", str(kind))


def _class_name(cls):
    return {"class": cls.__module__ + "." + cls.__qualname__}


def _constructor(cls):
    """Where the `__init__` that `cls(...)` runs is defined: its class and file."""
    init = getattr(cls, "__init__", None)
    code = getattr(init, "__code__", None)
    qualname = getattr(init, "__qualname__", "")
    return {"init_class": qualname[: -len(".__init__")] if qualname.endswith(".__init__") else None,
            "init_file": os.path.realpath(code.co_filename) if code is not None else None}


def _site(kind, position, detail, more):
    line, column, end_line, end_column = position
    site = {"kind": kind, "line": line, "column": column, "end_line": end_line, "end_column": end_column}
    if kind in ("value-read", "value-write", "raw_value-read", "raw_value-write", "in-place",
                "sharding_names-read"):
        site["values"] = [_value_kind(detail, more)]
    elif kind in ("iter_modules", "iter_children"):
        site.update(_class_name(detail))
    elif kind == "construct":
        cls, passed_at = detail
        site.update(_class_name(cls))
        site.update(_constructor(cls))
        site["rngs_index"] = _rngs_index.get(cls, -1)
        site["positional"] = passed_at >= 0
    elif kind == "container":
        cls, attribute, container, more = detail
        site.update(_class_name(cls))
        site["attribute"] = attribute
        site["container"] = container.__name__
        site["elements"] = list(more)
    return site


def fragment():
    """What this process recorded, in the evidence file's format (see nnx_migrate/evidence.py)."""
    skip = _library_paths() + (os.path.dirname(os.path.realpath(__file__)) + os.sep,)
    files = {}
    real = {}
    for (_, offset, kind, detail), (code, more) in list(_events.items()):
        name = code.co_filename
        path = real.get(name)
        if path is None:
            path = real[name] = "" if name.startswith("<") else os.path.realpath(name)
        if not path or path.startswith(skip):
            continue
        position = _position(code, offset)
        if position is None:
            continue
        entry = files.get(path)
        if entry is None:
            entry = files[path] = {"sha256": _hash(path), "sites": []}
        entry["sites"].append(_site(kind, position, detail, more))
    for path in [p for p, entry in files.items() if entry["sha256"] is None]:
        del files[path]
    flax = sys.modules.get("flax")
    return {
        "format": FORMAT,
        "runs": [{"pid": os.getpid(), "argv": list(sys.argv), "python": sys.version.split()[0],
                  "flax": getattr(flax, "__version__", None), "recorded": list(_patched)}],
        "files": files,
    }


def _hash(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def dump():
    """Write this process's fragment (once per process; forked children write their own)."""
    global _recording
    directory = os.environ.get("NNX_MIGRATE_TRACE_DIR")
    with _lock:
        if not directory or os.getpid() in _dumped:
            return
        _dumped.append(os.getpid())
        was_recording, _recording = _recording, False
        try:
            data = fragment()
            target = os.path.join(directory, "fragment-%d-%d.json" % (os.getpid(), id(data)))
            with open(target + ".tmp", "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(target + ".tmp", target)
        except Exception as error:
            sys.stderr.write(f"nnx-migrate trace: cannot write the evidence fragment: {error}\n")
        try:
            if _cases:
                _cases[0].dump(directory)
        except Exception as error:
            sys.stderr.write(f"nnx-migrate trace: cannot write the recorded cases: {error}\n")
        finally:
            _recording = was_recording


_real_exit = os._exit


def _exit(status):
    """Forked workers (multiprocessing, pytest-xdist) leave through os._exit, which skips atexit."""
    dump()
    _real_exit(status)


def _chain_sitecustomize():
    """Run the `sitecustomize` this one shadows, if the environment has one."""
    here = os.path.dirname(os.path.realpath(__file__))
    rest = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.stderr.write(f"nnx-migrate trace: the environment's sitecustomize failed: {error}\n")


def _record_enum_values():
    """`.value` of Enum members, the classic look-alike: a site that also saw a Variable is
    then known to be shared, and is reported rather than rewritten."""
    import enum

    descriptor = vars(enum.Enum).get("value")
    original = getattr(descriptor, "fget", None)
    if original is None:
        return

    def value(self):
        if _recording:
            try:
                frame = _getframe(2)  # past enum.property.__get__
            except ValueError:
                frame = None
            if frame is not None:
                _note(frame.f_code, frame.f_lasti, "enum-value", None)
        return original(self)

    try:
        descriptor.fget = value
    except AttributeError:
        return
    _patched.append("Enum.value")


def install():
    if os.environ.get("NNX_MIGRATE_RECORD_CASES"):
        try:
            _cases.append(importlib.import_module(CASE_RECORDER))
        except Exception as error:
            sys.stderr.write(f"nnx-migrate trace: cannot record cases: {error}\n")
    _record_enum_values()
    if "flax.nnx" in sys.modules:
        _patch(sys.modules["flax.nnx"])
    else:
        sys.meta_path.insert(0, _HOOK)
    atexit.register(dump)
    os._exit = _exit


if os.environ.get("NNX_MIGRATE_TRACE_DIR") and __name__ == "sitecustomize":
    install()
    _chain_sitecustomize()
