"""Automatic cases: a Module class built from its signature and called on inputs found by
probing. Loaded by runner.py inside the interpreter under test, so it imports only jax,
flax, numpy and the standard library.

Values come from annotations and names: config objects (dataclasses, NamedTuples, plain
classes; a `small()`/`tiny()`/`default()` factory first), Modules built first, small ints
by name (`dim` 8, `num_heads` 2, `vocab_size` 32), tuples of them, strings the class body
compares the parameter with, `rngs=nnx.Rngs(0)`. Each class gets up to two plans: sizes
shrunk to small values, then the declared defaults; each plan and each input shape is
probed with `eval_shape` before anything is computed for real."""

from __future__ import annotations

import ast
import re
import collections.abc
import dataclasses
import enum
import inspect
import textwrap
import typing

import numpy as np

FEATURES, COUNT, SEQUENCE, BATCH = 8, 2, 8, 2
MAX_PARAMETERS = 50_000_000
FACTORY_WORDS = ("tiny", "small", "toy", "debug", "test", "mini", "base", "default")
MAX_DEPTH = 4
MAX_REASON = 700
# A full stop after a word (not `5.` in a numbered list) and before a capital letter.
SENTENCE_END = re.compile(r"(?<=[a-z)\]'\"`])\.(?=\s+[A-Z])")

# Name fragments -> an int, first match wins; size-like names are also shrunk when their
# default is larger (a config's `hidden_size=768` becomes 8).
INT_BY_NAME = (
    (("seed", "idx", "index"), 0),
    (("vocab", "num_embeddings", "num_tokens", "n_tokens"), 32),
    (("max_len", "seq_len", "max_seq", "context", "max_position", "block_size", "max_length", "positions"), 16),
    (("image_size", "img_size", "resolution", "input_size"), 16),
    (("patch",), 4),
    (("kernel", "window"), 3),
    (("stride", "dilation", "group", "top_k", "topk", "padding"), 1),
    (("head_dim", "dim_head", "head_size", "qk_dim", "v_dim"), 4),
    (("heads", "n_head", "experts"), COUNT),
    (("layers", "n_layer", "depth", "blocks", "stages", "levels"), COUNT),
    (("dim", "features", "size", "width", "hidden", "channels", "din", "dout", "units", "embed", "embd", "d_model",
      "d_ff", "classes", "latent", "ffn", "mlp", "intermediate", "out", "in_"), FEATURES),
    (("num", "n_"), COUNT),
)
FLOAT_BY_NAME = (
    (("dropout", "drop", "rate", "prob"), 0.0),  # no randomness that a flax upgrade could change
    (("eps", "epsilon"), 1e-5),
    (("momentum", "decay"), 0.9),
)
TOKEN_NAMES = ("tokens", "token_ids", "input_ids", "ids", "idx", "indices", "input_tokens", "inputs_ids")
TRAIN_FLAGS = {"train": True, "training": True, "is_training": True, "deterministic": False,
               "use_running_average": False, "inference": False, "eval": False, "is_eval": False}
NONE_NAMES = ("mask", "cache", "bias", "kv_cache", "carry")
SEGMENT_NAMES = ("segment_ids", "segment_id", "seg_ids", "segments")
POSITION_NAMES = ("positions", "position_ids", "pos", "segment_pos", "input_pos")


class CannotBuild(Exception):
    """One clear reason a class was not built automatically."""


@dataclasses.dataclass
class Case:
    module: object
    inputs: tuple | None  # None: the class defines no __call__; only construction is compared
    call_kwargs: typing.Callable[[bool], dict]
    described: str


