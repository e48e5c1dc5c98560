"""The pure helpers of `make soak`: the memory trend, latency over time, what fails the
soak and the section it writes into docs/performance.md. No servers, no Locust."""

from __future__ import annotations

import pytest

from bench import report, soak


def test_linear_fit_recovers_a_line_and_refuses_a_single_point():
    slope, intercept = soak.linear_fit([(0, 1.0), (1, 3.0), (2, 5.0)])
    assert slope == pytest.approx(2.0)
    assert intercept == pytest.approx(1.0)
    assert soak.linear_fit([(5, 1.0)]) is None
    assert soak.linear_fit([(5, 1.0), (5, 2.0)]) is None


def test_flat_memory_with_noise_is_steady():
    points = [(60.0 * minute, 499.0 + minute % 3) for minute in range(21)]  # 499, 500, 501, 499...
    trend = soak.memory_trend(points)
    assert trend["steady"] is True
    assert abs(trend["slope_mib_per_hour"]) < 10
    assert trend["allowed_mib_per_hour"] == 25.0  # 5 % of 500 MiB
    assert trend["min_mib"] == 499.0 and trend["max_mib"] == 501.0


def test_memory_rising_steadily_is_not_steady():
    points = [(60.0 * minute, 200.0 + 1.0 * minute) for minute in range(21)]  # 60 MiB an hour
    trend = soak.memory_trend(points)
    assert trend["slope_mib_per_hour"] == pytest.approx(60.0)
    assert trend["allowed_mib_per_hour"] == pytest.approx(10.5, abs=0.1)
    assert trend["steady"] is False


def test_the_warm_up_jump_is_left_out_of_the_fit():
    # The first sample is before the caches filled; afterwards memory is flat.
    points = [(0.0, 100.0), (60.0, 300.0)] + [(60.0 * minute, 400.0) for minute in range(2, 21)]
    trend = soak.memory_trend(points)
    assert trend["fitted_from_s"] == 120.0
    assert trend["slope_mib_per_hour"] == 0.0
    assert trend["steady"] is True
    assert trend["first_mib"] == 100.0


def test_small_processes_get_the_floor_and_missing_samples_are_ignored():
    points = [(0.0, None), (60.0, 40.0), (120.0, 40.0), (180.0, 40.1), (240.0, 40.1)]
    trend = soak.memory_trend(points)
    assert trend["samples"] == 4
    assert trend["allowed_mib_per_hour"] == soak.STEADY_FLOOR_MIB_PER_HOUR
    assert soak.memory_trend([(0.0, None)])["steady"] is None


def _sample(started, latency, ok=True, kind="message"):
    return {"started": started, "latency_ms": latency, "ok": ok, "kind": kind}


def test_windows_count_messages_errors_and_percentiles_per_minute():
    raw = [
        _sample(1000.0, 5, kind="start"),
        _sample(1001.0, 100),
        _sample(1030.0, 300),
        _sample(1065.0, 200, ok=False),
        _sample(1130.0, 50),
    ]
    rows = soak.windows(raw, started_at=1000.0)
    assert [r["from_s"] for r in rows] == [0, 60, 120]
    assert rows[0] == {
        "from_s": 0,
        "messages": 2,
        "conversations": 1,
        "errors": 0,
        "p50_ms": 200.0,
        "p95_ms": 290.0,
        "p99_ms": 298.0,
    }
    assert rows[1]["errors"] == 1 and rows[1]["messages"] == 1
    assert rows[2]["p95_ms"] == 50.0


def test_drift_compares_the_last_quarter_with_the_first():
    rows = [{"p95_ms": value} for value in (999, 100, 100, 110, 120, 150, 200, 200, 200)]
    assert soak.drift(rows) == 2.0  # the first window (999) is warm-up and left out
    assert soak.drift(rows[:3]) is None


