"""The quality-gate and metric functions of `make eval` (ops/eval.py), on small fake inputs.

Nothing here runs Rasa or starts the stack: these are fast and run in `make test`.
"""

import dataclasses
import json

import pytest

from ops import eval as ev


def _result(text, faq_id, ranked, decision="answer"):
    return {"text": text, "faq_id": faq_id, "ranked": ranked, "decision": decision}


# ---------------------------------------------------------------- ranking figures


def test_reciprocal_rank_is_one_over_the_position_within_the_depth():
    assert ev.reciprocal_rank(["a", "b", "c"], "a") == 1.0
    assert ev.reciprocal_rank(["a", "b", "c"], "c") == pytest.approx(1 / 3)
    assert ev.reciprocal_rank(["a", "b"], "z") == 0.0
    assert ev.reciprocal_rank([], "a") == 0.0
    ranked = [f"e{i}" for i in range(1, 13)]
    assert ev.reciprocal_rank(ranked, "e10") == pytest.approx(0.1)
    assert ev.reciprocal_rank(ranked, "e11") == 0.0  # beyond the top 10


def test_top_k():
    assert ev.in_top(["a", "b", "c"], "a", 1)
    assert not ev.in_top(["a", "b", "c"], "b", 1)
    assert ev.in_top(["a", "b", "c"], "c", 3)
    assert not ev.in_top(["a", "b", "c", "d"], "d", 3)


def test_score_questions_counts_top1_top3_mrr_and_answered_right():
    results = [
        _result("q1", "a", ["a", "b", "c"], "answer"),  # right, answered
        _result("q2", "b", ["a", "b", "c"], "answer"),  # second: answered, but wrongly
        _result("q3", "c", ["c", "a"], "suggest"),  # right, but only suggested
        _result("q4", "d", ["a", "b", "c", "d"], "none"),  # fourth
        _result("q5", "e", [], "none"),  # nothing found
    ]
    figures = ev.score_questions(results)
    assert figures["n"] == 5
    assert figures["top1"] == pytest.approx(2 / 5)
    assert figures["top3"] == pytest.approx(3 / 5)
    assert figures["mrr"] == pytest.approx(round((1 + 0.5 + 1 + 0.25 + 0) / 5, 4))
    assert figures["answered_right"] == pytest.approx(1 / 5)
    assert [m["text"] for m in figures["misses"]] == ["q2", "q4", "q5"]
    assert figures["misses"][0] == {
        "text": "q2",
        "expected": "b",
        "got": ["a", "b", "c"],
        "rank": 2,
        "decision": "answer",
    }
    assert figures["misses"][2]["rank"] is None


def test_score_questions_on_nothing_gives_no_figures():
    figures = ev.score_questions([])
    assert figures["n"] == 0 and figures["top1"] is None and figures["mrr"] is None


def test_out_of_scope_declined_is_the_share_without_an_answer_decision():
    results = [
        _result("fund", None, ["x"], "answer"),
        _result("mortgage", None, ["y"], "suggest"),
        _result("weather", None, [], "none"),
        _result("car", None, ["z"], "none"),
    ]
    figures = ev.score_out_of_scope(results)
    assert figures["n"] == 4
    assert figures["declined"] == 0.75
    assert figures["answered"] == [{"text": "fund", "got": ["x"]}]


# ---------------------------------------------------------------- conversations


def test_evenly_spread_sample_is_fixed_and_covers_the_list():
    items = list(range(222))
    sample = ev.evenly_spread(items, 40)
    assert len(sample) == 40 == len(set(sample))
    assert sample[0] == 0 and sample[-1] >= 210
    assert sample == ev.evenly_spread(items, 40)
    assert max(b - a for a, b in zip(sample, sample[1:], strict=False)) <= 6
    assert ev.evenly_spread(items, None) == items
    assert ev.evenly_spread(items[:10], 40) == items[:10]


def test_a_reply_is_right_when_it_holds_the_answers_first_60_characters():
    answer = (
        "A public service mutual is an organisation that used to be part of the public sector.\n\n"
        "It has left the public sector."
    )
    as_sent = answer.replace("\n\n", "\n") + "\nSource: https://example.org"
    assert ev.reply_has_answer(["Hello", as_sent], answer)
    assert not ev.reply_has_answer(["I'm not sure I understood. Did you mean one of these?"], answer)
    short = "Yes.\n\nIt can make a profit, as long as it is reinvested in the service it runs for people."
    assert ev.reply_has_answer(["Yes.\nIt can make a profit, as long as it is reinvested in the service"], short)
    assert not ev.reply_has_answer(["anything"], "")
    assert not ev.reply_has_answer([], answer)


