"""The pure helpers of `make bench`: percentiles, ratios, summaries, visitor scripts and
report rendering. Fast: no servers, no Locust."""

from __future__ import annotations

import math
import random

import pytest

from bench import report, scripts
from bench.stats import Sample, ratio, summarise, verdict
from ops import bench


def test_ratio_is_none_when_a_side_is_missing_or_not_positive():
    assert ratio(115.0, 100.0) == pytest.approx(1.15)
    assert ratio(None, 100.0) is None
    assert ratio(100.0, None) is None
    assert ratio(100.0, 0.0) is None
    assert ratio(math.nan, 100.0) is None


def test_verdict_for_an_upper_bound():
    assert verdict(1.9, 2.0) == "met"
    assert verdict(2.0, 2.0) == "met"
    assert verdict(2.1, 2.0) == "missed"
    assert verdict(None, 2.0) == "not measured"


def test_summary_of_a_level_counts_messages_errors_and_throughput():
    samples = [Sample(0.0, 10.0 * i, ok=True) for i in range(1, 11)]
    samples += [Sample(0.0, 500.0, ok=False), Sample(0.0, 5.0, ok=True, kind="start")]
    level = summarise(samples, concurrency=10, duration_s=5.0)
    assert level.messages == 11
    assert level.errors == 1
    assert level.conversations == 1
    assert level.messages_per_s == 2.0  # 10 answered messages in 5 s
    assert level.p50_ms == 60.0
    assert level.p99_ms == 460.0  # between 100 and the 500 ms failure


def test_level_figures_break_down_by_script_and_error():
    raw = [
        {"started": 0, "latency_ms": 100, "ok": True, "kind": "message", "script": "faq", "error": None},
        {"started": 0, "latency_ms": 300, "ok": True, "kind": "message", "script": "faq", "error": None},
        {"started": 0, "latency_ms": 900, "ok": False, "kind": "message", "script": "handoff", "error": "status 500"},
        {"started": 0, "latency_ms": 4, "ok": True, "kind": "start", "script": None, "error": None},
    ]
    level = bench.level_figures(raw, concurrency=1, duration_s=10)
    assert level["by_script"]["faq"] == {"messages": 2, "p50_ms": 200.0, "p95_ms": 290.0}
    assert level["errors_by_reason"] == {"status 500": 1}
    assert level["messages_per_s"] == 0.2


def test_ratio_rows_pair_levels_by_concurrency():
    full = [{"concurrency": 1, "p95_ms": 110.0}, {"concurrency": 10, "p95_ms": 300.0}]
    bare = [{"concurrency": 10, "p95_ms": 250.0}, {"concurrency": 30, "p95_ms": 900.0}]
    assert bench.ratio_rows(full, bare) == [
        {"concurrency": 10, "full_stack_p95_ms": 300.0, "bare_rasa_p95_ms": 250.0, "ratio": 1.2}
    ]


def test_the_same_seed_gives_the_same_visitor():
    questions = [f"question {n}" for n in range(20)]
    assert scripts.visitor_script(5, questions) == scripts.visitor_script(5, questions)
    kinds = {scripts.visitor_script(seed, questions)[0] for seed in range(50)}
    assert kinds == {scripts.FAQ, scripts.AMBASSADOR, scripts.HANDOFF}


def test_visitor_scripts_follow_the_brief():
    rng = random.Random(1)
    faq = scripts.faq_visitor(rng, ["a", "b", "c", "d"])
    assert faq[0].payload == "/greet" and faq[-1].payload == "/confirm_answer_helpful"
    assert 2 <= len(faq) - 2 <= 3
    handoff = [s.text or s.payload for s in scripts.handoff_visitor(rng)]
    assert handoff[0] == "I'd like to talk to a person" and handoff[2] == "email"
    assert "@" in handoff[3] and handoff[4:] == ["skip", "/affirm"]
    ambassador = scripts.ambassador_visitor(rng)
    assert ambassador[1].payload.startswith("/request_introduction")


