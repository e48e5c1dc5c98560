"""Text normalisation for FAQ search: spelling, synonyms, stems.

Queries and FAQ phrasings go through the same steps, so a rule only has to make two
forms of a word meet; it does not have to produce a real word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import snowballstemmer

from bot.folding import fold

# American spellings and other variants, to the British form the FAQ is written in.
SPELLING = {
    "labor": "labour",
    "center": "centre",
    "centers": "centres",
    "program": "programme",
    "programs": "programmes",
    "favor": "favour",
    "license": "licence",
    "enrollment": "enrolment",
    "fulfill": "fulfil",
    "counseling": "counselling",
    "defense": "defence",
    "offense": "offence",
    "judgment": "judgement",
    "aging": "ageing",
    "modeling": "modelling",
    "canceled": "cancelled",
    "traveling": "travelling",
    "behavior": "behaviour",
    "neighborhood": "neighbourhood",
}

# Phrases and abbreviations people use for the same thing. Applied to whole words
# after spelling; multi-word keys first.
SYNONYMS = {
    "public service mutual": "psm mutual",
    "public service mutuals": "psm mutual",
    "spin out": "spinout",
    "spin outs": "spinout",
    "spin off": "spinout",
    "spun out": "spinout",
    "spinning out": "spinout",
    "spin offs": "spinout",
    "spinouts": "spinout",
    "spinoff": "spinout",
    "hive off": "spinout",
    "community interest company": "cic",
    "community interest companies": "cic",
    "company limited by guarantee": "clg",
    "limited by guarantee": "clg",
    "limited liability partnership": "llp",
    "local government pension scheme": "lgps",
    "community benefit society": "bencom",
    "community benefit societies": "bencom",
    "co operative": "cooperative",
    "co operatives": "cooperative",
    "coop": "cooperative",
    "coops": "cooperative",
    "co op": "cooperative",
    "co ops": "cooperative",
    "local authority": "council",
    "local authorities": "council",
    "local council": "council",
    "employees": "staff",
    "employee": "staff",
    "workers": "staff",
    "worker": "staff",
    "workforce": "staff",
    "personnel": "staff",
    "reg": "regulation",
    "regs": "regulation",
    "pcr": "public contracts regulations",
    "transfer of undertakings": "tupe",
    "cabinet office": "cabinetoffice",
    "phone number": "phone",
    "telephone": "phone",
    "helpline": "hotline",
    "help line": "hotline",
    "hot line": "hotline",
    "mentor": "ambassador",
    "mentors": "ambassador",
    "mentoring": "ambassador",
    "money": "funding",
    "grant": "funding",
    "grants": "funding",
    "finance": "funding",
    "cash": "funding",
    "organization": "organisation",
    "organizations": "organisation",
    "organisations": "organisation",
    "orgs": "organisation",
    "org": "organisation",
    "rtc": "right to challenge",
    "rtr": "right to request",
    "rtp": "right to provide",
    "pa23": "procurement act 2023",
    "pa 2023": "procurement act 2023",
    "pa 23": "procurement act 2023",
    "eli": "employee liability information",
    "ebt": "employee benefit trust",
    "msp2": "mutuals support programme 2",
    "misf": "mutuals interim support fund",
    "mis": "mutuals information service",
    "cio": "charitable",
    "ring fence": "reserve",
    "ring fenced": "reserved",
    "ringfence": "reserve",
    "ringfenced": "reserved",
    "shareholders": "shares",
    "shareholder": "shares",
    "shareholding": "shares",
    "sharesholders": "shares",
    "spun off": "spinout",
    "go independent": "spinout",
    "going independent": "spinout",
    "gone independent": "spinout",
    "staff owned": "staff ownership",
    "employee owned": "staff ownership",
    "staff led": "staff control",
    "employee led": "staff control",
    "information service": "informationservice",
    "info service": "informationservice",
    "bsc": "big society capital",
    "msp": "mutuals support programme",
}

STOPWORDS = frozenset(
    """
    a an the is are am be been being was were do does did doing i im i'm me my we our
    ours us you your yours it its this that these those of to for in on at by with as
    and or but if so can could would should will shall may might must please pls plz
    hi hello hey there about any some just really tell know want wanted like need
    thanks thank yeah ok okay get got have has had there's theres
    honestly honest actually basically sorry silly question obvious naive probably random
    quick wondering wonder curious lol genuinely anyway apologies apologise
    """.split()
)

_TOKEN = re.compile(r"[a-z0-9£%]+")
_IZE = re.compile(r"(\w{2,})(?:yz|iz)(e|es|ed|ing|ation|ations|er|ers)\b")


@functools.lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def _fold(text: str) -> str:
    return _IZE.sub(lambda m: m.group(1) + "is" + m.group(2), fold(text, token=_TOKEN))


def _build_synonym_pattern() -> re.Pattern:
    keys = sorted(SYNONYMS, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")


_SYNONYM_PATTERN = _build_synonym_pattern()


def plain_words(text: str) -> list[str]:
    """Folded and spelled the British way: the words a spelling corrector works on."""
    return [SPELLING.get(word, word) for word in _fold(text).split()]


def canonical_words(text: str, correct: Callable[[str], str] | None = None) -> list[str]:
    """Folded, spelled the British way, typos corrected (if a corrector is given),
    synonyms merged; stopwords kept out."""
    words = plain_words(text)
    if correct is not None:
        words = [correct(word) for word in words]
    merged = _SYNONYM_PATTERN.sub(lambda m: SYNONYMS[m.group(1)], " ".join(words))
    return [word for word in merged.split() if word not in STOPWORDS]


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(w) for w in canonical_words(text)]
