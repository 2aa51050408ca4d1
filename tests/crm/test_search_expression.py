"""The CRM's complex search as data: a JSON expression is checked (every problem named with its
path), becomes one SQL query over active clients, reads as a one-line summary, is saved as a
smart group that other apps read as client ids, and its result exports to CSV and XLSX."""

from __future__ import annotations

import copy
import csv
import datetime
import io
import json
import random
import secrets
from dataclasses import dataclass

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from backend.api import exception_handler
from crm.errors import CrmError, ErrorCode
from crm.models import (
    AddressKind,
    Client,
    ClientAddress,
    ClientConsent,
    ClientEmail,
    ClientGroup,
    ClientPhone,
    ClientSource,
    ClientState,
    ClientTag,
    ConsentChannel,
    Gender,
    GroupMembership,
    SavedSearch,
    Tag,
    TimelineEntry,
    ValidationState,
)
from crm.normalise import fold
from crm.search.base import BUDAPEST, years_before
from crm.search.export import clients_export
from crm.search.expression import (
    MAX_DEPTH,
    clients_matching,
    expression_describe,
    expression_schema,
    expression_validate,
    search_today,
)
from crm.search.saved import saved_search_client_ids, saved_search_count
from eservices.cases.models import Case, CaseStatus, Step
from payments.models import Order, OrderStatus
from tests.factories import ResidentProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)


# --- building blocks -----------------------------------------------------------------------------
def budapest(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BUDAPEST)


def crit(field: str, operator: str, value, **extra) -> dict:
    return {"field": field, "operator": operator, "value": value, **extra}


def all_of(*items, **extra) -> dict:
    return {"op": "and", "items": list(items), **extra}


def any_of(*items, **extra) -> dict:
    return {"op": "or", "items": list(items), **extra}


def found(expression: dict, *, today: datetime.date = TODAY) -> list[str]:
    """Family names of the clients found, in id order (the order the fixture made them)."""
    return list(clients_matching(expression, today=today).values_list("family_name", flat=True))


def new_client(
    family_name: str,
    given_names: str,
    *,
    created: datetime.datetime,
    prefix: str = "",
    gender: str = Gender.UNKNOWN,
    birth_date: datetime.date | None = None,
    source: str = ClientSource.STAFF,
    user=None,
    state: str = ClientState.ACTIVE,
    merged_into: Client | None = None,
) -> Client:
    client = Client.objects.create(
        name_prefix=prefix,
        family_name=family_name,
        given_names=given_names,
        gender=gender,
        birth_date=birth_date,
        source=source,
        user=user,
        state=state,
        merged_into=merged_into,
        search_name=fold(f"{family_name} {given_names}"),
    )
    Client.objects.filter(pk=client.pk).update(created_at=created)  # auto_now_add ignores a given value
    return client


def new_address(
    client: Client,
    *,
    postcode: str,
    street: tuple[str, str],
    house_number: str,
    district: int | None = 12,
    settlement: str = "Budapest",
    is_default: bool = True,
    kind: str = AddressKind.PERMANENT,
) -> ClientAddress:
    street_name, street_type = street
    return ClientAddress.objects.create(
        client=client,
        kind=kind,
        postcode=postcode,
        settlement=settlement,
        district=district,
        street_name=street_name,
        street_type=street_type,
        house_number=house_number,
        street_key=fold(f"{street_name} {street_type}"),
        is_default=is_default,
        validation_state=ValidationState.VALID,
    )


def new_account():
    return UserFactory(password=None)  # no password hashing: the search never signs in


@dataclass
class People:
    kovacs: Client
    nagy: Client
    szabo: Client
    toth: Client
    merged: Client
    pensioner: Tag
    volunteer: Tag
    council: ClientGroup


