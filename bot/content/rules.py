"""The content rules every FAQ answer keeps (GOV.UK style, and what a citizen can rely on).

Pure functions of an entry's text, so the content check in `make test`
(tests/bot/content/test_content_rules.py) and the staff console can both use them.
"""

from __future__ import annotations

import re

MAX_ANSWER_WORDS = 150
MAX_SENTENCE_WORDS = 25

# The service's abbreviations, and the words that explain them. An answer that uses one
# explains it the first time (before, or within a few words after).
ABBREVIATIONS = {
    "DCMS": "Department for Digital, Culture, Media and Sport",
    "TUPE": "Transfer of Undertakings",
    "LGPS": "Local Government Pension Scheme",
    "CIC": "community interest company",
    "FCA": "Financial Conduct Authority",
    "PCT": "primary care trust",
    "ELI": "employee liability information",
    "LLP": "limited liability partnership",
    "EBT": "employee benefit trust",
    "CHCP": "City Health Care Partnership",
    "MSP": "Mutuals Support Programme",
    "PCR": "Public Contracts Regulations",
}
EXPLAINED_WITHIN = 160  # characters after the first use

# A UK phone number (0 then 9 or 10 more digits, spaced any way) or an email address.
_PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9'\"(])|\n+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+")
_URL = re.compile(r"https?://\S+")


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’£%-]+", _URL.sub("link", text))


def literal_contact_details(answer: str) -> list[str]:
    """Phone numbers and email addresses written into the answer (they belong in settings)."""
    return _PHONE.findall(answer) + _EMAIL.findall(answer)


def long_sentences(answer: str, limit: int = MAX_SENTENCE_WORDS) -> list[str]:
    sentences = []
    for line in answer.splitlines():
        line = _LIST_ITEM.sub("", line).strip()
        sentences += [s.strip() for s in _SENTENCE.split(line) if s.strip()]
    return [s for s in sentences if len(words(s)) > limit]


def unexplained_abbreviations(answer: str) -> list[str]:
    """Abbreviations used without their meaning near their first use."""
    missing = []
    for short, meaning in ABBREVIATIONS.items():
        first = re.search(rf"\b{short}s?\b", answer)
        if not first:
            continue
        explained = re.search(re.escape(meaning), answer, re.IGNORECASE)
        if not explained or explained.start() > first.end() + EXPLAINED_WITHIN:
            missing.append(short)
    return missing


def problems(answer: str) -> list[str]:
    """Every rule the answer breaks, in words staff can act on."""
    found = []
    if literal_contact_details(answer):
        found.append("gives a phone number or email address: use {hotline_number} or {hotline_email}")
    if len(words(answer)) > MAX_ANSWER_WORDS:
        found.append(f"is longer than {MAX_ANSWER_WORDS} words")
    for sentence in long_sentences(answer):
        found.append(f"has a sentence over {MAX_SENTENCE_WORDS} words: '{sentence[:60]}...'")
    for short in unexplained_abbreviations(answer):
        found.append(f"uses {short} without explaining it ({ABBREVIATIONS[short]})")
    return found
