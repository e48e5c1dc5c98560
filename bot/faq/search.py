"""Ranked FAQ search: word and character TF-IDF over each entry's phrasings and answer.

An entry is scored on three views: its best-matching phrasing (title question or an
alternative), all its phrasings together, and its answer text. Word stems catch
plural/singular and shared-word paraphrase; character n-grams and a spelling corrector
that maps unknown query words to the index's vocabulary catch typos.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.faq.text import STOPWORDS, canonical_words, plain_words, stem

# How much each view counts; tuned on tests/data/faq_devset.yml.
BEST_PHRASING_WEIGHT = 0.15
ALL_PHRASINGS_WEIGHT = 0.75
ANSWER_WEIGHT = 0.10
WORD_WEIGHT = 0.5
CHAR_WEIGHT = 0.5
# A query whose content words the FAQ never uses keeps only this share of its score.
COVERAGE_FLOOR = 0.5
QUESTION_WORDS = frozenset({"what", "how", "why", "when", "who", "where", "which", "whats", "hows"})


@dataclass(frozen=True)
class Document:
    entry_id: str
    phrasings: tuple[str, ...]
    answer: str = ""


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float


def _identity(tokens):
    return tokens


class FaqIndex:
    """An immutable index over a snapshot of the FAQ entries."""

    def __init__(self, documents: Sequence[Document]):
        self.entry_ids = [doc.entry_id for doc in documents]
        rows: list[int] = []
        phrasings: list[str] = []
        for position, doc in enumerate(documents):
            for phrasing in doc.phrasings:
                rows.append(position)
                phrasings.append(phrasing)
        self._row_entry = np.asarray(rows, dtype=np.int64)
        self._empty = not phrasings
        if self._empty:
            return
        profiles = [" ".join(doc.phrasings) for doc in documents]
        answers = [doc.answer for doc in documents]
        self._vocabulary = sorted(
            {w for text in phrasings + answers for w in plain_words(text) if len(w) > 3 and w.isalpha()}
        )
        self._known = set(self._vocabulary) | STOPWORDS
        self._known_stems = {stem(w) for text in phrasings + answers for w in canonical_words(text)}

        self._word = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False)
        self._word.fit([_word_features(canonical_words(t)) for t in phrasings + answers])
        self._char.fit([" ".join(canonical_words(t)) for t in phrasings + answers])
        self._phrasings = self._encode(phrasings)
        self._profiles = self._encode(profiles)
        self._answers = self._encode(answers)

    def _encode(self, texts: list[str]):
        words = [canonical_words(t) for t in texts]
        return (
            self._word.transform([_word_features(w) for w in words]),
            self._char.transform([" ".join(w) for w in words]),
        )

    def __len__(self) -> int:
        return len(self.entry_ids)

    def _correct(self, word: str) -> str:
        """The nearest word the index knows, for a query word it does not know."""
        if len(word) <= 3 or not word.isalpha() or word in self._known:
            return word
        return self._closest(word)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the index is immutable and long-lived
    def _closest(self, word: str) -> str:
        close = difflib.get_close_matches(word, self._vocabulary, n=1, cutoff=0.8)
        return close[0] if close else word

    def _coverage(self, words: list[str]) -> float:
        """The share of the query's content words the FAQ knows at all.

        "How long do I boil an egg?" shares "how long" with a real entry, but most of it is
        words no entry uses: a sign the question is about something else.
        """
        content = [w for w in words if w not in QUESTION_WORDS]
        if not content:
            return 1.0
        return sum(stem(w) in self._known_stems for w in content) / len(content)

    def _similarity(self, matrices, query) -> np.ndarray:
        words, chars = matrices
        query_words, query_chars = query
        return (
            WORD_WEIGHT * (words @ query_words.T).toarray().ravel()
            + CHAR_WEIGHT * (chars @ query_chars.T).toarray().ravel()
        )

    def search(self, query: str, limit: int = 5) -> list[Candidate]:
        if self._empty or not query.strip():
            return []
        words = canonical_words(query, correct=self._correct)
        if not words:
            return []
        encoded = (self._word.transform([_word_features(words)]), self._char.transform([" ".join(words)]))
        if encoded[0].nnz == 0 and encoded[1].nnz == 0:
            return []
        best = np.zeros(len(self.entry_ids))
        np.maximum.at(best, self._row_entry, self._similarity(self._phrasings, encoded))
        scores = (
            BEST_PHRASING_WEIGHT * best
            + ALL_PHRASINGS_WEIGHT * self._similarity(self._profiles, encoded)
            + ANSWER_WEIGHT * self._similarity(self._answers, encoded)
        )
        scores = scores * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * self._coverage(words))
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Candidate(self.entry_ids[i], round(float(scores[i]), 4)) for i in top if scores[i] > 0]


def _word_features(words: list[str]) -> list[str]:
    stems = [stem(w) for w in words]
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]
