"""The soak run's figures (`make soak`): latency and errors over time, and each process's
memory trend from a linear fit. Pure apart from the plot at the bottom."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from bench.report import SOAK_END as SECTION_END
from bench.report import SOAK_START as SECTION_START
from bench.report import fmt, table
from ops.measure import percentile

# Memory is "steady" when the fitted growth is less than this share of the process's
# size per hour, or less than the floor (small processes, noise of a few MiB over a short
# run), whichever is larger. A leak of one conversation's worth per conversation would be
# far above it: 10 visitors hold about 500 conversations an hour.
STEADY_SHARE_PER_HOUR = 0.05
STEADY_FLOOR_MIB_PER_HOUR = 10.0
# The first minutes are the processes filling their caches (models loaded, imports done,
# pools opened): the fit starts after them.
SETTLE_S = 120.0


# What an error reason means, for the doc.
EXPLAINED = {
    "assistant unavailable": "An `assistant unavailable` error is the gateway's answer when Rasa has not replied "
    "within `RASA_TIMEOUT_SECONDS` (20 s): the visitor is told the assistant is unavailable and the message is kept. "
    "Under this load it means Rasa was too slow, not that anything failed or was lost.",
    "status 404": "A `status 404` on a first message is the gateway not yet seeing the conversation it has just "
    "created (fixed: it now commits before answering).",
}
BUSY_CORES = 0.5  # other work's share of the machine above which the soak's latency is mostly contention


def linear_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares (slope, intercept) of y against x; None for fewer than two distinct x."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return slope, mean_y - slope * mean_x


def memory_trend(
    points: Sequence[tuple[float, float | None]],
    settle_s: float = SETTLE_S,
    share: float = STEADY_SHARE_PER_HOUR,
    floor_mib: float = STEADY_FLOOR_MIB_PER_HOUR,
) -> dict:
    """The trend of one process's resident memory: `points` are (seconds since the load
    started, MiB). The fit uses the points after `settle_s` (all of them if fewer than three
    are left)."""
    known = [(t, m) for t, m in points if m is not None]
    settled = [(t, m) for t, m in known if t >= settle_s]
    if len(settled) < 3:
        settled = known
    fit = linear_fit(settled)
    if fit is None:
        return {"samples": len(known), "slope_mib_per_hour": None, "steady": None}
    slope_per_hour = fit[0] * 3600
    sizes = sorted(m for _, m in settled)
    median = percentile(sizes, 50)
    allowed = max(share * median, floor_mib)
    return {
        "samples": len(known),
        "fitted_from_s": settled[0][0],
        "first_mib": known[0][1],
        "last_mib": known[-1][1],
        "min_mib": min(m for _, m in known),
        "max_mib": max(m for _, m in known),
        "slope_mib_per_hour": round(slope_per_hour, 1),
        "allowed_mib_per_hour": round(allowed, 1),
        "steady": slope_per_hour <= allowed,
    }


def windows(raw: Sequence[dict], started_at: float, width_s: float = 60.0) -> list[dict]:
    """Messages, errors and latency percentiles per window of `width_s` seconds from
    `started_at` (raw samples as the locustfile writes them: `started` in epoch seconds)."""
    buckets: dict[int, list[dict]] = {}
    for sample in raw:
        index = max(0, int((sample["started"] - started_at) // width_s))
        buckets.setdefault(index, []).append(sample)
    rows = []
    for index in sorted(buckets):
        samples = buckets[index]
        latencies = [s["latency_ms"] for s in samples if s["kind"] == "message"]
        rows.append(
            {
                "from_s": round(index * width_s),
                "messages": len(latencies),
                "conversations": sum(s["kind"] == "start" for s in samples),
                "errors": sum(not s["ok"] for s in samples),
                "p50_ms": _round(percentile(latencies, 50)),
                "p95_ms": _round(percentile(latencies, 95)),
                "p99_ms": _round(percentile(latencies, 99)),
            }
        )
    return rows


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 1)


def drift(rows: Sequence[dict], key: str = "p95_ms") -> float | None:
    """The last quarter's median of `key` over the first quarter's (after the first
    window): above 1 means latency rose during the run."""
    values = [r[key] for r in rows[1:] if r.get(key) is not None]
    if len(values) < 4:
        return None
    quarter = max(1, len(values) // 4)
    first, last = percentile(values[:quarter], 50), percentile(values[-quarter:], 50)
    return round(last / first, 2) if first > 0 else None


def problems(results: dict) -> list[str]:
    """What makes the soak fail: errors, a process that stopped, memory growing steadily."""
    found = []
    errors = results["overall"]["errors"]
    if errors:
        found.append(f"{errors} errors: {results.get('errors_by_reason') or {}}")
    if not results["overall"]["messages"]:
        found.append("no message was answered")
    for name in results.get("processes_stopped") or []:
        found.append(f"process stopped during the run: {name}")
    for name, trend in results["memory_trend"].items():
        if trend.get("steady") is False:
            found.append(
                f"{name} memory grows {trend['slope_mib_per_hour']} MiB/h (allowed {trend['allowed_mib_per_hour']})"
            )
    return found


def replace_section(doc: str, section: str) -> str:
    """The doc with its soak section (between the markers) replaced by `section`, or with
    the section added at the end when it has none."""
    block = f"{SECTION_START}\n{section.strip()}\n{SECTION_END}"
    start, end = doc.find(SECTION_START), doc.find(SECTION_END)
    if start != -1 and end > start:
        return doc[:start] + block + doc[end + len(SECTION_END) :]
    return doc.rstrip("\n") + "\n\n" + block + "\n"


def extract_section(doc: str) -> str | None:
    """The soak section of a doc (without its markers), or None."""
    start, end = doc.find(SECTION_START), doc.find(SECTION_END)
    if start == -1 or end < start:
        return None
    return doc[start + len(SECTION_START) : end].strip()


def _coarser(rows: Sequence[dict], per: int, width_s: float) -> list[dict]:
    """Whole-run rows merged `per` at a time (for the doc's table): counts add up, the
    percentiles are the worst of the merged windows."""
    merged = []
    for i in range(0, len(rows), per):
        group = rows[i : i + per]
        keys = ("p50_ms", "p95_ms", "p99_ms")
        worst = {k: max((r[k] for r in group if r[k] is not None), default=None) for k in keys}
        merged.append(
            {
                "from_s": group[0]["from_s"],
                "to_s": group[-1]["from_s"] + width_s,
                "messages": sum(r["messages"] for r in group),
                "errors": sum(r["errors"] for r in group),
                **worst,
            }
        )
    return merged


def render_section(results: dict) -> str:
    """The "Soak" section of docs/performance.md."""
    run, overall = results["run"], results["overall"]
    memory_rows = [
        [
            name,
            fmt(trend.get("first_mib"), 0, "MiB"),
            fmt(trend.get("last_mib"), 0, "MiB"),
            fmt(trend.get("max_mib"), 0, "MiB"),
            fmt(trend.get("slope_mib_per_hour"), 1, "MiB/h"),
            fmt(trend.get("allowed_mib_per_hour"), 1, "MiB/h"),
            {True: "steady", False: "**growing**", None: "not measured"}[trend.get("steady")],
        ]
        for name, trend in results["memory_trend"].items()
    ]
    per = max(1, round(300 / run["window_s"]))
    time_rows = [
        [
            f"{r['from_s'] // 60:.0f}-{r['to_s'] // 60:.0f} min",
            r["messages"],
            r["errors"],
            fmt(r["p50_ms"], 0, "ms"),
            fmt(r["p95_ms"], 0, "ms"),
            fmt(r["p99_ms"], 0, "ms"),
        ]
        for r in _coarser(results["windows"], per, run["window_s"])
    ]
    busy = results.get("cpu", {}).get("others_cores_busy")
    errors = overall["errors"]
    steady = all(t.get("steady") for t in results["memory_trend"].values())
    lines = [
        "## Soak",
        f"`make soak` (`python -m ops.bench --soak`), taken {results['date']}: the bench's visitor scripts "
        f"(the same mix as the load levels) at {run['users']} concurrent conversations for "
        f"{run['minutes']:g} minutes against the full stack on {run['backend']}, each process's resident memory "
        f"sampled every {run['memory_every_s']:g} s. Other work used {fmt(busy, 2)} of "
        f"{results.get('machine', {}).get('cores', '?')} cores on average during the run "
        f"({fmt(results.get('cpu', {}).get('ours_cores_busy'), 2)} went on the stack and the load generator).",
        f"**{'No errors' if errors == 0 else f'{errors} errors'}** in {overall['messages']:,} messages and "
        f"{overall['conversations']:,} conversations ({fmt(overall['messages_per_s'], 2)} messages/s); "
        f"latency per message p50 {fmt(overall['p50_ms'], 0, 'ms')}, p95 {fmt(overall['p95_ms'], 0, 'ms')}, "
        f"p99 {fmt(overall['p99_ms'], 0, 'ms')}; p95 in the last quarter of the run ÷ the first: "
        f"{fmt(results.get('p95_drift'), 2, '×')}. "
        + (
            "**Memory is steady in every process.**"
            if steady
            else "**Memory grew steadily in at least one process: see the table.**"
        ),
        "Memory (RSS with children; the trend is a least-squares line through the samples after the first "
        f"{SETTLE_S / 60:.0f} minutes; steady means it rises less than {STEADY_SHARE_PER_HOUR:.0%} of the "
        f"process's size, or {STEADY_FLOOR_MIB_PER_HOUR:.0f} MiB, per hour):",
        table(["process", "at the start", "at the end", "highest", "trend", "allowed", ""], memory_rows),
        "Latency over time (the worst minute of each span for the percentiles):",
        table(["span", "messages", "errors", "p50", "p95", "p99"], time_rows),
    ]
    if results.get("errors_by_reason"):
        lines.append(
            "Errors:\n\n"
            + table(["error", "count"], [[reason, count] for reason, count in results["errors_by_reason"].items()])
        )
        explained = [EXPLAINED[reason] for reason in results["errors_by_reason"] if reason in EXPLAINED]
        lines += explained
        if busy is not None and busy >= BUSY_CORES:
            lines.append(
                f"Other work kept {fmt(busy, 2)} of the {results.get('machine', {}).get('cores', '?')} cores busy, "
                "so the stack had a fraction of the machine: latency and timeouts here measure the contention as "
                "much as the assistant. A soak meant to show that there are no errors needs a machine without other "
                "work."
            )
    lines.append(
        "Reproduce with `make soak` (20 minutes; `make soak SOAK_MINUTES=60` for longer). It writes "
        "`reports/soak/` (soak.json with every minute's figures and memory sample, summary.md, soak.png) and "
        "replaces this section."
    )
    return "\n\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, memory) = plt.subplots(2, 1, figsize=(7, 6.5), dpi=120, sharex=True)
    rows = results["windows"]
    minutes = [r["from_s"] / 60 for r in rows]
    for key, style in (("p50_ms", "o-"), ("p95_ms", "s-"), ("p99_ms", "^:")):
        latency.plot(minutes, [r[key] if r[key] is not None else math.nan for r in rows], style, label=key[:3])
    latency.set_ylabel("latency per message (ms)")
    latency.set_title(f"Soak: {results['run']['users']} concurrent conversations, full stack")
    latency.grid(True, alpha=0.3)
    latency.legend()
    for name, samples in results["memory"].items():
        memory.plot([s["t_s"] / 60 for s in samples], [s["mib"] for s in samples], "o-", label=name, markersize=3)
    memory.set_xlabel("minutes since the load started")
    memory.set_ylabel("resident memory (MiB)")
    memory.grid(True, alpha=0.3)
    memory.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
