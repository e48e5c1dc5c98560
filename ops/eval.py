"""Answer quality, measured, with gates: `make eval` (and `make eval-ci` in CI).

    python -m ops.eval                 # everything; conversations on a sample of 40 questions
    python -m ops.eval --ci            # the same gates, sized for CI (5 folds, 20 conversations)
    python -m ops.eval --full          # conversations for every dev-set question
    python -m ops.eval --skip-nlu --skip-conversations   # quicker, while developing
    python -m ops.eval --skip-nlu --skip-core --skip-faq --skip-conversations   # visitors only

Four parts, each written to reports/eval/:

1. NLU: 5-fold cross-validation of the intent classifier with Rasa's own tooling
   (`rasa test nlu --cross-validation`). Gates: intent macro F1 >= 0.90 and the recall of
   `request_human` >= 0.95.
2. Dialogue: `rasa test core --fail-on-prediction-errors` on tests/rasa/test_stories.yml
   with the current model. Gate: every test story is predicted.
3. FAQ search on a fresh store with the real content: top-1, top-3, mean reciprocal rank,
   answered outright and right, and out-of-scope messages declined, for the dev set (gated)
   and the held-out test set (reported, with a warning only).
4. Whole conversations through the widget gateway on a running stack: the share of dev-set
   questions whose reply contains the labelled answer, and the reply times.
5. What visitors get (`ops.visitors`): realistic messages written independently of `data/`,
   each the first message of a new conversation through the gateway, graded by kind. Gates
   on the frozen test set: FAQ right >= 0.92, handoff started >= 0.98, out of scope
   declined >= 0.95, ambassador requests right >= 0.95, follow-ups right >= 0.85, and of
   the answers given, right >= 0.95. The dev set (for tuning) is reported only.

Writes reports/eval/eval.json and reports/eval/summary.md, prints the summary and exits 1
when a gate fails, naming it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from ops import visitors
from ops.measure import machine_cpu_seconds, percentile

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "eval"
DATA = ROOT / "tests" / "data"
DEVSET = DATA / "faq_devset.yml"
TESTSET = DATA / "faq_testset.yml"
OUT_OF_SCOPE = DATA / "out_of_scope.yml"
TEST_STORIES = ROOT / "tests" / "rasa" / "test_stories.yml"
RASA = str(Path(sys.executable).parent / "rasa")

FOLDS = 5
EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
CONVERSATION_SAMPLE = 40
CI_CONVERSATION_SAMPLE = 20  # CI's time: the conversations have no gate, the gates are all kept
RANK_DEPTH = 10  # the reciprocal rank counts an entry found within the top 10
NOT_FOUND_RETRIES = 5
ANSWER_PREFIX = 60  # a reply is right when it contains this many first characters of the answer
WATCHED_INTENT = "request_human"

# The gates. Hard gates fail the run; soft ones (the held-out test set) only warn.
MIN_INTENT_MACRO_F1 = 0.90
MIN_REQUEST_HUMAN_RECALL = 0.95
MIN_TOP1 = 0.85
MIN_TOP3 = 0.95
MIN_OUT_OF_SCOPE_DECLINED = 0.90

VISITOR_GATES = visitors.GATES

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"


def say(message: str) -> None:
    print(message, flush=True)


# ----------------------------------------------------------------------------- gates


@dataclass
class Gate:
    name: str
    description: str
    threshold: float | None
    value: float | None = None
    hard: bool = True
    status: str = SKIPPED
    detail: str = ""

    def check(self, value: float | None, detail: str = "") -> Gate:
        """Set the measured value: passes when it is at least the threshold."""
        self.value = value
        self.detail = detail
        if value is None:
            self.status = FAIL
            self.detail = detail or "not measured"
        elif self.threshold is None:
            self.status = PASS if value else FAIL
        else:
            self.status = PASS if value >= self.threshold else FAIL
        return self

    def skip(self, detail: str) -> Gate:
        self.value, self.status, self.detail = None, SKIPPED, detail
        return self

    @property
    def failed(self) -> bool:
        return self.hard and self.status == FAIL

    @property
    def warned(self) -> bool:
        return not self.hard and self.status == FAIL


def failed_gates(gates: Iterable[Gate]) -> list[Gate]:
    return [g for g in gates if g.failed]


def warnings(gates: Iterable[Gate]) -> list[Gate]:
    return [g for g in gates if g.warned]


def exit_code(gates: Iterable[Gate]) -> int:
    return 1 if failed_gates(gates) else 0


# ----------------------------------------------------------------------------- metrics


def share(count: float, total: int) -> float | None:
    return round(count / total, 4) if total else None


def reciprocal_rank(ranked: Sequence[str], expected: str, depth: int = RANK_DEPTH) -> float:
    """1/position of the expected entry within the first `depth`, else 0."""
    for position, entry_id in enumerate(ranked[:depth], start=1):
        if entry_id == expected:
            return 1.0 / position
    return 0.0


def in_top(ranked: Sequence[str], expected: str, k: int) -> bool:
    return expected in ranked[:k]


def score_questions(results: Sequence[dict]) -> dict:
    """Search figures for labelled questions.

    Each result has the question's `text`, its label `faq_id`, the `ranked` entry ids (best
    first, up to RANK_DEPTH) and the search's `decision` with the default thresholds.
    """
    n = len(results)
    top1 = sum(in_top(r["ranked"], r["faq_id"], 1) for r in results)
    top3 = sum(in_top(r["ranked"], r["faq_id"], 3) for r in results)
    mrr = sum(reciprocal_rank(r["ranked"], r["faq_id"]) for r in results)
    answered_right = sum(
        r["decision"] == "answer" and bool(r["ranked"]) and r["ranked"][0] == r["faq_id"] for r in results
    )
    misses = [
        {
            "text": r["text"],
            "expected": r["faq_id"],
            "got": r["ranked"][:3],
            "rank": _rank_of(r["ranked"], r["faq_id"]),
            "decision": r["decision"],
        }
        for r in results
        if not in_top(r["ranked"], r["faq_id"], 1)
    ]
    return {
        "n": n,
        "top1": share(top1, n),
        "top3": share(top3, n),
        "mrr": round(mrr / n, 4) if n else None,
        "answered_right": share(answered_right, n),
        "misses": misses,
    }


def _rank_of(ranked: Sequence[str], expected: str) -> int | None:
    return ranked.index(expected) + 1 if expected in ranked else None


def score_out_of_scope(results: Sequence[dict]) -> dict:
    """The share of out-of-scope messages that get no "answer" decision."""
    answered = [r for r in results if r["decision"] == "answer"]
    return {
        "n": len(results),
        "declined": share(len(results) - len(answered), len(results)),
        "answered": [{"text": r["text"], "got": r["ranked"][:1]} for r in answered],
    }


def evenly_spread(items: Sequence, n: int | None) -> list:
    """A fixed sample of n items spread evenly through the list (all of them if n is None)."""
    if n is None or n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def normalise(text: str) -> str:
    return " ".join(text.split())


def reply_has_answer(reply_texts: Iterable[str], answer: str, chars: int = ANSWER_PREFIX) -> bool:
    """True if any reply contains the answer's first `chars` characters.

    Whitespace is compared collapsed: the action joins an answer's paragraphs with one
    line break instead of a blank line.
    """
    prefix = normalise(answer)[:chars]
    return bool(prefix) and any(prefix in normalise(text or "") for text in reply_texts)


SUMMARY_ROWS = ("macro avg", "weighted avg", "micro avg", "accuracy")


def intent_figures(report: dict, watched: str = WATCHED_INTENT) -> dict:
    """The figures from Rasa's intent_report.json (a scikit-learn classification report,
    one entry per intent, with `confused_with` added by Rasa)."""
    intents = {
        name: {
            "precision": round(float(row["precision"]), 4),
            "recall": round(float(row["recall"]), 4),
            "f1": round(float(row["f1-score"]), 4),
            "support": int(row["support"]),
            "confused_with": row.get("confused_with", {}),
        }
        for name, row in report.items()
        if name not in SUMMARY_ROWS and isinstance(row, dict) and "f1-score" in row
    }
    macro = report.get("macro avg")
    if isinstance(macro, dict) and "f1-score" in macro:
        macro_f1 = float(macro["f1-score"])
        macro_precision, macro_recall = float(macro["precision"]), float(macro["recall"])
    elif intents:
        macro_f1 = sum(i["f1"] for i in intents.values()) / len(intents)
        macro_precision = sum(i["precision"] for i in intents.values()) / len(intents)
        macro_recall = sum(i["recall"] for i in intents.values()) / len(intents)
    else:
        macro_f1 = macro_precision = macro_recall = None
    accuracy = report.get("accuracy")
    if not isinstance(accuracy, int | float):
        micro = report.get("micro avg")
        accuracy = micro.get("f1-score") if isinstance(micro, dict) else None

    def _round(value):
        return round(value, 4) if value is not None else None

    return {
        "examples": sum(i["support"] for i in intents.values()),
        "intent_count": len(intents),
        "macro_f1": _round(macro_f1),
        "macro_precision": _round(macro_precision),
        "macro_recall": _round(macro_recall),
        "accuracy": _round(accuracy),
        "watched_intent": watched,
        "watched_recall": intents[watched]["recall"] if watched in intents else None,
        "intents": intents,
    }


def confusion_pairs(predictions: Iterable[dict]) -> list[tuple[str, str]]:
    """(true intent, predicted intent) from Rasa's intent_successes/intent_errors JSON."""
    pairs = []
    for row in predictions:
        predicted = (row.get("intent_prediction") or {}).get("name") or "None"
        pairs.append((row["intent"], predicted))
    return pairs


