import pytest

from bot.hotline.contact import detect_contact_method, normalise_email, normalise_phone


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sam.jones@example.org", "sam.jones@example.org"),
        ("  Sam@Example.ORG ", "Sam@example.org"),
        ("my email is j.smith@council.gov.uk thanks", "j.smith@council.gov.uk"),
        ("not an email", None),
        ("sam@", None),
        ("sam@example", None),
        ("a@b..com", None),
        ("two@example.org and three@example.org", None),
        ("", None),
    ],
)
def test_email(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("07700 900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("+44 (0)161 496 0000", "0161 496 0000"),
        ("0161-496-0000", "0161 496 0000"),
        ("020 7946 0018", "020 7946 0018"),
        ("call me on 0113 496 0123 please", "0113 496 0123"),
        ("+1 202 555 0173", "+12025550173"),
        ("12345", None),
        ("0800", None),
        ("phone", None),
        ("07700 900123 4567 8910", None),
    ],
)
def test_phone(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Email", "email"),
        ("by e-mail please", "email"),
        ("phone", "phone"),
        ("ring me", "phone"),
        ("sam@example.org", "email"),
        ("07700 900123", "phone"),
        ("either", None),
        ("email or phone", None),
    ],
)
def test_contact_method(text, expected):
    assert detect_contact_method(text) == expected
