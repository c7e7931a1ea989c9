"""Small libcst pieces the rules' fixes build alike (so each fix writes `name=value` the way
black does, with no spaces around `=`)."""

from __future__ import annotations

import libcst as cst


def _tight_equal() -> cst.AssignEqual:
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def keyword_argument(name: str, value: cst.BaseExpression) -> cst.Arg:
    """`name=value`."""
    return cst.Arg(value, keyword=cst.Name(name), equal=_tight_equal())


def with_keyword(argument: cst.Arg, name: str) -> cst.Arg:
    """A positional argument passed by name instead: `value` -> `name=value` (its comma kept)."""
    return argument.with_changes(keyword=cst.Name(name), equal=_tight_equal())
