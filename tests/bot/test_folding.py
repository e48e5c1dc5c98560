"""One way to fold text for matching, shared by the FAQ search and the directory."""

from bot.directory import places, sectors
from bot.folding import LETTERS, fold


def test_folding_drops_accents_case_apostrophes_and_punctuation():
    assert fold("Coöperative & Co-Op's  SERVICE, 2012!") == "cooperative and co ops service 2012"
    assert fold("King’s Lynn", token=LETTERS) == "kings lynn"
    assert fold("M60 ring-road", token=LETTERS) == "m ring road"


def test_the_directory_matches_names_however_they_are_written():
    assert places.region_for("KINGSTON-UPON-HULL") == places.region_for("Kingston upon Hull") is not None
    assert sectors.sector_for("Health & Social Care") == sectors.sector_for("health and social care")