@pytest.fixture
def people(parking_service) -> People:
    """Four active clients and a merged one that would match almost everything:

    - Kovács Anna, 45, Böszörményi út (XII.), email and phone, newsletter consent, volunteer,
      in the council with no end date;
    - Nagy Péter, 76, Városmajor utca (XII.) and a mailing address on Böszörményi út, email,
      SMS consent (newsletter refused), pensioner, in the council for 2026, resident account
      without cases;
    - dr. Szabó Katalin, 30 on TODAY, Alkotás utca (XII.), phone only, pensioner and volunteer,
      in the council for 2025 only, a parking permit case paid late on 31 March 2026;
    - Tóth Gábor, no birth date nor gender, Budaörs, an invalid email, imported, opened a
      newsletter on 1 May 2026.
    """
    pensioner = Tag.objects.create(name="Nyugdíjas")
    volunteer = Tag.objects.create(name="Önkéntes")
    council = ClientGroup.objects.create(name="Idősügyi Tanács")

    kovacs = new_client(
        "Kovács", "Anna", gender=Gender.FEMALE, birth_date=datetime.date(1980, 6, 1), created=budapest(2025, 3, 1)
    )
    new_address(kovacs, postcode="1121", street=("Böszörményi", "út"), house_number="12/B")
    ClientEmail.objects.create(
        client=kovacs, address="kovacs.anna@example.hu", normalised="kovacs.anna@example.hu", is_default=True
    )
    ClientPhone.objects.create(client=kovacs, number="+36301234567", national="301234567", is_default=True)
    ClientTag.objects.create(client=kovacs, tag=volunteer)
    ClientConsent.objects.create(
        client=kovacs,
        channel=ConsentChannel.NEWSLETTER,
        granted=True,
        source="hírlevél-feliratkozás",
        given_at=budapest(2025, 3, 1),
    )
    GroupMembership.objects.create(group=council, client=kovacs)

    nagy = new_client(
        "Nagy",
        "Péter",
        gender=Gender.MALE,
        birth_date=datetime.date(1950, 2, 10),
        source=ClientSource.ACCOUNT,
        user=new_account(),
        created=budapest(2025, 9, 1),
    )
    new_address(nagy, postcode="1122", street=("Városmajor", "utca"), house_number="31")
    new_address(
        nagy,
        postcode="1126",
        street=("Böszörményi", "út"),
        house_number="40",
        is_default=False,
        kind=AddressKind.MAILING,
    )
    ClientEmail.objects.create(
        client=nagy, address="nagy.peter@example.hu", normalised="nagy.peter@example.hu", is_default=True
    )
    ClientTag.objects.create(client=nagy, tag=pensioner)
    ClientConsent.objects.create(
        client=nagy, channel=ConsentChannel.SMS, granted=True, source="telefon", given_at=budapest(2025, 9, 1)
    )
    ClientConsent.objects.create(
        client=nagy, channel=ConsentChannel.NEWSLETTER, granted=False, source="telefon", given_at=budapest(2025, 9, 1)
    )
    GroupMembership.objects.create(
        group=council, client=nagy, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 12, 31)
    )

    resident = ResidentProfileFactory(user=new_account(), family_name="Szabó", given_names="Katalin")
    szabo = new_client(
        "Szabó",
        "Katalin",
        prefix="dr.",
        gender=Gender.FEMALE,
        birth_date=datetime.date(1996, 5, 15),
        source=ClientSource.ACCOUNT,
        user=resident.user,
        created=budapest(2026, 2, 1),
    )
    new_address(szabo, postcode="1123", street=("Alkotás", "utca"), house_number="7")
    ClientPhone.objects.create(client=szabo, number="+36209876543", national="209876543", is_default=True)
    ClientTag.objects.create(client=szabo, tag=pensioner)
    ClientTag.objects.create(client=szabo, tag=volunteer)
    GroupMembership.objects.create(
        group=council, client=szabo, valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2025, 12, 31)
    )
    case = Case.objects.create(
        reference="HV-S-000001",
        service_type=parking_service,
        applicant=resident,
        status=CaseStatus.GRANTED,
        step=Step.DONE,
        verification_token=secrets.token_urlsafe(32),
        submitted_at=budapest(2026, 3, 10, 9, 30),
    )
    Order.objects.create(
        case=case,
        resident=resident,
        description="Lakossági várakozási hozzájárulás",
        amount=12_000,
        amount_paid=12_000,
        status=OrderStatus.PAID,
        due_date=datetime.date(2026, 3, 25),
        paid_at=budapest(2026, 3, 31, 23, 30),  # 21:30 UTC: still 31 March in Budapest
    )

    toth = new_client("Tóth", "Gábor", source=ClientSource.IMPORT, created=budapest(2024, 1, 10))
    new_address(
        toth, postcode="2040", settlement="Budaörs", district=None, street=("Szabadság", "út"), house_number="3"
    )
    ClientEmail.objects.create(
        client=toth,
        address="toth.gabor@example",
        normalised="toth.gabor@example",
        is_default=True,
        validation_state=ValidationState.INVALID,
    )
    TimelineEntry.objects.create(
        client=toth, at=budapest(2026, 5, 1, 10), kind="newsletter.opened", title="Hírlevél megnyitva", key="nl:1:toth"
    )

    merged = new_client(
        "Kovács",
        "Anna",
        gender=Gender.FEMALE,
        birth_date=datetime.date(1980, 6, 1),
        created=budapest(2025, 3, 1),
        state=ClientState.MERGED,
        merged_into=kovacs,
    )
    new_address(merged, postcode="1121", street=("Böszörményi", "út"), house_number="12/B")
    ClientTag.objects.create(client=merged, tag=pensioner)
    GroupMembership.objects.create(group=council, client=merged)
    TimelineEntry.objects.create(
        client=merged, at=budapest(2026, 5, 2), kind="newsletter.opened", title="Hírlevél megnyitva", key="nl:1:merged"
    )
    return People(kovacs, nagy, szabo, toth, merged, pensioner, volunteer, council)


