"""The production profile creates Rasa's tracker tables once, before its Rasa servers
start, so that two servers starting together do not race to create them."""

import pytest
import sqlalchemy as sa

from ops import endpoints
from runtime import tracker_schema
from tests.databases import postgres_database


def test_the_tables_are_created_once_and_again_is_harmless(tmp_path):
    with postgres_database("mis_tracker") as url:
        endpoints_file = endpoints.write(
            tmp_path / "endpoints.yml", action_url="http://127.0.0.1:1/webhook", tracker_database_url=url
        )
        tracker_schema.create_in_subprocess(endpoints_file)
        tracker_schema.create_in_subprocess(endpoints_file)
        engine = sa.create_engine(url)
        try:
            assert "events" in sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()


def test_a_failure_is_reported_plainly(tmp_path):
    empty = tmp_path / "endpoints.yml"
    empty.write_text("action_endpoint:\n  url: http://127.0.0.1:1/webhook\n")
    with pytest.raises(RuntimeError, match="tracker"):
        tracker_schema.create_in_subprocess(empty)
