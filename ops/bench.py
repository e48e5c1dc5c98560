"""`make bench`: speed and cost of the assistant.

    python -m ops.bench            # the full run (about 25 minutes)
    python -m ops.bench --quick    # 15 s per load level, for development
    python -m ops.bench --train    # also time a `rasa train` into a temporary folder

Load: simulated visitors (bench/locustfile.py, Locust headless, in a subprocess) talk to
the whole assistant through the widget gateway at 1, 10 and 30 concurrent
conversations, then the same visitors talk to a bare Rasa server (same model, no action
server), one after the other. Also: FAQ search alone at 1,000 and 100,000 synthetic
entries, the staff queue at 100,000 tickets (SQLite and PostgreSQL), resident memory,
cold start and training time. Writes reports/bench/ (bench.json, summary.md,
latency.png) and docs/performance.md. Only ever sends traffic to 127.0.0.1 servers it
started itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench import report, scripts
from bench.stats import Sample, ratio, summarise
from ops.measure import percentile

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "bench"
SOAK_REPORTS = ROOT / "reports" / "soak"
DOC = ROOT / "docs" / "performance.md"
LEVELS = (1, 10, 30)
DURATION_S, QUICK_DURATION_S = 60, 15
SEARCH_SIZES = (1_000, 100_000)
SEARCH_QUERIES = 200
QUEUE_TICKETS, QUEUE_CALLS = 100_000, 50
SOAK_MINUTES, SOAK_USERS, SOAK_EVERY_S = 20.0, 10, 60.0
TRAINED = re.compile(r"Trained in (\d+(?:\.\d+)?) s")


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


# The machine --------------------------------------------------------------------------


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def memory_gib(meminfo: str) -> float | None:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return None


def machine_info() -> dict:
    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    return {
        "cpu_model": cpu_model(read("/proc/cpuinfo")),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(read("/proc/meminfo")),
        "python": platform.python_version(),
        "rasa": _package("rasa"),
        "rasa_sdk": _package("rasa-sdk"),
        "locust": _package("locust"),
        "os": platform.platform(),
    }


def how_busy(seconds: float = 3.0) -> dict:
    """How many cores other work uses right now (nothing of ours is running yet)."""
    from ops.measure import CpuMeter

    meter = CpuMeter(lambda: [])
    time.sleep(seconds)
    figures = meter.stop()
    return {"others_cores_busy_before": figures["others_cores_busy"], "load_average_before": list(os.getloadavg())}


# Load -----------------------------------------------------------------------------------


def read_samples(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def level_figures(raw: list[dict], concurrency: int, duration_s: float) -> dict:
    """One level's summary, with a breakdown by visitor script and by error."""
    samples = [Sample(r["started"], r["latency_ms"], r["ok"], r["kind"]) for r in raw]
    figures = summarise(samples, concurrency, duration_s).as_dict()
    by_script = {}
    for script in sorted({r.get("script") for r in raw if r.get("script")}):
        latencies = [r["latency_ms"] for r in raw if r.get("script") == script and r["kind"] == "message"]
        by_script[script] = {
            "messages": len(latencies),
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
        }
    figures["by_script"] = by_script
    figures["errors_by_reason"] = dict(Counter(r.get("error") or "?" for r in raw if not r["ok"]))
    figures["empty_replies"] = sum(r["kind"] == "message" and r["ok"] and r.get("replies") == 0 for r in raw)
    return figures