def build(nnx, jax, cls) -> Case:
    """`cls` built (plans tried in order) and the first input that a call accepts."""
    if not (isinstance(cls, type) and issubclass(cls, nnx.Module)):
        raise CannotBuild(f"{getattr(cls, '__name__', cls)} is not an nnx.Module class")
    reasons = []
    for shrink in (True, False):
        builder = _Builder(nnx, jax, shrink)
        try:
            described = builder.describe(cls)
            abstract = nnx.eval_shape(lambda: builder.instance(cls))
        except CannotBuild as error:
            reasons.append(str(error))
            continue
        except Exception as error:  # the class's own code rejected these values
            reasons.append(f"{cls.__name__}({described}) raised {reason(error)}")
            continue
        size = sum(int(np.prod(getattr(leaf, "shape", ()))) for leaf in jax.tree.leaves(nnx.state(abstract)))
        if size > MAX_PARAMETERS:
            reasons.append(f"{cls.__name__}({described}) has {size:,} parameters and state elements, "
                           f"more than the {MAX_PARAMETERS:,} run automatically; give it a spec")
            continue
        if not _defines_call(cls):
            # A container of layers: its parameters after construction are still compared.
            return Case(builder.instance(cls), None, lambda train: {}, f"{cls.__name__}({described}), not callable")
        try:
            inputs, call_kwargs, shapes = _probe_inputs(nnx, jax, abstract, cls)
        except CannotBuild as error:
            reasons.append(str(error))
            continue
        module = builder.instance(cls)
        return Case(module, inputs, call_kwargs, f"{cls.__name__}({described}) called on {shapes}")
    unique = list(dict.fromkeys(reasons))
    raise CannotBuild(unique[0] if len(unique) == 1 else "; then with the declared defaults: ".join(unique[:2]))


def _defines_call(cls) -> bool:
    return any("__call__" in vars(k) for k in cls.__mro__ if k is not object)


