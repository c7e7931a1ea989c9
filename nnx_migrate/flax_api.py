"""What nnx-migrate knows about flax itself: its classes, their attributes, its versions.

Names are canonical qualified names (``flax.nnx.Linear``); `canonical` maps the many
spellings flax exposes (``flax.nnx.nn.linear.Linear``, ``flax.experimental.nnx.Linear``)
onto them.
"""

from __future__ import annotations

NNX = "flax.nnx"

# Versions the tool knows, oldest first; the newest is the default --target-version.
KNOWN_VERSIONS: tuple[tuple[int, int, int], ...] = (
    *((0, 10, p) for p in range(8)),
    *((0, 11, p) for p in range(3)),
    # 0.12.9-0.12.12 (0.12.11 was yanked) deprecate none of the idioms here; they add
    # RoPE and a config making sow/perturb outside nnx.capture no-ops
    *((0, 12, p) for p in range(13)),
)
NEWEST = KNOWN_VERSIONS[-1]

VARIABLE_CLASSES = frozenset(
    {
        "Variable", "VariableState", "Param", "BatchStat", "Cache", "Intermediate",
        "Perturbation", "RngState", "RngKey", "RngCount", "OptState", "OptArray",
        "OptVariable",
    }
)

# Module/Pytree classes flax ships, with the attributes their instances carry.
# Each attribute maps to ("variable", variable class, holds an array) or ("module", class).
_PARAM = ("variable", "Param", True)
_KERNEL_BIAS = {"kernel": _PARAM, "bias": _PARAM}
_SCALE_BIAS = {"scale": _PARAM, "bias": _PARAM}
MODULE_ATTRIBUTES: dict[str, dict[str, tuple]] = {
    "Module": {},
    "Pytree": {},
    "Object": {},
    "Sequential": {},
    "List": {},
    "Dict": {},
    "Linear": _KERNEL_BIAS,
    "LinearGeneral": _KERNEL_BIAS,
    "Einsum": _KERNEL_BIAS,
    "Conv": _KERNEL_BIAS,
    "ConvTranspose": _KERNEL_BIAS,
    "Embed": {"embedding": _PARAM},
    "LayerNorm": _SCALE_BIAS,
    "RMSNorm": {"scale": _PARAM},
    "GroupNorm": _SCALE_BIAS,
    "InstanceNorm": _SCALE_BIAS,
    "BatchNorm": {
        **_SCALE_BIAS,
        "mean": ("variable", "BatchStat", True),
        "var": ("variable", "BatchStat", True),
    },
    # an RngStream (flax 0.11+: `rngs[collection].fork()`) or None; an Rngs in 0.10, where
    # `.key` / `.count` of it are streams and reading `.value` there fails before and after
    "Dropout": {"rngs": ("rng_stream",)},
    "MultiHeadAttention": {
        "query": ("module", "LinearGeneral"),
        "key": ("module", "LinearGeneral"),
        "value": ("module", "LinearGeneral"),
        "out": ("module", "LinearGeneral"),
        "cached_key": ("variable", "Cache", True),
        "cached_value": ("variable", "Cache", True),
        "cache_index": ("variable", "Cache", True),
    },
    "LoRA": {"lora_a": _PARAM, "lora_b": _PARAM},
    "LoRALinear": {**_KERNEL_BIAS, "lora": ("module", "LoRA")},
    # the gates' layers, the same in flax 0.10.7, 0.11.2 and 0.12.8
    "LSTMCell": {name: ("module", "Linear") for name in ("ii", "if_", "ig", "io", "hi", "hf", "hg", "ho")},
    "OptimizedLSTMCell": {"dense_i": ("module", "Linear"), "dense_h": ("module", "Linear")},
    "GRUCell": {"dense_i": ("module", "Linear"), "dense_h": ("module", "Linear")},
    "SimpleCell": {"dense_i": ("module", "Linear"), "dense_h": ("module", "Linear")},
    "RNN": {},
    "Bidirectional": {},
    "WeightNorm": {},
    "SpectralNorm": {},
    "Optimizer": {"step": ("variable", "OptState", True)},
    "ModelAndOptimizer": {"step": ("variable", "OptState", True)},
    "Metric": {},
    "Average": {
        "total": ("variable", "Variable", True),
        "count": ("variable", "Variable", True),
    },
    "Accuracy": {
        "total": ("variable", "Variable", True),
        "count": ("variable", "Variable", True),
    },
    "Welford": {
        "count": ("variable", "Variable", True),
        "mean": ("variable", "Variable", True),
        "m2": ("variable", "Variable", True),
    },
    "MultiMetric": {},
}