def confusion_matrix(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], list[list[int]]]:
    labels = sorted({label for pair in pairs for label in pair})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, predicted in pairs:
        matrix[index[true]][index[predicted]] += 1
    return labels, matrix


def draw_confusion(pairs: Sequence[tuple[str, str]], path: Path) -> None:
    """A confusion-matrix chart, for when Rasa did not draw one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = confusion_matrix(pairs)
    size = max(6, 0.45 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)))
    axes.set_yticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=90)
    axes.set_yticklabels(labels)
    axes.set_xlabel("Predicted intent")
    axes.set_ylabel("True intent")
    axes.set_title("Intent confusion (5-fold cross-validation)")
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                axes.text(j, i, str(count), ha="center", va="center", fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# ----------------------------------------------------------------------------- Rasa


def _rasa_env() -> dict[str, str]:
    return dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )


def run_logged(
    command: list[str],
    log_path: Path,
    timeout: float,
    progress: Callable[[str], tuple[str, str] | None] | None = None,
    every: float = 60.0,
) -> int:
    """Run a command with its output in a log file.

    `progress` reads the log so far and says where the command is, as (stage, line): the
    line is printed, with the time elapsed, when the stage changes and every `every` seconds.
    """
    started = time.monotonic()
    last_state = None
    last_print = started
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own rasa, fixed arguments
            command, cwd=ROOT, env=_rasa_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while True:
                try:
                    return process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                elapsed = time.monotonic() - started
                if elapsed > timeout:
                    say(f"  ! gave up after {elapsed:.0f} s; see {_rel(log_path)}")
                    return -1
                if progress is not None:
                    where = progress(log_path.read_text(errors="replace"))
                    if where and (where[0] != last_state or time.monotonic() - last_print >= every):
                        say(f"  {where[1]} ({_minutes(elapsed)} elapsed)")
                        last_state, last_print = where[0], time.monotonic()
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


NLU_INPUTS = "inputs.txt"  # in the nlu folder: the fingerprint of what was cross-validated


def nlu_inputs(folds: int) -> str:
    """What a cross-validation result depends on: the training inputs and the folds."""
    from ops.model import fingerprint

    return f"{fingerprint()} folds={folds}"


def reusable_nlu(work: Path, folds: int) -> str | None:
    """Why the cross-validation in `work` cannot be reused, or None if it can."""
    marker = work / NLU_INPUTS
    if not (work / "intent_report.json").exists() or not marker.exists():
        return f"no finished cross-validation in {_rel(work)}"
    if marker.read_text().strip() != nlu_inputs(folds):
        return "the training data, domain, config or folds changed since it ran"
    return None


def run_nlu(out: Path, folds: int, gates: dict[str, Gate], reuse: bool = False) -> dict:
    work = out / "nlu"
    if reuse:
        why_not = reusable_nlu(work, folds)
        if why_not is None:
            say(f"NLU: reusing the {folds}-fold cross-validation in {_rel(work)} (same training inputs)")
            result = json.loads((work / "result.json").read_text()) if (work / "result.json").exists() else {}
            result = {k: result[k] for k in ("command", "folds", "seconds", "cpu_seconds") if k in result}
            result = result or {"folds": folds}
            result["reused"] = True
            return read_nlu(out, work, gates, result)
        say(f"NLU: cannot reuse ({why_not}); running it")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = [
        sys.executable,  # rasa, with the folds' shuffle seeded (ops/rasa_seeded.py)
        "-m",
        "ops.rasa_seeded",
        "test",
        "nlu",
        "--nlu",
        "data/nlu",
        "--config",
        "config.yml",
        "--cross-validation",
        "--folds",
        str(folds),
        "--runs",
        "1",
        "--successes",
        "--out",
        str(work),
    ]
    say(f"NLU: {folds}-fold cross-validation of the intent classifier (trains {folds} models; several minutes)")
    say(f"  $ rasa {' '.join(command[3:])}  (folds shuffled with a fixed seed: ops/rasa_seeded.py)")
    trained_marker = "Your Rasa model is trained"

    def progress(log: str) -> tuple[str, str]:
        done = log.count(trained_marker)
        if done >= folds:
            return "evaluating", f"all {folds} folds trained; testing the last and writing the reports"
        epochs = EPOCHS.findall(log[log.rfind(trained_marker) + 1 :] if done else log)
        epoch = f", DIET epoch {epochs[-1][0]}/{epochs[-1][1]}" if epochs else ""
        return f"fold {done}", f"fold {done + 1}/{folds}: training{epoch} ({done} done)"

    started, cpu_before = time.monotonic(), _children_cpu()
    returncode = run_logged(command, work / "rasa.log", timeout=3 * 3600, progress=progress)
    seconds = round(time.monotonic() - started, 1)
    result: dict[str, Any] = {
        "command": " ".join(["rasa", *command[3:]]),
        "folds": folds,
        "seconds": seconds,
        # CPU time of the cross-validation, however busy the machine was: about what it
        # would take on one otherwise idle core (less when TensorFlow uses both).
        "cpu_seconds": round(_children_cpu() - cpu_before, 1),
    }
    report_path = work / "intent_report.json"
    if returncode != 0 or not report_path.exists():
        detail = f"rasa test nlu failed (exit {returncode}); see {_rel(work / 'rasa.log')}"
        say(f"  ! {detail}")
        result["error"] = detail
        gates["nlu_macro_f1"].check(None, detail)
        gates["nlu_request_human_recall"].check(None, detail)
        return result
    (work / NLU_INPUTS).write_text(nlu_inputs(folds) + "\n")
    (work / "result.json").write_text(json.dumps(result) + "\n")
    return read_nlu(out, work, gates, result)


def read_nlu(out: Path, work: Path, gates: dict[str, Gate], result: dict[str, Any]) -> dict:
    """The figures and gates from Rasa's cross-validation output in `work`."""
    report_path = work / "intent_report.json"
    seconds = result.get("seconds") or 0.0
    figures = intent_figures(json.loads(report_path.read_text()))
    result.update(figures)
    result["report"] = _rel(report_path)
    chart = out / "intent_confusion.png"
    rasa_chart = work / "intent_confusion_matrix.png"
    if rasa_chart.exists():
        shutil.copyfile(rasa_chart, chart)
        result["confusion_chart"] = {"file": chart.name, "drawn_by": "rasa"}
    else:
        predictions = []
        for name in ("intent_successes.json", "intent_errors.json"):
            if (work / name).exists():
                predictions += json.loads((work / name).read_text())
        if predictions:
            draw_confusion(confusion_pairs(predictions), chart)
            result["confusion_chart"] = {"file": chart.name, "drawn_by": "ops.eval (matplotlib)"}
    errors = work / "intent_errors.json"
    if errors.exists():
        result["errors"] = [
            {
                "text": e["text"],
                "intent": e["intent"],
                "predicted": (e.get("intent_prediction") or {}).get("name"),
                "confidence": round(float((e.get("intent_prediction") or {}).get("confidence") or 0), 3),
            }
            for e in json.loads(errors.read_text())
        ]
    nlu_gates(figures, gates)
    say(
        f"  intent macro F1 {_fmt(figures['macro_f1'])}, accuracy {_fmt(figures['accuracy'])}, "
        f"{WATCHED_INTENT} recall {_fmt(figures['watched_recall'])} ({figures['examples']} examples, "
        f"{figures['intent_count']} intents) in {_minutes(seconds)}"
    )
    return result