class _Builder:
    """Values for constructor parameters; `instance` builds fresh ones on every call
    (a new `nnx.Rngs(0)` each time, so probing consumes no randomness of the real run)."""

    def __init__(self, nnx, jax, shrink: bool):
        self.nnx, self.jax, self.shrink = nnx, jax, shrink

    def describe(self, cls) -> str:
        plan = self._plan(cls, 0)
        return ", ".join(f"{name}={_short(make)}" for name, make in plan.items())

    def instance(self, cls):
        return cls(**{name: make() for name, make in self._plan(cls, 0).items()})

    def _plan(self, cls, depth: int) -> dict[str, typing.Callable[[], object]]:
        """Parameter name -> a function making its value (parameters left to defaults omitted)."""
        if depth > MAX_DEPTH:
            raise CannotBuild(f"{cls.__name__}: modules nested more than {MAX_DEPTH} deep in the constructor")
        try:
            signature = inspect.signature(cls.__init__)
        except (TypeError, ValueError) as error:
            raise CannotBuild(f"cannot read the signature of {cls.__name__}: {error}") from None
        hints = _hints(cls.__init__)
        plan = {}
        for parameter in list(signature.parameters.values())[1:]:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            annotation = hints.get(parameter.name, parameter.annotation)
            maker = self._value(cls, parameter.name, annotation, parameter.default, depth)
            if maker is not None:
                plan[parameter.name] = maker
        return plan

    def _value(self, owner, name: str, annotation, default, depth: int):
        """A maker for the value of `name`, or None to leave its default."""
        nnx = self.nnx
        lowered = name.lower()
        if lowered == "rngs" or annotation is nnx.Rngs or _names(annotation, "Rngs"):
            return _Maker(lambda: nnx.Rngs(0), "nnx.Rngs(0)")
        has_default = default is not inspect.Parameter.empty
        if _is_dtype_name(lowered) and (not has_default or _is_low_precision(default)):
            # bfloat16 rounding (1e-2) would drown any difference worth finding
            float32 = self.jax.numpy.float32
            return _Maker(lambda: float32, "float32")
        if has_default:
            if self.shrink and isinstance(default, int) and not isinstance(default, bool) and default > FEATURES:
                small = _int_by_name(lowered)
                if small is not None and small < default:
                    return _Maker(lambda: small, str(small))
            return None
        return self._required(owner, name, annotation, depth)

    def _required(self, owner, name: str, annotation, depth: int):
        lowered = name.lower()
        args = typing.get_args(annotation)
        origin = typing.get_origin(annotation)
        if origin is typing.Union or _is_union_type(annotation):
            if type(None) in args:  # the simplest choice: the feature left out
                return _Maker(lambda: None, "None")
            options = [a for a in args if a is not type(None)]
            for option in options:
                try:
                    return self._required(owner, name, option, depth)
                except CannotBuild:
                    continue
            raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__} ({annotation})")
        if origin is typing.Literal:
            return _Maker(lambda: args[0], repr(args[0]))
        if _names(annotation, "PartitionSpec", "NamedSharding", "Sharding", "Mesh") or (
                annotation is inspect.Parameter.empty and (lowered in ("sharding", "mesh") or lowered.endswith("_sharding"))):
            return _Maker(lambda: None, "None")  # no sharding: one device
        # inspect.Parameter.empty is a class too: no annotation is not a config class
        if isinstance(annotation, type) and annotation is not inspect.Parameter.empty:
            if issubclass(annotation, bool):
                flag = "bias" in lowered or lowered == "deterministic"
                return _Maker(lambda: flag, str(flag))
            if issubclass(annotation, enum.Enum):
                first = next(iter(annotation))
                return _Maker(lambda: first, str(first))
            if issubclass(annotation, int):
                value = _int_by_name(lowered)
                value = 4 if value is None else value
                return _Maker(lambda: value, str(value))
            if issubclass(annotation, float):
                value = _float_by_name(lowered)
                return _Maker(lambda: value, str(value))
            if issubclass(annotation, str):
                return self._string(owner, name)
            if issubclass(annotation, self.nnx.Module):
                if annotation.__module__.startswith("flax.") and annotation.__name__ in ("Module", "Object", "Pytree"):
                    raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__}: "
                                      f"any {annotation.__name__} will do, so none is chosen")
                plan = self._plan(annotation, depth + 1)
                return _Maker(lambda: annotation(**{k: m() for k, m in plan.items()}), f"{annotation.__name__}(...)")
            if annotation.__module__.split(".")[0] not in ("builtins", "jax", "jaxlib", "numpy", "flax", "typing"):
                return self._config(annotation, depth)
        if origin in (tuple, list, collections.abc.Sequence, typing.Sequence) or annotation in (tuple, list):
            return self._sequence(owner, name, origin or annotation, args)
        if origin is collections.abc.Callable or annotation is collections.abc.Callable or _names(annotation, "Callable") \
                or (annotation is inspect.Parameter.empty and any(w in lowered for w in ("act", "nonlinearity"))):
            return self._callable(owner, name)
        if annotation is inspect.Parameter.empty:
            value = _int_by_name(lowered)
            if value is not None and not lowered.endswith(("_str", "_string", "_name", "_type", "_fn")):
                return _Maker(lambda: value, str(value))
            if any(w in lowered for w in ("dropout", "rate", "prob", "eps")):
                number = _float_by_name(lowered)
                return _Maker(lambda: number, str(number))
            choices = _string_choices(owner, name)
            if choices:
                return _Maker(lambda: choices[0], repr(choices[0]))
            raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__}: "
                              "it has no annotation or default, and its name does not say what it holds")
        raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__} "
                          f"(annotated {_annotation_name(annotation)})")

    def _string(self, owner, name: str):
        choices = _string_choices(owner, name)
        if not choices:
            raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__}: a string "
                              "whose accepted values the class does not compare it with")
        return _Maker(lambda: choices[0], repr(choices[0]))

    def _sequence(self, owner, name: str, kind, args):
        element = args[0] if args else int
        if args and len(args) > 1 and args[-1] is not Ellipsis:
            length, element = len(args), args[0]
        else:
            length = 2
        if element is not int and not (isinstance(element, type) and issubclass(element, int)):
            raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__}: "
                              f"a sequence of {_annotation_name(element)}")
        value = _int_by_name(name.lower())
        value = 4 if value is None else value
        made = [value] * length
        container = list if kind in (list,) else tuple
        return _Maker(lambda: container(made), repr(container(made)))

    def _callable(self, owner, name: str):
        lowered = name.lower()
        if "init" in lowered:
            initializer = self.nnx.initializers.lecun_normal()
            return _Maker(lambda: initializer, "lecun_normal()")
        if any(w in lowered for w in ("act", "nonlinearity", "fn", "func")):
            relu = self.nnx.relu
            return _Maker(lambda: relu, "nnx.relu")
        raise CannotBuild(f"cannot choose a value for parameter `{name}` of {owner.__name__}: "
                          "a callable whose role its name does not say")

    def _config(self, cls, depth: int):
        """A config object. Tried in order, the first that constructs wins: a factory named
        like a small preset (`tiny()`, `small()`, `default()`, ...), its constructor with
        each field by name and annotation, then any other factory returning the class.
        Factory arguments are chosen like fields; when shrinking, size-like fields of a
        factory's result are replaced by small values (dataclasses, NamedTuples)."""
        if depth > MAX_DEPTH:
            raise CannotBuild(f"{cls.__name__}: configs nested more than {MAX_DEPTH} deep")
        small, other = _factories(cls)
        alternatives, reasons = [], []
        for attribute in small:
            alternatives.append(lambda attribute=attribute: self._from_factory(cls, attribute, depth))
        alternatives.append(lambda: self._from_fields(cls, depth))
        for attribute in other:
            alternatives.append(lambda attribute=attribute: self._from_factory(cls, attribute, depth))
        for alternative in alternatives:
            try:
                maker = alternative()
                maker()  # configs are plain Python: build one now to see that it works
                return maker
            except CannotBuild as error:
                reasons.append(str(error))
            except Exception as error:  # the config's own checks rejected these values
                reasons.append(f"{cls.__name__}: {reason(error)}")
        raise CannotBuild(reasons[0] if reasons else f"cannot build the config {cls.__name__}")

    def _from_factory(self, cls, attribute: str, depth: int):
        factory = getattr(cls, attribute)
        arguments = self._arguments(cls, factory, depth, skip_first=False)
        text = ", ".join(f"{k}={_short(m)}" for k, m in arguments.items())

        def make():
            made = factory(**{k: m() for k, m in arguments.items()})
            return self._shrunk(made) if self.shrink else made

        return _Maker(make, f"{cls.__name__}.{attribute}({text})" + (", shrunk" if self.shrink else ""))

    def _shrunk(self, config):
        """Size-like int fields (and tuples of them) above the small sizes replaced."""
        if dataclasses.is_dataclass(config):
            values, replace = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.init}, \
                lambda changes: dataclasses.replace(config, **changes)
        elif isinstance(config, tuple) and hasattr(config, "_replace"):
            values, replace = config._asdict(), lambda changes: config._replace(**changes)
        else:
            return config
        changes = {}
        for name, value in values.items():
            if _is_dtype_name(name.lower()) and _is_low_precision(value):
                changes[name] = self.jax.numpy.float32
                continue
            small = _int_by_name(name.lower())
            if small is None or isinstance(value, bool):
                continue
            if isinstance(value, int) and value > max(small, FEATURES):
                changes[name] = small
            elif isinstance(value, (tuple, list)) and value and all(isinstance(v, int) for v in value) \
                    and max(value) > max(small, FEATURES):
                changes[name] = type(value)(min(v, small) for v in value)
        return replace(changes) if changes else config

    def _from_fields(self, cls, depth: int):
        if dataclasses.is_dataclass(cls):
            hints = _hints(cls)
            fields = {}
            for f in dataclasses.fields(cls):
                if not f.init:
                    continue
                default = f.default if f.default is not dataclasses.MISSING else inspect.Parameter.empty
                if default is inspect.Parameter.empty and f.default_factory is not dataclasses.MISSING:
                    continue
                maker = self._value(cls, f.name, hints.get(f.name, f.type), default, depth + 1)
                if maker is not None:
                    fields[f.name] = maker
        elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
            hints, defaults = _hints(cls), getattr(cls, "_field_defaults", {})
            fields = {}
            for field_name in cls._fields:
                maker = self._value(cls, field_name, hints.get(field_name, inspect.Parameter.empty),
                                    defaults.get(field_name, inspect.Parameter.empty), depth + 1)
                if maker is not None:
                    fields[field_name] = maker
        else:
            fields = self._arguments(cls, cls.__init__, depth, skip_first=True)
        text = ", ".join(f"{k}={_short(m)}" for k, m in fields.items())
        return _Maker(lambda: cls(**{k: m() for k, m in fields.items()}), f"{cls.__name__}({text})")

    def _arguments(self, owner, function, depth: int, skip_first: bool) -> dict:
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError) as error:
            raise CannotBuild(f"cannot read the signature of {owner.__name__}: {error}") from None
        hints, arguments = _hints(function), {}
        for parameter in list(signature.parameters.values())[1 if skip_first else 0:]:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            maker = self._value(owner, parameter.name, hints.get(parameter.name, parameter.annotation),
                                parameter.default, depth + 1)
            if maker is not None:
                arguments[parameter.name] = maker
        return arguments


