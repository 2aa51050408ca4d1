"""Address cleansing: Budapest postcode ↔ settlement ↔ district, the district's street list."""

from __future__ import annotations

import csv

import pytest
from django.urls import include, path

from backend.urls import urlpatterns as project_urlpatterns
from crm import addresses
from crm.addresses import (
    BUILTIN_STREETS_CSV,
    AddressInput,
    Problem,
    address_check,
    load_builtin_streets,
    normalise_street_type,
    parse_district,
    streets_cache_clear,
)
from crm.models import Street, ValidationState
from crm.streets_admin import StreetViewSet
from tests.conftest import login_staff_with_mfa
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

# The viewset is registered by the CRM's admin hooks; this module's own URLconf mounts it so the
# staff screen can be tested without them.
_street_viewset = StreetViewSet()
urlpatterns = [
    path("admin/crm-streets/", include((_street_viewset.get_urlpatterns(), "crm_streets"), namespace="crm_streets")),
    *project_urlpatterns,
]


@pytest.fixture(autouse=True)
def _fresh_street_cache():
    streets_cache_clear()
    yield
    streets_cache_clear()


def _bundled_rows() -> list[dict]:
    with BUILTIN_STREETS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the bundled list -----------------------------------------------------------------------------


def test_the_migration_loads_the_bundled_street_list():
    # given the database as the migrations leave it
    rows = _bundled_rows()

    # then every row of the bundled list is a street of District XII, with its folded key
    assert Street.objects.count() == len(rows)
    assert Street.objects.filter(district=12).count() == len(rows)
    street = Street.objects.get(district=12, key="boszormenyi ut")
    assert (street.name, street.type, street.postcode) == ("Böszörményi", "út", "1126")
    assert sorted(Street.objects.filter(key="csorsz utca").values_list("postcode", flat=True)) == ["1123", "1124"]


def test_loading_the_bundled_list_again_adds_nothing():
    # given the list loaded by the migration
    before = Street.objects.count()

    # when it is loaded again
    added = load_builtin_streets(Street)

    # then nothing is added twice
    assert added == 0
    assert Street.objects.count() == before


def test_the_bundled_list_is_well_formed():
    # given the bundled file
    rows = _bundled_rows()

    # then each row is a District XII postcode, a name and a written-out street type, once
    assert list(rows[0]) == ["district", "postcode", "name", "type"]
    assert {row["district"] for row in rows} == {"12"}
    assert {row["postcode"] for row in rows} <= {"1121", "1122", "1123", "1124", "1125", "1126"}
    assert all(normalise_street_type(row["type"]) == row["type"] for row in rows)
    assert all(row["name"] == " ".join(row["name"].split()) and row["name"] for row in rows)
    keys = [(row["postcode"], addresses.street_key(name=row["name"], street_type=row["type"])) for row in rows]
    assert len(keys) == len(set(keys))


# --- settlement, postcode and district ---------------------------------------------------------------


def test_abbreviations_and_a_house_number_in_the_street_field_are_split_off():
    # given "1123 Bp., Alkotás u. 7/B" typed into three fields
    address = AddressInput(postcode="1123", settlement="Bp.", street_name="Alkotás u. 7/B")

    # when it is checked
    result = address_check(address)

    # then the parts are where they belong and each fix is noted
    assert (result.postcode, result.settlement, result.district) == ("1123", "Budapest", 12)
    assert (result.street_name, result.street_type, result.house_number, result.extra) == ("Alkotás", "utca", "7/B", "")
    assert result.street_key == "alkotas utca"
    assert result.state == ValidationState.CORRECTED
    assert result.problems == []
    assert result.corrections == [
        "Street type utca split off the street name.",
        "House number 7/B moved out of the street name.",
        "Settlement Bp. written as Budapest.",
    ]


