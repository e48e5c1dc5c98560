import pytest

from bot.directory import service as directory_service
from tests import factories


def _directory(session):
    factories.ambassador(
        session, id="andrew-burnell", name="Andrew Burnell", sectors=["health"], region="yorkshire-and-the-humber"
    )
    factories.ambassador(
        session,
        id="doug-cresswell",
        name="Doug Cresswell",
        sectors=["social-care", "employment-support"],
        region="north-west",
    )
    factories.ambassador(
        session,
        id="scott-darraugh",
        name="Scott Darraugh",
        sectors=["health", "social-enterprise"],
        region="north-west",
    )
    factories.ambassador(
        session, id="retired-person", name="Retired Person", sectors=["health"], region="north-west", active=False
    )


def ids(outcome):
    return [a.id for a in outcome.matches]


def test_by_sector_and_region(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, sector="NHS", region="Manchester")
    assert ids(outcome) == ["scott-darraugh"]
    assert outcome.relaxed is None


def test_a_city_maps_to_its_region(db_session):
    _directory(db_session)
    assert ids(directory_service.search(db_session=db_session, region="Hull")) == ["andrew-burnell"]


def test_retired_ambassadors_are_never_matched(db_session):
    _directory(db_session)
    assert "retired-person" not in ids(directory_service.search(db_session=db_session, sector="health"))
    assert directory_service.search(db_session=db_session, name="Retired Person").matches == []


def test_by_name_surname_and_typo(db_session):
    _directory(db_session)
    assert ids(directory_service.search(db_session=db_session, name="Doug Cresswell")) == ["doug-cresswell"]
    assert ids(directory_service.search(db_session=db_session, name="cresswell")) == ["doug-cresswell"]
    assert ids(directory_service.search(db_session=db_session, name="Andrew Burnel")) == ["andrew-burnell"]


def test_name_found_in_free_text(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, text="tell me about scott darraugh please")
    assert ids(outcome) == ["scott-darraugh"]


def test_sector_and_region_from_free_text(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, text="mentor for social care in Salford")
    assert ids(outcome) == ["doug-cresswell"]


def test_relaxes_region_when_nobody_matches_both(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, sector="health", region="Kent")
    assert outcome.relaxed == "region"
    assert ids(outcome) == ["andrew-burnell", "scott-darraugh"]


def test_unknown_region_is_reported(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, region="Atlantis")
    assert outcome.query.unrecognised_region == "Atlantis"


def test_no_criteria_lists_the_active_directory(db_session):
    _directory(db_session)
    assert ids(directory_service.search(db_session=db_session)) == [
        "andrew-burnell",
        "doug-cresswell",
        "scott-darraugh",
    ]


@pytest.mark.parametrize("text", ["is there an ambassador in Belfast", "mentor near Cardiff please", "any in Glasgow?"])
def test_a_place_outside_england_finds_nobody_and_says_where(db_session, text):
    outcome = directory_service.search(db_session=db_session, text=text)
    assert outcome.matches == []
    assert outcome.query.outside_england in {"Belfast", "Cardiff", "Glasgow"}


def test_a_region_entity_outside_england_is_recognised(db_session):
    outcome = directory_service.search(db_session=db_session, region="Swansea")
    assert outcome.matches == [] and outcome.query.outside_england == "Swansea"
    assert outcome.query.unrecognised_region is None


def test_a_sector_nobody_works_in_finds_nobody(db_session):
    outcome = directory_service.search(db_session=db_session, text="a mentor with a legal background")
    assert outcome.query.sector == "legal" and outcome.matches == []


def test_of_several_sectors_named_one_that_somebody_covers_is_used(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, text="someone from health who knows about contracts")
    assert outcome.query.sector == "health" and "andrew-burnell" in ids(outcome)


def test_a_partial_region_entity_is_read_from_the_whole_text(db_session):
    _directory(db_session)
    text = "Greater Manchester area - is there a mentor for a council team?"
    outcome = directory_service.search(db_session=db_session, region="Greater", text=text)
    assert outcome.query.region == "north-west" and outcome.query.unrecognised_region is None
    outcome = directory_service.search(db_session=db_session, region="south", text="a mentor in south Wales?")
    assert outcome.query.outside_england == "Wales" and outcome.matches == []


def test_a_partial_sector_entity_is_read_from_the_whole_text(db_session):
    _directory(db_session)
    text = "a mentor for adult social care please, we're based in Sunderland"
    outcome = directory_service.search(db_session=db_session, sector="adult", region="Sunderland", text=text)
    assert outcome.query.sector == "social-care" and outcome.query.unrecognised_sector is None
    # Nobody in social care in the North East: social care elsewhere is still useful.
    assert ids(outcome) == ["doug-cresswell"] and outcome.relaxed == "region"


def test_places_named_by_their_short_forms_are_found(db_session):
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, text="any health mentors near Beverley, East Yorks?")
    assert outcome.query.region == "yorkshire-and-the-humber"
    assert ids(outcome) == ["andrew-burnell"]


def test_an_unknown_place_never_lists_the_whole_directory(db_session):
    _directory(db_session)
    assert directory_service.search(db_session=db_session, region="Atlantis").matches == []


def test_experience_is_searched_when_no_sector_or_place_is_named(db_session):
    factories.ambassador(
        db_session, id="patrick-lewis", name="Patrick Lewis", sectors=["retail"], expertise=["Mutuals Taskforce member"]
    )
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, text="an ambassador who sat on the Mutuals Taskforce")
    assert ids(outcome) == ["patrick-lewis"] and outcome.by_experience
    assert not directory_service.search(db_session=db_session, text="find me an ambassador please").by_experience


def test_several_sectors_named_find_anyone_in_them(db_session):
    factories.ambassador(db_session, id="patrick-lewis", name="Patrick Lewis", sectors=["retail"])
    _directory(db_session)
    outcome = directory_service.search(db_session=db_session, text="a mentor from social care or retail")
    assert set(ids(outcome)) == {"patrick-lewis", "doug-cresswell"}


def test_a_sector_entity_does_not_hide_the_other_sectors_the_text_names(db_session):
    # The classifier picks out "social care"; the visitor also asked for retail.
    factories.ambassador(db_session, id="patrick-lewis", name="Patrick Lewis", sectors=["retail"])
    _directory(db_session)
    text = "is there a mentor with social care or retail experience?"
    outcome = directory_service.search(db_session=db_session, sector="social care", text=text)
    assert set(ids(outcome)) == {"patrick-lewis", "doug-cresswell"}
    only_one = directory_service.search(db_session=db_session, sector="social care", text="a social care mentor")
    assert ids(only_one) == ["doug-cresswell"]