# ---------------------------------------------------------------- Rasa's reports

SAMPLE_INTENT_REPORT = {
    "greet": {"precision": 1.0, "recall": 0.96, "f1-score": 0.9796, "support": 25, "confused_with": {"ask_help": 1}},
    "request_human": {
        "precision": 0.9,
        "recall": 0.94,
        "f1-score": 0.9196,
        "support": 50,
        "confused_with": {"make_complaint": 2, "nlu_fallback": 1},
    },
    "ask_faq": {"precision": 0.8, "recall": 0.85, "f1-score": 0.8242, "support": 100, "confused_with": {}},
    "accuracy": 0.9,
    "macro avg": {"precision": 0.9, "recall": 0.9167, "f1-score": 0.9078, "support": 175},
    "weighted avg": {"precision": 0.87, "recall": 0.89, "f1-score": 0.88, "support": 175},
}


def test_intent_figures_read_rasas_intent_report():
    figures = ev.intent_figures(SAMPLE_INTENT_REPORT)
    assert figures["macro_f1"] == 0.9078
    assert figures["accuracy"] == 0.9
    assert figures["watched_intent"] == "request_human"
    assert figures["watched_recall"] == 0.94
    assert figures["intent_count"] == 3 and figures["examples"] == 175
    assert set(figures["intents"]) == {"greet", "request_human", "ask_faq"}
    assert figures["intents"]["request_human"]["confused_with"] == {"make_complaint": 2, "nlu_fallback": 1}


def test_intent_figures_without_a_macro_row_or_with_micro_avg():
    report = {k: v for k, v in SAMPLE_INTENT_REPORT.items() if k not in ("macro avg", "accuracy")}
    report["micro avg"] = {"precision": 0.9, "recall": 0.9, "f1-score": 0.895, "support": 175}
    figures = ev.intent_figures(report)
    assert figures["macro_f1"] == pytest.approx((0.9796 + 0.9196 + 0.8242) / 3, abs=1e-4)
    assert figures["accuracy"] == 0.895


def test_intent_figures_when_the_watched_intent_is_missing():
    report = {k: v for k, v in SAMPLE_INTENT_REPORT.items() if k != "request_human"}
    assert ev.intent_figures(report)["watched_recall"] is None


def test_confusion_matrix_from_rasas_predictions(tmp_path):
    predictions = [
        {"text": "hi", "intent": "greet", "intent_prediction": {"name": "greet", "confidence": 0.99}},
        {"text": "human pls", "intent": "request_human", "intent_prediction": {"name": "request_human"}},
        {"text": "hmm", "intent": "request_human", "intent_prediction": {"name": "nlu_fallback"}},
        {"text": "?", "intent": "greet", "intent_prediction": None},
    ]
    pairs = ev.confusion_pairs(predictions)
    labels, matrix = ev.confusion_matrix(pairs)
    assert labels == ["None", "greet", "nlu_fallback", "request_human"]
    assert matrix[labels.index("request_human")] == [0, 0, 1, 1]
    assert matrix[labels.index("greet")] == [1, 1, 0, 0]
    chart = tmp_path / "confusion.png"
    ev.draw_confusion(pairs, chart)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- gates


def test_a_gate_passes_at_its_threshold_and_fails_below_it():
    assert ev.Gate("g", "g", 0.9).check(0.9).status == ev.PASS
    assert ev.Gate("g", "g", 0.9).check(0.95).status == ev.PASS
    gate = ev.Gate("g", "g", 0.9).check(0.8999)
    assert gate.status == ev.FAIL and gate.failed


def test_a_gate_that_was_not_measured_fails():
    gate = ev.Gate("g", "g", 0.9).check(None, "rasa crashed")
    assert gate.failed and gate.detail == "rasa crashed"


def test_an_exit_code_gate():
    assert ev.Gate("stories", "s", None).check(1.0).status == ev.PASS
    assert ev.Gate("stories", "s", None).check(0.0).failed


def test_the_run_exits_non_zero_only_when_a_hard_gate_fails():
    gates = ev.make_gates()
    for gate in gates.values():
        gate.check(gate.threshold if gate.threshold is not None else 1.0)
    assert ev.exit_code(gates.values()) == 0

    gates["faq_test_top1"].check(0.5)  # held-out set: a warning, not a failure
    assert ev.exit_code(gates.values()) == 0
    assert [g.name for g in ev.warnings(gates.values())] == ["faq_test_top1"]

    gates["nlu_request_human_recall"].check(0.94)
    assert ev.exit_code(gates.values()) == 1
    assert [g.name for g in ev.failed_gates(gates.values())] == ["nlu_request_human_recall"]


