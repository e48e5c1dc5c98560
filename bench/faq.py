"""FAQ search at scale: synthetic entries made by varying the real ones, and timings."""

from __future__ import annotations

import gc
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import yaml

from bot.faq import encoder as sentence_encoder
from bot.faq.search import Document, FaqIndex
from bot.faq.text import canonical_words
from ops.measure import percentile

ROOT = Path(__file__).resolve().parent.parent
FAQ_FILE = ROOT / "data" / "content" / "faq.yml"
DEVSET_FILE = ROOT / "tests" / "data" / "faq_devset.yml"
ALTERNATIVES = 5
SYLLABLES = [
    "ba",
    "co",
    "den",
    "fra",
    "gil",
    "har",
    "ken",
    "lo",
    "mar",
    "nor",
    "pel",
    "quin",
    "ros",
    "sta",
    "tor",
    "vel",
]
_WORD = re.compile(r"[A-Za-z]+")


def real_entries(path: Path = FAQ_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text())["entries"]


def devset_questions(path: Path = DEVSET_FILE) -> list[str]:
    return [item["text"] for item in yaml.safe_load(path.read_text())["questions"]]


def _pseudo_words(count: int, rng: random.Random) -> list[str]:
    """Made-up words (place, scheme and product names) so the vocabulary grows with the FAQ."""
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class _Varier:
    def __init__(self, entries: list[dict], topics: list[str], rng: random.Random):
        texts = [e["question"] for e in entries] + [a for e in entries for a in e.get("alternatives") or []]
        texts += [e["answer"] for e in entries]
        self.vocabulary = sorted({w.lower() for t in texts for w in _WORD.findall(t) if len(w) > 3})
        self.topics = topics
        self.rng = rng

    def vary(self, text: str, topic: str, swap: float = 0.25) -> str:
        """Swap about a quarter of the longer words for other words of the real FAQ, and
        work in the entry's own topic word."""
        words = text.split()
        out = [self.rng.choice(self.vocabulary) if len(w) > 3 and self.rng.random() < swap else w for w in words]
        out.insert(self.rng.randint(0, len(out)), topic)
        return " ".join(out)


