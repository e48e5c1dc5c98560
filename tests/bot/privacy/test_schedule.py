"""The retention process's loop: runs again after a failure, stops when told."""

from __future__ import annotations

import threading

from bot.privacy import schedule


def test_a_failed_run_is_reported_and_the_next_one_still_happens(capsys):
    stop = threading.Event()
    runs = []

    def job():
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("store unavailable for jo@example.com\nSQL: ...")
        stop.set()

    schedule.every(hours=0.00001, job=job, stop=stop)

    assert runs == [0, 1]
    assert capsys.readouterr().err == "The run failed: RuntimeError: store unavailable for [email]\n"
