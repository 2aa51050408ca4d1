"""RF creditor references (ISO 11649): creation, validation, and finding them in remittance text."""

from __future__ import annotations

import string

import pytest

from payments.references import (
    reference_body,
    reference_create,
    reference_format,
    reference_is_valid,
    reference_normalise,
    references_find,
)


def test_the_iso_11649_example_is_created_and_valid():
    # given the standard's own example body
    # when a reference is made of it without a prefix
    reference = reference_create("539007547034", prefix="")
    # then it is the standard's reference, valid in compact and printed form
    assert reference == "RF18539007547034"
    assert reference_is_valid("RF18539007547034")
    assert reference_is_valid("RF18 5390 0754 7034")


@pytest.mark.parametrize(
    "body, expected",
    [("1234512345", "RF451234512345"), ("AB2G5", "RF68AB2G5"), ("TU06FX", "RF96TU06FX")],
)
def test_published_creditor_reference_examples_are_reproduced(body, expected):
    # given bodies whose references other ISO 11649 implementations publish
    # then the same check digits come out, and the references validate
    assert reference_create(body, prefix="") == expected
    assert reference_is_valid(expected)


def test_an_order_number_becomes_a_padded_hv_reference():
    # when the reference of order 123456 is made
    reference = reference_create(123456)
    # then the body is HV + nine digits, the check digits agree, and it prints in fours
    assert reference == "RF93HV000123456"
    assert reference_body(reference) == "HV000123456"
    assert reference_is_valid(reference)
    assert reference_format(reference) == "RF93 HV00 0123 456"
    assert reference_create("123456") == reference  # digit strings are numbers


def test_references_are_unique_and_valid_by_construction():
    # when references are made for many order numbers
    references = [reference_create(number) for number in range(1, 5001)]
    # then no two are equal and all are valid
    assert len(set(references)) == 5000
    assert all(reference_is_valid(reference) for reference in references)


def test_alphanumeric_order_numbers_and_other_prefixes():
    # when an order number has letters, or another prefix is used
    # then the body is used as written, upper case, and the result is valid
    assert reference_create("ab12") == "RF19HVAB12"
    assert reference_is_valid(reference_create(42, prefix="pk"))
    assert reference_body(reference_create(42, prefix="pk")) == "PK000000042"


@pytest.mark.parametrize(
    "order_number, prefix",
    [(-1, "HV"), ("12/3", "HV"), ("", "HV"), ("1" * 20, "HV"), (5, "H-V"), ("ő1", "HV")],
)
def test_unusable_order_numbers_are_refused(order_number, prefix):
    # when the body would be negative, empty, too long or not letters/digits
    # then no reference is made
    with pytest.raises(ValueError):
        reference_create(order_number, prefix=prefix)


def test_every_same_kind_substitution_and_adjacent_swap_is_detected():
    # given a valid reference
    reference = reference_create(123456)
    # when any one character after "RF" is replaced by another digit (or letter, for a letter)
    substitutions = [
        reference[:i] + char + reference[i + 1 :]
        for i in range(2, len(reference))
        for char in (string.digits if reference[i].isdigit() else string.ascii_uppercase)
        if char != reference[i]
    ]
    # or two neighbouring different characters are swapped
    swaps = [
        reference[:i] + reference[i + 1] + reference[i] + reference[i + 2 :]
        for i in range(2, len(reference) - 1)
        if reference[i] != reference[i + 1]
    ]
    # then the check digits disagree every time
    assert len(substitutions) == 11 * 9 + 2 * 25
    assert not any(reference_is_valid(text) for text in substitutions)
    assert swaps and not any(reference_is_valid(text) for text in swaps)


@pytest.mark.parametrize(
    "text",
    ["", "RF", "RF93", "RF9HV000123456", "XX93HV000123456", "RF93HV00012345#", "RF93" + "1" * 22, "RF93HV000123465"],
)
def test_malformed_or_wrong_references_are_invalid(text):
    assert reference_is_valid(text) is False


def test_normalise_strips_spaces_dashes_dots_and_upper_cases():
    assert reference_normalise(" rf93 hv00-0123.456\n") == "RF93HV000123456"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("RF93 HV00 0123 456", ["RF93HV000123456"]),
        ("rf93hv000123456", ["RF93HV000123456"]),
        ("RF 93HV000 123456", ["RF93HV000123456"]),
        ("befizetés RF93HV00\n0123456 köszönöm", ["RF93HV000123456"]),
        ("RF93-HV00-0123-456", ["RF93HV000123456"]),
        ("RF93 H V000123456 díj", ["RF93HV000123456"]),
        ("Azonosító:RF93HV000123456, parkolás", ["RF93HV000123456"]),
        ("RF93HV000123456 2024. évi díj", ["RF93HV000123456"]),
        ("RF93HV000123456köszönöm", ["RF93HV000123456"]),
        ("RF93HV000123456/RF66HV000123457", ["RF93HV000123456", "RF66HV000123457"]),
        ("RF93HV000123456 és RF66 HV00 0123 457", ["RF93HV000123456", "RF66HV000123457"]),
        ("RF93HV000123456 RF93HV000123456", ["RF93HV000123456"]),
    ],
)
def test_references_are_found_however_they_are_written(text, expected):
    # when free remittance text is searched
    # then each reference is returned once, compact, in order of appearance
    assert references_find(text) == expected


def test_a_mistyped_reference_is_returned_whole_and_invalid():
    # given a reference with two digits swapped, followed by other words
    found = references_find("parkolás RF93HV000123465 díj")
    # then it is returned as written, for the matcher to correct
    assert found == ["RF93HV000123465"]
    assert reference_is_valid(found[0]) is False


@pytest.mark.parametrize(
    "text",
    ["", "nincs azonosító", "RFID kártya 12", "XRF93HV000123456", "RF71 díj", "HV000123456", "rf. 2 db"],
)
def test_text_without_an_rf_reference_yields_nothing(text):
    assert references_find(text) == []


def test_a_letter_for_a_digit_may_keep_the_check_digits_right():
    # given a reference and the same with "Y" typed for the "2" (a letter counts as two digits)
    # then mod 97 happens to accept it: why the matcher also looks up valid unknown references
    assert reference_is_valid("RF93HV0001Y3456") is True