def test_skipped_gates_do_not_fail():
    gates = ev.make_gates()
    gates["faq_dev_top1"].skip("--skip-faq")
    assert ev.exit_code(gates.values()) == 0


def test_the_gate_thresholds_are_the_agreed_ones():
    gates = ev.make_gates()
    assert gates["nlu_macro_f1"].threshold == 0.90
    assert gates["nlu_request_human_recall"].threshold == 0.95
    assert gates["faq_dev_top1"].threshold == 0.85
    assert gates["faq_dev_top3"].threshold == 0.95
    assert gates["faq_dev_out_of_scope_declined"].threshold == 0.90
    assert gates["core_stories"].threshold is None
    assert all(gates[n].hard for n in gates if not n.startswith("faq_test_"))
    assert {n: gates[n].threshold for n in gates if n.startswith("visitors_")} == {
        "visitors_faq_right": 0.92,
        "visitors_handoff_started": 0.98,
        "visitors_declined": 0.95,
        "visitors_ambassadors_right": 0.95,
        "visitors_follow_ups_right": 0.85,
        "visitors_answer_reliability": 0.95,
    }


def test_the_visitor_gates_fail_make_eval_and_warn_in_ci_until_they_pass():
    for ci, hard in ((False, True), (True, ev.VISITOR_GATES_HARD_IN_CI)):
        gates = ev.make_gates(ci=ci)
        result = {"test": {key: {"value": 0.5, "right": 1, "n": 2} for key, _t, _d in ev.VISITOR_GATES}}
        ev.visitors_gates(result, gates)
        assert all(gates[f"visitors_{key}"].status == ev.FAIL for key, _t, _d in ev.VISITOR_GATES)
        assert ev.exit_code(gates.values()) == (1 if hard else 0)
    assert not any(gates[n].hard for n in gates if n.startswith("faq_test_"))


# ---------------------------------------------------------------- the test set file


def test_a_missing_test_set_is_skipped_with_a_note(tmp_path):
    testset, note = ev.load_testset(tmp_path / "faq_testset.yml")
    assert testset is None and "does not exist" in note


def test_an_unreadable_test_set_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "faq_testset.yml"
    path.write_text("questions: [unclosed\n")
    testset, note = ev.load_testset(path)
    assert testset is None and "not valid YAML" in note


def test_the_test_set_takes_out_of_scope_as_strings_or_texts(tmp_path):
    path = tmp_path / "faq_testset.yml"
    path.write_text(
        "questions:\n  - {text: how long does it take, faq_id: how-long}\n  - {text: no label}\n"
        "out_of_scope:\n  - best mortgage\n  - {text: cheap car insurance}\n"
    )
    testset, note = ev.load_testset(path)
    assert note == ""
    assert testset["questions"] == [{"text": "how long does it take", "faq_id": "how-long"}]
    assert testset["out_of_scope"] == ["best mortgage", "cheap car insurance"]


# ---------------------------------------------------------------- the command


def test_ci_mode_keeps_five_folds():
    with pytest.raises(SystemExit):
        ev.parse_args(["--ci", "--folds", "3"])
    args = ev.parse_args(["--ci"])
    assert args.ci and args.folds == 5 and args.sample == 20 and not args.full
    assert ev.parse_args([]).sample == 40


SKIP_ALL = ["--skip-nlu", "--skip-core", "--skip-faq", "--skip-conversations", "--skip-visitors"]


