import enum


class Split(enum.Enum):
    TRAIN = "train"


def split_name(split: Split):
    return split.value  # LOOKALIKE: an Enum parameter, next to a notebook that uses flax
