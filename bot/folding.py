"""Text folded for matching: what a visitor typed and what it is matched against (FAQ
questions, place and sector names) are folded the same way, so "Co-operative", "co operative"
and "Coöperative" meet."""

from __future__ import annotations

import re
import unicodedata

LETTERS = re.compile(r"[a-z]+")
WORDS = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['’`]")


def fold(text: str, *, token: re.Pattern = WORDS) -> str:
    """Lower-case ASCII words separated by single spaces: accents dropped, "&" read as
    "and", apostrophes removed ("king's" is "kings"), hyphens and other punctuation as
    spaces. `token` says what a word is (LETTERS: no digits)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _APOSTROPHES.sub("", text.lower().replace("&", " and "))
    return " ".join(token.findall(text))