def run_core(out: Path, gates: dict[str, Gate]) -> dict:
    from ops.model import ensure_model

    work = out / "core"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    say("Dialogue: rasa test core on the test stories")
    model = ensure_model(quiet=True)
    command = [
        RASA,
        "test",
        "core",
        "--model",
        str(model),
        "--stories",
        str(TEST_STORIES),
        "--fail-on-prediction-errors",
        "--out",
        str(work),
    ]
    started = time.monotonic()
    returncode = run_logged(command, work / "rasa.log", timeout=1800)
    seconds = round(time.monotonic() - started, 1)
    result: dict[str, Any] = {
        "command": f"rasa test core --model {_rel(model)} --stories {_rel(TEST_STORIES)} "
        "--fail-on-prediction-errors --out " + _rel(work),
        "model": _rel(model),
        "exit_code": returncode,
        "seconds": seconds,
        "stories": len((yaml.safe_load(TEST_STORIES.read_text()) or {}).get("stories", [])),
    }
    failed = work / "failed_test_stories.yml"
    failed_stories = _failed_story_names(failed)
    if failed_stories:
        result["failed_stories_file"] = _rel(failed)
        result["failed_stories"] = failed_stories
    story_report = work / "story_report.json"
    if story_report.exists():
        report = json.loads(story_report.read_text())
        for key in ("accuracy", "macro avg", "weighted avg"):
            if key in report:
                result[f"actions_{key.replace(' ', '_')}"] = report[key]
    core_gates(result, gates)
    say(
        f"  {result['stories']} stories: "
        + ("all predicted" if returncode == 0 else f"FAILED (exit {returncode}), {len(failed_stories)} failed")
        + f" in {seconds:.0f} s"
    )
    return result


def core_gates(result: dict, gates: dict[str, Gate]) -> None:
    code = result["exit_code"]
    detail = "" if code == 0 else f"exit {code}; failed stories in {result.get('failed_stories_file', 'the log')}"
    gates["core_stories"].check(1.0 if code == 0 else 0.0, detail)


