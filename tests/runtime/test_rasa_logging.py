"""Rasa's logging configuration masks personal data in every record."""

from __future__ import annotations

import logging
import logging.config
import os
import subprocess
import sys

import yaml

from ops.processes import ROOT
from runtime import rasa_logging


def test_the_logging_file_masks_records_from_any_logger(caplog):
    previous = logging.getLogRecordFactory()
    try:
        logging.config.dictConfig(yaml.safe_load((ROOT / "runtime" / "rasa_logging.yml").read_text()))
        with caplog.at_level(logging.ERROR, logger="rasa.core.channels.rest"):
            logging.getLogger("rasa.core.channels.rest").error(
                "An exception occured while handling user message '%s'.", "call me on 07700 900123 or jo@example.com"
            )
        assert "07700 900123" not in caplog.text and "jo@example.com" not in caplog.text
        assert "[phone]" in caplog.text and "[email]" in caplog.text
        # Configured twice (a reload), it still masks once.
        rasa_logging.mask_every_record()
        assert logging.getLogRecordFactory().masks_personal_data
    finally:
        logging.setLogRecordFactory(previous)


def test_python_warnings_are_printed_masked():
    """A library's warning (Rasa's print a payload in some) goes through the masking too,
    with a phone number in any country's format."""
    code = (
        "import logging.config, warnings, yaml;"
        "logging.config.dictConfig(yaml.safe_load(open('runtime/rasa_logging.yml')));"
        "logging.basicConfig();"
        "warnings.warn(\"payload {'email': 'jo@example.com', 'phone': '+1 415 555 2671'}\")"
    )
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "UserWarning" in result.stderr
    assert "jo@example.com" not in result.stderr and "415 555 2671" not in result.stderr
    assert "[email]" in result.stderr and "[phone]" in result.stderr
