"""Cleansing on entry: emails, phone numbers, names and Hegyvidék Kártya numbers as Hungarian
clerks, residents and imports type them."""

from __future__ import annotations

import pytest
from django.utils import translation

from crm.cleansing import email_cleanse, loyalty_card_cleanse, name_cleanse, name_split, phone_cleanse, phone_query
from crm.models import ContactKind, ValidationState
from crm.normalise import fold, query_keys, search_keys, words


@pytest.mark.parametrize(
    ("typed", "value", "state"),
    [
        ("kovacs.janos@gmail.com", "kovacs.janos@gmail.com", ValidationState.VALID),
        ("  Kovacs.Janos@GMAIL.COM ", "Kovacs.Janos@gmail.com", ValidationState.CORRECTED),
        ("mailto:szabo.eva@freemail.hu", "szabo.eva@freemail.hu", ValidationState.CORRECTED),
        ("<nagy.peter@citromail.hu>", "nagy.peter@citromail.hu", ValidationState.CORRECTED),
        ("toth.anna@gmial.com", "toth.anna@gmail.com", ValidationState.CORRECTED),
        ("toth.anna@freemial.hu", "toth.anna@freemail.hu", ValidationState.CORRECTED),
        ("kiss.ödön@hegyvidek.hu", "kiss.ödön@hegyvidek.hu", ValidationState.VALID),  # internationalised local part
        ("info@hegyvidék.hu", "info@hegyvidék.hu", ValidationState.VALID),
    ],
)
def test_emails_are_normalised_and_well_known_domain_typos_fixed(typed, value, state):
    result = email_cleanse(typed)
    assert (result.value, result.state, result.problems) == (value, state, [])


@pytest.mark.parametrize(
    "typed", ["kovacs.janos", "kovacs janos@gmail.com", "a@b@c.hu", "kovacs@", "@gmail.com", "kovacs@gmail"]
)
def test_broken_emails_are_kept_as_typed_and_queued(typed):
    with translation.override("en"):
        result = email_cleanse(typed)
    assert result.state == ValidationState.INVALID
    assert result.value == typed
    assert [(p.field, p.code, p.value) for p in result.problems] == [("email", "email_invalid", typed)]
    assert result.problems[0].message.startswith("The email address is not valid:")


@pytest.mark.parametrize(
    "typed",
    [
        "06 30 123 4567",
        "+36 30 123 4567",
        "+36-30/123-4567",
        "0036301234567",
        "06-30-123-4567",
        "30 123 4567",
        "(30) 123 4567",
    ],
)
def test_every_way_of_writing_a_mobile_number_gives_one_e164(typed):
    result = phone_cleanse(typed)
    assert (result.value, result.national, result.kind) == ("+36301234567", "301234567", ContactKind.MOBILE)
    assert result.problems == []


def test_budapest_landline_and_foreign_numbers():
    assert (phone_cleanse("06 1 224 5900").value, phone_cleanse("06 1 224 5900").kind) == (
        "+3612245900",
        ContactKind.LANDLINE,
    )
    vienna = phone_cleanse("+43 1 51 555 0")
    assert vienna.value.startswith("+431") and vienna.problems == []


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("123", "phone_invalid"),
        ("hívjon este", "phone_invalid"),
        ("06 30 12", "phone_not_in_plan"),
        ("06 20 999 99999", "phone_invalid"),
    ],
)
def test_impossible_phone_numbers_are_queued(typed, code):
    result = phone_cleanse(typed)
    assert result.state == ValidationState.INVALID
    assert [p.code for p in result.problems] == [code]


def test_phone_queries_as_the_clerk_types_them():
    assert phone_query("06 30 123") == ("", "30123")
    assert phone_query("+36 30 12") == ("", "3012")
    assert phone_query("06301234567") == ("+36301234567", "301234567")
    assert phone_query("+43 1 515550") == ("", "")  # foreign: looked up only whole


@pytest.mark.parametrize(
    ("prefix", "family", "given", "expected"),
    [
        ("", "dr. Kovács", "János", ("dr.", "Kovács", "János")),
        ("", "Dr Kovács", "János", ("dr.", "Kovács", "János")),
        ("", "ifj. Nagy", "Péter", ("ifj.", "Nagy", "Péter")),
        ("", "özv. Szőke", "Ödönné", ("özv.", "Szőke", "Ödönné")),
        ("prof", "dr. Szűcs", "Levente", ("prof. dr.", "Szűcs", "Levente")),
        ("", "KOVÁCS-NAGY", "ANNA MÁRIA", ("", "Kovács-Nagy", "Anna Mária")),
        ("", "kovács - nagy", "anna  mária", ("", "Kovács-Nagy", "Anna Mária")),
        ("", "McDonald", "Ewan", ("", "McDonald", "Ewan")),
    ],
)
def test_names_get_titles_split_off_and_capitals_fixed(prefix, family, given, expected):
    result = name_cleanse(name_prefix=prefix, family_name=family, given_names=given)
    assert (result.name_prefix, result.family_name, result.given_names) == expected


def test_a_whole_name_in_hungarian_order_is_split():
    result = name_split("dr. Kovács-Nagy Anna Mária")
    assert (result.name_prefix, result.family_name, result.given_names) == ("dr.", "Kovács-Nagy", "Anna Mária")


def test_loyalty_card_numbers_lose_spaces_and_dashes():
    assert loyalty_card_cleanse(" hk 1234-5678 ") == "HK12345678"


def test_folding_and_search_keys_are_accent_and_case_insensitive():
    assert fold("Kovács-Szőke Jánosné ŰRÖS") == "kovacs-szoke janosne uros"
    assert words("dr. Kovács-Szőke János") == ["kovacs", "szoke", "janos"]
    keys = search_keys(["Kovács", "János", "Böszörményi"], numbers=["12/B", "1123"])
    assert {"k", "kov", "kovacs", "j", "janos", "boszormenyi", "12", "b", "1123"} <= set(keys)
    assert "dr" not in search_keys(["dr. Kovács"])
    assert query_keys("KOV jÁn") == ["jan", "kov"]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("szucs.gyongyi@citromail", "the part after the @ sign is not a domain name"),
        ("kovacs.janos", "it must have exactly one @ sign"),
        ("a@b@c.hu", "it must have exactly one @ sign"),
        ("kovacs..janos@gmail.com", "it has two dots in a row"),
    ],
)
def test_the_reason_of_a_broken_email_says_what_is_wrong(typed, reason):
    with translation.override("en"):
        result = email_cleanse(typed)
    assert result.problems[0].message == f"The email address is not valid: {reason}"
