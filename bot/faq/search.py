"""Ranked FAQ search: word and character TF-IDF over each entry's phrasings and answer.

An entry is scored on three views: its best-matching phrasing (title question or an
alternative), all its phrasings together, and its answer text. Word stems catch
plural/singular and shared-word paraphrase; character n-grams and a spelling corrector
that maps unknown query words to the index's vocabulary catch typos.

For speed at scale (docs/performance.md) the three views' word and character vectors are
kept as one transposed matrix (a feature per row, single precision), so a search reads
only the postings of the query's own features; the query is vectorised directly from the
fitted vocabularies, and the spelling corrector only compares words that could pass its
cutoff.
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
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
# The spelling corrector's similarity cutoff (difflib's ratio).
CORRECTION_CUTOFF = 0.8


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
        phrasings = [phrasing for doc in documents for phrasing in doc.phrasings]
        self._empty = not phrasings
        if self._empty:
            return
        per_document = np.fromiter((len(doc.phrasings) for doc in documents), dtype=np.int64, count=len(documents))
        self._has_phrasings = per_document > 0
        self._first_phrasing = (np.cumsum(per_document) - per_document)[self._has_phrasings]
        self._n_phrasings = len(phrasings)
        profiles = [" ".join(doc.phrasings) for doc in documents]
        answers = [doc.answer for doc in documents]
        corpus = phrasings + answers

        canonical = _memoised(canonical_words)
        corpus_words = [canonical(t) for t in corpus]
        self._vocabulary = sorted({w for text in set(corpus) for w in plain_words(text) if len(w) > 3 and w.isalpha()})
        self._known = set(self._vocabulary) | STOPWORDS
        self._known_stems = {stem(w) for words in corpus_words for w in words}
        self._speller = _Speller(self._vocabulary)

        self._word = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False)
        # Fitting on the corpus also encodes it: its first rows are the phrasings, the rest the answers.
        corpus_word_matrix = self._word.fit_transform([_word_features(w) for w in corpus_words])
        corpus_char_matrix = self._char.fit_transform([" ".join(w) for w in corpus_words])
        profile_words = [canonical(t) for t in profiles]
        profile_word_matrix = self._word.transform([_word_features(w) for w in profile_words])
        profile_char_matrix = self._char.transform([" ".join(w) for w in profile_words])
        del corpus_words, profile_words

        # One row per phrasing, then per profile, then per answer; word features, then
        # character features, each already weighted. Stored transposed (CSR, a feature per
        # row): a query's row times this matrix touches only its own features' postings.
        n = self._n_phrasings
        words = sp.vstack([corpus_word_matrix[:n], profile_word_matrix, corpus_word_matrix[n:]])
        chars = sp.vstack([corpus_char_matrix[:n], profile_char_matrix, corpus_char_matrix[n:]])
        weighted = sp.hstack([WORD_WEIGHT * words, CHAR_WEIGHT * chars], format="csr", dtype=np.float32)
        del words, chars, corpus_word_matrix, corpus_char_matrix, profile_word_matrix, profile_char_matrix
        self._matrix_t = weighted.T.tocsr()
        self._word_vocabulary = self._word.vocabulary_
        self._word_idf = self._word.idf_
        self._char_vocabulary = self._char.vocabulary_
        self._char_idf = self._char.idf_
        self._char_analyzer = self._char.build_analyzer()
        self._n_word_features = len(self._word_idf)

    def __len__(self) -> int:
        return len(self.entry_ids)

    def _correct(self, word: str) -> str:
        """The nearest word the index knows, for a query word it does not know."""
        if len(word) <= 3 or not word.isalpha() or word in self._known:
            return word
        return self._closest(word)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the index is immutable and long-lived
    def _closest(self, word: str) -> str:
        return self._speller.closest(word)

    def _coverage(self, words: list[str]) -> float:
        """The share of the query's content words the FAQ knows at all.

        "How long do I boil an egg?" shares "how long" with a real entry, but most of it is
        words no entry uses: a sign the question is about something else.
        """
        content = [w for w in words if w not in QUESTION_WORDS]
        if not content:
            return 1.0
        return sum(stem(w) in self._known_stems for w in content) / len(content)

    def _query_vector(self, words: list[str]) -> tuple[list[int], np.ndarray]:
        """The query's word and character TF-IDF vectors side by side (feature numbers and
        values), as the vectorisers would encode them: sublinear tf, idf, each part
        L2-normalised. (The weights are in the index's matrix.)"""
        word_columns, word_values = _tfidf(_word_features(words), self._word_vocabulary, self._word_idf)
        char_columns, char_values = _tfidf(self._char_analyzer(" ".join(words)), self._char_vocabulary, self._char_idf)
        columns = word_columns + [self._n_word_features + c for c in char_columns]
        return columns, np.array(word_values + char_values, dtype=np.float32)

    def search(self, query: str, limit: int = 5) -> list[Candidate]:
        if self._empty or not query.strip():
            return []
        words = canonical_words(query, correct=self._correct)
        if not words:
            return []
        columns, values = self._query_vector(words)
        if not columns:
            return []
        # Each view's similarity: the query's feature rows, weighted by the query, summed.
        similarity = np.asarray(self._matrix_t[columns].T @ values, dtype=np.float64)
        n, d = self._n_phrasings, len(self.entry_ids)
        best = np.zeros(d)
        best[self._has_phrasings] = np.maximum.reduceat(similarity[:n], self._first_phrasing)
        scores = (
            BEST_PHRASING_WEIGHT * best
            + ALL_PHRASINGS_WEIGHT * similarity[n : n + d]
            + ANSWER_WEIGHT * similarity[n + d :]
        )
        scores = scores * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * self._coverage(words))
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Candidate(self.entry_ids[i], round(float(scores[i]), 4)) for i in top if scores[i] > 0]