def test_a_street_typed_without_accents_gets_its_spelling_from_the_list():
    # given "1126 Budapest Böszörményi ut 12" and the same street typed without any accent
    typed = AddressInput(postcode="1126", settlement="Budapest", district=12, street_name="Böszörményi ut 12")
    unaccented = AddressInput(
        postcode="1126",
        settlement="Budapest",
        district=12,
        street_name="Boszormenyi",
        street_type="ut",
        house_number="12",
    )

    # when they are checked
    first, second = address_check(typed), address_check(unaccented)

    # then both come out as the list writes the street
    for result in (first, second):
        assert (result.street_name, result.street_type, result.house_number) == ("Böszörményi", "út", "12")
        assert result.state == ValidationState.CORRECTED
        assert result.problems == []
    assert first.corrections == [
        "Street type út split off the street name.",
        "House number 12 moved out of the street name.",
    ]
    assert second.corrections == [
        "Street type ut written out as út.",
        "Street name Boszormenyi út written as Böszörményi út.",
    ]


def test_the_district_in_the_settlement_and_the_street_list_fill_in_the_rest():
    # given "Budapest XII. kerület, Kutvolgyi ut 3" without a postcode
    address = AddressInput(settlement="Budapest XII. kerület", street_name="Kutvolgyi ut 3")

    # when it is checked
    result = address_check(address)

    # then the district comes from the settlement, the postcode from the street's only one
    assert (result.postcode, result.settlement, result.district) == ("1125", "Budapest", 12)
    assert (result.street_name, result.street_type, result.house_number) == ("Kútvölgyi", "út", "3")
    assert result.state == ValidationState.CORRECTED
    assert result.problems == []
    assert result.corrections == [
        "Street type út split off the street name.",
        "House number 3 moved out of the street name.",
        "Settlement Budapest XII. kerület written as Budapest.",
        "Street name Kutvolgyi út written as Kútvölgyi út.",
        "Postcode 1125 filled in from the street list.",
    ]


@pytest.mark.parametrize(
    ("typed", "district"),
    [
        ("Bp.", None),
        ("Bp", None),
        ("budapest", None),
        ("BUDAPEST", None),
        ("Budapest XII.", 12),
        ("Budapest, XII. kerület", 12),
        ("Bp. XII. ker.", 12),
        ("Budapest 12. ker.", 12),
    ],
)
def test_spellings_of_budapest(typed, district):
    # given a Budapest address whose settlement is written in one of the usual ways
    address = AddressInput(
        postcode="1122", settlement=typed, street_name="Városmajor", street_type="utca", house_number="71"
    )

    # when it is checked
    result = address_check(address)

    # then it is "Budapest", in District XII (from the settlement or the postcode)
    assert (result.settlement, result.district) == ("Budapest", 12)
    assert result.state == ValidationState.CORRECTED
    assert result.problems == []
    assert result.corrections[0] == f"Settlement {typed} written as Budapest."


def test_a_complete_correct_address_is_valid_and_unchanged():
    # given an address exactly as the list has it
    address = AddressInput(
        postcode="1122",
        settlement="Budapest",
        district=12,
        street_name="Városmajor",
        street_type="utca",
        house_number="71",
    )

    # when it is checked
    result = address_check(address)

    # then nothing is changed and nothing is wrong
    assert result.state == ValidationState.VALID
    assert result.corrections == []
    assert result.problems == []
    assert result.street_key == "varosmajor utca"
    assert result.validation_note == ""


def test_a_district_contradicting_the_postcode_is_not_fixed():
    # given a District XII postcode with District XI typed
    address = AddressInput(
        postcode="1121",
        settlement="Budapest",
        district=11,
        street_name="Zugligeti",
        street_type="út",
        house_number="58",
    )

    # when it is checked
    result = address_check(address)

    # then one of the two is wrong, and a person decides which
    assert result.state == ValidationState.INVALID
    assert (result.postcode, result.district) == ("1121", 11)
    assert result.problems == [
        Problem("postcode_district_mismatch", "Postcode 1121 belongs to District XII., not District XI.", "XII")
    ]
    assert result.validation_note == "Postcode 1121 belongs to District XII., not District XI."


