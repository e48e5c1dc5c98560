import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.content import loader
from bot.directory.models import Ambassador
from bot.faq.enums import Topic
from bot.faq.models import FaqEntry


@pytest.fixture
def content_dir(tmp_path) -> Path:
    shutil.copy(loader.DEFAULT_CONTENT_DIR / "faq.yml", tmp_path / "faq.yml")
    shutil.copy(loader.DEFAULT_CONTENT_DIR / "ambassadors.yml", tmp_path / "ambassadors.yml")
    return tmp_path


def test_the_real_content_meets_the_bar():
    entries = loader.read_faq(loader.DEFAULT_CONTENT_DIR / "faq.yml")
    assert len(entries) >= 50
    assert {e.topic for e in entries} == set(Topic)  # every section of the facts is covered
    assert all(len(e.alternatives) >= 3 for e in entries)
    ambassadors = loader.read_ambassadors(loader.DEFAULT_CONTENT_DIR / "ambassadors.yml")
    assert len(ambassadors) == 7
    text = (loader.DEFAULT_CONTENT_DIR / "ambassadors.yml").read_text()
    assert "@" not in text  # no invented email addresses


def test_load_is_idempotent(db_session, content_dir):
    first = loader.load(db_session=db_session, content_dir=content_dir)
    assert len(first.faq.created) >= 50 and len(first.ambassadors.created) == 7
    stamps = dict(db_session.execute(select(FaqEntry.id, FaqEntry.updated_at)).all())
    second = loader.load(db_session=db_session, content_dir=content_dir)
    assert not second.changed
    assert second.faq.unchanged == len(first.faq.created)
    assert dict(db_session.execute(select(FaqEntry.id, FaqEntry.updated_at)).all()) == stamps


def test_an_edited_entry_is_updated_not_duplicated(db_session, content_dir):
    loader.load(db_session=db_session, content_dir=content_dir)
    count = db_session.scalar(select(func.count(FaqEntry.id)))
    document = yaml.safe_load((content_dir / "faq.yml").read_text())
    document["entries"][0]["answer"] = "A corrected answer with enough words to pass."
    target = document["entries"][0]["id"]
    (content_dir / "faq.yml").write_text(yaml.safe_dump(document))
    document = yaml.safe_load((content_dir / "ambassadors.yml").read_text())
    document["ambassadors"][0]["active"] = False
    (content_dir / "ambassadors.yml").write_text(yaml.safe_dump(document))

    report = loader.load(db_session=db_session, content_dir=content_dir)
    assert report.faq.updated == [target] and not report.faq.created
    assert db_session.scalar(select(func.count(FaqEntry.id))) == count
    assert db_session.get(FaqEntry, target).answer == "A corrected answer with enough words to pass."
    # Whether an ambassador is active is for staff to say once the entry exists.
    assert db_session.get(Ambassador, document["ambassadors"][0]["id"]).active is True


def test_what_staff_changed_survives_a_reload_until_the_file_changes_that_entry(db_session, content_dir):
    loader.load(db_session=db_session, content_dir=content_dir)
    document = yaml.safe_load((content_dir / "faq.yml").read_text())
    edited, unpublished = document["entries"][0]["id"], document["entries"][1]["id"]
    ambassador = yaml.safe_load((content_dir / "ambassadors.yml").read_text())["ambassadors"][0]["id"]
    db_session.get(FaqEntry, edited).answer = "An answer staff corrected in the console."
    db_session.get(FaqEntry, unpublished).published = False
    db_session.get(Ambassador, ambassador).active = False
    db_session.flush()

    report = loader.load(db_session=db_session, content_dir=content_dir)  # a restart
    assert not report.changed
    assert db_session.get(FaqEntry, edited).answer == "An answer staff corrected in the console."
    assert db_session.get(FaqEntry, unpublished).published is False
    assert db_session.get(Ambassador, ambassador).active is False

    # A new release of the file changes the entry: the file's answer is used, and an
    # unpublished entry stays unpublished.
    document["entries"][0]["answer"] = "The answer in the new release of the content."
    document["entries"][1]["question"] = "A reworded question in the new release?"
    (content_dir / "faq.yml").write_text(yaml.safe_dump(document))
    report = loader.load(db_session=db_session, content_dir=content_dir)
    assert sorted(report.faq.updated) == sorted([edited, unpublished])
    assert db_session.get(FaqEntry, edited).answer == "The answer in the new release of the content."
    assert db_session.get(FaqEntry, unpublished).published is False


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["entries"][0].update(topic="astrology"), "topic"),
        (lambda d: d["entries"][1].update(id=d["entries"][0]["id"]), "used twice"),
        (lambda d: d["entries"][0].update(source_url="not a url"), "source_url"),
        (lambda d: d["entries"][0].update(alternatives=["only one"]), "alternatives"),
        # An answer about the past says when: its "as of" year is in the answer.
        (lambda d: d["entries"][0].update(as_of="1997"), "never mentions 1997"),
        (lambda d: d["entries"][0].update(as_of="2019-13"), "as_of"),
    ],
)
def test_invalid_content_is_refused_with_a_clear_error(db_session, content_dir, mutate, message):
    document = yaml.safe_load((content_dir / "faq.yml").read_text())
    mutate(document)
    (content_dir / "faq.yml").write_text(yaml.safe_dump(document))
    with pytest.raises(loader.ContentError, match=message):
        loader.load(db_session=db_session, content_dir=content_dir)