def _word_features(words: list[str]) -> list[str]:
    stems = [stem(w) for w in words]
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]


def _memoised(function):
    """`function` with a cache for the life of one index build (FAQ texts repeat)."""
    cache: dict[str, list[str]] = {}

    def cached(text: str) -> list[str]:
        if text not in cache:
            cache[text] = function(text)
        return cache[text]

    return cached


def _tfidf(features: list[str], vocabulary: dict[str, int], idf: np.ndarray):
    """Column indices and values of one document's TF-IDF vector: (1 + ln tf) x idf, L2-normalised."""
    counts = Counter(f for f in features if f in vocabulary)
    if not counts:
        return [], []
    columns = sorted(vocabulary[f] for f in counts)
    by_column = {vocabulary[f]: c for f, c in counts.items()}
    values = (1.0 + np.log(np.array([by_column[c] for c in columns], dtype=np.float64))) * idf[columns]
    values /= np.sqrt(np.dot(values, values))
    return columns, values.tolist()


class _Speller:
    """difflib.get_close_matches(word, vocabulary, n=1, cutoff) with the same answer, but
    only comparing the words that could reach the cutoff: difflib's ratio is never above
    its character-count bound 2 x shared characters / total length, which is computed for
    the whole vocabulary at once."""

    ALPHABET = "abcdefghijklmnopqrstuvwxyz"

    def __init__(self, vocabulary: list[str]):
        self._words = list(vocabulary)
        self._lengths = np.fromiter((len(w) for w in self._words), dtype=np.float64, count=len(self._words))
        self._counts = np.zeros((len(self._words), len(self.ALPHABET) + 1), dtype=np.int16)
        for row, word in enumerate(self._words):
            for column, count in self._letter_counts(word).items():
                self._counts[row, column] = count

    def _letter_counts(self, word: str) -> dict[int, int]:
        # Any other character counts in one shared column: an over-estimate, so still a bound.
        other = len(self.ALPHABET)
        counts: dict[int, int] = {}
        for char in word:
            column = self.ALPHABET.find(char)
            column = other if column < 0 else column
            counts[column] = counts.get(column, 0) + 1
        return counts

    def closest(self, word: str, cutoff: float = CORRECTION_CUTOFF) -> str:
        if not self._words:
            return word
        query = np.zeros(len(self.ALPHABET) + 1, dtype=np.int16)
        for column, count in self._letter_counts(word).items():
            query[column] = count
        shared = np.minimum(self._counts, query).sum(axis=1)
        bound = 2.0 * shared / (self._lengths + len(word))
        candidates = [self._words[i] for i in np.flatnonzero(bound >= cutoff - 1e-9)]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
        return close[0] if close else word