def test_a_district_handed_over_in_roman_numerals_is_read():
    # given the district as a registry hands it over: "XII"
    address = AddressInput(
        postcode="1126",
        settlement="Budapest",
        district="XII",
        street_name="Nagy Jenő",
        street_type="utca",
        house_number="12",
    )

    # when it is checked
    result = address_check(address)

    # then it is District 12, and nothing else needed fixing
    assert result.district == 12
    assert result.state == ValidationState.VALID


def test_a_budapest_postcode_with_another_settlement_is_a_problem():
    # given "1052 Budapest" as postcode with Debrecen as settlement
    address = AddressInput(
        postcode="1052", settlement="Debrecen", street_name="Piac", street_type="utca", house_number="20"
    )

    # when it is checked
    result = address_check(address)

    # then the contradiction is reported, nothing guessed
    assert result.state == ValidationState.INVALID
    assert (result.settlement, result.district) == ("Debrecen", None)
    assert result.problems == [
        Problem("postcode_settlement_mismatch", "Postcode 1052 is a Budapest postcode, but the settlement is Debrecen.")
    ]


def test_a_postcode_outside_budapest_with_budapest_as_settlement_is_a_problem():
    # given Budaörs' postcode with Budapest as settlement
    address = AddressInput(
        postcode="2040", settlement="Budapest", street_name="Szabadság", street_type="út", house_number="1"
    )

    # when it is checked
    result = address_check(address)

    # then it is reported
    assert result.state == ValidationState.INVALID
    assert [p.code for p in result.problems] == ["postcode_settlement_mismatch"]
    assert result.problems[0].message == ("Postcode 2040 is not a Budapest postcode (Budapest postcodes start with 1).")


def test_an_address_outside_budapest_is_checked_for_consistency_only():
    # given "4024 Debrecen, Piac utca 20" (no street list is bundled for Debrecen)
    address = AddressInput(
        postcode="4024", settlement="Debrecen", street_name="Piac", street_type="utca", house_number="20"
    )

    # when it is checked
    result = address_check(address)

    # then it is valid as it is
    assert result.state == ValidationState.VALID
    assert (result.postcode, result.settlement, result.district) == ("4024", "Debrecen", None)
    assert result.corrections == []
    assert result.problems == []


def test_a_lowercase_settlement_is_capitalised():
    # given "4024 debrecen"
    address = AddressInput(postcode="4024", settlement="debrecen", street_name="Piac u. 20")

    # when it is checked
    result = address_check(address)

    # then the place name is written as one
    assert result.settlement == "Debrecen"
    assert result.state == ValidationState.CORRECTED
    assert "Settlement debrecen written as Debrecen." in result.corrections


def test_another_budapest_district_is_not_checked_against_the_street_list():
    # given a District V address (no street list bundled for it)
    address = AddressInput(
        postcode="1051", settlement="Budapest", street_name="Nádor", street_type="utca", house_number="7"
    )

    # when it is checked
    result = address_check(address)

    # then the district is derived from the postcode, which is not a correction of what was typed
    assert result.state == ValidationState.VALID
    assert result.district == 5
    assert result.corrections == []


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("112", "Postcode 112 is not a Hungarian postcode (four digits)."),
        ("11 2A", "Postcode 11 2A is not a Hungarian postcode (four digits)."),
        ("1251", "Postcode 1251 does not exist in Budapest (1011–1239)."),
    ],
)
def test_malformed_postcodes(postcode, message):
    # given a postcode that cannot be one
    address = AddressInput(
        postcode=postcode, settlement="Budapest", street_name="Nádor", street_type="utca", house_number="7"
    )

    # when it is checked
    result = address_check(address)

    # then it is reported as it was typed
    assert result.state == ValidationState.INVALID
    assert result.postcode == postcode
    assert result.problems == [Problem("postcode_invalid", message)]