# What a call of a flax.nnx function returns, by name (the resolver's table of flax's API):
#   "state"        an nnx.State
#   "split"        (GraphDef, State, *States): `graphdef, params, rest = nnx.split(m, nnx.Param, ...)`
#   "states"       a tuple of States (`nnx.split_state`)
#   "filtered"     one State for one filter, a tuple of States for several (`nnx.filter_state`)
#   "flat_state"   iterates as (path, Variable) pairs
#   "flattened"    (GraphDef, flat state): `nnx.graph.flatten(node)` (flax 0.10.7 to 0.12.12)
#   "same"         its first argument's type (`nnx.clone(m)`)
#   "gradient"     a transform whose result, called on a Module or State, returns gradients (a State)
#   "graphdef"     the GraphDef of its argument (`nnx.graphdef(m)`)
#   "merge"        the graph node its GraphDef was taken from (`nnx.merge(*nnx.split(m))` is an m again)
FUNCTION_RESULTS: dict[str, str] = {
    "state": "state", "pop": "state", "variables": "state", "merge_state": "state",
    "map_state": "state", "from_flat_state": "state",
    "filter_state": "filtered",
    "split": "split",
    "split_state": "states",
    "to_flat_state": "flat_state",
    "graph.flatten": "flattened", "graphlib.flatten": "flattened",
    "clone": "same",
    "grad": "gradient", "value_and_grad": "gradient",
    "graphdef": "graphdef", "merge": "merge",
    "to_tree": "to_tree", "from_tree": "from_tree",
}
# Functions that take a graph node apart and leave its structure as it was (not nnx.pop,
# nnx.update: they remove and add items of dicts)
STRUCTURE_READERS = frozenset({"split", "state", "graphdef", "graph.flatten", "graphlib.flatten"})
# Keywords of nnx.to_tree / nnx.from_tree that keep the default split and merge of each
# graph node (a `split_fn`, `merge_fn`, `is_leaf`, `map_non_graph_nodes` may make anything)
TREE_KEYWORDS = frozenset({"prefix", "ctxtag", "check_aliasing", "is_inner"})
GRADIENT_TRANSFORMS = frozenset(name for name, result in FUNCTION_RESULTS.items() if result == "gradient")
# State methods (the deprecated forms of filter_state, split_state, ...) returning a State,
# or a tuple of them for several filters.
STATE_METHODS = frozenset({"filter", "split", "merge", "map"})

# Rngs attributes that are methods, not streams.
RNGS_METHODS = frozenset(
    {"fork", "split", "items", "keys", "values", "replace", "copy", "__call__"}
)
RNG_STREAM_ATTRIBUTES = {"key": "RngKey", "count": "RngCount"}