def _failed_story_names(path: Path) -> list[str]:
    if not path.exists():
        return []
    try:
        stories = (yaml.safe_load(path.read_text()) or {}).get("stories") or []
    except yaml.YAMLError:
        return ["(unreadable: see the file)"]
    return [s.get("story", "?") for s in stories]


# ----------------------------------------------------------------------------- FAQ search


def default_thresholds():
    """The thresholds a default deployment uses (the Settings defaults, not the environment)."""
    from bot.config import Settings
    from bot.faq.service import Thresholds

    defaults = {name: field.default for name, field in Settings.__fields__.items() if name.startswith("faq_")}
    return Thresholds.of(SimpleNamespace(**defaults))


def _texts(items: Iterable[Any]) -> list[str]:
    return [item["text"] if isinstance(item, dict) else str(item) for item in items or []]


def load_testset(path: Path = TESTSET) -> tuple[dict | None, str]:
    """The held-out test set, or None with the reason it is skipped."""
    if not path.exists():
        return None, f"{_rel(path)} does not exist yet: the test-set figures are skipped"
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        return None, f"{_rel(path)} is not valid YAML ({exc.__class__.__name__}): skipped"
    questions = [q for q in data.get("questions") or [] if isinstance(q, dict) and q.get("text") and q.get("faq_id")]
    if not questions:
        return None, f"{_rel(path)} has no labelled questions: skipped"
    return {"questions": questions, "out_of_scope": _texts(data.get("out_of_scope"))}, ""


def run_faq(gates: dict[str, Gate]) -> dict:
    from bot.content import loader
    from bot.database import migrate
    from bot.database.core import make_engine, make_session_factory, session_scope
    from bot.faq import service as faq_service

    say("FAQ search: a fresh SQLite store with the real content")
    thresholds = default_thresholds()
    devset = yaml.safe_load(DEVSET.read_text())["questions"]
    out_of_scope = _texts(yaml.safe_load(OUT_OF_SCOPE.read_text())["messages"])
    testset, testset_note = load_testset()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mis-eval-faq-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'faq.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            loader.load(db_session=session)
        session = factory()
        try:
            known = {e.id for e in faq_service.list_published(db_session=session)}

            def search(text: str) -> dict:
                deep = faq_service.rank(db_session=session, query=text, limit=RANK_DEPTH)
                # The decision exactly as the assistant takes it: on the top 3.
                judgement = faq_service.judge_in_store(db_session=session, query=text, thresholds=thresholds)
                return {
                    "text": text,
                    "ranked": [c.entry_id for c in deep],
                    "decision": judgement.decision.value,
                }

            def labelled(questions: list[dict]) -> dict:
                results = [dict(search(q["text"]), faq_id=q["faq_id"]) for q in questions]
                figures = score_questions(results)
                unknown = sorted({q["faq_id"] for q in questions} - known)
                if unknown:
                    figures["unknown_labels"] = unknown
                return figures

            result: dict[str, Any] = {
                "thresholds": asdict(thresholds),
                "published_entries": len(known),
                "dev": labelled(devset),
                "dev_out_of_scope": score_out_of_scope([search(t) for t in out_of_scope]),
            }
            result["dev"]["source"] = _rel(DEVSET)
            result["dev_out_of_scope"]["source"] = _rel(OUT_OF_SCOPE)
            if testset is not None:
                result["test"] = labelled(testset["questions"])
                result["test"]["source"] = _rel(TESTSET)
                result["test_out_of_scope"] = score_out_of_scope([search(t) for t in testset["out_of_scope"]])
                result["test_out_of_scope"]["source"] = _rel(TESTSET)
                combined = out_of_scope + testset["out_of_scope"]
                result["all_out_of_scope"] = {
                    k: v
                    for k, v in score_out_of_scope([search(t) for t in combined]).items()
                    if k != "answered"  # already listed per set
                }
            else:
                result["test_note"] = testset_note
        finally:
            session.close()
            engine.dispose()
    result["seconds"] = round(time.monotonic() - started, 1)

    faq_gates(result, gates, testset_note)
    dev, dev_oos = result["dev"], result["dev_out_of_scope"]
    say(
        f"  dev set (n={dev['n']}): top-1 {_fmt(dev['top1'])}, top-3 {_fmt(dev['top3'])}, MRR {_fmt(dev['mrr'])}, "
        f"answered outright and right {_fmt(dev['answered_right'])}; "
        f"out of scope declined {_fmt(dev_oos['declined'])} (n={dev_oos['n']})"
    )
    if "test" in result:
        test, test_oos = result["test"], result["test_out_of_scope"]
        say(
            f"  test set (n={test['n']}): top-1 {_fmt(test['top1'])}, top-3 {_fmt(test['top3'])}, "
            f"MRR {_fmt(test['mrr'])}, answered outright and right {_fmt(test['answered_right'])}; "
            f"out of scope declined {_fmt(test_oos['declined'])} (n={test_oos['n']})"
        )
    else:
        say(f"  note: {testset_note}")
    return result


def faq_gates(result: dict, gates: dict[str, Gate], testset_note: str = "") -> None:
    dev, dev_oos = result["dev"], result["dev_out_of_scope"]
    gates["faq_dev_top1"].check(dev["top1"])
    gates["faq_dev_top3"].check(dev["top3"])
    gates["faq_dev_out_of_scope_declined"].check(dev_oos["declined"])
    if "test" in result:
        test, test_oos = result["test"], result["test_out_of_scope"]
        gates["faq_test_top1"].check(test["top1"])
        gates["faq_test_top3"].check(test["top3"])
        if test_oos["n"]:
            gates["faq_test_out_of_scope_declined"].check(test_oos["declined"])
        else:
            gates["faq_test_out_of_scope_declined"].skip("the test set has no out_of_scope messages")
    else:
        for name in ("faq_test_top1", "faq_test_top3", "faq_test_out_of_scope_declined"):
            gates[name].skip(testset_note or result.get("test_note", "no test set"))


def nlu_gates(result: dict, gates: dict[str, Gate]) -> None:
    gates["nlu_macro_f1"].check(result["macro_f1"])
    gates["nlu_request_human_recall"].check(
        result["watched_recall"], "" if result["watched_recall"] is not None else f"no {WATCHED_INTENT} examples"
    )


def visitors_gates(result: dict, gates: dict[str, Gate]) -> None:
    test = result["test"]
    for key, _threshold, _text in VISITOR_GATES:
        figure = test[key]
        gates[f"visitors_{key}"].check(figure["value"], f"{figure['right']}/{figure['n']}")