def test_a_postcode_prefixed_with_the_country_is_accepted():
    # given "H-1126"
    address = AddressInput(postcode="H-1126", settlement="Budapest", street_name="Nagy Jenő utca 12")

    # when it is checked
    result = address_check(address)

    # then the postcode is its four digits
    assert result.postcode == "1126"
    assert result.problems == []


def test_a_district_xii_postcode_that_is_not_used_there():
    # given 1129, which looks like a District XII postcode but is not one
    address = AddressInput(
        postcode="1129", settlement="Budapest", street_name="Maros", street_type="utca", house_number="3"
    )

    # when it is checked
    result = address_check(address)

    # then the district's postcodes are suggested
    assert result.problems == [
        Problem(
            "postcode_invalid",
            "Postcode 1129 is not used in District XII.",
            "1121, 1122, 1123, 1124, 1125, 1126",
        )
    ]


def test_a_foreign_address_is_left_unchecked():
    # given a Vienna address
    address = AddressInput(
        country="at", postcode="1010", settlement=" Wien ", street_name="Stephansplatz", house_number="1"
    )

    # when it is checked
    result = address_check(address)

    # then it is kept as typed, trimmed, and marked unchecked
    assert result.state == ValidationState.UNCHECKED
    assert (result.country, result.postcode, result.settlement, result.district) == ("AT", "1010", "Wien", None)
    assert (result.street_name, result.house_number) == ("Stephansplatz", "1")
    assert result.corrections == []
    assert result.problems == []


# --- the street list -------------------------------------------------------------------------------


def test_an_unknown_street_in_the_district_comes_with_a_suggestion():
    # given "Németvölgy utca" (the street is Németvölgyi út)
    address = AddressInput(
        postcode="1124", settlement="Budapest", street_name="Németvölgy", street_type="utca", house_number="35"
    )

    # when it is checked
    result = address_check(address)

    # then it is not guessed, the close street is suggested
    assert result.state == ValidationState.INVALID
    assert (result.street_name, result.street_type) == ("Németvölgy", "utca")
    assert result.problems == [
        Problem("street_unknown", "Németvölgy utca is not on the street list of District XII.", "Németvölgyi út")
    ]


def test_a_street_not_in_the_district_at_all():
    # given a street of another district typed with a District XII postcode
    address = AddressInput(
        postcode="1126", settlement="Budapest", street_name="Petőfi Sándor", street_type="utca", house_number="3"
    )

    # when it is checked
    result = address_check(address)

    # then there is nothing to suggest
    assert result.problems == [
        Problem("street_unknown", "Petőfi Sándor utca is not on the street list of District XII.", "")
    ]


def test_one_typo_in_a_long_street_name_is_corrected():
    # given "Városmajr utca" (one letter missing)
    address = AddressInput(
        postcode="1122", settlement="Budapest", street_name="Városmajr", street_type="utca", house_number="47/B"
    )

    # when it is checked
    result = address_check(address)

    # then the only close street is taken, and the fix is noted
    assert result.state == ValidationState.CORRECTED
    assert (result.street_name, result.street_type) == ("Városmajor", "utca")
    assert result.corrections == ["Street name Városmajr utca corrected to Városmajor utca."]


def test_the_street_type_is_filled_in_when_the_name_is_unique():
    # given "Kiss János altábornagy 12" without a type
    address = AddressInput(postcode="1126", settlement="Budapest", street_name="Kiss János altábornagy 12")

    # when it is checked
    result = address_check(address)

    # then the list's only street of that name gives the type
    assert (result.street_name, result.street_type, result.house_number) == ("Kiss János altábornagy", "utca", "12")
    assert result.state == ValidationState.CORRECTED
    assert "Street type utca filled in from the street list." in result.corrections


