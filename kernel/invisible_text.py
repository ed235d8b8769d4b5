"""Characters a reader cannot see in printed or displayed text: Unicode format characters
(general category Cf: bidirectional controls such as U+202E RIGHT-TO-LEFT OVERRIDE, zero-width
spaces and joiners, the byte-order mark) and control characters other than tab, line feed and
carriage return (category Cc).

In a contract they make the text a party reads differ from the text that is stored, hashed and
signed: a right-to-left override reverses what follows it on screen and on paper ("Trojan
Source", CVE-2021-42574; Unicode Technical Standard #39 and Unicode Standard Annex #9 on
bidirectional text). Texts that are signed refuse them (`contracts.services`).
"""

from __future__ import annotations

import unicodedata

#: Control characters that lay text out visibly and are allowed.
_LAYOUT_CONTROLS = frozenset("\t\n\r")


def invisible_characters(text: str) -> list[str]:
    """The distinct invisible characters in `text`, in order of first appearance, each as its
    code point (``"U+202E"``); empty when there are none."""
    found: list[str] = []
    for char in text:
        if char in _LAYOUT_CONTROLS or unicodedata.category(char) not in ("Cf", "Cc"):
            continue
        code = f"U+{ord(char):04X}"
        if code not in found:
            found.append(code)
    return found


def without_invisible(text: str) -> str:
    """`text` without its invisible characters (tab, line feed and carriage return kept): for
    echoing what a user typed, e.g. a NUL in a refused parameter, back on a page."""
    return "".join(
        char
        for char in text
        if char in _LAYOUT_CONTROLS or unicodedata.category(char) not in ("Cf", "Cc")
    )