class _Maker:
    """A zero-argument function making a value, with a short description for the report."""

    def __init__(self, make, text: str):
        self.make, self.text = make, text

    def __call__(self):
        return self.make()


def _short(maker) -> str:
    text = getattr(maker, "text", "?")
    return text if len(text) <= 60 else text[:57] + "..."


def reason(error: BaseException, limit: int = MAX_REASON) -> str:
    """The exception as one line: its message's lines joined, a long one ending at the
    last sentence (or clause) that fits, never in the middle of one."""
    text = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    if len(text) > limit:
        ends = [m.end() for m in SENTENCE_END.finditer(text, 0, limit + 1)]
        text = text[:ends[-1]] if ends else text[:limit].rsplit(" ", 1)[0] + " ..."
    if isinstance(error, CannotBuild):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _int_by_name(lowered: str):
    for words, value in INT_BY_NAME:
        if any(word in lowered for word in words):
            return value
    return None


def _is_dtype_name(lowered: str) -> bool:
    return lowered == "dtype" or lowered.endswith("_dtype")


def _is_low_precision(value) -> bool:
    """bfloat16/float16 (as a type, a dtype or its name), which a float32 replaces."""
    name = getattr(value, "name", None) or getattr(value, "__name__", None) or str(value)
    return isinstance(name, str) and name.rpartition(".")[2] in ("bfloat16", "float16", "half")