# --- each field ----------------------------------------------------------------------------------
FIELD_CASES = [
    ("age 30–50", lambda p: crit("age", "between", {"min": 30, "max": 50}), ["Kovács", "Szabó"]),
    ("age 70+", lambda p: crit("age", "gte", 70), ["Nagy"]),
    ("age up to 30", lambda p: crit("age", "lte", 30), ["Szabó"]),
    ("age up to 29", lambda p: crit("age", "lte", 29), []),
    (
        "born 1950 – 1 June 1980",
        lambda p: crit("birth_date", "between", {"from": "1950-01-01", "to": "1980-06-01"}),
        ["Kovács", "Nagy"],
    ),
    ("born before 1950", lambda p: crit("birth_date", "between", {"to": "1949-12-31"}), []),
    ("female", lambda p: crit("gender", "eq", "female"), ["Kovács", "Szabó"]),
    ("male or unknown", lambda p: crit("gender", "in", ["male", "unknown"]), ["Nagy", "Tóth"]),
    ("district XII", lambda p: crit("district", "eq", 12), ["Kovács", "Nagy", "Szabó"]),
    ("district I or XI", lambda p: crit("district", "in", [1, 11]), []),
    ("postcode of a mailing address", lambda p: crit("postcode", "in", ["1126"]), ["Nagy"]),
    ("postcode of the default address", lambda p: crit("postcode", "in", ["1126"], address="default"), []),
    ("postcode prefix", lambda p: crit("postcode", "starts_with", "112"), ["Kovács", "Nagy", "Szabó"]),
    ("street", lambda p: crit("street", "eq", "Böszörményi út"), ["Kovács", "Nagy"]),
    ("street typed loosely", lambda p: crit("street", "eq", "  BOSZORMENYI   ut "), ["Kovács", "Nagy"]),
    ("street of the default address", lambda p: crit("street", "eq", "Böszörményi út", address="default"), ["Kovács"]),
    ("street prefix", lambda p: crit("street", "starts_with", "Város"), ["Nagy"]),
    ("settlement with accents", lambda p: crit("settlement", "eq", "BUDAÖRS"), ["Tóth"]),
    ("settlement folded", lambda p: crit("settlement", "eq", "budaors"), ["Tóth"]),
    ("settlement Budapest", lambda p: crit("settlement", "eq", "budapest"), ["Kovács", "Nagy", "Szabó"]),
    ("newsletter consent", lambda p: crit("consent", "eq", {"channel": "newsletter", "granted": True}), ["Kovács"]),
    (
        "no newsletter consent (refused or never asked)",
        lambda p: crit("consent", "eq", {"channel": "newsletter", "granted": False}),
        ["Nagy", "Szabó", "Tóth"],
    ),
    ("SMS consent", lambda p: crit("consent", "eq", {"channel": "sms", "granted": True}), ["Nagy"]),
    ("any of tags", lambda p: crit("tag", "any_of", [p.pensioner.pk]), ["Nagy", "Szabó"]),
    ("all of tags", lambda p: crit("tag", "all_of", [p.pensioner.pk, p.volunteer.pk]), ["Szabó"]),
    ("none of tags", lambda p: crit("tag", "none_of", [p.pensioner.pk]), ["Kovács", "Tóth"]),
    ("group member today", lambda p: crit("group", "member_of", p.council.pk), ["Kovács", "Nagy"]),
    ("group member on a day", lambda p: crit("group", "member_of", p.council.pk, on="2025-06-01"), ["Kovács", "Szabó"]),
    (
        "group member on its last day",
        lambda p: crit("group", "member_of", p.council.pk, on="2025-12-31"),
        ["Kovács", "Szabó"],
    ),
    ("not a group member", lambda p: crit("group", "not_member_of", p.council.pk), ["Szabó", "Tóth"]),
    ("has a usable email", lambda p: crit("has_email", "eq", True), ["Kovács", "Nagy"]),
    ("no usable email", lambda p: crit("has_email", "eq", False), ["Szabó", "Tóth"]),
    ("has a phone", lambda p: crit("has_phone", "eq", True), ["Kovács", "Szabó"]),
    ("imported", lambda p: crit("source", "eq", "import"), ["Tóth"]),
    ("staff or account", lambda p: crit("source", "in", ["staff", "account"]), ["Kovács", "Nagy", "Szabó"]),
    ("created before 2025", lambda p: crit("created", "between", {"to": "2024-12-31"}), ["Tóth"]),
    ("created on a day", lambda p: crit("created", "between", {"from": "2026-02-01", "to": "2026-02-01"}), ["Szabó"]),
    ("created lately", lambda p: crit("created", "between", {"last_days": 120}), ["Szabó"]),
    ("any case", lambda p: crit("has_case", "exists", {}), ["Szabó"]),
    (
        "a granted parking case in March",
        lambda p: crit(
            "has_case",
            "exists",
            {"service_type": "parking_permit", "status": ["granted"], "from": "2026-03-01", "to": "2026-03-31"},
        ),
        ["Szabó"],
    ),
    ("a refused case", lambda p: crit("has_case", "exists", {"status": ["refused"]}), []),
    ("no case (with or without an account)", lambda p: crit("has_case", "not_exists", {}), ["Kovács", "Nagy", "Tóth"]),
    ("paid", lambda p: crit("paid", "exists", {}), ["Szabó"]),
    (
        "paid by the last day, late evening",
        lambda p: crit("paid", "exists", {"to": "2026-03-31", "min_amount": 12_000}),
        ["Szabó"],
    ),
    ("paid from April", lambda p: crit("paid", "exists", {"from": "2026-04-01"}), []),
    ("paid a larger amount", lambda p: crit("paid", "exists", {"min_amount": 12_001}), []),
    (
        "opened a newsletter lately",
        lambda p: crit("activity", "exists", {"kind": "newsletter.opened", "last_days": 30}),
        ["Tóth"],
    ),
    (
        "opened a newsletter before May",
        lambda p: crit("activity", "exists", {"kind": "newsletter.opened", "to": "2026-04-30"}),
        [],
    ),
    (
        "never contacted the contact centre",
        lambda p: crit("activity", "not_exists", {"kind": "contact.inquiry"}),
        ["Kovács", "Nagy", "Szabó", "Tóth"],
    ),
]


@pytest.mark.parametrize(
    ("criterion", "expected"), [case[1:] for case in FIELD_CASES], ids=[case[0] for case in FIELD_CASES]
)
def test_each_field_finds_exactly_the_active_clients_it_describes(people, criterion, expected):
    # given the clients of the fixture (and a merged copy of Kovács Anna that matches most)
    # when searching with one criterion
    names = found(all_of(criterion(people)))
    # then exactly the expected active clients are found, in id order
    assert names == expected


def test_age_is_counted_from_today_in_budapest(people, monkeypatch):
    # given Szabó Katalin, born 15 May 1996
    between = all_of(crit("age", "between", {"min": 30, "max": 50}))
    # when the search runs on her 30th birthday and on the day before
    # then she is 30 on the day, 29 the day before
    assert found(between, today=TODAY) == ["Kovács", "Szabó"]
    assert found(between, today=TODAY - datetime.timedelta(days=1)) == ["Kovács"]
    # and "today" is the Budapest date: 22:30 UTC on 14 May is already 15 May in Budapest
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 5, 14, 22, 30, tzinfo=datetime.UTC))
    assert search_today() == TODAY
    assert list(clients_matching(between).values_list("family_name", flat=True)) == ["Kovács", "Szabó"]


def test_a_29_february_birthday_comes_on_1_march_in_other_years():
    assert years_before(datetime.date(2028, 2, 29), 1) == datetime.date(2027, 2, 28)
    assert years_before(datetime.date(2026, 5, 15), 30) == datetime.date(1996, 5, 15)


# --- combining -----------------------------------------------------------------------------------
def test_and_or_groups_nest(people):
    # given female clients who are pensioners or have a usable email
    expression = all_of(
        crit("gender", "eq", "female"),
        any_of(crit("tag", "any_of", [people.pensioner.pk]), crit("has_email", "eq", True)),
    )
    # then Kovács (email) and Szabó (tag) are found
    assert found(expression) == ["Kovács", "Szabó"]


def test_not_negates_groups_and_criteria(people):
    # a negated group: not in District XII
    assert found(all_of(all_of(crit("district", "eq", 12), **{"not": True}))) == ["Tóth"]
    # a negated root group
    assert found(any_of(crit("gender", "eq", "female"), crit("source", "eq", "import"), **{"not": True})) == ["Nagy"]
    # a negated criterion; an unknown birth date is "not 70 or older"
    expression = any_of(
        all_of(crit("gender", "in", ["male", "unknown"]), crit("age", "gte", 70, **{"not": True})),
        all_of(crit("age", "lte", 30), crit("has_case", "exists", {})),
    )
    assert found(expression) == ["Szabó", "Tóth"]


