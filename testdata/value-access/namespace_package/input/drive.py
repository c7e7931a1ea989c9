# train/ has no __init__.py: a namespace package, imported as Python does from this folder.
import enum

from train.loop import build
from train.util import show


class Mode(enum.Enum):
    TRAIN = 1


model, extra = build(0)
print(model.blocks[0].calls.value)
print(extra.calls.value)
print(show(Mode.TRAIN))  # a caller of `show` with an Enum: `v.value` there is not a Variable's
