"""Rasa's own checks on the training data and the dialogue, with the cached model."""

import subprocess
import sys
from pathlib import Path

import pytest

from ops.model import ROOT, ensure_model

pytestmark = pytest.mark.rasa
RASA = str(Path(sys.executable).parent / "rasa")


def test_training_data_validates_without_warnings():
    result = subprocess.run(
        [RASA, "data", "validate", "--fail-on-warnings"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "UserWarning" not in output, output[-4000:]


def test_every_flow_in_the_test_stories_is_predicted(tmp_path):
    model = ensure_model(quiet=True)
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            str(Path(__file__).with_name("test_stories.yml")),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:] + detail