def test_an_or_of_activities_holds_each_kind_to_its_own_period(people):
    # given events of two kinds at different times
    def event(client, kind, at):
        TimelineEntry.objects.create(client=client, at=at, kind=kind, title=kind, key=f"{kind}:{client.pk}:{at}")

    event(people.kovacs, "contact.inquiry", budapest(2026, 1, 10))  # in its period
    event(people.nagy, "contact.inquiry", budapest(2025, 6, 1))  # before its period
    event(people.nagy, "case.submitted", budapest(2026, 3, 1))  # a kind not asked for
    event(people.szabo, "payment.captured", budapest(2026, 5, 10))  # within the last 30 days
    # (Tóth opened a newsletter on 1 May 2026)
    opened_until = {"kind": "newsletter.opened", "to": "2026-04-30"}  # Tóth's is a day later
    inquiry = {"kind": "contact.inquiry", "from": "2026-01-01", "to": "2026-01-31"}
    paid = {"kind": "payment.captured", "last_days": 30}

    def either(*values, **extra):
        return all_of(any_of(*(crit("activity", "exists", value) for value in values)), **extra)

    # then each kind is found only within its own period, whatever the others' periods
    assert found(either(inquiry, paid)) == ["Kovács", "Szabó"]
    assert found(either(inquiry, opened_until)) == ["Kovács"]
    assert found(either(opened_until, paid)) == ["Szabó"]
    assert found(either(inquiry, {"kind": "newsletter.opened", "from": "2026-05-01"})) == ["Kovács", "Tóth"]
    assert found(either({"kind": "contact.inquiry"}, paid)) == ["Kovács", "Nagy", "Szabó"]  # one open-ended
    assert found(either(inquiry, paid, **{"not": True})) == ["Nagy", "Tóth"]


def test_address_criteria_of_one_and_group_hold_for_the_same_address(people):
    # Nagy Péter lives on Városmajor utca (1122) and gets mail on Böszörményi út (1126)
    assert found(all_of(crit("postcode", "in", ["1122"]), crit("street", "eq", "Városmajor utca"))) == ["Nagy"]
    # so 1126 and Városmajor utca are two addresses: no single one has both
    assert found(all_of(crit("postcode", "in", ["1126"]), crit("street", "eq", "Városmajor utca"))) == []
    # in an OR group, or in separate AND groups, each may be any address
    assert found(any_of(crit("postcode", "in", ["1126"]), crit("street", "eq", "Városmajor utca"))) == ["Nagy"]
    assert found(all_of(all_of(crit("postcode", "in", ["1126"])), all_of(crit("street", "eq", "Városmajor utca")))) == [
        "Nagy"
    ]
    # a default-address criterion is its own row condition: 1126 is not Nagy's default address
    assert found(all_of(crit("district", "eq", 12), crit("postcode", "in", ["1126"], address="default"))) == []


EVERY_FIELD = [
    lambda p: crit("age", "between", {"min": 18, "max": 99}),
    lambda p: crit("birth_date", "between", {"from": "1900-01-01"}),
    lambda p: crit("gender", "in", ["female", "male", "unknown"]),
    lambda p: crit("district", "in", [12]),
    lambda p: crit("postcode", "starts_with", "11"),
    lambda p: crit("street", "starts_with", "b"),
    lambda p: crit("settlement", "eq", "Budapest", address="default"),
    lambda p: crit("consent", "eq", {"channel": "newsletter", "granted": True}),
    lambda p: crit("tag", "all_of", [p.pensioner.pk, p.volunteer.pk]),
    lambda p: crit("group", "member_of", p.council.pk, on="2026-01-01"),
    lambda p: crit("has_email", "eq", True),
    lambda p: crit("has_phone", "eq", False),
    lambda p: crit("source", "eq", "staff"),
    lambda p: crit("created", "between", {"last_days": 365}),
    lambda p: crit("has_case", "exists", {"service_type": "parking_permit", "status": ["granted"], "last_days": 365}),
    lambda p: crit("paid", "exists", {"from": "2026-01-01", "min_amount": 1}),
    lambda p: crit("activity", "not_exists", {"kind": "contact.inquiry", "from": "2026-01-01", "to": "2026-12-31"}),
]


def test_the_whole_search_is_one_sql_query(people, django_assert_num_queries):
    # given an expression using every field, nested in AND and OR groups
    criteria = [make(people) for make in EVERY_FIELD]
    expression = any_of(all_of(*criteria[:9]), all_of(*criteria[9:], any_of(*criteria[:3], **{"not": True})))
    # when its clients are read
    with django_assert_num_queries(1) as captured:
        names = found(expression)
    # then it was one query, with EXISTS subqueries for the other tables
    sql = captured.captured_queries[0]["sql"]
    assert sql.count("EXISTS") == 11
    assert names == []


def test_five_criteria_search_uses_exists_on_indexed_columns(people):
    # the performance target's shape: five criteria, each an index range or an EXISTS
    expression = all_of(
        crit("age", "between", {"min": 30, "max": 80}),
        crit("district", "eq", 12),
        crit("tag", "any_of", [people.pensioner.pk]),
        crit("consent", "eq", {"channel": "sms", "granted": True}),
        crit("activity", "not_exists", {"kind": "newsletter.opened", "last_days": 30}),
    )
    queryset = clients_matching(expression, today=TODAY)
    assert list(queryset.values_list("family_name", flat=True)) == ["Nagy"]
    sql = str(queryset.query)
    assert '"crm_client"."birth_date" <= 1996-05-15' in sql and '"crm_client"."birth_date" > 1945-05-15' in sql
    assert sql.count("EXISTS") == 4


# --- checking ------------------------------------------------------------------------------------
def problems_of(expression) -> list[str]:
    with translation.override("en"), pytest.raises(CrmError) as raised:
        expression_validate(expression)
    assert (raised.value.code, raised.value.http_status) == (ErrorCode.INVALID_EXPRESSION, 400)
    return raised.value.fields["expression"]