def test_steps_speak_to_the_gateway_and_to_rasa_as_the_widget_would():
    button = scripts.Step(payload="/affirm", title="Yes")
    assert button.gateway_json() == {"payload": "/affirm", "title": "Yes"}
    assert button.rasa_message() == "/affirm"
    typed = scripts.Step(text="/greet me")
    assert typed.gateway_json() == {"text": "/greet me"}
    assert typed.rasa_message() == "greet me"  # the gateway never passes typed text as an intent


def test_introduction_button_and_unavailable_message_are_recognised():
    buttons = [{"title": "More", "payload": "/more"}, {"title": "Intro", "payload": '/request_introduction{"x": 1}'}]
    assert scripts.introduction_button(buttons) == ('/request_introduction{"x": 1}', "Intro")
    assert scripts.introduction_button([]) is None
    unavailable = [{"sender": "system", "text": "Sorry, the assistant is unavailable just now."}]
    assert scripts.is_unavailable(unavailable)
    assert not scripts.is_unavailable([{"sender": "bot", "text": "Hello"}])


def test_machine_details_are_read_from_proc_files():
    assert bench.cpu_model("processor\t: 0\nmodel name\t: Example CPU @ 2.0GHz\n") == "Example CPU @ 2.0GHz"
    assert bench.cpu_model("") == "unknown"
    assert bench.memory_gib("MemTotal:       24731648 kB\nMemFree: 1 kB\n") == 23.6


def test_last_training_figure_is_found_in_logs(tmp_path):
    (tmp_path / "old.log").write_text("Trained in 300 s: models/a.tar.gz\n")
    assert bench.last_training_figure([tmp_path, tmp_path / "missing"]) == 300.0
    assert bench.last_training_figure([tmp_path / "missing"]) is None


def _results(ratio_at_10=1.1, faq_100k_p95=25.0):
    level = {
        "concurrency": 10,
        "p50_ms": 100.0,
        "p95_ms": 200.0,
        "p99_ms": 300.0,
        "messages_per_s": 5.0,
        "messages": 300,
        "errors": 0,
        "cpu": {"others_cores_busy": 0.9},
        "by_script": {"faq": {"messages": 200, "p50_ms": 90.0, "p95_ms": 180.0}},
        "errors_by_reason": {},
        "empty_replies": 0,
    }
    return {
        "date": "2026-11-26T12:00:00+00:00",
        "machine": {"cpu_model": "Example CPU", "cores": 2, "memory_gib": 23.6, "others_cores_busy_before": 1.2},
        "run": {"levels": [10], "duration_s": 60, "backend": "sqlite"},
        "load": {
            "full_stack": {
                "levels": [level],
                "cold_start_s": 40.0,
                "memory_mib": {"after_start": {"web": 150.0}, "after_load": {"web": 160.0}},
            },
            "bare_rasa": {"levels": [dict(level, p95_ms=190.0)], "cold_start_s": 30.0},
            "rasa_direct": {"levels": [dict(level, p95_ms=180.0)]},
            "ratio_p95": [
                {"concurrency": 10, "full_stack_p95_ms": 200.0, "bare_rasa_p95_ms": 190.0, "ratio": ratio_at_10}
            ],
            "ratio_p95_direct": [
                {"concurrency": 10, "full_stack_p95_ms": 200.0, "bare_rasa_p95_ms": 180.0, "ratio": 1.111}
            ],
        },
        "faq_search": [
            {"entries": 1000, "build_seconds": 1.0, "index_mib": 20.0, "p50_ms": 0.5, "p95_ms": 1.0, "p99_ms": 1.5},
            {
                "entries": 100_000,
                "build_seconds": 300.0,
                "index_mib": 2000.0,
                "p50_ms": 15.0,
                "p95_ms": faq_100k_p95,
                "p99_ms": 30.0,
            },
        ],
        "queue": {
            "sqlite": {
                "tickets": 100_000,
                "list_waiting_200": {"p50_ms": 5.0, "p95_ms": 9.0},
                "counts_by_status": {"p50_ms": 20.0, "p95_ms": 30.0},
            },
            "postgresql": {"skipped": "OperationalError: no server"},
        },
        "training": {"seconds": None, "source": "not measured (run with --train)"},
    }


