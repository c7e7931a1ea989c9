"""The skip comment: `# nnx-migrate: skip` on a line keeps every rule's sites and
diagnostics off it. A leaf module: the rewrite stage and rules that look ahead read it."""

from __future__ import annotations

import io
import re
import tokenize

SKIP_COMMENT = re.compile(r"#\s*nnx-migrate:\s*skip\b")


def skipped_lines(text: str) -> set[int]:
    """Lines carrying a `# nnx-migrate: skip` comment (a real comment, not a string)."""
    if not SKIP_COMMENT.search(text):
        return set()
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and SKIP_COMMENT.search(token.string):
            lines.add(token.start[0])
    return lines