ROOT = 'must be a group: an object with "op" and "items"'
AGE_RANGE = "must be a whole number between 0 and 130"
KNOWN_FIELDS = (
    "age, birth_date, gender, district, postcode, street, settlement, consent, tag, group, has_email, has_phone, "
    "source, created, has_case, paid, activity"
)
BAD_EXPRESSIONS = [
    ("a string", "age > 30", [ROOT]),
    ("null", None, [ROOT]),
    ("a list", [crit("age", "gte", 30)], [ROOT]),
    ("a criterion as the root", crit("age", "gte", 30), [ROOT]),
    ("unknown group op", {"op": "xor", "items": [crit("age", "gte", 30)]}, ["op: must be one of and, or"]),
    ("empty group", {"op": "and", "items": []}, ["items: must contain at least one criterion or group"]),
    ("items missing", {"op": "and"}, ["items: is required"]),
    ("items not a list", {"op": "and", "items": "age"}, ["items: must be a list of criteria and groups"]),
    (
        "unknown group key",
        {"op": "and", "items": [crit("age", "gte", 30)], "limit": 10},
        ['unknown key "limit"; allowed: op, items, not'],
    ),
    ("group not flag", {"op": "and", "items": [crit("age", "gte", 30)], "not": "yes"}, ["not: must be true or false"]),
    (
        "an item neither group nor criterion",
        all_of(5),
        ['items[0]: must be a group ("op", "items") or a criterion ("field", "operator", "value")'],
    ),
    (
        "unknown field",
        all_of(crit("shoe_size", "eq", 42)),
        [f'items[0].field: unknown field "shoe_size"; known fields: {KNOWN_FIELDS}'],
    ),
    (
        "field not a text",
        all_of(crit(None, "eq", 42)),
        [f'items[0].field: unknown field "NoneType"; known fields: {KNOWN_FIELDS}'],
    ),
    (
        "unknown operator",
        all_of(crit("age", "eq", 30)),
        ["items[0].operator: the field age has the operators between, gte, lte"],
    ),
    ("value missing", all_of({"field": "age", "operator": "gte"}), ["items[0].value: is required"]),
    (
        "age out of range, third item",
        all_of(
            crit("gender", "eq", "female"),
            crit("has_email", "eq", True),
            crit("age", "between", {"min": 300, "max": 40}),
        ),
        [f"items[2].value.min: {AGE_RANGE}"],
    ),
    ("age as text", all_of(crit("age", "between", {"min": "30", "max": 40})), [f"items[0].value.min: {AGE_RANGE}"]),
    ("age as a flag", all_of(crit("age", "gte", True)), [f"items[0].value: {AGE_RANGE}"]),
    ("age huge", all_of(crit("age", "gte", 10**400)), [f"items[0].value: {AGE_RANGE}"]),
    ("age fractional", all_of(crit("age", "lte", 30.5)), [f"items[0].value: {AGE_RANGE}"]),
    (
        "age range reversed",
        all_of(crit("age", "between", {"min": 50, "max": 30})),
        ["items[0].value: min must not be greater than max"],
    ),
    (
        "age range half given",
        all_of(crit("age", "between", {"min": 30, "maximum": 50})),
        ['items[0].value: unknown key "maximum"; allowed: min, max', "items[0].value.max: is required"],
    ),
    (
        "a date that does not exist",
        all_of(crit("birth_date", "between", {"from": "2026-02-30"})),
        ["items[0].value.from: is not a real calendar date"],
    ),
    (
        "a date in another form",
        all_of(crit("birth_date", "between", {"from": "2026/02/01"})),
        ["items[0].value.from: must be a date in the form YYYY-MM-DD"],
    ),
    (
        "a week date",
        all_of(crit("birth_date", "between", {"to": "2026-W05-1"})),
        ["items[0].value.to: must be a date in the form YYYY-MM-DD"],
    ),
    (
        "a date out of range",
        all_of(crit("birth_date", "between", {"from": "0001-01-01"})),
        ["items[0].value.from: must be a date between 1850-01-01 and 2200-12-31"],
    ),
    ("an empty period", all_of(crit("birth_date", "between", {})), ["items[0].value: give at least one of from, to"]),
    (
        "a period backwards",
        all_of(crit("created", "between", {"from": "2026-03-01", "to": "2026-02-01"})),
        ["items[0].value: from must not be later than to"],
    ),
    (
        "last days with a range",
        all_of(crit("activity", "exists", {"kind": "newsletter.opened", "last_days": 30, "from": "2026-01-01"})),
        ["items[0].value: give either last_days or from/to, not both"],
    ),
    (
        "last days zero",
        all_of(crit("created", "between", {"last_days": 0})),
        ["items[0].value.last_days: must be a whole number between 1 and 36500"],
    ),
    ("unknown gender", all_of(crit("gender", "eq", "other")), ["items[0].value: must be one of female, male, unknown"]),
    ("empty list", all_of(crit("gender", "in", [])), ["items[0].value: must be a non-empty list"]),
    (
        "districts out of range",
        all_of(crit("district", "in", [0, 12, 24])),
        [
            "items[0].value[0]: must be a whole number between 1 and 23",
            "items[0].value[2]: must be a whole number between 1 and 23",
        ],
    ),
    (
        "a postcode with a wildcard",
        all_of(crit("postcode", "starts_with", "11%2")),
        ["items[0].value: must contain only digits, letters, spaces and hyphens"],
    ),
    ("a blank street", all_of(crit("street", "eq", "   ")), ["items[0].value: must not be empty"]),
    (
        "a NUL character",
        all_of(crit("street", "eq", "Böszörményi\x00út")),
        ["items[0].value: must not contain control characters"],
    ),
    (
        "a lone surrogate",
        all_of(crit("settlement", "eq", "Buda\ud800")),
        ["items[0].value: must not contain control characters"],
    ),
    ("a long street", all_of(crit("street", "eq", "x" * 500)), ["items[0].value: must be at most 180 characters long"]),
    (
        "unknown address scope",
        all_of(crit("street", "eq", "Alkotás utca", address="mailing")),
        ["items[0].address: must be one of any, default"],
    ),
    (
        "address scope on a non-address field",
        all_of(crit("gender", "eq", "male", address="default")),
        ['items[0]: unknown key "address"; allowed: field, operator, value, not'],
    ),
    (
        "a consent without its answer",
        all_of(crit("consent", "eq", {"channel": "fax"})),
        ["items[0].value.granted: is required", "items[0].value.channel: must be one of newsletter, sms"],
    ),
    (
        "a tag id as text",
        all_of(crit("tag", "any_of", ["Nyugdíjas"])),
        ["items[0].value[0]: must be an id (a positive whole number)"],
    ),
    (
        "a negative tag id",
        all_of(crit("tag", "none_of", [-1])),
        ["items[0].value[0]: must be an id (a positive whole number)"],
    ),
    (
        "a tag id too large",
        all_of(crit("tag", "none_of", [2**63])),
        ["items[0].value[0]: must be an id (a positive whole number)"],
    ),
    (
        "a tag that does not exist",
        all_of(crit("tag", "any_of", [987_654_321])),
        ["items[0].value[0]: there is no tag with this id"],
    ),
    (
        "a group that does not exist",
        all_of(crit("group", "member_of", 987_654_321)),
        ["items[0].value: there is no client group with this id"],
    ),
    (
        "a group day that does not exist",
        all_of(crit("group", "member_of", 1, on="2026-13-01")),
        ["items[0].on: is not a real calendar date"],
    ),
    (
        "a service type that does not exist",
        all_of(crit("has_case", "exists", {"service_type": "dog_licence"})),
        ["items[0].value.service_type: there is no service type with this code"],
    ),
    (
        "an unknown case status",
        all_of(crit("has_case", "exists", {"status": ["lost"]})),
        ["items[0].value.status[0]: must be one of submitted, processing, awaiting_payment, granted, refused, failed"],
    ),
    (
        "a negative amount",
        all_of(crit("paid", "exists", {"min_amount": -1})),
        ["items[0].value.min_amount: must be a whole number between 0 and 1000000000"],
    ),
    (
        "an unknown activity",
        all_of(crit("activity", "exists", {"kind": "login"})),
        [
            "items[0].value.kind: must be one of newsletter.opened, newsletter.clicked, contact.inquiry, "
            "case.submitted, payment.captured, identification.verified"
        ],
    ),
    (
        "a criterion not flag",
        all_of(crit("has_phone", "eq", True, **{"not": 1})),
        ["items[0].not: must be true or false"],
    ),
    (
        "a problem deep inside",
        all_of(any_of(crit("age", "gte", 18), all_of(crit("district", "eq", 12), crit("age", "lte", -5)))),
        [f"items[0].items[1].items[1].value: {AGE_RANGE}"],
    ),
]


