"""Rasa's own logs with personal data masked (`rasa run --logging-config-file
runtime/rasa_logging.yml`).

Rasa reads the logging file first and then installs coloredlogs, which replaces any
stream handler on the root logger, so a filter on a handler would be lost. Instead the
file's one filter, when Rasa configures it, installs a log record factory that masks every
record as it is made, whichever handler prints it. Rasa logs a visitor's message when it
fails to handle it, and that message may hold an email address or a phone number.
"""

from __future__ import annotations

import logging

from bot.logs import PersonalDataFilter


def mask_every_record() -> logging.Filter:
    # Python warnings (Rasa's libraries print a payload in some) go through logging, and so
    # through the masking, rather than straight to stderr.
    logging.captureWarnings(True)
    masker = PersonalDataFilter()
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_personal_data", False):
        return masker

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        masker.filter(record)
        return record

    factory.masks_personal_data = True
    logging.setLogRecordFactory(factory)
    return masker