@pytest.mark.parametrize(
    ("typed", "postcode", "name", "type_"),
    [
        ("Kiss J. altb. u. 31-33/A", "1126", "Kiss János altábornagy", "utca"),
        ("Szilágyi E. fasor 22/C", "1125", "Szilágyi Erzsébet", "fasor"),
        ("Konkoly-Thege M. út 29-33", "1121", "Konkoly-Thege Miklós", "út"),
    ],
)
def test_abbreviated_words_in_a_street_name_are_written_out(typed, postcode, name, type_):
    # given a street name with abbreviated words, as on envelopes
    address = AddressInput(postcode=postcode, settlement="Budapest", street_name=typed)

    # when it is checked
    result = address_check(address)

    # then the only street it can stand for is taken
    assert (result.street_name, result.street_type) == (name, type_)
    assert result.state == ValidationState.CORRECTED
    assert result.problems == []
    abbreviated = typed.rsplit(" ", 1)[0].rsplit(" ", 1)[0]
    assert f"Street name {abbreviated} {type_} written out as {name} {type_}." in result.corrections


def test_a_street_type_typed_twice_is_removed_from_the_name():
    # given "Maros utca" in the street field and "utca" in the type field
    address = AddressInput(
        postcode="1122",
        settlement="Budapest",
        district=12,
        street_name="Maros utca",
        street_type="utca",
        house_number="19",
    )

    # when it is checked
    result = address_check(address)

    # then the name is the name alone
    assert (result.street_name, result.street_type) == ("Maros", "utca")
    assert result.corrections == ["Street type utca removed from the street name."]
    assert result.state == ValidationState.CORRECTED


def test_a_street_type_contradicting_the_type_field_is_a_problem():
    # given "Böszörményi út" in the street field and "utca" in the type field
    address = AddressInput(
        postcode="1126", settlement="Budapest", street_name="Böszörményi út", street_type="utca", house_number="12"
    )

    # when it is checked
    result = address_check(address)

    # then a person decides
    assert result.state == ValidationState.INVALID
    assert result.problems == [Problem("street_type_mismatch", "The street field says út, the street type field utca.")]


def test_a_street_with_the_wrong_postcode_gets_the_expected_one_suggested():
    # given Böszörményi út with Városmajor's postcode
    address = AddressInput(
        postcode="1122", settlement="Budapest", street_name="Böszörményi", street_type="út", house_number="12"
    )

    # when it is checked
    result = address_check(address)

    # then the street's postcode is suggested
    assert result.state == ValidationState.INVALID
    assert result.problems == [Problem("street_postcode_mismatch", "Böszörményi út is not in postcode 1122.", "1126")]


def test_a_long_street_spans_several_postcodes():
    # given Csörsz utca, which has 1123 and 1124
    in_1123 = AddressInput(postcode="1123", settlement="Budapest", street_name="Csörsz u. 14-16")
    in_1124 = AddressInput(postcode="1124", settlement="Budapest", street_name="Csörsz u. 18")
    elsewhere = AddressInput(postcode="1126", settlement="Budapest", street_name="Csörsz u. 45")
    missing = AddressInput(settlement="Budapest XII.", street_name="Csörsz u. 45")

    # when they are checked
    results = [address_check(a) for a in (in_1123, in_1124, elsewhere, missing)]

    # then both postcodes are accepted; a third one or none at all needs a person
    assert [r.state for r in results] == [
        ValidationState.CORRECTED,
        ValidationState.CORRECTED,
        ValidationState.INVALID,
        ValidationState.INVALID,
    ]
    assert results[0].house_number == "14-16"
    assert results[2].problems == [
        Problem("street_postcode_mismatch", "Csörsz utca is not in postcode 1126.", "1123, 1124")
    ]
    assert results[3].problems == [
        Problem("postcode_missing", "The postcode is missing; Csörsz utca has several.", "1123, 1124")
    ]