@pytest.mark.parametrize(
    ("expression", "expected"), [case[1:] for case in BAD_EXPRESSIONS], ids=[case[0] for case in BAD_EXPRESSIONS]
)
def test_a_bad_expression_is_refused_with_each_problem_and_its_path(people, expression, expected):
    assert problems_of(expression) == expected


def test_a_punctuation_only_street_prefix_is_valid_and_finds_no_one(people):
    # "—" folds to itself: a strange but harmless prefix, not an error
    assert found(all_of(crit("street", "starts_with", "—"))) == []


def test_the_error_is_a_400_response_with_the_reason(people):
    # given a bad expression
    with translation.override("en"), pytest.raises(CrmError) as raised:
        expression_validate(all_of(crit("age", "between", {"min": 30, "max": 200})))
    # when the API's exception handler renders the error
    response = exception_handler(raised.value, {})
    # then it is a 400 with the code, the first reason as the message and every reason listed
    assert response.status_code == 400
    assert response.data == {
        "code": "invalid_expression",
        "message": f"The search is not valid: items[0].value.max: {AGE_RANGE}",
        "fields": {"expression": [f"items[0].value.max: {AGE_RANGE}"]},
    }


def test_nesting_and_size_are_limited():
    # given groups nested exactly MAX_DEPTH levels: fine; one more: refused at the deepest group
    deepest = crit("age", "gte", 18)
    expression = deepest
    for _level in range(MAX_DEPTH):
        expression = all_of(expression)
    assert expression_validate(expression)["op"] == "and"
    assert problems_of(all_of(expression)) == [
        ".".join(["items[0]"] * MAX_DEPTH) + ": groups are nested too deeply (at most 10 levels)"
    ]
    # a very deep structure is refused as quickly, without recursion errors
    deep: dict = crit("age", "gte", 18)
    for _level in range(10_000):
        deep = all_of(deep)
    assert problems_of(deep)[0].endswith("groups are nested too deeply (at most 10 levels)")
    # and at most 200 criteria and groups
    assert problems_of(all_of(*[crit("age", "gte", 18)] * 201)) == ["items: too many criteria and groups (at most 200)"]


def test_many_problems_are_listed_up_to_twenty():
    messages = problems_of(all_of(*[crit("age", "gte", -1)] * 50))
    assert len(messages) == 21
    assert messages[0] == f"items[0].value: {AGE_RANGE}" and messages[-1] == "… and 30 more problems"


def test_validation_normalises_and_reads_each_kind_of_reference_once(people, django_assert_num_queries):
    # given an expression with loosely typed values, duplicates and default keys
    expression = all_of(
        crit("street", "eq", "  Böszörményi   út ", address="any", **{"not": False}),
        crit("district", "in", [12, 11, 12]),
        crit("postcode", "in", ["1121", "1121", " 1122"]),
        crit("tag", "any_of", [people.pensioner.pk, people.volunteer.pk, people.pensioner.pk]),
        crit("group", "member_of", people.council.pk),
        crit("has_case", "exists", {"service_type": "parking_permit"}),
    )
    # when it is checked: one query for tags, one for groups, one for service types
    with django_assert_num_queries(3):
        normalised = expression_validate(expression)
    # then it is stored in its normalised form
    assert normalised == all_of(
        crit("street", "eq", "Böszörményi út"),
        crit("district", "in", [11, 12]),
        crit("postcode", "in", ["1121", "1122"]),
        crit("tag", "any_of", [people.pensioner.pk, people.volunteer.pk]),
        crit("group", "member_of", people.council.pk),
        crit("has_case", "exists", {"service_type": "parking_permit"}),
    )
    assert json.loads(json.dumps(normalised)) == normalised


JUNK = [
    None,
    True,
    0,
    -1,
    2**70,
    10**400,
    1.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x" * 5000,
    "\x00",
    "\ud800",
    "2026-02-30",
    "and",
    [],
    [None],
    [10**30],
    {},
    {"op": "and"},
    {"field": None},
    {"op": "or", "items": [{"op": "and", "items": [{}]}]},
    {1: 2},
    ("tuple",),
    {"a", "set"},
    b"bytes",
    object(),
]