def run_locust(
    user_class: str,
    host: str,
    users: int,
    duration_s: int,
    out_dir: Path,
    label: str,
    seed: int = 1000,
    every_s: float | None = None,
    on_tick: Callable[[float], None] | None = None,
) -> list[dict]:
    """One load level in a Locust subprocess (it monkey-patches with gevent); its samples.
    While it runs, `on_tick(seconds since Locust started)` is called every `every_s`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{label}-{users}"
    samples = out_dir / f"{stem}.jsonl"
    samples.unlink(missing_ok=True)
    from bench.stack import RASA_TOKEN

    env = dict(
        os.environ, BENCH_SAMPLES=str(samples), BENCH_SEED=str(seed), PYTHONPATH=str(ROOT), RASA_TOKEN=RASA_TOKEN
    )
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{duration_s}s",
        "--host",
        host,
        "--csv",
        str(out_dir / stem),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
        user_class,
    ]
    output = out_dir / f"{stem}.log"
    with open(output, "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own locustfile, fixed arguments, loopback host
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        started = time.monotonic()
        deadline = started + duration_s + 120
        returncode = None
        try:
            while returncode is None:
                step = deadline - time.monotonic() if every_s is None else min(every_s, deadline - time.monotonic())
                try:
                    returncode = process.wait(timeout=max(0.1, step))
                except subprocess.TimeoutExpired:
                    if time.monotonic() >= deadline:
                        # Locust has been seen to linger after writing its results: end it, keep what it wrote.
                        os.killpg(process.pid, signal.SIGKILL)
                        returncode = process.wait()
                        kept = "kept" if samples.exists() else "lost"
                        log(f"   Locust did not exit by itself; ended it (results {kept})")
                    elif on_tick is not None:
                        on_tick(time.monotonic() - started)
        finally:
            if process.poll() is None:  # interrupted: do not leave Locust running
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if not samples.exists():
        raise RuntimeError(f"Locust failed ({returncode}):\n{output.read_text(errors='replace')[-3000:]}")
    return read_samples(samples)


def _run_levels(name, label, user_class, host, running, levels, duration_s, out_dir) -> list[dict]:
    from ops.measure import CpuMeter

    figures = []
    for users in levels:
        log(f"{name}: {users} concurrent conversation(s) for {duration_s} s")
        meter = CpuMeter(lambda: running.pids())
        processes_before, generator_before = running.cpu(), _children_cpu()
        raw = run_locust(user_class, host, users, duration_s, out_dir, label)
        level = level_figures(raw, users, duration_s)
        level["cpu"] = meter.stop()
        used = {process: seconds - processes_before[process] for process, seconds in running.cpu().items()}
        used["load generator"] = _children_cpu() - generator_before
        level["cpu_ms_per_message"] = cpu_per_message(used, level["messages"])
        log(
            f"   p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, {level['messages_per_s']} messages/s, "
            f"{level['errors']} errors"
        )
        figures.append(level)
        time.sleep(2)
    return figures


def _children_cpu() -> float:
    """CPU seconds of finished child processes (here: the Locust runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_per_message(seconds_by_process: dict[str, float], messages: int) -> dict[str, float | None]:
    """CPU milliseconds each process spent per message sent."""
    return {
        name: round(seconds * 1000 / messages, 1) if messages else None for name, seconds in seconds_by_process.items()
    }


def warm_up_scripts() -> list[list[scripts.Step]]:
    """One visitor of each kind (seeds apart from the measured ones)."""
    questions, found, seed = scripts.load_questions(), {}, 10**6
    while len(found) < len(scripts.WEIGHTS):
        kind, steps = scripts.visitor_script(seed, questions)
        found.setdefault(kind, steps)
        seed += 1
    return list(found.values())


def warm_up_gateway(stack) -> None:
    """Talk to the stack once per kind of visitor, so the first level does not pay for warm-up."""
    import requests

    for steps in warm_up_scripts():
        started = requests.post(f"{stack.web_url}/chat/api/conversations", timeout=10).json()
        for step in steps:
            requests.post(
                f"{stack.web_url}/chat/api/conversations/{started['conversation_id']}/messages",
                json=step.gateway_json(),
                headers={"Authorization": f"Bearer {started['token']}"},
                timeout=60,
            )


def warm_up_rasa(rasa) -> None:
    import requests

    from bench.stack import RASA_TOKEN
    from bot.chat import rasa as rasa_channel

    for number, steps in enumerate(warm_up_scripts()):
        for step in steps:
            requests.post(
                f"{rasa.url}{rasa_channel.WEBHOOK}",
                json={"sender": f"bench-warm-up-{number}", "message": step.rasa_message()},
                headers=rasa_channel.headers(RASA_TOKEN),
                timeout=60,
            )


def prepare_store(url: str) -> None:
    """A migrated store with the real content loaded."""
    from bot.content import loader
    from bot.database import migrate
    from bot.database.core import make_engine, make_session_factory, session_scope

    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        loader.load(db_session=session)
    engine.dispose()


def load_phase(levels, duration_s: int, workdir: Path, backend: str) -> dict:
    from bench.queue import postgres_database
    from bench.stack import BareRasa, FullStack
    from ops.model import ensure_model

    model = ensure_model(quiet=True)
    out_dir = REPORTS / "locust"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    results: dict = {}
    prepare = prepare_store

    log(f"Starting the full stack on {backend} (web service, Rasa, action server)")
    with (
        _store(backend, workdir, "store", postgres_database) as url,
        _store(backend, workdir, "tracker", postgres_database) as tracker_url,
    ):
        prepare(url)
        stack = FullStack.start(database_url=url, tracker_database_url=tracker_url, model=model, workdir=workdir)
        try:
            cold = stack.first_answer()
            log(f"First answer through the gateway {cold:.1f} s after starting the processes")
            after_start = stack.memory()
            warm_up_gateway(stack)
            full_levels = _run_levels(
                "full stack", "gateway", "GatewayVisitor", stack.web_url, stack, levels, duration_s, out_dir
            )
            after_load = stack.memory()
            # The same visitors straight to the stack's Rasa (its actions still run): what the gateway adds.
            direct_levels = _run_levels(
                "Rasa with its action server, no gateway",
                "rasa-direct",
                "RasaVisitor",
                stack.rasa_url,
                stack,
                levels,
                duration_s,
                out_dir,
            )
        finally:
            stack.stop()
    results["full_stack"] = {
        "cold_start_s": round(cold, 1),
        "memory_mib": {"after_start": after_start, "after_load": after_load},
        "levels": full_levels,
    }
    results["rasa_direct"] = {"levels": direct_levels}

    log("Starting bare Rasa (same model, REST channel, no action server, SQLite tracker store)")
    rasa = BareRasa.start(model=model, workdir=workdir)
    try:
        cold = rasa.first_answer()
        log(f"Bare Rasa answered {cold:.1f} s after starting")
        after_start = rasa.memory()
        warm_up_rasa(rasa)
        bare_levels = _run_levels("bare Rasa", "bare-rasa", "RasaVisitor", rasa.url, rasa, levels, duration_s, out_dir)
        after_load = rasa.memory()
    finally:
        rasa.stop()
    results["bare_rasa"] = {
        "cold_start_s": round(cold, 1),
        "memory_mib": {"after_start": after_start, "after_load": after_load},
        "levels": bare_levels,
    }
    results["ratio_p95"] = ratio_rows(full_levels, bare_levels)
    results["ratio_p95_direct"] = ratio_rows(full_levels, direct_levels)
    return results


def ratio_rows(full_levels: list[dict], bare_levels: list[dict]) -> list[dict]:
    """Full stack p95 ÷ bare Rasa p95 at each concurrency both were run at."""
    bare = {level["concurrency"]: level for level in bare_levels}
    rows = []
    for level in full_levels:
        other = bare.get(level["concurrency"])
        if other is None:
            continue
        value = ratio(level["p95_ms"], other["p95_ms"])
        rows.append(
            {
                "concurrency": level["concurrency"],
                "full_stack_p95_ms": level["p95_ms"],
                "bare_rasa_p95_ms": other["p95_ms"],
                "ratio": None if value is None else round(value, 3),
            }
        )
    return rows


class _store:
    """A SQLite file in the work folder, or a PostgreSQL database of our own."""

    def __init__(self, backend: str, workdir: Path, name: str, postgres_database):
        self.backend, self.workdir, self.name, self._postgres = backend, workdir, name, postgres_database
        self._context = None

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / f'{self.name}.db'}"
        self._context = self._postgres(prefix=f"mis_bench_{self.name}")
        return self._context.__enter__()

    def __exit__(self, *exc):
        if self._context is not None:
            return self._context.__exit__(*exc)
        return False


