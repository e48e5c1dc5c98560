"""Ranked FAQ search: word and character TF-IDF over each entry's phrasings.

Each entry is matched through its title question and its alternative phrasings (the
best-matching phrasing counts), plus a lighter match on the answer text. Word stems catch
plural/singular and paraphrase with shared words; character n-grams catch typos.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.faq.text import char_text, stems

PHRASING_WEIGHT = 0.85
ANSWER_WEIGHT = 0.15
WORD_WEIGHT = 0.55
CHAR_WEIGHT = 0.45


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
        self._row_entry: list[int] = []
        phrasing_texts: list[str] = []
        for position, doc in enumerate(documents):
            for phrasing in doc.phrasings:
                self._row_entry.append(position)
                phrasing_texts.append(phrasing)
        self._row_entry_array = np.asarray(self._row_entry, dtype=np.int64)
        if not phrasing_texts:
            self._empty = True
            return
        self._empty = False
        self._word = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, norm="l2", lowercase=False
        )
        self._char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False
        )
        phrasing_tokens = [_word_features(text) for text in phrasing_texts]
        self._word_matrix = self._word.fit_transform(phrasing_tokens)
        self._char_matrix = self._char.fit_transform([char_text(t) for t in phrasing_texts])
        answer_tokens = [_word_features(doc.answer) for doc in documents]
        self._answer_matrix = self._word.transform(answer_tokens)

    def __len__(self) -> int:
        return len(self.entry_ids)

    def search(self, query: str, limit: int = 5) -> list[Candidate]:
        if self._empty or not query.strip():
            return []
        query_words = self._word.transform([_word_features(query)])
        query_chars = self._char.transform([char_text(query)])
        if query_words.nnz == 0 and query_chars.nnz == 0:
            return []
        row_scores = WORD_WEIGHT * (self._word_matrix @ query_words.T).toarray().ravel()
        row_scores += CHAR_WEIGHT * (self._char_matrix @ query_chars.T).toarray().ravel()
        entry_scores = np.zeros(len(self.entry_ids))
        np.maximum.at(entry_scores, self._row_entry_array, row_scores)
        answer_scores = (self._answer_matrix @ query_words.T).toarray().ravel()
        scores = PHRASING_WEIGHT * entry_scores + ANSWER_WEIGHT * answer_scores
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            Candidate(self.entry_ids[i], round(float(scores[i]), 4))
            for i in top
            if scores[i] > 0
        ]


def _word_features(text: str) -> list[str]:
    words = stems(text)
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]
