"""Running a job every few hours until SIGTERM or SIGINT: the production profile's
retention process."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable

from bot.logs import mask


def every(*, hours: float, job: Callable[[], None], stop: threading.Event | None = None) -> None:
    """Run `job` now and then every `hours` until a signal (or `stop`) says to finish.

    A signal during a run lets the run finish (its transaction commits or rolls back
    whole) before the loop ends; one while waiting ends the wait at once. A failed run is
    reported and tried again next time, so one bad night does not stop retention.
    """
    stop = stop or threading.Event()

    def _finish(signum, _frame) -> None:
        print(f"Stopping after {signal.Signals(signum).name}.", flush=True)
        stop.set()

    previous = {sig: signal.signal(sig, _finish) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - reported, and retried on the next run
                first_line = (str(exc).splitlines() or [""])[0]
                print(mask(f"The run failed: {type(exc).__name__}: {first_line}"), file=sys.stderr, flush=True)
            stop.wait(hours * 3600)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
