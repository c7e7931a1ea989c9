"""A text's lines with their endings, as `ast` numbers them. A leaf module: rules, the
rewrite stage and the pipeline all split text this way."""

from __future__ import annotations

import re

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """The lines of `text` with their endings, as ast numbers them."""
    return LINE.findall(text)