def run_visitors() -> dict:
    say("What visitors get: the realistic dev and test sets through the widget gateway")
    return visitors.run_sets(["dev", "test"], say=say)


GATES_OF = {
    "faq": faq_gates,
    "core": core_gates,
    "nlu": nlu_gates,
    "conversations": lambda _result, _gates: None,
    "visitors": visitors_gates,
}


def reusable_parts(earlier: dict, names: Iterable[str], model: str) -> tuple[dict, dict[str, str]]:
    """The named parts of an earlier report that can be taken as they are (measured on the
    same model, and not failed), and why each other one cannot."""
    taken, refused = {}, {}
    for name in names:
        if earlier.get("machine", {}).get("model") != model:
            refused[name] = "the earlier report was made with another model (or none is recorded)"
        elif not isinstance(earlier.get(name), dict):
            refused[name] = "the earlier report does not have it"
        elif "error" in earlier[name]:
            refused[name] = "it failed in the earlier report"
        else:
            taken[name] = earlier[name]
    return taken, refused


# ----------------------------------------------------------------------------- conversations


STACK_READY_S = 900  # Rasa loads its model in about a minute, many times that on a busy machine


@contextmanager
def full_stack(workdir: Path, model: Path):
    """The web service (a fresh SQLite store with the content), Rasa with the current model
    and the action server on free loopback ports, answering through the gateway. The
    gateway's per-address limits are lifted (this run is one address sending a
    conversation's worth a second); the per-conversation limit is not."""
    from bench.stack import FullStack
    from ops.bench import prepare_store

    url = f"sqlite:///{workdir / 'store.db'}"
    prepare_store(url)
    stack = FullStack.start(
        database_url=url, tracker_database_url=f"sqlite:///{workdir / 'tracker.db'}", model=model, workdir=workdir
    )
    try:
        stack.first_answer(deadline_seconds=STACK_READY_S)
        yield stack
    finally:
        stack.stop()


def conversation_figures(outcomes: Sequence[dict], of: int, sample: int | None) -> dict:
    """The figures of one set's conversations: each outcome has `right`,
    `search_alone_right` and, when it was sent, `seconds`."""
    times = [o["seconds"] for o in outcomes if "seconds" in o]
    right = sum(o["right"] for o in outcomes)
    return {
        "n": len(outcomes),
        "of": of,
        "sample": "all" if sample is None or sample >= of else f"{sample}, evenly spread",
        "answer_prefix_chars": ANSWER_PREFIX,
        "answered_right": share(right, len(outcomes)),
        "missed": len(outcomes) - right,
        "reply_seconds_median": _round3(percentile(times, 50) if times else None),
        "reply_seconds_p95": _round3(percentile(times, 95) if times else None),
        "search_alone_answered_right": share(sum(o["search_alone_right"] for o in outcomes), len(outcomes)),
        # Misses the FAQ search alone would have answered right: the message went elsewhere
        # (another intent, the fallback, a form) before reaching the search.
        "misses_routed_elsewhere": sum(not o["right"] and o["search_alone_right"] for o in outcomes),
        "errors": sum("error" in o for o in outcomes),
        # A first message that got 404 (conversation not found) right after the conversation
        # was created, and was sent again; the gateway now commits before answering.
        "not_found_retried": sum("not_found_retries" in o for o in outcomes),
        "misses": [o for o in outcomes if not o["right"]],
    }


def run_conversations(sample: int | None) -> dict:
    """One new conversation per question, through the widget gateway: dev-set questions,
    then (if it exists) held-out test-set questions, `sample` of each."""
    import requests
    from sqlalchemy.orm import Session

    from bot.database.core import make_engine
    from bot.faq import placeholders
    from bot.faq import service as faq_service
    from ops.model import ensure_model

    sets = {"dev": yaml.safe_load(DEVSET.read_text())["questions"]}
    testset, _note = load_testset()
    if testset is not None:
        sets["test"] = testset["questions"]
    chosen = {name: evenly_spread(questions, sample) for name, questions in sets.items()}
    say(
        "Conversations through the widget gateway: "
        + ", ".join(f"{len(chosen[name])} of {len(sets[name])} {name}-set questions" for name in sets)
        + " (starting the web service, Rasa and the action server)"
    )
    started = time.monotonic()
    results: dict[str, dict] = {}
    with (
        tempfile.TemporaryDirectory(prefix="mis-eval-stack-") as tmp,
        full_stack(Path(tmp), ensure_model(True)) as stack,
    ):
        say(f"  stack ready in {time.monotonic() - started:.0f} s at {stack.web_url}")
        engine = make_engine(stack.settings.database_url)
        thresholds = default_thresholds()
        with Session(engine) as session:
            answers = {
                e.id: placeholders.fill(e.answer, stack.settings)
                for e in faq_service.list_published(db_session=session)
            }
            # What the FAQ search alone decides, to tell a search miss from a routing miss.
            alone = {}
            for item in (q for questions in chosen.values() for q in questions):
                judgement = faq_service.judge_in_store(db_session=session, query=item["text"], thresholds=thresholds)
                alone[item["text"]] = (
                    judgement.decision.value == "answer" and judgement.ranked[0].entry_id == item["faq_id"]
                )
        engine.dispose()
        http = requests.Session()
        for name, questions in chosen.items():
            outcomes = []
            for number, item in enumerate(questions, start=1):
                outcomes.append(_converse(http, stack.web_url, item, answers, alone[item["text"]]))
                if number % 10 == 0 or number == len(questions):
                    right = sum(o["right"] for o in outcomes)
                    say(f"  {name}: {number}/{len(questions)} sent, {right} answered right so far")
            results[name] = conversation_figures(outcomes, len(sets[name]), sample)
            results[name]["source"] = _rel(DEVSET if name == "dev" else TESTSET)
    result = dict(results["dev"])
    if "test" in results:
        result["test"] = results["test"]
    result["seconds"] = round(time.monotonic() - started, 1)
    for name, figures in results.items():
        say(
            f"  {name}: answered right {_fmt(figures['answered_right'])} ({figures['n'] - figures['missed']}/"
            f"{figures['n']}); reply time median {_fmt(figures['reply_seconds_median'], 2)} s, p95 "
            f"{_fmt(figures['reply_seconds_p95'], 2)} s; the FAQ search alone answers "
            f"{_fmt(figures['search_alone_answered_right'])} of them right, and "
            f"{figures['misses_routed_elsewhere']} misses were routed away from the search"
        )
        if figures["not_found_retried"]:
            say(
                f"  note: {figures['not_found_retried']} first messages got 404 (conversation not found) right "
                "after the conversation was created, and were sent again"
            )
    return result


