"""How the console words times, waits, categories and the dates staff type: GOV.UK style,
in the office's time zone (the store keeps naive UTC)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest

from bot.console import labels
from bot.console.dates import CallbackForm, callback_due, parse_time


@pytest.fixture(autouse=True)
def uk_time():
    labels.set_display_zone("Europe/London")


@pytest.mark.parametrize(
    "stored, shown",
    [
        (datetime(2026, 12, 4, 13, 42), "4 December 2026 at 1:42pm"),
        (datetime(2026, 12, 4, 9, 0), "4 December 2026 at 9am"),
        (datetime(2026, 12, 4, 12, 0), "4 December 2026 at midday"),
        (datetime(2026, 12, 4, 0, 0), "4 December 2026 at midnight"),
        (datetime(2026, 12, 4, 0, 5), "4 December 2026 at 12:05am"),
        (datetime(2026, 12, 4, 12, 30), "4 December 2026 at 12:30pm"),
        # Stored as UTC, read in London: summer time moves the hour, and here the day too.
        (datetime(2026, 7, 1, 8, 30), "1 July 2026 at 9:30am"),
        (datetime(2026, 7, 1, 23, 0), "2 July 2026 at midnight"),
    ],
)
def test_times_are_written_the_govuk_way_in_uk_time(stored, shown):
    assert labels.when(stored) == shown


def test_a_day_alone_and_nothing():
    assert labels.day(datetime(2026, 7, 1, 23, 30)) == "2 July 2026"
    assert labels.day(datetime(2026, 12, 1).date()) == "1 December 2026"
    assert labels.when(None) == labels.day(None) == labels.time_of_day(None) == ""
    assert labels.zone_name() == "UK time"
    labels.set_display_zone("Europe/Dublin")
    assert labels.zone_name() == "Europe/Dublin"


def test_a_ticket_waited_until_it_was_taken_or_until_now():
    created = datetime(2026, 12, 4, 9, 0)
    taken = created + timedelta(minutes=42)
    assert labels.waited(created_at=created, left_waiting=taken) == "42 minutes"
    # Still waiting: until now, however long ago it was opened.
    assert labels.waited(created_at=created, left_waiting=None, now=created + timedelta(hours=3)) == "3 hours"
    assert labels.waited(created_at=created, left_waiting=None, now=created + timedelta(seconds=20)) == (
        "less than a minute"
    )
    assert labels.duration(86400 * 2 + 5) == "2 days" and labels.duration(60) == "1 minute"


def test_the_end_of_the_wait_comes_from_the_audit_trail():
    def event(kind, from_status, minutes):
        return SimpleNamespace(
            kind=kind, from_status=from_status, created_at=datetime(2026, 12, 4, 9, 0) + timedelta(minutes=minutes)
        )

    events = [
        event("created", None, 0),
        event("assigned", None, 5),
        event("status_changed", "waiting", 5),
        event("status_changed", "claimed", 9),
        event("status_changed", "waiting", 30),  # released and claimed again: the first wait counts
    ]
    assert labels.left_waiting_at(None, events) == datetime(2026, 12, 4, 9, 5)
    assert labels.left_waiting_at(None, events[:2]) is None


def test_categories_show_their_labels_not_their_keys():
    assert labels.category("tupe") == "TUPE"
    assert labels.category("legal-forms") == "Legal forms"
    assert labels.category("something-new") == "Something new"
    assert labels.category(None) == labels.category("") == "Not known"


@pytest.mark.parametrize(
    "typed, read",
    [
        ("2pm", time(14, 0)),
        ("2:30pm", time(14, 30)),
        ("2.30 PM", time(14, 30)),
        ("11:05am", time(11, 5)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("14:30", time(14, 30)),
        ("09.15", time(9, 15)),
        ("midday", time(12, 0)),
        ("Midnight", time(0, 0)),
        ("14", None),
        ("13pm", None),
        ("10:75", None),
        ("24:00", None),
        ("half two", None),
        ("²:30pm", None),
        ("", None),
    ],
)
def test_times_staff_type(typed, read):
    assert parse_time(typed) == read


NOW = datetime(2026, 12, 4, 10, 0)  # UTC, and UK time in December


@pytest.mark.parametrize(
    "form, due, errors",
    [
        (CallbackForm(), None, {}),  # a call back without a time agreed
        (CallbackForm("5", "12", "2026", "2:30pm"), datetime(2026, 12, 5, 14, 30), {}),
        # Summer time: 9am in London is 8am UTC.
        (CallbackForm("1", "7", "2027", "9am"), datetime(2027, 7, 1, 8, 0), {}),
        (CallbackForm("", "", "", "2pm"), None, {"callback": "Enter the date of the call back"}),
        (
            CallbackForm("5", "", "", "2pm"),
            None,
            {"callback": "The date of the call back must include a month and a year"},
        ),
        (CallbackForm("31", "2", "2027", "2pm"), None, {"callback": "The date of the call back must be a real date"}),
        (CallbackForm("5", "12", "27", "2pm"), None, {"callback": "The date of the call back must be a real date"}),
        (CallbackForm("5", "12", "²⁰²⁶", "2pm"), None, {"callback": "The date of the call back must be a real date"}),
        (
            CallbackForm("5", "12", "2026", ""),
            None,
            {"callback-time": "Enter the time of the call back, for example 2:30pm"},
        ),
        (
            CallbackForm("5", "12", "2026", "teatime"),
            None,
            {"callback-time": "Enter the time of the call back as a real time, for example 2:30pm or 14:30"},
        ),
        (CallbackForm("4", "12", "2026", "9am"), None, {"callback": "The call back must be in the future"}),
    ],
)
def test_a_call_back_is_read_as_uk_time_with_a_message_for_each_problem(form, due, errors):
    assert callback_due(form, now=NOW) == (due, errors)


def test_a_call_back_form_shows_the_time_it_was_set_to():
    form = CallbackForm.from_due(datetime(2027, 7, 1, 8, 0))
    assert (form.day, form.month, form.year, form.time) == ("1", "7", "2027", "9am")
    assert CallbackForm.from_due(None).blank


def test_every_reason_topic_status_outcome_and_audit_event_has_a_label():
    from bot.faq.enums import Topic
    from bot.hotline.enums import TicketEventKind, TicketOutcome, TicketReason, TicketStatus

    assert set(labels.REASONS) == {r.value for r in TicketReason}
    assert set(labels.TOPICS) == {t.value for t in Topic}
    assert set(labels.STATUS_LABELS) >= {s.value for s in TicketStatus}
    assert set(labels.OUTCOMES) >= {o.value for o in TicketOutcome}
    assert set(labels.EVENT_LABELS) == {k.value for k in TicketEventKind}
