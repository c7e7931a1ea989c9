# `with nnx.split_context(tag) as ctx`: ctx.split is nnx.split; `with nnx.merge_context(...)
# as ctx`: ctx.merge makes what the GraphDef was taken from.
import contextlib

from flax import nnx


class Bar(nnx.Module):
    def __init__(self):
        self.x = nnx.Param(1)


class Foo(nnx.Module):
    def __init__(self):
        self.a = Bar()


def round_trip(other):
    m1 = Foo()
    with nnx.update_context("test"):
        with nnx.split_context("test") as ctx:
            graphdef, state = ctx.split(m1)
            ctx  # revealed: SplitContext
        with nnx.merge_context("test", inner=True) as ctx:
            m2 = ctx.merge(graphdef, state)
        m2  # revealed: graph_contexts.Foo
        m2.a.x  # revealed: nnx.Param
    with contextlib.nullcontext(other) as ctx:  # near-miss: any other context manager
        ctx  # revealed: unknown
        ctx.merge(graphdef, state)  # revealed: unknown
    with nnx.split_context("test") as ctx:
        ctx.merge(graphdef, state)  # revealed: unknown


def through_graph_module(graphdef, state):
    with nnx.graph.merge_context("test", True) as ctx:
        ctx  # revealed: MergeContext


def annotated_graphdef(graphdef: nnx.GraphDef[Foo], other: nnx.GraphDef, state):
    graphdef  # revealed: GraphDef[graph_contexts.Foo]
    nnx.merge(graphdef, state).a  # revealed: graph_contexts.Bar
    nnx.merge(other, state)  # revealed: unknown