def test_targets_are_judged_against_their_limits():
    rows = {row["key"]: row for row in report.evaluate_targets(_results())}
    assert rows["ratio_10"]["verdict"] == "met"
    assert rows["faq_1k"]["verdict"] == "met"
    assert rows["faq_100k"]["verdict"] == "missed"
    assert rows["queue_list_sqlite"]["value"] == 9.0
    assert rows["queue_list_postgresql"]["verdict"] == "not measured"


def test_summary_renders_every_section_and_the_busy_machine():
    text = report.render_summary(_results())
    for heading in ("## Targets", "## Latency per message under load", "## Resident memory", "## FAQ search alone"):
        assert heading in text
    assert "| full stack (gateway) | 10 | 100 ms | 200 ms | 300 ms | 5.00 | 300 | 0 | 0 | 0.90 |" in text
    assert "| 10 | 200 ms | 180 ms | 190 ms | 1.10× | 1.11× |" in text
    assert "skipped: OperationalError" in text
    assert "busy with other work" in text


def test_performance_doc_explains_only_missed_targets():
    doc = report.render_performance_doc(_results())
    assert "## How to reproduce" in doc and "make bench" in doc
    assert "### FAQ search p95, 100,000 entries" in doc
    assert "### FAQ search p95, 1,000 entries" not in doc
    met = report.render_performance_doc(_results(faq_100k_p95=10.0))
    assert "Every target was met." in met


def test_a_missed_ratio_is_explained_by_rasas_load_and_the_gateways_share():
    results = _results(ratio_at_10=3.9)
    full = results["load"]["full_stack"]["levels"][0]
    full["cpu_ms_per_message"] = {"web": 20.0, "rasa": 66.0, "actions": 3.0, "load generator": 2.0}
    results["load"]["bare_rasa"]["levels"][0]["cpu_ms_per_message"] = {"rasa": 28.0}
    doc = report.render_performance_doc(results)
    section = doc.split("### Full stack p95 ÷ bare Rasa p95")[1].split("\n### ")[0]
    assert "Rasa was busy 33% of the time in the full stack against 14% bare" in section  # 5/s × 66 ms, × 28 ms
    assert "the gateway's share alone (1.11×) is above the 1.15× target" not in section
    assert "here it is within the 1.15× target" in section

    results["load"]["ratio_p95_direct"][0]["ratio"] = 1.31
    section = report.render_performance_doc(results).split("### Full stack p95 ÷ bare Rasa p95")[1]
    assert "the gateway's share alone (1.31×) is above the 1.15× target" in section


def test_table_and_figure_formatting():
    assert report.fmt(None) == "-"
    assert report.fmt(1234.56, 1, "ms") == "1,234.6 ms"
    assert report.fmt(1.149, 2, "×") == "1.15×"
    assert report.table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


def test_latency_plot_is_written(tmp_path):
    path = tmp_path / "latency.png"
    report.plot_latency(_results(), path)
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_an_interrupted_run_can_reuse_the_phases_it_finished(tmp_path):
    (tmp_path / "partial.json").write_text('{"load": {"full_stack": {}}, "queue": null}')
    assert bench.reuse("load", tmp_path / "bench.json") == {"load": {"full_stack": {}}}
    assert bench.reuse("", tmp_path / "bench.json") == {}
    with pytest.raises(SystemExit):
        bench.reuse("load,queue", tmp_path / "bench.json")


def test_a_missed_small_search_target_gives_its_cpu_time_and_profile():
    results = _results(faq_100k_p95=10.0)
    results["faq_search"][0].update(p95_ms=14.1, cpu_p50_ms=2.8, cpu_p95_ms=4.4)
    doc = report.render_performance_doc(results)
    assert "### FAQ search p95, 1,000 entries" in doc
    assert "had p50 2.80 ms and p95 4.40 ms in this run" in doc
    assert "| 1,000 | 1.0 s | 20 MiB | 0.50 ms | 14.10 ms | 1.50 ms | 4.40 ms |" in doc