def _converse(http, web_url: str, item: dict, answers: dict[str, str], search_alone_right: bool) -> dict:
    """A new conversation, the question as its first message; whether a reply has the answer."""
    import requests

    outcome: dict[str, Any] = {"text": item["text"], "faq_id": item["faq_id"], "search_alone_right": search_alone_right}
    try:
        created = http.post(f"{web_url}/chat/api/conversations", timeout=30)
        created.raise_for_status()
        conversation = created.json()
        for attempt in range(1, NOT_FOUND_RETRIES + 2):
            sent_at = time.monotonic()
            response = http.post(
                f"{web_url}/chat/api/conversations/{conversation['conversation_id']}/messages",
                json={"text": item["text"]},
                headers={"Authorization": f"Bearer {conversation['token']}"},
                timeout=60,
            )
            outcome["seconds"] = round(time.monotonic() - sent_at, 3)
            if response.status_code != 404 or attempt > NOT_FOUND_RETRIES:
                break
            # The new conversation is not readable yet: see `not_found_retries`.
            outcome["not_found_retries"] = attempt
            time.sleep(0.2 * attempt)
        response.raise_for_status()
        texts = [r.get("text") or "" for r in response.json().get("replies", [])]
        outcome["right"] = reply_has_answer(texts, answers.get(item["faq_id"], ""))
        outcome["replies"] = [t[:160] for t in texts]
    except (requests.RequestException, ValueError, KeyError) as exc:
        outcome["right"] = False
        outcome["error"] = f"{exc.__class__.__name__}: {exc}"
    return outcome