def _positions(node, found: list) -> list:
    if isinstance(node, dict):
        for key, child in node.items():
            found.append((node, key))
            _positions(child, found)
    elif isinstance(node, list):
        for position, child in enumerate(node):
            found.append((node, position))
            _positions(child, found)
    return found


def test_fuzzed_expressions_give_a_crm_error_or_a_working_query(people):
    # given valid expressions with one part replaced by junk, removed, or given an extra key
    base = any_of(*[make(people) for make in EVERY_FIELD])
    generator = random.Random(20260515)  # noqa: S311 - a reproducible fuzz, not a secret
    outcomes = {"refused": 0, "accepted": 0}
    for _round in range(400):
        expression = copy.deepcopy(base)
        container, key = generator.choice(_positions(expression, []))
        action = generator.random()
        if action < 0.7:
            container[key] = generator.choice(JUNK)
        elif action < 0.85 and isinstance(container, dict):
            del container[key]
        elif isinstance(container, dict):
            container[generator.choice(["extra", "not", "on", "address", "value"])] = generator.choice(JUNK)
        else:
            container.append(generator.choice(JUNK))
        # when it is checked and, if valid, run
        try:
            normalised = expression_validate(expression)
        except CrmError as error:
            # then a refusal is a CrmError with its problems listed
            assert error.code == ErrorCode.INVALID_EXPRESSION and error.fields["expression"]
            outcomes["refused"] += 1
        else:
            # or the query runs without a database error
            clients_matching(normalised, today=TODAY).count()
            outcomes["accepted"] += 1
    assert outcomes["refused"] > 300 and outcomes["accepted"] >= 5


# --- describing ----------------------------------------------------------------------------------
DESCRIPTIONS = [
    (
        "the example",
        lambda p: all_of(
            crit("age", "between", {"min": 30, "max": 50}),
            any_of(crit("tag", "any_of", [p.pensioner.pk]), crit("district", "in", [12])),
        ),
        "age 30–50 AND (tag: Nyugdíjas OR district: XII)",
    ),
    (
        "negations",
        lambda p: any_of(
            crit("gender", "eq", "female"), crit("has_email", "eq", True, **{"not": True}), **{"not": True}
        ),
        "NOT (gender: Female OR NOT has an email address)",
    ),
    (
        "address scope and several values",
        lambda p: all_of(
            crit("street", "eq", "Böszörményi út", address="default"),
            crit("district", "in", [11, 12]),
            crit("postcode", "starts_with", "112"),
            crit("settlement", "eq", "Budapest"),
        ),
        "street: Böszörményi út (default address) AND district: XI, XII AND postcode starting with 112 "
        "AND settlement: Budapest",
    ),
    (
        "tags, groups, consents",
        lambda p: all_of(
            crit("tag", "all_of", [p.pensioner.pk, p.volunteer.pk]),
            crit("tag", "none_of", [987_654]),
            crit("group", "not_member_of", p.council.pk, on="2026-01-01"),
            crit("consent", "eq", {"channel": "sms", "granted": False}),
        ),
        "tag: Nyugdíjas and Önkéntes AND no tag: #987654 AND not in group: Idősügyi Tanács on 2026-01-01 "
        "AND consent to SMS: not granted",
    ),
    (
        "people and dates",
        lambda p: any_of(
            crit("age", "gte", 65),
            crit("age", "lte", 17),
            crit("birth_date", "between", {"from": "1950-01-01", "to": "1959-12-31"}),
            crit("gender", "in", ["male", "unknown"]),
            crit("source", "in", ["import", "newsletter"]),
            crit("created", "between", {"last_days": 30}),
            crit("has_phone", "eq", False),
        ),
        "age 65 or older OR age 17 or younger OR born 1950-01-01 – 1959-12-31 OR gender: Male or Unknown "
        "OR source: Import or Newsletter sign-up OR created in the last 30 days OR no phone number",
    ),
    (
        "activity",
        lambda p: all_of(
            crit(
                "has_case",
                "exists",
                {"service_type": "parking_permit", "status": ["granted"], "from": "2026-03-01", "to": "2026-03-31"},
            ),
            crit("has_case", "not_exists", {}),
            crit("paid", "exists", {"min_amount": 10_000, "last_days": 30}),
            crit("activity", "not_exists", {"kind": "newsletter.opened", "from": "2026-01-01"}),
            crit("activity", "exists", {"kind": "contact.inquiry", "to": "2026-06-30"}),
        ),
        "has a case: Residential parking permit, status: Granted, submitted 2026-03-01 – 2026-03-31 "
        "AND has no case AND paid a fee, at least 10\u00a0000 Ft, in the last 30 days "
        "AND no activity: newsletter opened, from 2026-01-01 AND activity: contacted the contact centre, until 2026-06-30",
    ),
]


@pytest.mark.parametrize(
    ("expression", "expected"), [case[1:] for case in DESCRIPTIONS], ids=[case[0] for case in DESCRIPTIONS]
)
def test_an_expression_reads_as_one_line(people, expression, expected):
    with translation.override("en"):
        assert expression_describe(expression(people)) == expected


def test_the_schema_lists_fields_operators_and_activity_kinds():
    with translation.override("en"):
        schema = expression_schema()
    fields = {field["name"]: field for field in schema["fields"]}
    assert fields["age"] == {
        "name": "age",
        "label": "age",
        "operators": ["between", "gte", "lte"],
        "address": False,
        "extra_keys": [],
    }
    assert fields["street"]["address"] is True and fields["group"]["extra_keys"] == ["on"]
    assert [kind["kind"] for kind in schema["activity_kinds"]][:2] == ["newsletter.opened", "newsletter.clicked"]
    assert schema["limits"] == {"depth": 10, "items": 200}


# --- saved searches ------------------------------------------------------------------------------
def test_a_saved_search_is_evaluated_anew_on_every_use(people, django_assert_num_queries):
    # given a saved search for pensioners in District XII
    saved = SavedSearch.objects.create(
        name="Nyugdíjasok a XII. kerületben",
        expression=all_of(crit("tag", "any_of", [people.pensioner.pk]), crit("district", "eq", 12)),
    )
    # when another app reads its client ids
    assert list(saved_search_client_ids(saved_search_id=saved.pk)) == [people.nagy.pk, people.szabo.pk]
    assert saved_search_count(saved_search_id=saved.pk) == 2
    # then the ids are a lazy subquery: taken now, used after Kovács Anna got the tag
    ids = saved_search_client_ids(saved_search_id=saved.pk)
    ClientTag.objects.create(client=people.kovacs, tag=people.pensioner)
    with django_assert_num_queries(1):
        emails = list(
            ClientEmail.objects.filter(client_id__in=ids).order_by("client_id").values_list("address", flat=True)
        )
    assert emails == ["kovacs.anna@example.hu", "nagy.peter@example.hu"]
    assert saved_search_count(saved_search_id=saved.pk) == 3


