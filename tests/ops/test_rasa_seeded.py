"""The cross-validation's folds are the same on every run (ops/rasa_seeded.py)."""

from __future__ import annotations

import subprocess
import sys

from ops import rasa_seeded
from ops.model import ROOT


def _folds() -> list[list[str]]:
    from rasa.nlu.test import generate_folds
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    return [sorted(m.get("text") for m in test.intent_examples) for _, test in generate_folds(5, data)]


def test_seeded_runs_split_the_training_data_into_the_same_folds():
    rasa_seeded.seed()
    first = _folds()
    rasa_seeded.seed()
    assert _folds() == first
    assert _folds() != first  # unseeded, Rasa shuffles differently each time
    assert len(first) == 5 and all(first)


def test_it_runs_rasa_s_own_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "ops.rasa_seeded", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Rasa Version" in result.stdout and "3.6.21" in result.stdout