# Functions in array libraries whose result is not one array (a dtype, a tuple of
# arrays, a transform, a generator, a file): their results are never `[...]`-read.
NON_ARRAY_FUNCTIONS = frozenset(
    {"dtype", "shape", "ndim", "size", "iinfo", "finfo", "issubdtype", "result_type",
     "promote_types", "can_cast", "isdtype", "vectorize", "vmap", "jit", "grad",
     "float32", "float16", "bfloat16", "int32", "int8", "uint32", "int64", "float64",
     # tuples or lists of arrays
     "eig", "eigh", "svd", "qr", "slogdet", "lstsq", "lu", "lu_factor", "schur", "split",
     "array_split", "hsplit", "vsplit", "dsplit", "meshgrid", "nonzero", "where", "unique",
     "unique_all", "unique_counts", "unique_inverse", "histogram", "histogram2d", "histogramdd",
     "broadcast_arrays", "divmod", "frexp", "modf", "unravel_index", "indices", "tril_indices",
     "triu_indices", "diag_indices", "argwhere", "gradient",
     # control flow and collectives over pytrees
     "scan", "top_k", "sort_key_val", "while_loop", "fori_loop", "cond", "switch", "map",
     "associative_scan", "reduce", "psum", "pmean", "pmax", "pmin", "all_gather", "all_to_all",
     "ppermute", "custom_root", "custom_linear_solve",
     # objects
     "default_rng", "RandomState", "Generator", "load", "loadtxt", "genfromtxt", "savez", "save",
     "key_data", "key_impl"}
)
# Functions of those modules that return one array (an allow-list: numpy and jax have
# many that return tuples, lists or objects; those read with get_value()).
ARRAY_FUNCTIONS = frozenset(
    {"zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like", "arange",
     "linspace", "logspace", "eye", "identity", "array", "asarray", "concatenate", "stack", "hstack",
     "vstack", "reshape", "transpose", "swapaxes", "moveaxis", "matmul", "dot", "einsum", "tensordot",
     "outer", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "square", "power", "tanh", "sin", "cos",
     "sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "abs",
     "clip", "maximum", "minimum", "expand_dims", "squeeze", "tril", "triu", "diag", "tile", "repeat",
     "pad", "cumsum", "cumprod", "broadcast_to", "astype", "sign", "floor", "ceil", "round", "roll",
     "flip", "sort", "argsort", "take", "take_along_axis", "dynamic_slice", "dynamic_update_slice",
     "dot_general", "conv_general_dilated", "stop_gradient", "logsumexp", "softmax", "sigmoid", "relu",
     "gelu", "silu", "one_hot", "normal", "uniform", "bernoulli", "truncated_normal", "randint",
     "permutation", "choice", "categorical", "gumbel", "key", "PRNGKey", "fold_in", "bits"}
)
ARRAY_MODULES = ("jax.numpy.", "jax.random.", "numpy.", "jax.lax.")
INITIALIZER_MODULES = ("flax.nnx.initializers.", "jax.nn.initializers.")
# Flax's convention: `self.kernel_init(key, shape, dtype)` returns the array.
INITIALIZER_ATTRIBUTE_SUFFIXES = ("kernel_init", "bias_init", "embedding_init", "scale_init", "_initializer")
# Initializers in those modules that are themselves `(key, shape, dtype) -> array`.
DIRECT_INITIALIZERS = frozenset({"zeros", "ones"})

_FLAX_PREFIXES = ("flax.experimental.nnx.", "flax.nnx.")


def canonical(qualified_name: str) -> str:
    """Map any public or private spelling of a flax.nnx class to ``flax.nnx.<Name>``."""
    for prefix in _FLAX_PREFIXES:
        if qualified_name.startswith(prefix):
            last = qualified_name.rsplit(".", 1)[-1]
            if last in VARIABLE_CLASSES or last in MODULE_ATTRIBUTES or last in {
                "Rngs", "RngStream", "State", "GraphDef",
            }:
                return f"{NNX}.{last}"
    return qualified_name


def canonical_module(dotted: str) -> str:
    """`flax.experimental.nnx[.x]` -> `flax.nnx[.x]`: one module under its old and new name."""
    old = "flax.experimental.nnx"
    if dotted == old or dotted.startswith(old + "."):
        return NNX + dotted[len(old):]
    return dotted


def flax_name(qualified_name: str) -> str | None:
    """The bare flax.nnx name if `qualified_name` is one, else None."""
    name = canonical(qualified_name)
    if name.startswith(NNX + "."):
        return name[len(NNX) + 1 :]
    return None