# Micro-benchmarks -----------------------------------------------------------------------


def search_phase(sizes, n_queries: int) -> list[dict]:
    from bench import faq

    questions = faq.devset_questions()
    rows = []
    for size in sizes:
        log(f"FAQ search: building an index of {size:,} synthetic entries")
        figures = faq.measure(size, questions, n_queries=n_queries).as_dict()
        log(f"   built in {figures['build_seconds']} s; p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
        rows.append(figures)
    return rows


def queue_phase(workdir: Path, tickets: int, calls: int) -> dict:
    from bench import queue

    results = {}
    for backend in ("sqlite", "postgresql"):
        log(f"Staff queue: {tickets:,} tickets on {backend}")
        try:
            results[backend] = queue.measure(backend, workdir, count=tickets, calls=calls)
        except Exception as exc:  # noqa: BLE001 - PostgreSQL may be missing on a developer's machine
            if backend == "sqlite":
                raise
            results[backend] = {"skipped": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
            log(f"   skipped: {results[backend]['skipped']}")
            continue
        log(
            f"   list p95 {results[backend]['list_waiting_200']['p95_ms']} ms, "
            f"counts p95 {results[backend]['counts_by_status']['p95_ms']} ms"
        )
    return results


# Training -------------------------------------------------------------------------------


def last_training_figure(paths: list[Path]) -> float | None:
    """The last "Trained in N s" ops/model.py printed, in any log under these folders."""
    found: list[tuple[float, float]] = []
    for folder in paths:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.suffix not in (".log", ".txt") or not path.is_file():
                continue
            try:
                matches = TRAINED.findall(path.read_text(errors="replace"))
            except OSError:
                continue
            if matches:
                found.append((path.stat().st_mtime, float(matches[-1])))
    return max(found)[1] if found else None


def time_training(workdir: Path) -> float:
    """Seconds for a `rasa train` of the project into a temporary folder."""
    out = workdir / "train"
    command = [
        str(Path(sys.executable).parent / "rasa"),
        "train",
        "--out",
        str(out),
        "--config",
        str(ROOT / "config.yml"),
        "--domain",
        str(ROOT / "domain.yml"),
        "--data",
        str(ROOT / "data" / "nlu"),
        str(ROOT / "data" / "rules.yml"),
        str(ROOT / "data" / "stories.yml"),
    ]
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"rasa train failed:\n{result.stderr[-3000:]}")
    return time.monotonic() - started


def training_figure(train: bool, workdir: Path) -> dict:
    if train:
        log("Timing `rasa train` into a temporary folder")
        seconds = time_training(workdir)
        log(f"   {seconds:.0f} s")
        return {"seconds": round(seconds, 1), "source": "measured with --train"}
    seconds = last_training_figure([ROOT / "models", ROOT / "var", ROOT / "reports", ROOT / "test-artifacts"])
    if seconds is not None:
        return {"seconds": seconds, "source": "the last training by ops/model.py (models/training.log)"}
    return {"seconds": None, "source": "not measured (run with --train)"}


# Soak -----------------------------------------------------------------------------------


def soak_phase(minutes: float, users: int, backend: str, every_s: float, workdir: Path) -> dict:
    """The visitors at `users` concurrent conversations for `minutes` against the full
    stack, with each process's resident memory sampled every `every_s` seconds."""
    from bench import soak
    from bench.queue import postgres_database
    from bench.stack import FullStack
    from ops.measure import CpuMeter
    from ops.model import ensure_model

    model = ensure_model(quiet=True)
    out_dir = SOAK_REPORTS / "locust"
    shutil.rmtree(out_dir, ignore_errors=True)
    duration_s = round(minutes * 60)
    log(f"Starting the full stack on {backend} (web service, Rasa, action server)")
    with (
        _store(backend, workdir, "store", postgres_database) as url,
        _store(backend, workdir, "tracker", postgres_database) as tracker_url,
    ):
        prepare_store(url)
        stack = FullStack.start(database_url=url, tracker_database_url=tracker_url, model=model, workdir=workdir)
        try:
            cold = stack.first_answer()
            log(f"First answer through the gateway {cold:.1f} s after starting the processes")
            warm_up_gateway(stack)
            memory: dict[str, list[dict]] = {name: [] for name in stack.processes}
            stopped: list[str] = []

            def sample(elapsed: float) -> None:
                for name, mib in stack.memory().items():
                    memory[name].append({"t_s": round(elapsed, 1), "mib": mib})
                stopped.extend(name for name, p in stack.processes.items() if p.poll() is not None)
                last = {name: samples[-1]["mib"] for name, samples in memory.items()}
                log(f"   {elapsed / 60:4.1f} min: " + ", ".join(f"{n} {m} MiB" for n, m in last.items()))

            log(f"Soak: {users} concurrent conversations for {minutes:g} minutes, memory every {every_s:g} s")
            meter = CpuMeter(lambda: stack.pids())
            locust_started = time.time()
            sample(0.0)
            raw = run_locust(
                "GatewayVisitor",
                stack.web_url,
                users,
                duration_s,
                out_dir,
                "soak",
                seed=2000,
                every_s=every_s,
                on_tick=sample,
            )
            sample(time.time() - locust_started)
            cpu = meter.stop()
            if not stack.alive():
                stopped.append("(a process had stopped at the end)")
        finally:
            stack.stop()
    overall = level_figures(raw, users, duration_s)
    rows = soak.windows(raw, locust_started, width_s=every_s)
    trend = {name: soak.memory_trend([(s["t_s"], s["mib"]) for s in samples]) for name, samples in memory.items()}
    return {
        "cold_start_s": round(cold, 1),
        "cpu": cpu,
        "overall": overall,
        "errors_by_reason": overall["errors_by_reason"],
        "windows": rows,
        "p95_drift": soak.drift(rows),
        "memory": memory,
        "memory_trend": trend,
        "processes_stopped": sorted(set(stopped)),
    }


def run_soak(args: argparse.Namespace) -> int:
    results: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "run": {
            "minutes": args.minutes,
            "users": args.users,
            "backend": args.backend,
            "memory_every_s": args.every,
            "window_s": args.every,
            "think_time_s": list(scripts.THINK_TIME),
            "script_mix": scripts.WEIGHTS,
            "command": " ".join(["python -m ops.bench", *sys.argv[1:]]),
        },
    }
    results["machine"].update(how_busy())
    log(f"Other work is using {results['machine']['others_cores_busy_before']} cores before the run")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="mis-soak-"))
    try:
        results.update(soak_phase(args.minutes, args.users, args.backend, args.every, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return render_soak(results, doc=not args.no_doc)


def render_soak(results: dict, doc: bool = True) -> int:
    """Write reports/soak/ and the doc's soak section; 1 if the soak found a problem."""
    from bench import soak

    section = soak.render_section(results)
    SOAK_REPORTS.mkdir(parents=True, exist_ok=True)
    (SOAK_REPORTS / "soak.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (SOAK_REPORTS / "summary.md").write_text(section + "\n")
    soak.plot(results, SOAK_REPORTS / "soak.png")
    if doc:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(soak.replace_section(DOC.read_text() if DOC.exists() else "", section))
    log(f"Wrote {SOAK_REPORTS.relative_to(ROOT)}/" + (f" and the soak section of {DOC.name}" if doc else ""))
    print(section)
    problems = soak.problems(results)
    for problem in problems:
        log(f"SOAK PROBLEM: {problem}")
    return 1 if problems else 0


# Output ---------------------------------------------------------------------------------


def save_partial(results: dict, reports: Path = REPORTS) -> None:
    """The figures so far, so that an interrupted run can be completed with --reuse."""
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "partial.json").write_text(json.dumps(results, indent=2, default=str) + "\n")


def reuse(phases: str, path: Path) -> dict:
    """The named phases' figures from an earlier run (its bench.json or partial.json)."""
    names = [p.strip() for p in phases.split(",") if p.strip()]
    if not names:
        return {}
    for candidate in (path.with_name("partial.json"), path):
        if candidate.exists():
            earlier = json.loads(candidate.read_text())
            if all(earlier.get(name) is not None for name in names):
                return {name: earlier[name] for name in names}
    raise SystemExit(f"No earlier figures for {', '.join(names)} in {path.parent}")


def write_outputs(results: dict, reports: Path = REPORTS, doc: Path | None = DOC) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "bench.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (reports / "summary.md").write_text(report.render_summary(results))
    report.plot_latency(results, reports / "latency.png")
    if doc is not None:
        from bench import soak

        doc.parent.mkdir(parents=True, exist_ok=True)
        # The soak section is written by `make soak`: keep it.
        kept = soak.extract_section(doc.read_text()) if doc.exists() else None
        doc.write_text(report.render_performance_doc(results, soak_section=kept))
    (reports / "partial.json").unlink(missing_ok=True)  # the run is complete


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DURATION_S} s per load level")
    parser.add_argument("--duration", type=int, default=None, help="seconds per load level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrent conversations, e.g. 1,10,30")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite", help="the full stack's store")
    parser.add_argument("--train", action="store_true", help="also time a `rasa train` (several minutes)")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument(
        "--search-sizes", default=",".join(map(str, SEARCH_SIZES)), help="synthetic FAQ sizes, e.g. 1000,100000"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument(
        "--reuse",
        default="",
        help="phases whose figures to take from the last (perhaps interrupted) run: load,faq_search,queue,training",
    )
    parser.add_argument(
        "--render-only", action="store_true", help="measure nothing: rewrite the reports from reports/bench/bench.json"
    )
    soak_options = parser.add_argument_group("soak (make soak)")
    soak_options.add_argument(
        "--soak", action="store_true", help="instead of the bench: a long run at one level, memory sampled over time"
    )
    soak_options.add_argument("--minutes", type=float, default=SOAK_MINUTES, help="how long the soak runs")
    soak_options.add_argument("--users", type=int, default=SOAK_USERS, help="concurrent conversations in the soak")
    soak_options.add_argument("--every", type=float, default=SOAK_EVERY_S, help="seconds between memory samples")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.soak and args.render_only:
        return render_soak(json.loads((SOAK_REPORTS / "soak.json").read_text()), doc=not args.no_doc)
    if args.soak:
        return run_soak(args)
    if args.render_only:
        results = json.loads((REPORTS / "bench.json").read_text())
        results["targets"] = report.evaluate_targets(results)
        write_outputs(results, doc=None if args.no_doc else DOC)
        log("Rewrote the reports from reports/bench/bench.json")
        return 0
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    duration = args.duration or (QUICK_DURATION_S if args.quick else DURATION_S)
    results: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "run": {
            "quick": args.quick,
            "duration_s": duration,
            "levels": levels,
            "backend": args.backend,
            "think_time_s": list(scripts.THINK_TIME),
            "script_mix": scripts.WEIGHTS,
            "command": " ".join(["python -m ops.bench", *(argv if argv is not None else sys.argv[1:])]),
        },
    }
    results["machine"].update(how_busy())
    log(f"Other work is using {results['machine']['others_cores_busy_before']} cores before the run")
    reused = reuse(args.reuse, REPORTS / "bench.json")
    # A SIGTERM ends the run through the `finally` blocks, so the processes it started stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="mis-bench-"))
    sizes = [int(x) for x in args.search_sizes.split(",") if x.strip()]
    phases = [
        ("load", args.skip_load, lambda: load_phase(levels, duration, workdir, args.backend)),
        ("faq_search", args.skip_search, lambda: search_phase(sizes, SEARCH_QUERIES)),
        ("queue", args.skip_queue, lambda: queue_phase(workdir, QUEUE_TICKETS, QUEUE_CALLS)),
        ("training", False, lambda: training_figure(args.train, workdir)),
    ]
    try:
        for name, skip, measure in phases:
            if name in reused:
                results[name] = reused[name]
                log(f"{name}: figures reused from the last run's bench.json")
            else:
                results[name] = None if skip else measure()
            save_partial(results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["targets"] = report.evaluate_targets(results)
    write_outputs(results, doc=None if args.no_doc else DOC)
    log(f"Wrote {REPORTS.relative_to(ROOT)}/" + ("" if args.no_doc else f" and {DOC.relative_to(ROOT)}"))
    print(report.render_summary(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