def synthetic_documents(count: int, seed: int = 7, entries: list[dict] | None = None) -> list[Document]:
    """`count` FAQ entries: the real ones, then variations of them, each with a question,
    5 alternatives and an answer."""
    entries = entries if entries is not None else real_entries()
    rng = random.Random(seed)
    topics = _pseudo_words(max(50, count // 4), rng)
    varier = _Varier(entries, topics, rng)
    documents = [
        Document(e["id"], (e["question"], *(e.get("alternatives") or [])[:ALTERNATIVES]), e["answer"])
        for e in entries[:count]
    ]
    while len(documents) < count:
        base = rng.choice(entries)
        topic = rng.choice(topics)
        alternatives = list(base.get("alternatives") or [])
        rng.shuffle(alternatives)
        alternatives = (alternatives + [base["question"]] * ALTERNATIVES)[:ALTERNATIVES]
        answer = " ".join(base["answer"].split(". ")[:3])
        documents.append(
            Document(
                f"synthetic-{len(documents)}",
                (varier.vary(base["question"], topic), *(varier.vary(a, topic) for a in alternatives)),
                varier.vary(answer, topic, swap=0.15),
            )
        )
    return documents


class ScaleVectors:
    """The sentence encoder for a synthetic index: a question (one or two texts at a time)
    is encoded by the real model, but the index's own phrasings get random unit vectors.

    Encoding 600,000 generated phrasings would take hours and say nothing new: a search
    costs the same whatever the vectors hold (a product with every phrasing's vector). The
    encoding cost is measured on the real FAQ instead (`encode_ms_per_phrasing`) and is
    paid once per phrasing when an entry is added or edited.
    """

    def __init__(self, real: sentence_encoder.Encoder, seed: int = 7):
        self.real = real
        self.dimensions = real.dimensions
        self.rng = np.random.default_rng(seed)

    def encode(self, texts, *, store: bool = False):
        if len(texts) <= 2:
            return self.real.encode(texts)
        vectors = self.rng.standard_normal((len(texts), self.dimensions), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def encode_ms_per_phrasing(phrasings: list[str], batch: int = sentence_encoder.BATCH) -> float:
    """The encoder's cost per phrasing (the model's own pass, no cache) on real FAQ phrasings."""
    real = sentence_encoder.shared()
    sample = phrasings[: batch * 8]
    started = time.perf_counter()
    for start in range(0, len(sample), batch):
        real._forward(sample[start : start + batch])
    return (time.perf_counter() - started) * 1000 / len(sample)


@dataclass
class SearchFigures:
    entries: int
    build_seconds: float
    index_mib: float  # resident memory the process grew by while building the index
    matrices_mib: float  # of which the index's sparse matrices
    queries: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    # How many index entries a search reads (the median over 50 dev-set questions); None
    # for an index without the transposed matrix.
    postings_per_query_p50: int | None = None
    # The search's own CPU time (thread time): on a shared machine, wall time also counts
    # the time spent waiting for a core.
    cpu_p50_ms: float | None = None
    cpu_p95_ms: float | None = None
    # The sentence encoder's cost per phrasing, paid once when an entry is added or edited
    # (ScaleVectors: not part of `build_seconds`).
    encode_ms_per_phrasing: float | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _matrices_mib(index: FaqIndex) -> float:
    matrices = [m for m in vars(index).values() if sp.issparse(m)]
    for value in vars(index).values():
        if isinstance(value, tuple):
            matrices += [m for m in value if sp.issparse(m)]
    total = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in matrices if hasattr(m, "indptr"))
    return total / 2**20


def _postings_per_query(index: FaqIndex, queries: list[str]) -> int | None:
    """Diagnostics: the postings of the query's features, which a search reads."""
    matrix, vectorise = getattr(index, "_matrix_t", None), getattr(index, "_query_vector", None)
    if matrix is None or vectorise is None:
        return None
    counts = []
    for query in queries:
        columns, _values = vectorise(canonical_words(query, correct=index._correct))
        counts.append(int(sum(matrix.indptr[c + 1] - matrix.indptr[c] for c in columns)))
    return int(percentile(counts, 50)) if counts else None


def measure(count: int, queries: list[str], *, n_queries: int = 200, seed: int = 7) -> SearchFigures:
    """Build an index of `count` synthetic entries and time `n_queries` dev-set searches
    (the dev set in order, again from the start if it is shorter)."""
    documents = synthetic_documents(count, seed=seed)
    encoding = encode_ms_per_phrasing([p for d in documents[:200] for p in d.phrasings])
    gc.collect()
    before = _rss_mib()
    started = time.perf_counter()
    index = FaqIndex(documents, encoder=ScaleVectors(sentence_encoder.shared(), seed=seed))
    build = time.perf_counter() - started
    gc.collect()
    grown = _rss_mib() - before
    del documents
    timings, cpu = [], []
    for i in range(n_queries):
        query = queries[i % len(queries)]
        started, started_cpu = time.perf_counter(), time.thread_time()
        index.search(query, limit=3)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return SearchFigures(
        postings_per_query_p50=_postings_per_query(index, queries[:50]),
        entries=count,
        build_seconds=round(build, 2),
        index_mib=round(grown, 1),
        matrices_mib=round(_matrices_mib(index), 1),
        queries=n_queries,
        p50_ms=round(percentile(timings, 50), 3),
        p95_ms=round(percentile(timings, 95), 3),
        p99_ms=round(percentile(timings, 99), 3),
        max_ms=round(max(timings), 3),
        cpu_p50_ms=round(percentile(cpu, 50), 3),
        cpu_p95_ms=round(percentile(cpu, 95), 3),
        encode_ms_per_phrasing=round(encoding, 2),
    )
