"""Other libraries' objects with `.value` (linen Variables and Partitioned boxes, Keras 3
Variables, TensorFlow, pandas, AST nodes, cookies, XML) in code that also uses flax.nnx:
weight-conversion scripts and linen/NNX bridges look exactly like this."""

import ast
import xml.dom.minidom
from http.cookies import SimpleCookie

import flax.linen as nn
import jax.numpy as jnp
import keras
import pandas as pd
import tensorflow as tf
from flax import nnx


class LinenAttention(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x, decode: bool = False):
        cached_key = self.variable("cache", "cached_key", jnp.zeros, x.shape, x.dtype)
        cache_index = self.variable("cache", "cache_index", lambda: jnp.array(0, dtype=jnp.int32))
        if decode:
            cached_key.value = x  # LOOKALIKE: a linen Variable (self.variable), not nnx
            cache_index.value = cache_index.value + 1  # LOOKALIKE: linen Variable read and write
        return nn.Dense(self.features)(cached_key.value)  # LOOKALIKE: linen Variable read


class LinenBatchStats(nn.Module):
    @nn.compact
    def __call__(self, x):
        ra_mean = self.variable("batch_stats", "mean", lambda s: jnp.zeros(s), x.shape[-1:])
        ra_mean.value = 0.9 * ra_mean.value + 0.1 * x.mean(0)  # LOOKALIKE: linen batch statistics
        return x - ra_mean.value  # LOOKALIKE: linen Variable


def linen_partitioned(x):
    boxed = nn.Partitioned(x, names=("data", None))
    return boxed.value  # LOOKALIKE: linen Partitioned metadata box


def linen_logically_partitioned(x):
    boxed = nn.LogicallyPartitioned(x, names=("embed",))
    return boxed.value  # LOOKALIKE: linen LogicallyPartitioned box


class Dense(nnx.Module):
    def __init__(self, din, dout, *, rngs: nnx.Rngs):
        self.kernel = nnx.Param(nnx.initializers.lecun_normal()(rngs.params(), (din, dout)))
        self.bias = nnx.Param(jnp.zeros((dout,)))


def port_from_keras(keras_dense, keras_model):
    kernel = keras_dense.kernel.value  # LOOKALIKE: a Keras 3 Variable (port script), not nnx
    bias = keras_model.layers[0].bias.value  # LOOKALIKE: Keras 3 layer Variable
    return kernel, bias


def keras_variable():
    kv = keras.Variable(jnp.zeros(3))
    return kv.value  # LOOKALIKE: keras.Variable


def keras_layer_kernel():
    layer = keras.layers.Dense(4)
    layer.build((None, 4))
    return layer.kernel.value  # LOOKALIKE: Keras 3 Dense kernel


def tf_variable():
    tv = tf.Variable(3.0)
    return tv.value()  # LOOKALIKE: tf.Variable.value() is a method


def pandas_column(path):
    df = pd.read_csv(path)
    return df.value.mean()  # LOOKALIKE: a DataFrame column called `value`


def pandas_series_attribute(series: pd.Series):
    return series.value  # LOOKALIKE: pandas attribute access


def ast_constants(source):
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant):
            out.append(node.value)  # LOOKALIKE: ast.Constant.value
        elif isinstance(node, ast.Assign):
            out.append(node.value)  # LOOKALIKE: ast.Assign.value
    return out


def ast_attribute_value(node: ast.Attribute):
    return node.value  # LOOKALIKE: ast.Attribute.value is the receiver expression


def cookie_value(raw):
    cookie = SimpleCookie()
    cookie.load(raw)
    return cookie["session"].value  # LOOKALIKE: http.cookies Morsel.value


def xml_attribute(text):
    doc = xml.dom.minidom.parseString(text)
    return doc.documentElement.attributes["id"].value  # LOOKALIKE: XML Attr.value


def variable_metadata_object():
    meta = nnx.VariableMetadata(raw_value=jnp.zeros(3))
    return meta.raw_value  # LOOKALIKE: VariableMetadata is a dataclass, not a Variable


def variable_value_property_object():
    prop = nnx.Variable.value  # LOOKALIKE: the property object on the class
    return prop.__doc__


def param_class_value_doc():
    return nnx.Param.value.__doc__  # LOOKALIKE: class attribute, not an instance


def torch_style(model):
    for name, p in model.named_parameters():
        print(name, p.data)
    return model.weight.value  # LOOKALIKE: unknown model (a torch-like object)


def linen_train_state(state, grads):
    state = state.apply_gradients(grads=grads)
    return state.step.value  # LOOKALIKE: unknown object with a `step` attribute (nnx.Optimizer's `step` name)