def _round3(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


# ----------------------------------------------------------------------------- report


# The visitor gates fail `make eval` but, until they pass on a fresh clone, only warn in CI
# (`--ci`): a failing gate there would stop every change from landing, including the ones
# that raise these figures. Set to True once `make eval` passes them (docs/evaluation.md).
VISITOR_GATES_HARD_IN_CI = False


def make_gates(ci: bool = False) -> dict[str, Gate]:
    gates = [
        Gate("nlu_macro_f1", "Intent macro F1 (5-fold cross-validation)", MIN_INTENT_MACRO_F1),
        Gate("nlu_request_human_recall", f"Recall of `{WATCHED_INTENT}` (5-fold)", MIN_REQUEST_HUMAN_RECALL),
        Gate("core_stories", "Every test story predicted (`rasa test core`)", None),
        Gate("faq_dev_top1", "FAQ dev set top-1", MIN_TOP1),
        Gate("faq_dev_top3", "FAQ dev set top-3", MIN_TOP3),
        Gate("faq_dev_out_of_scope_declined", "Out-of-scope messages declined (dev)", MIN_OUT_OF_SCOPE_DECLINED),
        Gate("faq_test_top1", "FAQ test set top-1 (warning only)", MIN_TOP1, hard=False),
        Gate("faq_test_top3", "FAQ test set top-3 (warning only)", MIN_TOP3, hard=False),
        Gate(
            "faq_test_out_of_scope_declined",
            "Out-of-scope messages declined (test, warning only)",
            MIN_OUT_OF_SCOPE_DECLINED,
            hard=False,
        ),
    ]
    hard = VISITOR_GATES_HARD_IN_CI or not ci
    gates += [
        Gate(f"visitors_{key}", f"{text} (visitors test set)", threshold, hard=hard)
        for key, threshold, text in VISITOR_GATES
    ]
    return {g.name: g for g in gates}


def machine() -> dict:
    from importlib.metadata import version

    def _git(*args: str) -> str | None:
        try:
            return subprocess.run(  # noqa: S603 - fixed arguments
                ["git", *args],  # noqa: S607 - git from PATH
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    from ops.model import model_path

    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain")
    return {
        # Named by a hash of config.yml, domain.yml and the training data.
        "model": model_path().name,
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "rasa": version("rasa"),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": (commit + ("+changes" if dirty else "")) if commit else None,
    }


class BusyMeter:
    """How many cores other work kept busy during the run: the machine's busy CPU time
    minus ours (this process and the children it has waited for: Rasa and the stack)."""

    def __init__(self):
        self._machine = machine_cpu_seconds()[0]
        self._ours = _our_cpu()
        self._wall = time.monotonic()
        self._load = os.getloadavg()[0]

    def stop(self) -> dict:
        wall = time.monotonic() - self._wall
        machine_busy = machine_cpu_seconds()[0] - self._machine
        ours = _our_cpu() - self._ours
        return {
            "load_average_at_start": round(self._load, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2),
            **busy_figures(machine_busy, ours, wall),
        }


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _our_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def busy_figures(machine_busy_s: float, ours_s: float, wall_s: float) -> dict:
    """Cores busy on average: the whole machine's, ours and other work's."""
    if wall_s <= 0:
        return {"machine_cores_busy": None, "ours_cores_busy": None, "others_cores_busy": None}
    return {
        "machine_cores_busy": round(machine_busy_s / wall_s, 2),
        "ours_cores_busy": round(ours_s / wall_s, 2),
        "others_cores_busy": round(max(0.0, machine_busy_s - ours_s) / wall_s, 2),
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _gate_value(gate: Gate) -> str:
    if gate.value is None:
        return "n/a"
    if gate.threshold is None:
        return "yes" if gate.value else "no"
    return _fmt(gate.value)


def _gate_result(gate: Gate) -> str:
    if gate.status == PASS:
        return "pass"
    if gate.status == SKIPPED:
        return "skipped"
    return "**FAIL**" if gate.hard else "warning"


def busy_line(m: dict) -> str:
    """How busy the machine was with other work, from the run's figures."""
    others = m.get("others_cores_busy")
    if others is None:
        return "How busy the machine was with other work was not measured."
    state = "The machine was busy with other work" if others >= 0.25 else "The machine was otherwise idle"
    return (
        f"{state}: it used {others:.2f} of {m.get('cpu_count', '?')} cores on average during the run "
        f"(this run {_fmt(m.get('ours_cores_busy'), 2)}; load average {_fmt(m.get('load_average_at_start'), 1)} "
        f"at the start, {_fmt(m.get('load_average_at_end'), 1)} at the end), so the times are pessimistic."
        if others >= 0.25
        else f"{state}: other work used {others:.2f} cores on average during the run."
    )


def render_summary(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# Answer quality (`make eval`)",
        "",
        f"{m['date']} · mode `{report['mode']}` · {report['seconds'] / 60:.1f} min · {m['platform']}, "
        f"{m['cpu_count']} CPUs · Python {m['python']} · Rasa {m['rasa']}"
        + (f" · commit {m['git_commit']}" if m.get("git_commit") else "")
        + (f" · model {m['model']}" if m.get("model") else ""),
        "",
        busy_line(m),
        "",
        "## Gates",
        "",
        "| Gate | Measured | Needs | Result |",
        "|---|---|---|---|",
    ]
    for gate in report["gates"]:
        needs = "exit 0" if gate["threshold"] is None else f"≥ {gate['threshold']:.2f}"
        g = Gate(**gate)
        lines.append(f"| {g.description} | {_gate_value(g)} | {needs} | {_gate_result(g)} |")
    failed = [g for g in report["gates"] if g["hard"] and g["status"] == FAIL]
    lines += ["", f"**Result: {'FAILED: ' + ', '.join(g['name'] for g in failed) if failed else 'all gates pass'}**"]

    nlu = report.get("nlu")
    if nlu:
        lines += ["", "## NLU (intent classifier, cross-validation)", ""]
        if "error" in nlu:
            lines.append(f"Not measured: {nlu['error']}")
        else:
            lines.append(
                f"{nlu['folds']} folds, {nlu['examples']} examples, {nlu['intent_count']} intents: macro F1 "
                f"{_fmt(nlu['macro_f1'])}, macro precision {_fmt(nlu['macro_precision'])}, macro recall "
                f"{_fmt(nlu['macro_recall'])}, accuracy {_fmt(nlu['accuracy'])}; `{WATCHED_INTENT}` recall "
                f"{_fmt(nlu['watched_recall'])}. {len(nlu.get('errors', []))} misclassified examples "
                f"(nlu/intent_errors.json)."
            )
            weakest = sorted(nlu["intents"].items(), key=lambda kv: kv[1]["f1"])[:5]
            lines += [
                "",
                "Weakest intents:",
                "",
                "| Intent | Precision | Recall | F1 | Examples |",
                "|---|---|---|---|---|",
            ]
            lines += [
                f"| {name} | {_fmt(i['precision'])} | {_fmt(i['recall'])} | {_fmt(i['f1'])} | {i['support']} |"
                for name, i in weakest
            ]
            if nlu.get("confusion_chart"):
                lines += ["", f"![Intent confusion matrix]({nlu['confusion_chart']['file']})"]

    core = report.get("core")
    if core:
        lines += ["", "## Dialogue (test stories)", ""]
        if "error" in core:
            lines.append(f"Not measured: {core['error']}")
            core = None
    if core:
        text = f"{core['stories']} stories, `rasa test core` exit {core['exit_code']}"
        if core.get("failed_stories"):
            text += f"; failed: {', '.join(core['failed_stories'])} (see {core['failed_stories_file']})"
        lines.append(text + ".")

    faq = report.get("faq")
    if faq and "error" in faq:
        lines += ["", "## FAQ search", "", f"Not measured: {faq['error']}"]
    elif faq:
        lines += [
            "",
            "## FAQ search",
            "",
            f"Answered outright at an answer-model confidence of {faq['thresholds']['confidence']}; "
            f"\"did you mean\" from a score of {faq['thresholds']['suggest']}; "
            f"{faq['published_entries']} published entries.",
            "",
            "| Set | Questions | Top-1 | Top-3 | MRR@10 | Answered outright and right | Out of scope declined |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, label in (("dev", "dev (gated)"), ("test", "test (held out)")):
            if key in faq:
                s, o = faq[key], faq[f"{key}_out_of_scope"]
                lines.append(
                    f"| {label} | {s['n']} | {_fmt(s['top1'])} | {_fmt(s['top3'])} | {_fmt(s['mrr'])} | "
                    f"{_fmt(s['answered_right'])} | {_fmt(o['declined'])} (n={o['n']}) |"
                )
        if "all_out_of_scope" in faq:
            a = faq["all_out_of_scope"]
            lines.append(f"\nAll out-of-scope messages together: {_fmt(a['declined'])} declined (n={a['n']}).")
        if faq.get("test_note"):
            lines.append(f"\nTest set: {faq['test_note']}.")

    conv = report.get("conversations")
    if conv:
        lines += ["", "## Whole conversations through the gateway", ""]
        if "error" in conv:
            lines.append(f"Not measured: {conv['error']}")
        else:
            lines.append(
                f"{conv['n']} dev-set questions ({conv['sample']}): answered right {_fmt(conv['answered_right'])}; "
                f"reply time median {_fmt(conv['reply_seconds_median'], 2)} s, p95 "
                f"{_fmt(conv['reply_seconds_p95'], 2)} s. No gate. The FAQ search alone answers "
                f"{_fmt(conv['search_alone_answered_right'])} of the same questions outright and right; "
                f"{conv['misses_routed_elsewhere']} of the {conv['missed']} misses were routed away from the search "
                "(another intent, the fallback or a form took them)."
            )
            test = conv.get("test")
            if test:
                lines.append(
                    f"\nHeld-out test set, {test['n']} questions ({test['sample']}): answered right "
                    f"{_fmt(test['answered_right'])}; reply time median {_fmt(test['reply_seconds_median'], 2)} s, "
                    f"p95 {_fmt(test['reply_seconds_p95'], 2)} s; the FAQ search alone "
                    f"{_fmt(test['search_alone_answered_right'])}; {test['misses_routed_elsewhere']} of the "
                    f"{test['missed']} misses routed away from the search."
                )
            if conv.get("not_found_retried"):
                lines.append(
                    f"\n{conv['not_found_retried']} first messages got 404 right after their conversation was "
                    "created (the web service commits a new conversation after responding) and were sent again."
                )
    vis = report.get("visitors")
    if vis:
        lines += ["", "## What visitors get (realistic sets through the gateway)", ""]
        if "error" in vis:
            lines.append(f"Not measured: {vis['error']}")
        else:
            for name in ("test", "dev"):
                if name in vis:
                    lines += visitors.describe(
                        name + (" (gated)" if name == "test" else " (tuning; no gate)"), vis[name]
                    )
                    lines.append("")
            lines.append("The misses of each set are in `eval.json` (visitors.<set>.misses).")
    reused = [
        f"{name} from {report[name]['reused_from']}"
        for name in ("faq", "core", "conversations", "nlu", "visitors")
        if isinstance(report.get(name), dict) and report[name].get("reused_from")
    ]
    if reused:
        lines += ["", f"Taken from earlier runs with the same model (`--reuse`): {'; '.join(reused)}."]
    skipped = report.get("skipped") or []
    if skipped:
        lines += ["", f"Skipped parts: {', '.join(skipped)}."]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--ci", action="store_true", help="CI: the same gates, 5 folds, a sample of 20 conversations")
    parser.add_argument("--full", action="store_true", help="conversations for every dev-set question")
    parser.add_argument("--folds", type=int, default=FOLDS, help="cross-validation folds (the gate is defined on 5)")
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help=f"conversations to hold (default {CONVERSATION_SAMPLE}, {CI_CONVERSATION_SAMPLE} with --ci)",
    )
    parser.add_argument("--out", type=Path, default=REPORTS, help="where to write the reports")
    parser.add_argument(
        "--reuse",
        default="",
        help="parts to take from an earlier report made with the same model, e.g. faq,core (not for CI)",
    )
    parser.add_argument(
        "--reuse-from",
        type=Path,
        action="append",
        help="the earlier report (default OUT/eval.json); several: the first that has a part gives it",
    )
    parser.add_argument(
        "--reuse-nlu",
        action="store_true",
        help="take the cross-validation already in OUT/nlu if it ran on the same training inputs and folds",
    )
    for part in ("nlu", "core", "faq", "conversations", "visitors"):
        parser.add_argument(f"--skip-{part}", action="store_true", help=f"skip the {part} part (development)")
    args = parser.parse_args(argv)
    if args.ci and (args.full or args.folds != FOLDS):
        parser.error(f"--ci uses {FOLDS} folds and a sample of {CI_CONVERSATION_SAMPLE} conversations")
    unknown = {n.strip() for n in args.reuse.split(",") if n.strip()} - set(GATES_OF)
    if unknown:
        parser.error(f"--reuse takes {', '.join(GATES_OF)}, not {', '.join(sorted(unknown))}")
    if args.ci and (args.reuse or args.reuse_nlu):
        parser.error("--ci measures everything: no --reuse")
    if args.sample is None:
        args.sample = CI_CONVERSATION_SAMPLE if args.ci else CONVERSATION_SAMPLE
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    gates = make_gates(ci=args.ci)
    report: dict[str, Any] = {"mode": "ci" if args.ci else ("full" if args.full else "default"), "skipped": []}
    report["machine"] = machine()
    busy = BusyMeter()
    sample = None if args.full else args.sample

    reuse_names = [n.strip() for n in args.reuse.split(",") if n.strip()]
    taken: dict[str, dict] = {}
    wanted = list(reuse_names)
    for source in args.reuse_from or [out / "eval.json"]:
        if not wanted:
            break
        earlier = json.loads(source.read_text()) if source.exists() else {}
        found, refused = reusable_parts(earlier, wanted, report["machine"]["model"])
        for name, why in refused.items():
            say(f"Cannot reuse {name} from {_rel(source)}: {why}")
        for name, result in found.items():
            taken[name] = dict(result, reused_from=f"{_rel(source)} ({earlier['machine'].get('date')})")
        wanted = [n for n in wanted if n not in taken]

    def part(name: str, skip: bool, run: Callable[[], dict], gate_names: Sequence[str]) -> None:
        if skip:
            report["skipped"].append(name)
            for gate_name in gate_names:
                gates[gate_name].skip(f"--skip-{name}")
            return
        if name in taken:
            say(f"{name}: taken from {taken[name]['reused_from']} (same model)")
            report[name] = taken[name]
            GATES_OF[name](taken[name], gates)
            return
        try:
            report[name] = run()
        except Exception as exc:  # noqa: BLE001 - a part that crashes fails its gates, and the run goes on
            detail = f"{exc.__class__.__name__}: {exc}"
            say(f"  ! {name} failed: {detail[:2000]}")
            report[name] = {"error": detail[:4000]}
            for gate_name in gate_names:
                if gates[gate_name].status == SKIPPED:
                    gates[gate_name].check(None, detail[:300])

    part("faq", args.skip_faq, lambda: run_faq(gates), [n for n in gates if n.startswith("faq_")])
    part("core", args.skip_core, lambda: run_core(out, gates), ["core_stories"])
    part("conversations", args.skip_conversations, lambda: run_conversations(sample), [])
    part(
        "visitors",
        args.skip_visitors,
        lambda: _gated(run_visitors(), visitors_gates, gates),
        [n for n in gates if n.startswith("visitors_")],
    )
    part(
        "nlu",
        args.skip_nlu,
        lambda: run_nlu(out, args.folds, gates, reuse=args.reuse_nlu),
        ["nlu_macro_f1", "nlu_request_human_recall"],
    )
    if not args.skip_nlu and args.folds != FOLDS:
        for name in ("nlu_macro_f1", "nlu_request_human_recall"):
            gates[name].detail = f"measured on {args.folds} folds; the gate is defined on {FOLDS}"

    report["seconds"] = round(time.monotonic() - started, 1)
    report["machine"].update(busy.stop())
    report["gates"] = [asdict(g) for g in gates.values()]
    report["passed"] = not failed_gates(gates.values())
    (out / "eval.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    summary = render_summary(report)
    (out / "summary.md").write_text(summary)
    say("")
    say(summary)
    say(f"Written: {_rel(out / 'eval.json')}, {_rel(out / 'summary.md')}")
    for gate in warnings(gates.values()):
        say(f"WARNING: {gate.name} ({gate.description}) is {_gate_value(gate)}, below {gate.threshold:.2f}")
    failed = failed_gates(gates.values())
    for gate in failed:
        detail = f" ({gate.detail})" if gate.detail else ""
        needs = "exit 0" if gate.threshold is None else f"≥ {gate.threshold:.2f}"
        say(f"FAILED gate: {gate.name}: {gate.description} is {_gate_value(gate)}, needs {needs}{detail}")
    return exit_code(gates.values())


def _gated(result: dict, decide: Callable[[dict, dict[str, Gate]], None], gates: dict[str, Gate]) -> dict:
    decide(result, gates)
    return result


def _stop_on_sigterm(signum, _frame) -> None:
    # Unwind normally, so that Rasa and the stack started for the conversations are stopped too.
    say(f"Stopped by signal {signum}: no report written.")
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sys.exit(main())