def _float_by_name(lowered: str) -> float:
    for words, value in FLOAT_BY_NAME:
        if any(word in lowered for word in words):
            return value
    return 1.0 if any(w in lowered for w in ("scale", "gain", "temperature", "alpha", "beta")) else 0.5


def _names(annotation, *names: str) -> bool:
    """An annotation (a type or a string left unresolved) whose name is one of `names`."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return isinstance(text, str) and text.rpartition(".")[2] in names


def _is_union_type(annotation) -> bool:
    return type(annotation).__name__ == "UnionType"


def _annotation_name(annotation) -> str:
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))


def _hints(target) -> dict:
    try:
        return typing.get_type_hints(target)
    except Exception:  # forward references the module cannot resolve: use what is written
        annotations = getattr(target, "__annotations__", {}) or {}
        module = inspect.getmodule(target)
        resolved = {}
        for name, annotation in annotations.items():
            if isinstance(annotation, str) and module is not None:
                try:
                    annotation = eval(annotation, vars(module))  # the module's own annotation text
                except Exception:
                    pass
            resolved[name] = annotation
        return resolved


def _factories(cls) -> tuple[list[str], list[str]]:
    """Class- and staticmethods of `cls` that make one: those named like a small preset
    (`tiny`, `small`, `default`, ...; the smallest word first), and the others whose
    return annotation names the class (`ModelConfig.llama3_2_1b(use_fsdp, use_tp)`)."""
    small, other = [], []
    for attribute, raw in vars(cls).items():
        if not isinstance(raw, (classmethod, staticmethod)) or attribute.startswith("_"):
            continue
        ranks = [i for i, word in enumerate(FACTORY_WORDS) if word in attribute.lower()]
        if ranks:
            small.append((min(ranks), attribute))
            continue
        returns = getattr(raw.__func__, "__annotations__", {}).get("return")
        name = returns if isinstance(returns, str) else getattr(returns, "__name__", None)
        if name and name.strip("'\"") in (cls.__name__, "Self", "typing.Self"):
            other.append(attribute)
    return [attribute for _, attribute in sorted(small)], other


def _string_choices(owner, name: str) -> list[str]:
    """String literals the class body compares `name` (or `self.name`) with, in order."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(owner)))
    except (OSError, TypeError, SyntaxError):
        return []

    def is_target(node) -> bool:
        return (isinstance(node, ast.Name) and node.id == name) or (isinstance(node, ast.Attribute) and node.attr == name)

    def strings(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if isinstance(node, ast.Dict):
            return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        return []

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            if is_target(left):
                found += strings(right)
            elif is_target(right) and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
                found += strings(left)
        elif isinstance(node, ast.Match) and is_target(node.subject):
            for case in node.cases:
                if isinstance(case.pattern, ast.MatchValue):
                    found += strings(case.pattern.value)
        elif isinstance(node, ast.Subscript) and is_target(node.slice) and isinstance(node.value, ast.Dict):
            found += strings(node.value)
    return list(dict.fromkeys(found))


def _probe_inputs(nnx, jax, abstract, cls):
    """The first input (shapes from annotations, the layers inside, then common ranks)
    that a train-mode call accepts under `jax.eval_shape`."""
    try:
        signature = inspect.signature(cls.__call__)
    except (TypeError, ValueError) as error:
        raise CannotBuild(f"cannot read the signature of {cls.__name__}.__call__: {error}") from None
    hints = _hints(cls.__call__)
    inputs, fixed, flags, rngs_names, keys, positions, segments = [], {}, {}, [], [], [], []
    earlier = []  # parameter names in order, to see a fixed one that precedes an input
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        lowered = parameter.name.lower()
        annotation = hints.get(parameter.name, parameter.annotation)
        if annotation is nnx.Rngs or _names(annotation, "Rngs") or (lowered == "rngs" and not _names(
                annotation, "Array", "PRNGKey", "KeyArray", "ArrayLike")):
            rngs_names.append(parameter.name)
        elif lowered in ("rngs", "rng", "key", "dropout_rng", "prng_key") and parameter.default is inspect.Parameter.empty:
            keys.append(parameter.name)  # a raw jax key: `rngs: jax.Array`
        elif lowered in TRAIN_FLAGS:
            flags[parameter.name] = TRAIN_FLAGS[lowered]
        elif lowered == "decode":  # flax attention: `decode=None` means "look for a flag"
            fixed[parameter.name] = False
        elif parameter.default is not inspect.Parameter.empty:
            continue
        elif lowered in SEGMENT_NAMES:
            segments.append(parameter.name)
        elif lowered in POSITION_NAMES:
            positions.append(parameter.name)
        elif any(word in lowered for word in NONE_NAMES):
            fixed[parameter.name] = None
        elif parameter.kind == parameter.KEYWORD_ONLY:
            raise CannotBuild(f"cannot choose a value for the keyword-only call parameter `{parameter.name}` "
                              f"of {cls.__name__}")
        else:
            inputs.append((parameter.name, annotation))
            given = [name for name in list(fixed) + positions + segments if name in earlier]
            if given:
                raise CannotBuild(f"{cls.__name__}.__call__ takes `{given[0]}` before its input `{parameter.name}`: "
                                  "a state to carry between calls, which needs a spec")
        earlier.append(parameter.name)

    def call_kwargs(train: bool) -> dict:
        kwargs = dict(fixed)
        kwargs.update({k: (v if train else not v) for k, v in flags.items()})
        kwargs.update({k: nnx.Rngs(1) for k in rngs_names})
        kwargs.update({k: jax.random.PRNGKey(1) for k in keys})
        return kwargs

    graphdef, state = nnx.split(abstract)
    errors = []
    for specs in _input_candidates(nnx, abstract, inputs):
        arrays = [_make_input(jax, shape, kind, abstract, nnx) for shape, kind in specs]
        extra = {name: _positions(jax, specs) for name in positions}
        extra.update({name: jax.numpy.ones_like(_positions(jax, specs)) for name in segments})

        def call(state, *xs):
            return nnx.merge(graphdef, state)(*xs, **call_kwargs(True), **extra)

        try:
            jax.eval_shape(call, state, *arrays)
        except Exception as error:
            errors.append(f"{_shapes(specs)}: {reason(error)}")
            continue
        shapes = _shapes(specs)
        return tuple(arrays), (lambda train, extra=extra: {**call_kwargs(train), **extra}), shapes
    tried = "; ".join(errors[:3]) + (f"; and {len(errors) - 3} more" if len(errors) > 3 else "")
    raise CannotBuild(f"no input that {cls.__name__} accepts was found ({tried})")


def _shapes(specs) -> str:
    return ", ".join(f"{kind}{list(shape)}" for shape, kind in specs) or "no inputs"


def _input_candidates(nnx, module, inputs):
    """Lists of (shape, 'float32'|'int32') for the inputs, most likely first."""
    if not inputs:
        yield []
        return
    annotated = [_jaxtyping_shape(annotation) for _, annotation in inputs]
    feature_sizes = _feature_sizes(nnx, module)
    if all(a is not None for a in annotated):
        for size in feature_sizes:
            yield [(tuple(size if d is None else d for d in shape), kind) for shape, kind in annotated]
    first = _first_layer(nnx, module)
    tokens_first = any(name.lower() in TOKEN_NAMES for name, _ in inputs) or isinstance(first, nnx.Embed)
    token_shapes = [((BATCH, SEQUENCE), "int32"), ((BATCH,), "int32")]
    float_shapes = [((BATCH, *middle, size), "float32") for middle in ((), (SEQUENCE,), (SEQUENCE, SEQUENCE))
                    for size in feature_sizes]
    kernel = getattr(first, "kernel_size", None)
    if isinstance(kernel, (tuple, list)) and isinstance(getattr(first, "in_features", None), int):
        # a convolution first: its spatial rank and input channels
        float_shapes.insert(0, ((BATCH, *(SEQUENCE,) * len(kernel), first.in_features), "float32"))
    for shape, kind in dict.fromkeys(token_shapes + float_shapes if tokens_first else float_shapes + token_shapes):
        yield [(shape, kind)] * len(inputs)


def _jaxtyping_shape(annotation):
    """(shape with None for a feature axis, kind) from `Float[Array, "b n d"]`, else None."""
    dims = getattr(annotation, "dim_str", None)
    if not isinstance(dims, str):
        return None
    kind = "int32" if getattr(annotation, "__name__", "").startswith(("Int", "UInt", "Integer")) else "float32"
    shape = []
    for dim in dims.split():
        dim = dim.strip("*#_ ")
        if dim.isdigit():
            shape.append(int(dim))
        elif dim.lower() in ("b", "batch", "bs", "n_batch"):
            shape.append(BATCH)
        elif dim.lower() in ("t", "l", "n", "s", "seq", "seq_len", "len", "length", "time", "h", "w", "height",
                             "width", "tokens"):
            shape.append(SEQUENCE)
        else:
            shape.append(None)
    return tuple(shape), kind


def _submodules(nnx, module) -> list:
    """The module and the Modules inside it, in the order their attributes were assigned
    (flax's own graph walk sorts by name, which says nothing about what runs first)."""
    found, seen = [], set()

    def visit(value, depth: int) -> None:
        if depth > 50 or id(value) in seen:
            return
        if isinstance(value, nnx.Module):
            seen.add(id(value))
            found.append(value)
            children = list(vars(value).values())
            if isinstance(value, collections.abc.Iterable):  # nnx.List and other containers
                try:
                    children = list(value)
                except Exception:  # an __iter__ that needs more than the module
                    pass
        elif isinstance(value, (list, tuple)):
            children = list(value)
        elif isinstance(value, dict):
            children = list(value.values())
        else:
            return
        for child in children:
            visit(child, depth + 1)

    visit(module, 0)
    return found


LAYER_TYPES = ("Embed", "Linear", "LinearGeneral", "Conv", "ConvTranspose", "Einsum", "LayerNorm", "RMSNorm",
               "BatchNorm", "GroupNorm")


def _first_layer(nnx, module):
    """The first flax layer assigned in the model (the module itself if it is one)."""
    types = tuple(getattr(nnx, name) for name in LAYER_TYPES if hasattr(nnx, name))
    return next((node for node in _submodules(nnx, module) if isinstance(node, types)), None)


def _feature_sizes(nnx, module) -> list[int]:
    """Input feature sizes of the layers inside, first assigned first, then common sizes."""
    sizes = []
    for node in _submodules(nnx, module):
        for attribute in ("in_features", "num_features", "features", "dim"):
            value = getattr(node, attribute, None)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                sizes.append(value)
                break
    return list(dict.fromkeys(sizes + [FEATURES, 4, 3, 16]))[:8]


def _vocabulary(nnx, module) -> int:
    sizes = [node.num_embeddings for node in _submodules(nnx, module)
             if isinstance(node, nnx.Embed) and isinstance(getattr(node, "num_embeddings", None), int)]
    return max(1, min(sizes)) if sizes else FEATURES


def _make_input(jax, shape, kind, module, nnx):
    count = int(np.prod(shape))
    if kind == "int32":
        return jax.numpy.asarray((np.arange(count) * 7 + 3) % _vocabulary(nnx, module), dtype=np.int32).reshape(shape)
    # In [-1, 1], but not symmetric about 0: with a symmetric input the gradient of a bias
    # or shift is a sum that cancels to rounding (bijx's `Shift`: 9.5e-7 on one side, about 0 on
    # the other, a false mismatch), which no tolerance relative to it can judge.
    return jax.numpy.linspace(-0.8, 1.0, count, dtype=jax.numpy.float32).reshape(shape)


def _positions(jax, specs):
    shape = specs[0][0][:2] if specs and len(specs[0][0]) >= 2 else (BATCH, SEQUENCE)
    return jax.numpy.broadcast_to(jax.numpy.arange(shape[-1], dtype=np.int32), shape)