def test_a_missing_house_number_is_a_problem():
    # given a street without a number
    address = AddressInput(postcode="1122", settlement="Budapest", street_name="Maros utca")

    # when it is checked
    result = address_check(address)

    # then it is reported
    assert result.problems == [Problem("house_number_missing", "The house number is missing.")]


def test_floor_and_door_typed_after_the_house_number_go_to_extra():
    # given "Diós árok 25/b 2. em. 5." in the street field
    address = AddressInput(postcode="1125", settlement="Budapest", street_name="Diós árok 25/b 2. em. 5.")

    # when it is checked
    result = address_check(address)

    # then the house number is tidied and the rest is the building, floor, door field
    assert (result.street_name, result.street_type, result.house_number, result.extra) == (
        "Diós",
        "árok",
        "25/B",
        "2. em. 5.",
    )
    assert result.problems == []


def test_two_different_house_numbers_are_a_problem():
    # given a number in the street field and another one in the house number field
    address = AddressInput(postcode="1122", settlement="Budapest", street_name="Maros u. 19", house_number="21")

    # when it is checked
    result = address_check(address)

    # then neither is thrown away
    assert result.house_number == "21"
    assert result.problems == [
        Problem("house_number_mismatch", "The street field has house number 19, the house number field 21.")
    ]


def test_the_home_district_is_a_setting(settings):
    # given District XI as the home district (no street list loaded for it)
    settings.MUNICIPALITY_DISTRICT = "XI"
    address = AddressInput(postcode="1124", settlement="Budapest", street_name="Petőfi Sándor utca 3")

    # when a District XII address with a street not on the XII list is checked
    result = address_check(address)

    # then the XII list is not consulted
    assert result.problems == []


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("u.", "utca"),
        ("u", "utca"),
        ("utca", "utca"),
        ("ut", "út"),
        ("út", "út"),
        ("krt.", "körút"),
        ("tér", "tér"),
        ("tere", "tere"),
        ("köz", "köz"),
        ("lejtő", "lejtő"),
        ("lépcső", "lépcső"),
        ("sétány", "sétány"),
        ("sor", "sor"),
        ("fasor", "fasor"),
        ("dűlő", "dűlő"),
        ("park", "park"),
        ("liget", "liget"),
        ("rkp.", "rakpart"),
        ("hrsz", "hrsz"),
        ("Árok", "árok"),
    ],
)
def test_street_types(typed, canonical):
    assert normalise_street_type(typed) == canonical


@pytest.mark.parametrize(("typed", "district"), [("XII", 12), ("xii.", 12), ("12", 12), ("XXIII", 23), ("IIII", None)])
def test_districts_in_roman_numerals(typed, district):
    assert parse_district(typed) == district


# --- the cache -------------------------------------------------------------------------------------


def test_checking_many_addresses_reads_the_street_list_once(django_assert_max_num_queries):
    # given an import's worth of District XII addresses
    batch = [
        AddressInput(postcode="1126", settlement="Budapest", street_name=f"Böszörményi út {n}") for n in range(1, 501)
    ]

    # when they are checked, then the list is read once, not once per address
    with django_assert_max_num_queries(2):
        results = [address_check(a) for a in batch]
    assert {r.state for r in results} == {ValidationState.CORRECTED}


def test_the_cache_notices_a_changed_table_after_its_interval(monkeypatch):
    # given a street missing from the cached list
    address = AddressInput(postcode="1125", settlement="Budapest", street_name="Zirzen Janka utca 5")
    assert address_check(address).problems[0].code == "street_unknown"

    # when it is added outside the staff screen and the check interval has passed
    Street.objects.create(district=12, postcode="1125", name="Zirzen Janka", type="utca", key="zirzen janka utca")
    monkeypatch.setattr(addresses, "CACHE_CHECK_SECONDS", 0)

    # then the next check finds it
    assert address_check(address).problems == []


# --- the staff screen ------------------------------------------------------------------------------


@pytest.fixture
def crm_clerk_client(client):
    return login_staff_with_mfa(client, staff_user(role="crm_clerk", email="crm@test.example"))


