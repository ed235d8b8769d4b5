"""What of a listing is embedded, and its digest.

The title and the keywords, joined as "title。keyword，keyword": measured on
data/qrels_dev.json with multilingual-e5-small (DESIGN.md, "Semantic matching"), this text
ranked better than the title with the whole description (nDCG@10 0.549 against 0.448 for the
embedding alone) and costs a fifth of the time to embed. Descriptions still count through the
lexical side and the phrases of the reason (`matching.semantic.reasons`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def embedding_text(title: str, keywords: Sequence[str]) -> str:
    """The text embedded for a listing: its title, then its keywords."""
    words = "，".join(k.strip() for k in keywords if k.strip())
    title = title.strip()
    return f"{title}。{words}" if words else title


def text_digest(text: str) -> str:
    """SHA-256 (hex) of `text` in UTF-8: whether a stored vector is still the text's."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