def test_main_writes_the_reports_and_exits_zero_when_nothing_fails(tmp_path, capsys):
    assert ev.main([*SKIP_ALL, "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["passed"] is True
    assert {"platform", "cpu_count", "python", "rasa", "date"} <= set(report["machine"])
    assert {g["status"] for g in report["gates"]} == {ev.SKIPPED}
    assert "# Answer quality" in (tmp_path / "summary.md").read_text()
    assert "all gates pass" in capsys.readouterr().out


def test_main_exits_one_and_names_the_gate_that_failed(tmp_path, monkeypatch, capsys):
    def fake_faq(gates):
        gates["faq_dev_top1"].check(0.80)
        gates["faq_dev_top3"].check(0.97)
        gates["faq_dev_out_of_scope_declined"].check(0.95)
        return {}

    monkeypatch.setattr(ev, "run_faq", fake_faq)
    skip = [s for s in SKIP_ALL if s != "--skip-faq"]
    assert ev.main([*skip, "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "FAILED gate: faq_dev_top1" in out
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["passed"] is False
    assert "**FAIL**" in (tmp_path / "summary.md").read_text()


def test_a_part_that_crashes_fails_its_gates(tmp_path, monkeypatch):
    def broken_core(out, gates):
        raise RuntimeError("rasa is not installed")

    monkeypatch.setattr(ev, "run_core", broken_core)
    skip = [s for s in SKIP_ALL if s != "--skip-core"]
    assert ev.main([*skip, "--out", str(tmp_path)]) == 1
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["core"]["error"].startswith("RuntimeError")
    assert [g["name"] for g in report["gates"] if g["status"] == ev.FAIL] == ["core_stories"]


def test_the_summary_links_the_confusion_chart_and_lists_the_figures():
    gates = ev.make_gates()
    gates["nlu_macro_f1"].check(0.93)
    gates["nlu_request_human_recall"].check(0.90)
    report = {
        "mode": "ci",
        "seconds": 600,
        "machine": {"date": "2026-01-01", "platform": "Linux", "cpu_count": 2, "python": "3.10", "rasa": "3.6.21"},
        "gates": [ev.asdict(g) for g in gates.values()],
        "nlu": {
            "folds": 5,
            **ev.intent_figures(SAMPLE_INTENT_REPORT),
            "errors": [],
            "confusion_chart": {"file": "intent_confusion.png", "drawn_by": "rasa"},
        },
        "faq": {
            # What the FAQ part records (the deployment's defaults), so the summary keeps up with it.
            "thresholds": dataclasses.asdict(ev.default_thresholds()),
            "published_entries": 78,
            "dev": {"n": 222, "top1": 0.88, "top3": 0.96, "mrr": 0.92, "answered_right": 0.8},
            "dev_out_of_scope": {"n": 89, "declined": 0.95},
            "test_note": "tests/data/faq_testset.yml does not exist yet",
        },
    }
    summary = ev.render_summary(report)
    assert "![Intent confusion matrix](intent_confusion.png)" in summary
    assert "| Recall of `request_human` (5-fold) | 0.900 | ≥ 0.95 | **FAIL** |" in summary
    assert "FAILED: nlu_request_human_recall" in summary
    assert "| dev (gated) | 222 | 0.880 | 0.960 | 0.920 | 0.800 | 0.950 (n=89) |" in summary
    assert "does not exist yet" in summary
    assert "answer-model confidence of 0.78" in summary


def test_the_summary_says_which_parts_were_not_measured():
    gates = ev.make_gates()
    report = {
        "mode": "default",
        "seconds": 60,
        "machine": {"date": "2026-01-01", "platform": "Linux", "cpu_count": 2, "python": "3.10", "rasa": "3.6.21"},
        "gates": [ev.asdict(g) for g in gates.values()],
        "nlu": {"error": "rasa test nlu failed (exit 1)"},
        "core": {"error": "RuntimeError: boom"},
        "faq": {"error": "OperationalError: no such table"},
        "conversations": {"error": "RuntimeError: The stack did not become ready"},
    }
    summary = ev.render_summary(report)
    assert summary.count("Not measured:") == 4


def test_run_logged_keeps_the_output_and_returns_the_exit_code(tmp_path):
    import sys

    log = tmp_path / "out.log"
    code = ev.run_logged([sys.executable, "-c", "print('trained'); raise SystemExit(3)"], log, timeout=60)
    assert code == 3
    assert "trained" in log.read_text()


def test_failed_stories_are_named_from_rasas_file(tmp_path):
    path = tmp_path / "failed_test_stories.yml"
    assert ev._failed_story_names(path) == []
    path.write_text("# None of the test stories failed - all good!")
    assert ev._failed_story_names(path) == []
    path.write_text("version: '3.1'\nstories:\n- story: handoff (tests/rasa/test_stories.yml)\n  steps: []\n")
    assert ev._failed_story_names(path) == ["handoff (tests/rasa/test_stories.yml)"]


def test_a_cross_validation_is_reused_only_for_the_same_inputs_and_folds(tmp_path):
    assert "no finished cross-validation" in ev.reusable_nlu(tmp_path, 5)
    (tmp_path / "intent_report.json").write_text("{}")
    assert "no finished cross-validation" in ev.reusable_nlu(tmp_path, 5)  # no record of its inputs
    (tmp_path / ev.NLU_INPUTS).write_text(ev.nlu_inputs(5) + "\n")
    assert ev.reusable_nlu(tmp_path, 5) is None
    assert "changed" in ev.reusable_nlu(tmp_path, 3)
    (tmp_path / ev.NLU_INPUTS).write_text("0123456789abcdef folds=5\n")
    assert "changed" in ev.reusable_nlu(tmp_path, 5)


def test_other_works_share_of_the_machine_is_what_we_did_not_use():
    assert ev.busy_figures(machine_busy_s=300.0, ours_s=120.0, wall_s=100.0) == {
        "machine_cores_busy": 3.0,
        "ours_cores_busy": 1.2,
        "others_cores_busy": 1.8,
    }
    assert ev.busy_figures(50.0, 80.0, 100.0)["others_cores_busy"] == 0.0  # never negative
    assert ev.busy_figures(1.0, 1.0, 0.0)["others_cores_busy"] is None


def test_the_summary_says_how_busy_the_machine_was():
    busy = {"others_cores_busy": 1.4, "ours_cores_busy": 0.9, "cpu_count": 2, "load_average_at_start": 6.2}
    assert ev.busy_line(busy).startswith("The machine was busy with other work: it used 1.40 of 2 cores")
    assert "pessimistic" in ev.busy_line(busy)
    assert ev.busy_line({"others_cores_busy": 0.1}).startswith("The machine was otherwise idle")
    assert "not measured" in ev.busy_line({})


def test_conversation_figures_tell_a_search_miss_from_a_routing_miss():
    outcomes = [
        {"text": "a", "right": True, "search_alone_right": True, "seconds": 1.0},
        {"text": "b", "right": False, "search_alone_right": True, "seconds": 3.0},  # routed elsewhere
        {"text": "c", "right": False, "search_alone_right": False, "seconds": 2.0},  # the search misses too
        {"text": "d", "right": False, "search_alone_right": False, "error": "ConnectionError: refused"},
    ]
    figures = ev.conversation_figures(outcomes, of=222, sample=4)
    assert figures["n"] == 4 and figures["missed"] == 3
    assert figures["answered_right"] == 0.25
    assert figures["search_alone_answered_right"] == 0.5
    assert figures["misses_routed_elsewhere"] == 1
    assert figures["errors"] == 1
    assert figures["reply_seconds_median"] == 2.0  # of the three that were sent
    assert figures["sample"] == "4, evenly spread"
    assert [m["text"] for m in figures["misses"]] == ["b", "c", "d"]
    assert ev.conversation_figures(outcomes, of=4, sample=None)["sample"] == "all"


def test_only_parts_measured_on_the_same_model_and_not_failed_are_reused():
    earlier = {
        "machine": {"model": "mutuals-abc.tar.gz"},
        "faq": {"dev": {}},
        "core": {"exit_code": 0},
        "conversations": {"error": "RuntimeError: the stack did not become ready"},
    }
    taken, refused = ev.reusable_parts(earlier, ["faq", "core", "conversations", "nlu"], "mutuals-abc.tar.gz")
    assert list(taken) == ["faq", "core"]
    assert set(refused) == {"conversations", "nlu"}
    assert "failed" in refused["conversations"]
    taken, refused = ev.reusable_parts(earlier, ["faq"], "mutuals-def.tar.gz")
    assert taken == {} and "another model" in refused["faq"]


def test_reused_parts_get_their_gates_again():
    gates = ev.make_gates()
    ev.core_gates({"exit_code": 1, "failed_stories_file": "reports/eval/core/failed_test_stories.yml"}, gates)
    assert gates["core_stories"].status == ev.FAIL
    ev.nlu_gates({"macro_f1": 0.93, "watched_recall": 0.94}, gates)
    assert gates["nlu_macro_f1"].status == ev.PASS
    assert gates["nlu_request_human_recall"].status == ev.FAIL
    faq = {"dev": {"top1": 0.9, "top3": 0.96}, "dev_out_of_scope": {"declined": 0.95}, "test_note": "no test set"}
    ev.faq_gates(faq, gates)
    assert gates["faq_dev_top1"].status == ev.PASS and gates["faq_test_top1"].status == ev.SKIPPED


def test_reuse_is_refused_in_ci_and_for_unknown_parts():
    with pytest.raises(SystemExit):
        ev.parse_args(["--ci", "--reuse", "faq"])
    with pytest.raises(SystemExit):
        ev.parse_args(["--reuse", "faq,everything"])
    assert ev.parse_args(["--reuse", "faq, core"]).reuse == "faq, core"