@pytest.mark.urls(__name__)
def test_staff_list_the_streets_and_search_without_accents(crm_clerk_client):
    # when a clerk searches for "boszormenyi"
    response = crm_clerk_client.get("/admin/crm-streets/", {"q": "boszormenyi"})

    # then Böszörményi út is listed, and Városmajor utca is not
    assert response.status_code == 200
    page = response.content.decode()
    assert "Böszörményi út" in page
    assert "Városmajor utca" not in page


@pytest.mark.urls(__name__)
def test_staff_filter_the_streets_by_postcode(crm_clerk_client):
    # when a clerk filters on 1122
    response = crm_clerk_client.get("/admin/crm-streets/", {"postcode": "1122"})

    # then only that postcode's streets are listed
    assert response.status_code == 200
    page = response.content.decode()
    assert "Városmajor utca" in page
    assert "Böszörményi út" not in page


@pytest.mark.urls(__name__)
def test_a_street_added_by_staff_is_known_to_the_next_check_at_once(crm_clerk_client):
    # given a street the bundled list lacks, already checked once (so the list is cached)
    address = AddressInput(postcode="1125", settlement="Budapest", street_name="Zirzen Janka u. 5")
    assert address_check(address).problems[0].code == "street_unknown"

    # when a clerk adds it, with the type abbreviated
    response = crm_clerk_client.post(
        "/admin/crm-streets/new/", {"district": "12", "postcode": "1125", "name": " Zirzen  Janka ", "type": "u."}
    )

    # then it is stored written out with its key, and the next check accepts the address
    assert response.status_code == 302
    street = Street.objects.get(key="zirzen janka utca")
    assert (street.district, street.postcode, street.name, street.type) == (12, "1125", "Zirzen Janka", "utca")
    result = address_check(address)
    assert result.problems == []
    assert (result.street_name, result.street_type) == ("Zirzen Janka", "utca")


@pytest.mark.urls(__name__)
def test_a_street_edited_by_staff_is_used_at_once(crm_clerk_client):
    # given Kék Golyó utca checked once (so the list is cached)
    street = Street.objects.get(key="kek golyo utca")
    assert (
        address_check(AddressInput(postcode="1123", settlement="Budapest", street_name="Kék Golyó u. 6")).problems == []
    )

    # when a clerk corrects its postcode
    response = crm_clerk_client.post(
        f"/admin/crm-streets/edit/{street.pk}/",
        {"district": "12", "postcode": "1122", "name": "Kék Golyó", "type": "utca"},
    )

    # then the next check already uses the edited row
    assert response.status_code == 302
    result = address_check(AddressInput(postcode="1123", settlement="Budapest", street_name="Kék Golyó u. 6"))
    assert result.problems == [Problem("street_postcode_mismatch", "Kék Golyó utca is not in postcode 1123.", "1122")]


@pytest.mark.urls(__name__)
def test_staff_cannot_add_a_street_twice_or_with_another_districts_postcode(crm_clerk_client):
    # when a clerk adds Böszörményi út 1126 again, and a street with a District XI postcode
    twice = crm_clerk_client.post(
        "/admin/crm-streets/new/", {"district": "12", "postcode": "1126", "name": "Böszörményi", "type": "út"}
    )
    elsewhere = crm_clerk_client.post(
        "/admin/crm-streets/new/", {"district": "12", "postcode": "1114", "name": "Bartók Béla", "type": "út"}
    )

    # then neither is stored
    assert twice.status_code == 200
    assert "Böszörményi út with postcode 1126 is already on the list." in twice.content.decode()
    assert elsewhere.status_code == 200
    assert "Postcode 1114 belongs to District XI., not District XII." in elsewhere.content.decode()
    assert Street.objects.filter(key="boszormenyi ut").count() == 1
    assert not Street.objects.filter(key="bartok bela ut").exists()