def test_a_missing_saved_search_is_not_found(db):
    with pytest.raises(CrmError) as raised:
        saved_search_client_ids(saved_search_id=987_654)
    assert (raised.value.code, raised.value.http_status) == (ErrorCode.NOT_FOUND, 404)


def test_a_saved_search_with_a_deleted_tag_still_runs(people):
    saved = SavedSearch.objects.create(
        name="Önkéntesek", expression=all_of(crit("tag", "any_of", [people.volunteer.pk]))
    )
    people.volunteer.delete()
    assert saved_search_count(saved_search_id=saved.pk) == 0


# --- export --------------------------------------------------------------------------------------
HEADER = ["Id", "Name", "Gender", "Date of birth", "Email", "Phone", "Address", "Tags", "Created"]


def test_export_to_csv_for_hungarian_excel(people, django_assert_num_queries):
    # given the female clients
    queryset = clients_matching(all_of(crit("gender", "eq", "female")), today=TODAY)
    # when exported to CSV
    with translation.override("en"), django_assert_num_queries(1):
        data = clients_export(queryset, fmt="csv")
    # then it is UTF-8 with a BOM, semicolon-separated, CRLF, one row per client in id order
    assert data.startswith(b"\xef\xbb\xbfId;Name;")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [
        HEADER,
        [
            str(people.kovacs.pk),
            "Kovács Anna",
            "Female",
            "1980-06-01",
            "kovacs.anna@example.hu",
            "'+36301234567",
            "1121 Budapest XII., Böszörményi út 12/B",
            "Önkéntes",
            "2025-03-01",
        ],
        [
            str(people.szabo.pk),
            "dr. Szabó Katalin",
            "Female",
            "1996-05-15",
            "",
            "'+36209876543",
            "1123 Budapest XII., Alkotás utca 7",
            "Nyugdíjas, Önkéntes",
            "2026-02-01",
        ],
    ]


def test_export_to_xlsx(people, django_assert_num_queries):
    # given the male or unknown-gender clients
    queryset = clients_matching(all_of(crit("gender", "in", ["male", "unknown"])), today=TODAY)
    # when exported to XLSX
    with translation.override("en"), django_assert_num_queries(1):
        data = clients_export(queryset, fmt="xlsx")
    # then the workbook has a header and one typed row per client
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "Clients"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        HEADER,
        [
            people.nagy.pk,
            "Nagy Péter",
            "Male",
            datetime.datetime(1950, 2, 10),
            "nagy.peter@example.hu",
            None,
            "1122 Budapest XII., Városmajor utca 31",
            "Nyugdíjas",
            datetime.datetime(2025, 9, 1),
        ],
        [
            people.toth.pk,
            "Tóth Gábor",
            None,
            None,
            "toth.gabor@example",
            None,
            "2040 Budaörs, Szabadság út 3",
            None,
            datetime.datetime(2024, 1, 10),
        ],
    ]


def test_export_cells_are_never_formulas(people):
    # given a client whose name, email, address and tag look like formulas
    evil = new_client('=HYPERLINK("http://evil.example","Kattints")', "Béla\x07", created=budapest(2026, 1, 5))
    ClientEmail.objects.create(client=evil, address="@SUM(1+1)", normalised="@sum(1+1)", is_default=True)
    new_address(evil, postcode="", street=("-2+3", "utca"), house_number="1", settlement="+Budapest", district=None)
    ClientTag.objects.create(client=evil, tag=Tag.objects.create(name="=cmd|' /C calc'!A0"))
    queryset = Client.objects.filter(pk=evil.pk)
    # when exported to CSV
    row = list(csv.reader(io.StringIO(clients_export(queryset, fmt="csv").decode("utf-8-sig")), delimiter=";"))[1]
    # then each such cell starts with an apostrophe
    assert row[1] == '\'=HYPERLINK("http://evil.example","Kattints") Béla\x07'
    assert row[4] == "'@SUM(1+1)"
    assert row[6] == "'+Budapest, -2+3 utca 1"
    assert row[7] == "'=cmd|' /C calc'!A0"
    # and in XLSX they are text cells, never formulas; characters XML cannot hold are dropped
    sheet = openpyxl.load_workbook(io.BytesIO(clients_export(queryset, fmt="xlsx"))).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert [cells[1].value, cells[4].value, cells[6].value, cells[7].value] == [
        '\'=HYPERLINK("http://evil.example","Kattints") Béla',
        "'@SUM(1+1)",
        "'+Budapest, -2+3 utca 1",
        "'=cmd|' /C calc'!A0",
    ]
    assert {cells[index].data_type for index in (1, 4, 6, 7)} == {"s"}


def test_an_unknown_export_format_is_refused(db):
    with pytest.raises(CrmError) as raised:
        clients_export(Client.objects.none(), fmt="pdf")
    assert raised.value.code == ErrorCode.INVALID


def test_export_reads_rows_in_one_query_whatever_their_number(people):
    # given many more clients, each with an email, a phone, an address and tags
    for number in range(30):
        client = new_client("Kiss", f"Ildikó {number}", created=budapest(2026, 1, 1))
        ClientEmail.objects.create(
            client=client, address=f"kiss{number}@example.hu", normalised=f"kiss{number}@example.hu", is_default=True
        )
        new_address(client, postcode="1125", street=("Diós árok", ""), house_number=str(number))
        ClientTag.objects.create(client=client, tag=people.pensioner)
    # when all are exported
    with CaptureQueriesContext(connection) as captured:
        data = clients_export(Client.objects.filter(state=ClientState.ACTIVE), fmt="csv")
    # then one query read them all
    assert len(captured.captured_queries) == 1
    assert data.decode("utf-8-sig").count("\r\n") == 1 + 4 + 30