def parse_version(text: str) -> tuple[int, int, int]:
    """'0.12' -> (0, 12, 0); '0.12.3' -> (0, 12, 3). Raises ValueError if unknown."""
    parts = text.strip().split(".")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a flax version: {text!r}")
    version = tuple(int(p) for p in parts) + (0,) * (3 - len(parts))
    if version not in KNOWN_VERSIONS:
        known = ", ".join(format_version(v) for v in KNOWN_VERSIONS)
        raise ValueError(f"unknown flax version {text!r}; known: {known}")
    return version  # type: ignore[return-value]


def format_version(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))

# Transforms that call the wrapped function with the caller's arguments (graph nodes
# such as Modules and Variables arrive as themselves) and return what it returns.
CALL_PRESERVING_TRANSFORMS = frozenset({"jit", "remat", "checkpoint"})
# Transforms that pass the caller's graph-node arguments through to the function.
ARGUMENT_PRESERVING_TRANSFORMS = CALL_PRESERVING_TRANSFORMS | {"grad", "value_and_grad", "vmap"}
# Transforms whose results are rebuilt from what the function returns (`nnx.vmap(f)`,
# `@nnx.pmap(in_axes=...)`, `nnx.scan`): each graph node as one of its class (a Module of its
# class with its attributes' kinds, a Variable of its class, an array in it still an array,
# a State of the same keys, an Rngs, an RngStream), an array as an array, a Python scalar
# as an array, None as None, a tuple, list or dict of those as one. Checked on flax 0.10.7,
# 0.11.2, 0.12.8 and 0.12.12, with out_axes 0, None and StateAxes and, on 0.12, graph=False
# and graph_updates=False. Only results: what the function is called with is another
# matter (ARGUMENT_PRESERVING_TRANSFORMS; nnx.vmap maps keyword arguments unlike positional ones).
RESULT_REBUILDING_TRANSFORMS = frozenset({"vmap", "pmap", "scan"})
# `@nnx.split_rngs(splits=n)` returns what the function returns, as it is (its wrapper is
# `with split_rngs(...): return f(*args, **kwargs)` in every release); only in that form:
# `nnx.split_rngs(f, splits=n)` and `functools.partial(nnx.split_rngs, splits=n)(f)` split
# the rngs inside f itself and return the backups.
RESULT_KEEPING_DECORATOR_CALLS = frozenset({"split_rngs"})
# Loops calling functions with a carry: `nnx.fori_loop(lower, upper, body_fun, init_val)` calls
# body_fun(i, carry), `nnx.while_loop(cond_fun, body_fun, init_val)` cond_fun(carry) and
# body_fun(carry). The carry is init_val, then what body_fun returned, each rebuilt as
# RESULT_REBUILDING_TRANSFORMS rebuild results (a Module of its class, a Variable of its class
# holding a traced array, a Python scalar a traced array; flax 0.10.7, 0.11.2, 0.12.8 and
# 0.12.12, also with graph=False / graph_updates=False). By name: (the positional arguments,
# the body's position, the positions of the functions called with the carry, the keyword
# parameters, which a keyword argument must not name).
LOOPS: dict[str, tuple] = {
    "fori_loop": (4, 2, (2,), ("lower", "upper", "body_fun", "init_val")),
    "while_loop": (3, 1, (0, 1), ("cond_fun", "body_fun", "init_val")),
}
# Pytree functions that return their first argument's structure: a Variable stays one.
STRUCTURE_PRESERVING_FUNCTIONS = frozenset(
    {"jax.lax.with_sharding_constraint", "jax.sharding.reshard", "jax.device_put"}
)
TREE_MAP_FUNCTIONS = frozenset({"jax.tree.map", "jax.tree_util.tree_map", "jax.tree_map"})
TREE_LEAVES_FUNCTIONS = frozenset({"jax.tree.leaves", "jax.tree_util.tree_leaves", "jax.tree_leaves"})


FLAX_MARKERS = (b"nnx", b"flax")


def mentions_flax(data: bytes) -> bool:
    """The cheap text check: a file that never says flax or nnx has nothing to migrate."""
    return any(marker in data for marker in FLAX_MARKERS)
