"""An FAQ entry's history shows what each change did, word by word, and an administrator
can bring back the version before a change (itself an audited change)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.console.content_router import diff_words
from tests.bot.console.test_content_pages import (
    NEW_FAQ,
    Console,
    csrf_from,
    events,
    form_post,
    get_faq,
    open_console,
    search,
)

EDIT = f"/staff/faq/{NEW_FAQ['id']}"


@pytest.fixture
def console(database_url) -> Iterator[Console]:
    opened = open_console(database_url)
    yield opened
    opened.admin.close()
    opened.agent.close()
    opened.app.state.engine.dispose()


def test_a_word_diff_says_what_was_kept_taken_out_and_put_in():
    assert diff_words("Bees need a keeper.", "Bees need a licensed keeper.") == [
        ("same", "Bees need a "),
        ("added", "licensed "),
        ("same", "keeper."),
    ]
    assert diff_words("one two", "one three") == [("same", "one "), ("removed", "two"), ("added", "three")]
    assert diff_words("", "new") == [("added", "new")]


def test_the_history_shows_each_change_and_an_earlier_version_can_be_restored(console):
    form = console.admin.get("/staff/faq/new").text
    assert console.admin.post("/staff/faq/new", data={**NEW_FAQ, "csrf_token": csrf_from(form)}).status_code == 303
    changed_answer = NEW_FAQ["answer"].replace("estates", "<b>facilities</b>")
    assert changed_answer != NEW_FAQ["answer"]
    form_post(console.admin, EDIT, EDIT, {**NEW_FAQ, "answer": changed_answer})

    page = console.admin.get(EDIT).text
    assert "Show what changed" in page
    # The visitor-facing words are escaped, in the diff as everywhere.
    assert "&lt;b&gt;facilities&lt;/b&gt;" in page and "<b>facilities</b>" not in page
    assert re.search(r'<del class="app-console-diff__removed">.*?estates', page, re.S)
    assert re.search(r'<ins class="app-console-diff__added">.*?&lt;b&gt;facilities', page, re.S)
    update_id = events(console, NEW_FAQ["id"])[-1].id

    # Restoring needs the form's token, an event of this entry, and admin rights.
    assert console.admin.post(f"{EDIT}/restore", data={"event_id": str(update_id)}).status_code == 403
    assert form_post(console.agent, "/staff", f"{EDIT}/restore", {"event_id": str(update_id)}).status_code == 403
    for bad in ("", "²", "99999999", "1" * 13):
        response = form_post(console.admin, EDIT, f"{EDIT}/restore", {"event_id": bad})
        assert 400 <= response.status_code < 500, bad
    created_id = events(console, NEW_FAQ["id"])[0].id
    assert form_post(console.admin, EDIT, f"{EDIT}/restore", {"event_id": str(created_id)}).status_code == 404

    response = form_post(console.admin, EDIT, f"{EDIT}/restore", {"event_id": str(update_id)})
    assert response.status_code == 303 and response.headers["location"] == f"{EDIT}?done=restored"
    assert "The earlier version was restored." in console.admin.get(response.headers["location"]).text
    assert get_faq(console, NEW_FAQ["id"]).answer == NEW_FAQ["answer"]
    assert search(console, NEW_FAQ["question"])["answer"]["answer"] == NEW_FAQ["answer"]  # the next answer uses it
    restored = events(console, NEW_FAQ["id"])[-1]
    assert restored.kind == "faq_restored" and restored.actor == f"staff:{console.admin_id}"
    assert restored.detail == {
        "fields": ["answer"],
        "before": {"answer": changed_answer},
        "after": {"answer": NEW_FAQ["answer"]},
        "restored_from": update_id,
    }
    assert "Restored an earlier version" in console.admin.get(EDIT).text
    # Restoring again changes nothing and records nothing.
    again = form_post(console.admin, EDIT, f"{EDIT}/restore", {"event_id": str(update_id)})
    assert again.headers["location"].startswith(f"{EDIT}?done=unchanged")
    assert len(events(console, NEW_FAQ["id"])) == 3
