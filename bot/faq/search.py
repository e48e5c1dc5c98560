"""Ranked FAQ search: word and character TF-IDF over each entry's phrasings and answer,
fused with the meaning of the question (a sentence encoder, bot/faq/encoder.py).

An entry is scored on three views: its best-matching phrasing (title question or an
alternative), all its phrasings together, and its answer text. Word stems catch
plural/singular and shared-word paraphrase; character n-grams and a spelling corrector
that maps unknown query words to the index's vocabulary catch typos.

For speed at scale (docs/performance.md) the three views' word and character vectors are
kept as one transposed matrix (a feature per row, single precision), so a search reads
only the postings of the query's own features; the query is vectorised directly from the
fitted vocabularies, and the spelling corrector only compares words that could pass its
cutoff.

The lexical score matches the words a visitor uses; the encoder's cosine similarity to the
entry's closest phrasing matches what they mean. On the visitors dev set the two agree
where each alone is unsure: fused, more questions are answered right at the same
reliability, and questions from other fields score further below the FAQ's
(docs/decisions/0010-sentence-encoder.md).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.faq import encoder as sentence_encoder
from bot.faq.text import STOPWORDS, canonical_words, plain_words, stem

# How much each view counts; tuned on tests/data/faq_devset.yml.
BEST_PHRASING_WEIGHT = 0.15
ALL_PHRASINGS_WEIGHT = 0.75
ANSWER_WEIGHT = 0.10
WORD_WEIGHT = 0.5
CHAR_WEIGHT = 0.5
# The weight of the closest phrasing's meaning (cosine similarity) beside the lexical score
# (tuned on tests/data/visitors_dev.yml).
SEMANTIC_WEIGHT = 0.5
# The weight of a classifier's probability that the question is about the entry, learnt
# from the meaning of all the entry's phrasings at once (a question can sit between two
# phrasings of the right entry and still be closest to one phrasing of another), and its
# regularisation (both chosen on tests/data/visitors_dev.yml: the best entry first for
# 0.895 of single questions alone, 0.928 with it; docs/decisions/0011-answer-confidence.md).
CLASSIFIER_WEIGHT = 0.5
CLASSIFIER_C = 8.0
# A query whose content words the FAQ never uses keeps only this share of its score.
COVERAGE_FLOOR = 0.5
QUESTION_WORDS = frozenset({"what", "how", "why", "when", "who", "where", "which", "whats", "hows"})
# A query that is (nearly) one of an entry's own phrasings gets that entry: "What was the
# Mutuals Support Programme?" is not the entry on its second programme.
EXACT_PHRASING = 0.95
EXACT_PHRASING_BONUS = 0.3
# The highest score an entry can get: every view a full match, the phrasing exact, the
# meaning identical and the classifier certain.
MAX_SCORE = 1.0 + EXACT_PHRASING_BONUS + SEMANTIC_WEIGHT + CLASSIFIER_WEIGHT
# Words ending in -ly that are not adverbs (`FaqIndex.uncovered` leaves adverbs out).
NOT_ADVERBS = frozenset(
    {"family", "families", "supply", "apply", "reply", "rely", "july", "assembly", "italy", "monopoly"}
)
# The spelling corrector's similarity cutoff (difflib's ratio).
CORRECTION_CUTOFF = 0.8


@dataclass(frozen=True)
class Document:
    entry_id: str
    phrasings: tuple[str, ...]
    answer: str = ""
    topic: str = ""


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float


def _identity(tokens):
    return tokens


class FaqIndex:
    """An immutable index over a snapshot of the FAQ entries."""

    def __init__(self, documents: Sequence[Document], encoder: sentence_encoder.Encoder | None = None):
        self.entry_ids = [doc.entry_id for doc in documents]
        self._position = {entry_id: i for i, entry_id in enumerate(self.entry_ids)}
        self._topics = np.array([doc.topic for doc in documents], dtype=object)
        self._titles = {doc.entry_id: doc.phrasings[0] for doc in documents if doc.phrasings}
        phrasings = [phrasing for doc in documents for phrasing in doc.phrasings]
        self._empty = not phrasings
        if self._empty:
            return
        per_document = np.fromiter((len(doc.phrasings) for doc in documents), dtype=np.int64, count=len(documents))
        self._has_phrasings = per_document > 0
        self._first_phrasing = (np.cumsum(per_document) - per_document)[self._has_phrasings]
        self._n_phrasings = len(phrasings)
        self._encoder = encoder or sentence_encoder.shared()
        self._phrasing_vectors = self._encoder.encode(phrasings, store=True)
        self._classifier = _classifier(self._phrasing_vectors, per_document)
        profiles = [" ".join(doc.phrasings) for doc in documents]
        answers = [doc.answer for doc in documents]
        corpus = phrasings + answers

        canonical = _memoised(canonical_words)
        corpus_words = [canonical(t) for t in corpus]
        self._vocabulary = sorted({w for text in set(corpus) for w in plain_words(text) if len(w) > 3 and w.isalpha()})
        self._known = set(self._vocabulary) | STOPWORDS
        self._known_stems = {stem(w) for words in corpus_words for w in words}
        # Each entry's own stems (phrasings and answer), for `uncovered`.
        self._entry_stems: list[frozenset[str]] = []
        for number, (first, count) in enumerate(
            zip(np.cumsum(per_document) - per_document, per_document, strict=False)
        ):
            own = [w for words in corpus_words[first : first + count] for w in words]
            own += corpus_words[len(phrasings) + number]
            self._entry_stems.append(frozenset(stem(w) for w in own))
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
        if word.endswith("ly") and word not in NOT_ADVERBS:
            return word  # "exactly" is not a typo of "exact"
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

    def scores(self, query: str, context: str | None = None) -> np.ndarray | None:
        """Every entry's score for `query` (None when nothing in it is searchable).

        `context`: what the query leans on (a follow-up's previous question), read with it
        for its meaning: "is that still running?" means nothing alone.
        """
        if self._empty or not query.strip():
            return None
        words = [w for w in canonical_words(query, correct=self._correct) if not self._manner(w)]
        if not words:
            return None
        columns, values = self._query_vector(words)
        if not columns:
            return None
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
        scores = scores + EXACT_PHRASING_BONUS * (best >= EXACT_PHRASING)
        scores = scores * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * self._coverage(words))
        question = self._spelled(query)
        if context:
            # The classifier would read the previous question and give its entry again.
            return scores + self._meaning(f"{context} {question}", classify=False)
        return scores + self._meaning(question)

    def _spelled(self, text: str) -> str:
        """`text` with the words the FAQ does not know replaced by their nearest known word
        ("rigth to provide" becomes "right to provide"): the encoder has no spelling corrector."""

        def fix(match: re.Match) -> str:
            word = match.group(0)
            corrected = self._correct(word.lower())
            return word if corrected == word.lower() else corrected

        return _WORD.sub(fix, text)

    def _meaning(self, query: str, classify: bool = True) -> np.ndarray:
        """Each entry's score for what the query means: its closest phrasing's cosine
        similarity (at least 0), and the classifier's probability that the query is about it."""
        vector = self._encoder.encode([query])[0]
        similarity = self._phrasing_vectors @ vector
        closest = np.zeros(len(self.entry_ids))
        closest[self._has_phrasings] = np.maximum.reduceat(similarity, self._first_phrasing)
        meaning = SEMANTIC_WEIGHT * np.clip(closest, 0.0, None)
        if classify and self._classifier is not None:
            classes, model = self._classifier
            meaning[classes] += CLASSIFIER_WEIGHT * model.predict_proba(vector[None, :])[0]
        return meaning

    def meaning_of(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """For each entry: its closest phrasing's cosine similarity to `query` (spelling
        corrected), and the classifier's probability that `query` is about it (zeros
        without a classifier). The evidence the answer decision weighs (bot/faq/confidence.py)."""
        if self._empty:
            return np.zeros(len(self.entry_ids)), np.zeros(len(self.entry_ids))
        vector = self._encoder.encode([self._spelled(query)])[0]
        closest = np.zeros(len(self.entry_ids))
        closest[self._has_phrasings] = np.maximum.reduceat(self._phrasing_vectors @ vector, self._first_phrasing)
        probability = np.zeros(len(self.entry_ids))
        if self._classifier is not None:
            classes, model = self._classifier
            probability[classes] = model.predict_proba(vector[None, :])[0]
        return closest, probability

    def position(self, entry_id: str) -> int | None:
        return self._position.get(entry_id)

    def question_of(self, entry_id: str) -> str | None:
        """The entry's title question (its first phrasing)."""
        return self._titles.get(entry_id)

    def focused_scores(self, query: str) -> np.ndarray | None:
        """Scores for the whole message, or for its question alone where that scores higher.

        A visitor often tells their story first and asks in the last sentence; the story's
        words pull the whole message towards other entries. Each entry keeps the better of
        its score for the whole message and for the question sentences.
        """
        whole = self.scores(query)
        question = question_part(query)
        if whole is None or question is None:
            return whole
        focused = self.scores(question)
        return whole if focused is None else np.maximum(whole, focused)

    def _manner(self, word: str) -> bool:
        """An adverb the FAQ never uses ("exactly", "roughly"): how they ask, not what about."""
        return word.endswith("ly") and word not in NOT_ADVERBS and word not in self._known

    def uncovered(self, query: str, entry_id: str) -> float:
        """The share of the query's content (weighted by rarity) that the entry never mentions.

        "How many mutuals are there in Wales?" finds the entry on how many mutuals there are,
        but "Wales", a rare and telling word, is nowhere in it: that entry does not answer it.
        """
        return sum(self.uncovered_parts(query, entry_id))

    def mentions(self, entry_id: str, words: str) -> bool:
        """Whether the entry (a phrasing or its answer) uses every word of `words`."""
        if entry_id not in self._position:
            return False
        own = self._entry_stems[self._position[entry_id]]
        return all(stem(word) in own for word in canonical_words(words))

    def uncovered_parts(self, query: str, entry_id: str) -> tuple[float, float]:
        """`uncovered` in two parts: the words other entries use but this one never does
        ("Wales": telling), and the words no entry uses ("trustees keep asking and I keep
        waffling": more often the story than the question)."""
        if entry_id not in self._position:
            return 1.0, 0.0
        own = self._entry_stems[self._position[entry_id]]
        rarest = float(self._word_idf.max()) if len(self._word_idf) else 1.0
        weights: list[tuple[float, bool, bool]] = []  # (weight, found in the entry, a word the FAQ knows)
        for word in canonical_words(query):  # uncorrected: "Wales" must not become "walks"
            if word in QUESTION_WORDS or self._manner(word):
                continue
            known = stem(word)
            if known in self._known_stems:
                column = self._word_vocabulary.get(known)
                weight = float(self._word_idf[column]) if column is not None else rarest
                weights.append((weight, known in own, True))
            else:
                corrected = self._correct(word)
                if corrected != word:  # a typo: of the entry's word, or of another's
                    weights.append((rarest, stem(corrected) in own, True))
                else:
                    weights.append((rarest, False, False))
        total = sum(w for w, _, _ in weights)
        if not total:
            return 0.0, 0.0
        missing_known = sum(w for w, found, knows in weights if not found and knows)
        missing_unknown = sum(w for w, found, knows in weights if not found and not knows)
        return missing_known / total, missing_unknown / total

    def same_topic(self, entry_id: str) -> np.ndarray:
        """A mask of the entries in the same topic as `entry_id` (none if it is not indexed)."""
        if entry_id not in self._position:
            return np.zeros(len(self.entry_ids), dtype=bool)
        topic = self._topics[self._position[entry_id]]
        return (self._topics == topic) if topic else np.zeros(len(self.entry_ids), dtype=bool)

    def is_entry(self, entry_id: str) -> np.ndarray:
        """A mask of the one entry `entry_id` (none if it is not indexed)."""
        mask = np.zeros(len(self.entry_ids), dtype=bool)
        if entry_id in self._position:
            mask[self._position[entry_id]] = True
        return mask

    def top(self, scores: np.ndarray | None, limit: int, exclude: str | None = None) -> list[Candidate]:
        if scores is None:
            return []
        if exclude is not None and exclude in self._position:
            scores = scores.copy()
            scores[self._position[exclude]] = 0.0
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Candidate(self.entry_ids[i], round(float(scores[i]), 4)) for i in top if scores[i] > 0]

    def search(self, query: str, limit: int = 5) -> list[Candidate]:
        return self.top(self.focused_scores(query), limit)


_WORD = re.compile(r"[A-Za-z]+")

# Sentences that ask something: a question mark, or a question word first.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
_ASKS = re.compile(
    r"^\W*(?:so|and|but|basically|anyway|ok|okay|right|also|then)?\W*"
    r"(?:what|how|why|when|who|where|which|is|are|can|could|do|does|did|will|would|should|may|must|has|have)\b",
    re.IGNORECASE,
)
# A message needs this many words before its question is worth searching on its own.
FOCUS_MIN_WORDS = 16


def question_part(text: str) -> str | None:
    """The question sentences of a long message (None for a short or single-sentence one)."""
    if len(text.split()) < FOCUS_MIN_WORDS:
        return None
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [s for s in sentences if s.endswith("?") or _ASKS.match(s)]
    if not asking or len(asking) == len(sentences):
        return None
    return " ".join(asking)


def _classifier(vectors: np.ndarray, per_document: np.ndarray) -> tuple[np.ndarray, LogisticRegression] | None:
    """A multinomial logistic regression from a phrasing's meaning to its entry, and the
    entries (by position) its classes stand for; None with fewer than two such entries."""
    has_phrasings = np.flatnonzero(per_document > 0)
    if len(has_phrasings) < 2:
        return None
    labels = np.repeat(has_phrasings, per_document[has_phrasings])
    model = LogisticRegression(C=CLASSIFIER_C, max_iter=1000, tol=1e-3)
    model.fit(vectors, labels)
    return model.classes_, model


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
