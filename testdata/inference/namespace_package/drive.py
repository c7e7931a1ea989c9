# train/ has no __init__.py: a namespace package, importable from this folder (the
# class is named by the module its own folder gives it, `loop`).
from train.loop import Block, build

build(0)  # revealed: loop.Block
Block  # revealed: type[loop.Block]
