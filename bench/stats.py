"""Pure helpers for the benchmark figures: percentiles, ratios, summaries of samples."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ops.measure import percentile


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, or None when either is missing or the denominator is not positive."""
    if numerator is None or denominator is None:
        return None
    if any(isinstance(v, float) and math.isnan(v) for v in (numerator, denominator)) or denominator <= 0:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Sample:
    """One message sent by a simulated visitor."""

    started: float  # seconds since the epoch
    latency_ms: float
    ok: bool
    kind: str = "message"  # "message", or "start" for creating a conversation


@dataclass(frozen=True)
class LevelSummary:
    concurrency: int
    duration_s: float
    messages: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    messages_per_s: float
    conversations: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _rounded(value: float, digits: int = 1) -> float | None:
    return None if math.isnan(value) else round(value, digits)


def summarise(samples: Iterable[Sample], concurrency: int, duration_s: float) -> LevelSummary:
    """Latency percentiles and throughput over the messages of one concurrency level.

    Latency is over every message (answered or not); throughput counts only messages
    answered without an error, over the run's duration."""
    samples = list(samples)
    messages = [s for s in samples if s.kind == "message"]
    latencies = [s.latency_ms for s in messages]
    errors = sum(not s.ok for s in samples)
    good = sum(s.ok for s in messages)
    return LevelSummary(
        concurrency=concurrency,
        duration_s=round(duration_s, 1),
        messages=len(messages),
        errors=errors,
        p50_ms=_rounded(percentile(latencies, 50)),
        p95_ms=_rounded(percentile(latencies, 95)),
        p99_ms=_rounded(percentile(latencies, 99)),
        mean_ms=_rounded(sum(latencies) / len(latencies)) if latencies else None,
        messages_per_s=round(good / duration_s, 2) if duration_s > 0 else 0.0,
        conversations=sum(s.kind == "start" for s in samples),
    )


def verdict(value: float | None, target: float) -> str:
    """'met', 'missed', or 'not measured' for a figure whose target is an upper bound."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    return "met" if value <= target else "missed"
