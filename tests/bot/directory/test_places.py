import pytest

from bot.directory.places import region_for, regions_mentioned
from bot.directory.sectors import sector_for, sectors_mentioned


@pytest.mark.parametrize(
    "place, region",
    [
        ("Hull", "yorkshire-and-the-humber"),
        ("Stockport", "north-west"),
        ("greater manchester", "north-west"),
        ("Kent", "south-east"),
        ("Cornwall", "south-west"),
        ("the North East", "north-east"),
        ("Yorkshire and the Humber", "yorkshire-and-the-humber"),
        ("Birmingham", "west-midlands"),
        ("Norwich", "east-of-england"),
        ("Camden", "london"),
        ("Manchestr", "north-west"),  # a typo
        ("in Leeds", "yorkshire-and-the-humber"),
    ],
)
def test_places_map_to_english_regions(place, region):
    assert region_for(place) == region


@pytest.mark.parametrize("place", ["Wales", "Glasgow", "Paris", "", None])
def test_places_outside_england_map_to_nothing(place):
    assert region_for(place) is None


def test_regions_mentioned_in_free_text():
    assert regions_mentioned("any mentors near Newcastle upon Tyne?") == ["north-east"]
    assert regions_mentioned("who can help with health services") == []


@pytest.mark.parametrize(
    "words, sector",
    [
        ("NHS", "health"),
        ("adult social care", "social-care"),
        ("Libraries", "libraries-culture"),
        ("leisure centres", "leisure-sport"),
    ],
)
def test_sector_words(words, sector):
    assert sector_for(words) == sector


def test_sectors_mentioned_prefers_longer_phrases():
    assert sectors_mentioned("someone from social care") == ["social-care"]
