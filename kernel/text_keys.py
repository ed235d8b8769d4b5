"""How two user texts compare for sameness (a repeated question, two room names).

`sameness_key(text)`: Unicode NFKC (full-width letters, digits, punctuation and the ideographic
space become their ASCII forms), case folded, runs of white space as one space, trimmed. Two
texts that read alike on a page or a printed card get the same key.
"""

from __future__ import annotations

import unicodedata


def sameness_key(text: str) -> str:
    """The key two texts are compared by (module docstring)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
