"""The measuring helpers shared by the bench, the evaluation and the tests."""

import math
import os
import socket

import pytest

from ops.measure import CpuMeter, free_port, percentile


def test_percentile_interpolates_between_closest_ranks():
    values = [4, 1, 3, 2]
    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 2.5
    assert percentile(values, 100) == 4
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([7.0], 99) == 7.0


def test_percentile_of_nothing_is_nan_and_out_of_range_is_refused():
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_a_free_port_is_on_loopback_and_can_be_bound():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_the_cpu_meter_counts_the_cpu_this_process_spends():
    meter = CpuMeter(lambda: [])
    spent = os.times().user + os.times().system
    while os.times().user + os.times().system - spent < 0.2:  # busy for 0.2 s of CPU, however long that takes
        pass
    figures = meter.stop()
    assert figures["ours_cores_busy"] * figures["seconds"] >= 0.15  # rounded to two places
    assert figures["machine_cores_busy"] >= figures["ours_cores_busy"] - 0.05  # ours is part of the machine's