def _results(errors=0, slope=1.0, steady=True):
    trend = {
        "samples": 21,
        "first_mib": 300.0,
        "last_mib": 301.0,
        "max_mib": 302.0,
        "slope_mib_per_hour": slope,
        "allowed_mib_per_hour": 15.0,
        "steady": steady,
    }
    return {
        "date": "2026-12-02T01:00:00+00:00",
        "machine": {"cores": 2},
        "run": {"minutes": 20.0, "users": 10, "backend": "sqlite", "memory_every_s": 60.0, "window_s": 60.0},
        "cpu": {"others_cores_busy": 0.8, "ours_cores_busy": 1.1},
        "overall": {
            "messages": 9000,
            "conversations": 1800,
            "errors": errors,
            "messages_per_s": 7.5,
            "p50_ms": 120.0,
            "p95_ms": 400.0,
            "p99_ms": 700.0,
        },
        "errors_by_reason": {"status 500": errors} if errors else {},
        "windows": [
            {"from_s": 60 * m, "messages": 450, "errors": 0, "p50_ms": 120.0, "p95_ms": 400.0 + m, "p99_ms": 700.0}
            for m in range(20)
        ],
        "p95_drift": 1.05,
        "memory_trend": {"web": trend, "rasa": dict(trend, first_mib=800.0)},
        "processes_stopped": [],
    }


def test_a_clean_soak_has_no_problems_and_errors_or_growth_are_problems():
    assert soak.problems(_results()) == []
    assert soak.problems(_results(errors=3)) == ["3 errors: {'status 500': 3}"]
    grown = soak.problems(_results(slope=90.0, steady=False))
    assert grown == [
        "web memory grows 90.0 MiB/h (allowed 15.0)",
        "rasa memory grows 90.0 MiB/h (allowed 15.0)",
    ]


def test_the_section_gives_errors_memory_trend_and_latency_over_time():
    text = soak.render_section(_results())
    assert text.startswith("## Soak")
    assert "**No errors** in 9,000 messages" in text
    assert "**Memory is steady in every process.**" in text
    assert "| web | 300 MiB | 301 MiB | 302 MiB | 1.0 MiB/h | 15.0 MiB/h | steady |" in text
    # Five-minute spans, each with the worst minute's percentile.
    assert "| 0-5 min | 2250 | 0 | 120 ms | 404 ms | 700 ms |" in text
    assert "| 15-20 min |" in text
    growing = soak.render_section(_results(slope=90.0, steady=False))
    assert "**growing**" in growing and "at least one process" in growing


def test_the_section_is_replaced_in_the_doc_and_kept_by_the_bench():
    doc = "# Performance\n\nfigures\n"
    once = soak.replace_section(doc, "## Soak\n\nfirst")
    assert once.startswith(doc.rstrip("\n"))
    assert soak.extract_section(once) == "## Soak\n\nfirst"
    twice = soak.replace_section(once, "## Soak\n\nsecond")
    assert twice.count(report.SOAK_START) == 1
    assert soak.extract_section(twice) == "## Soak\n\nsecond"
    assert soak.extract_section(doc) is None


def test_the_bench_doc_carries_the_soak_section_it_is_given():
    from tests.ops.test_bench import _results as bench_results

    doc = report.render_performance_doc(bench_results(), soak_section="## Soak\n\nkept")
    assert soak.extract_section(doc) == "## Soak\n\nkept"
    assert doc.index("## Soak") < doc.index("## Findings")
    assert report.SOAK_START not in report.render_performance_doc(bench_results())


def test_errors_are_explained_and_a_busy_machine_is_called_out():
    results = _results(errors=3)
    results["errors_by_reason"] = {"assistant unavailable": 3}
    results["cpu"]["others_cores_busy"] = 1.5
    text = soak.render_section(results)
    assert "`RASA_TIMEOUT_SECONDS` (20 s)" in text
    assert "needs a machine without other work" in text
    quiet = _results(errors=3)
    quiet["errors_by_reason"] = {"assistant unavailable": 3}
    quiet["cpu"]["others_cores_busy"] = 0.1
    assert "needs a machine without other work" not in soak.render_section(quiet)
