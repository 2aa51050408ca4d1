"""Duplicate detection: the weighted rules, the check while a record is entered, the batch scan
with remembered "not a duplicate" answers, and merge / unmerge round trips."""

from __future__ import annotations

import datetime

import pytest
from wagtail.models import ModelLogEntry

from crm.duplicates import THRESHOLD, duplicates_for_data, duplicates_scan
from crm.duplicates.merge import client_merge, client_unmerge, duplicate_pair_dismiss
from crm.duplicates.rules import Features, compare, name_match
from crm.errors import CrmError
from crm.models import (
    Client,
    ClientChange,
    ClientConsent,
    ClientGroup,
    ClientState,
    ClientTag,
    DuplicatePair,
    DuplicateState,
    GroupMembership,
    Tag,
)
from crm.services import AddressData, ClientData, ConsentData, EmailData, PhoneData, client_save
from crm.timeline import timeline_record
from tests.factories import UserFactory, staff_user

BIRTH = datetime.date(1971, 3, 14)


def person(family="Kovács", given="János", **kw) -> Features:
    from crm.normalise import words

    return Features(id=kw.pop("id", 1), family=tuple(words(family)), given=tuple(words(given)), **kw)


# --- the rules ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("Kovács", "János"), ("KOVACS", "janos"), "name_same"),  # accents and case
        (("Kovács", "János"), ("János", "Kovács"), "name_same"),  # the other order
        (("dr. Kovács", "János"), ("Kovács", "János"), "name_same"),  # a title is not the name
        (("Kovács", "János"), ("Kovác", "János"), "name_similar"),  # one letter missing
        (("Szőke", "Anna Mária"), ("Szőke", "Anna"), "name_similar"),  # second given name missing
        (("Szőke", "Anna Mária"), ("Szőke", "Mária Anna"), "name_same"),
        (("Kiss", "Éva"), ("Kis", "Éva"), "name_similar"),
        (("Nagy", "Éva"), ("Nagy", "Ede"), "name_different"),  # a family, not one person
        (("Kovács", "János"), ("Kovács", "Jánosné"), "name_different"),  # Mrs János Kovács
        (("Tóth", "Gábor"), ("Horváth", "Gábor"), "name_different"),
    ],
)
def test_name_rule(a, b, expected):
    assert name_match(person(*a), person(*b)) == expected


def test_same_name_and_birth_date_is_a_duplicate_but_the_same_name_alone_is_not():
    score, reasons = compare(person(birth_date=BIRTH), person(id=2, birth_date=BIRTH))
    assert score >= THRESHOLD
    assert [r.code for r in reasons] == ["name_same", "birth_date_same"]
    assert compare(person(), person(id=2))[0] < THRESHOLD


def test_a_typo_in_the_birth_date_is_not_evidence_against_but_another_date_is():
    near = datetime.date(1971, 3, 15)
    assert [r.code for r in compare(person(birth_date=BIRTH), person(birth_date=near))[1]] == ["name_same"]
    # day and month swapped
    assert compare(person(birth_date=datetime.date(1971, 4, 3)), person(birth_date=datetime.date(1971, 3, 4)))[0] == 45
    far = compare(
        person(birth_date=BIRTH, emails=frozenset({"k@x.hu"})),
        person(birth_date=datetime.date(1999, 1, 1), emails=frozenset({"k@x.hu"})),
    )
    assert far[0] < THRESHOLD  # father and son with one family email: not one person
    assert "birth_date_different" in [r.code for r in far[1]]


def test_a_family_sharing_a_phone_and_an_address_is_not_a_duplicate():
    home = frozenset({("1123", "alkotas utca", "7/B", "")})
    phone = frozenset({"+3612345678"})
    mother = person("Nagy", "Éva", phones=phone, addresses=home, gender="female")
    son = person("Nagy", "Ede", id=2, phones=phone, addresses=home, gender="male")
    assert compare(mother, son)[0] < THRESHOLD
    # the same person entered twice at that address with the same phone is
    assert compare(mother, person("Nagy", "Éva", id=3, phones=phone, addresses=home))[0] >= THRESHOLD


def test_an_email_alone_is_not_enough_but_with_a_similar_name_it_is():
    mail = frozenset({"kovacs.janos@gmail.com"})
    assert compare(person(emails=mail), person("Szabó", "Péter", id=2, emails=mail))[0] < THRESHOLD
    score, reasons = compare(person(emails=mail), person("Kovacs", "Janos", id=2, emails=mail))
    assert score >= THRESHOLD and reasons[0].code == "email"


def test_the_same_loyalty_card_is_a_duplicate_on_its_own():
    assert compare(person(card="HK123456"), person("Szabó", "Péter", id=2, card="HK123456"))[0] >= THRESHOLD


# --- stored clients -------------------------------------------------------------------------------


@pytest.fixture
def clerk(db):
    return staff_user(role="crm_clerk", email="merge@test.example")


def kovacs(**overrides) -> ClientData:
    data = ClientData(
        family_name="Kovács",
        given_names="János",
        birth_date=BIRTH,
        emails=[EmailData(address="kovacs.janos@gmail.com", is_default=True)],
        phones=[PhoneData(number="06 30 123 4567", is_default=True)],
        addresses=[
            AddressData(
                postcode="1123", settlement="Budapest", street_name="Alkotás", street_type="utca", house_number="7/B"
            )
        ],
        consents={"newsletter": ConsentData(granted=True, source="ügyfélszolgálat")},
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


@pytest.mark.django_db
def test_a_record_being_entered_shows_its_likely_duplicates_best_first(clerk):
    first = client_save(data=kovacs(), user=clerk).client
    client_save(
        data=kovacs(
            family_name="Szabó",
            given_names="Péter",
            birth_date=datetime.date(1990, 1, 1),
            emails=[],
            phones=[],
            addresses=[],
        ),
        user=clerk,
    )
    typed = ClientData(family_name="KOVACS", given_names="janos", phones=[PhoneData(number="+36 30/123-4567")])
    found = duplicates_for_data(data=typed)
    assert [c.client for c in found] == [first]
    assert {r.code for r in found[0].reasons} == {"name_same", "phone"}
    assert found[0].reasons[0].label  # a sentence for the clerk
    # the record itself is not its own duplicate
    assert duplicates_for_data(data=typed, exclude_client_id=first.pk) == []
    # nothing in common but the name: nothing shown
    assert duplicates_for_data(data=ClientData(family_name="Kovács", given_names="János")) == []


@pytest.mark.django_db
def test_a_merged_client_is_not_offered_as_a_duplicate(clerk):
    a = client_save(data=kovacs(), user=clerk).client
    b = client_save(data=kovacs(emails=[], loyalty_card_number="HK0000001"), user=clerk).client
    client_merge(survivor=a, merged=b, user=clerk)
    found = duplicates_for_data(data=kovacs(emails=[], addresses=[]))
    assert [c.client for c in found] == [a]


@pytest.mark.django_db
def test_the_scan_stores_pairs_and_remembers_not_a_duplicate(clerk):
    a = client_save(data=kovacs(), user=clerk).client
    b = client_save(
        data=kovacs(given_names="Janos", emails=[], phones=[], addresses=[]),
        user=clerk,
    ).client
    c = client_save(
        data=kovacs(
            family_name="Kovács",
            given_names="Jánosné",
            emails=[],
            phones=[PhoneData(number="06301234567")],
            birth_date=datetime.date(1973, 5, 2),
        ),
        user=clerk,
    ).client  # his wife: same phone, same address
    summary = duplicates_scan()
    pair = DuplicatePair.objects.get()
    assert (pair.client_a_id, pair.client_b_id, pair.state) == (a.pk, b.pk, DuplicateState.OPEN)
    assert {r["code"] for r in pair.reasons} == {"name_same", "birth_date_same", "name_rare"}
    assert summary.new == 1 and summary.pairs == 1 and summary.candidates >= 2
    assert not DuplicatePair.objects.filter(client_b=c).exists()

    duplicate_pair_dismiss(pair=pair, user=clerk)
    again = duplicates_scan()
    pair.refresh_from_db()
    assert pair.state == DuplicateState.NOT_DUPLICATE  # remembered
    assert again.new == 0
    assert ModelLogEntry.objects.filter(action="crm.duplicate_dismissed").count() == 1


@pytest.mark.django_db
def test_the_scan_drops_open_pairs_that_are_no_longer_alike(clerk):
    a = client_save(data=kovacs(), user=clerk).client
    b = client_save(data=kovacs(emails=[], phones=[], addresses=[]), user=clerk).client
    duplicates_scan()
    assert DuplicatePair.objects.filter(client_a=a, client_b=b).exists()
    data = kovacs(emails=[], phones=[], addresses=[], birth_date=datetime.date(2001, 9, 9))
    client_save(client=b, data=data, user=clerk)
    summary = duplicates_scan()
    assert summary.closed == 1 and not DuplicatePair.objects.exists()


@pytest.mark.django_db
def test_an_email_shared_by_many_clients_does_not_pair_them_all(clerk):
    for n in range(25):
        client_save(
            data=ClientData(family_name="Ügyintéző", given_names=f"Név{n}", emails=[EmailData(address="info@ceg.hu")]),
            user=clerk,
        )
    assert duplicates_scan().candidates == 0


# --- merge and unmerge ----------------------------------------------------------------------------
@pytest.fixture
def pair(clerk):
    a = client_save(data=kovacs(name_prefix="", loyalty_card_number=""), user=clerk).client
    b = client_save(
        data=kovacs(
            name_prefix="dr.",
            given_names="János Péter",
            loyalty_card_number="HK123456",
            emails=[EmailData(address="kovacs.janos@gmail.com"), EmailData(address="jk@hegyvidek.hu", is_default=True)],
            phones=[PhoneData(number="+36 1 234 5678")],
            addresses=[],
            consents={"newsletter": ConsentData(granted=False, source="leiratkozás")},
        ),
        user=clerk,
    ).client
    tag = Tag.objects.create(name="Önkéntes")
    ClientTag.objects.create(client=b, tag=tag)
    group = ClientGroup.objects.create(name="Idősek klubja")
    GroupMembership.objects.create(client=b, group=group, valid_from=datetime.date(2026, 1, 1))
    GroupMembership.objects.create(client=a, group=group)
    timeline_record(client=b, kind="case.submitted", title="Parkolási engedély", key="case:1")
    duplicates_scan()
    return a, b


def _state(client: Client) -> dict:
    client.refresh_from_db()
    return {
        "fields": (
            client.name_prefix,
            client.family_name,
            client.given_names,
            client.birth_date,
            client.loyalty_card_number,
            client.state,
        ),
        "emails": sorted((e.normalised, e.is_default) for e in client.emails.all()),
        "phones": sorted(p.number for p in client.phones.all()),
        "addresses": sorted(a.one_line for a in client.addresses.all()),
        "consents": sorted((c.channel, c.granted) for c in client.consents.all()),
        "tags": sorted(t.tag.name for t in client.client_tags.all()),
        "groups": sorted((m.group.name, m.valid_from) for m in client.group_memberships.all()),
        "timeline": sorted(t.key for t in client.timeline.all()),
        "search_name": client.search_name,
    }


@pytest.mark.django_db
def test_merge_field_by_field_with_provenance(pair, clerk):
    a, b = pair
    duplicate = DuplicatePair.objects.get(client_a=a, client_b=b)
    merge = client_merge(
        survivor=a, merged=b, choices={"given_names": b.pk, "name_prefix": b.pk}, user=clerk, pair=duplicate
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.name_prefix, a.given_names, a.loyalty_card_number) == ("dr.", "János Péter", "HK123456")
    assert merge.provenance["given_names"] == {"from": b.pk, "value": "János Péter"}
    assert merge.provenance["family_name"]["from"] == a.pk
    assert merge.provenance["loyalty_card_number"]["from"] == b.pk  # the survivor had none
    # contacts united, a double kept once, the survivor's defaults stay
    assert sorted((e.normalised, e.is_default) for e in a.emails.all()) == [
        ("jk@hegyvidek.hu", False),
        ("kovacs.janos@gmail.com", True),
    ]
    assert sorted(p.number for p in a.phones.all()) == ["+3612345678", "+36301234567"]
    assert a.consents.get().granted is False  # the later answer wins
    assert [t.tag.name for t in a.client_tags.all()] == ["Önkéntes"]
    assert a.group_memberships.count() == 1
    assert [t.key for t in a.timeline.all()] == ["case:1"]
    assert (b.state, b.merged_into) == (ClientState.MERGED, a)
    assert "peter" in a.search_name
    duplicate.refresh_from_db()
    assert duplicate.state == DuplicateState.MERGED
    assert ClientChange.objects.filter(client=a, action="merged").exists()
    assert ModelLogEntry.objects.filter(action="crm.client_merged").count() == 1
    # a merged record is read-only for merging again
    with pytest.raises(CrmError):
        client_merge(survivor=a, merged=b, user=clerk)


@pytest.mark.django_db
def test_unmerge_restores_both_records(pair, clerk):
    a, b = pair
    before_a, before_b = _state(a), _state(b)
    merge = client_merge(survivor=a, merged=b, choices={"given_names": b.pk}, user=clerk)
    undone = client_unmerge(merge=merge, user=clerk)
    assert undone.kept_fields == []
    assert _state(a) == before_a
    assert _state(b) == before_b
    assert ClientConsent.objects.get(client=b).granted is False
    duplicate = DuplicatePair.objects.get(client_a=a, client_b=b)
    assert duplicate.state == DuplicateState.NOT_DUPLICATE  # undone: two people, remembered
    with pytest.raises(CrmError):
        client_unmerge(merge=merge, user=clerk)


@pytest.mark.django_db
def test_unmerge_keeps_a_field_changed_after_the_merge(pair, clerk):
    from crm.services import client_data_of

    a, b = pair
    merge = client_merge(survivor=a, merged=b, choices={"given_names": b.pk}, user=clerk)
    a.refresh_from_db()
    data = client_data_of(a)
    data.given_names = "János Pál"
    client_save(client=a, data=data, user=clerk)
    undone = client_unmerge(merge=merge, user=clerk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert undone.kept_fields == ["given_names"]
    assert a.given_names == "János Pál"
    assert b.given_names == "János Péter" and b.state == ClientState.ACTIVE


@pytest.mark.django_db
def test_the_resident_account_moves_with_the_merge_and_back(clerk):
    account = UserFactory(email="kovacs.janos@gmail.com")
    a = client_save(data=kovacs(), user=clerk).client
    b = client_save(data=kovacs(emails=[]), user=clerk, account=account).client
    merge = client_merge(survivor=a, merged=b, user=clerk)
    a.refresh_from_db()
    assert a.user == account
    client_unmerge(merge=merge, user=clerk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.user is None and b.user == account


@pytest.mark.django_db
def test_two_resident_accounts_are_not_merged(clerk):
    a = client_save(data=kovacs(), user=clerk, account=UserFactory()).client
    b = client_save(data=kovacs(emails=[]), user=clerk, account=UserFactory()).client
    with pytest.raises(CrmError) as caught:
        client_merge(survivor=a, merged=b, user=clerk)
    assert caught.value.code == "merge_not_allowed"
    b.refresh_from_db()
    assert b.state == ClientState.ACTIVE


@pytest.mark.django_db
def test_a_choice_must_name_one_of_the_two_clients(pair, clerk):
    a, b = pair
    with pytest.raises(CrmError) as caught:
        client_merge(survivor=a, merged=b, choices={"family_name": 999999, "shoe_size": a.pk}, user=clerk)
    assert set(caught.value.fields) == {"family_name", "shoe_size"}
    b.refresh_from_db()
    assert b.state == ClientState.ACTIVE


@pytest.mark.django_db
def test_an_open_data_problem_both_records_have_is_queued_once_after_the_merge(clerk):
    from crm.models import CleanupItem, CleanupState

    broken = [EmailData(address="kovacs.janos@gmail")]
    a = client_save(data=kovacs(emails=broken, phones=[]), user=clerk).client
    b = client_save(data=kovacs(emails=broken + [EmailData(address="kj@x")], phones=[]), user=clerk).client
    assert CleanupItem.objects.filter(client=b, state=CleanupState.OPEN).count() == 2
    merge = client_merge(survivor=a, merged=b, user=clerk)
    open_on_a = CleanupItem.objects.filter(client=a, state=CleanupState.OPEN)
    assert sorted(i.value for i in open_on_a) == ["kj@x", "kovacs.janos@gmail"]
    client_unmerge(merge=merge, user=clerk)
    assert CleanupItem.objects.filter(client=b, state=CleanupState.OPEN).count() == 2


def test_namesakes_born_on_one_day_with_their_own_contacts_are_not_one_person():
    home = frozenset({("1123", "alkotas utca", "7/B", "")})
    away = frozenset({("1126", "boszormenyi ut", "12", "")})
    a = person(birth_date=BIRTH, emails=frozenset({"kovacs.janos@gmail.com"}), addresses=home)
    b = person(id=2, birth_date=BIRTH, phones=frozenset({"+3612345678"}), addresses=away)
    score, reasons = compare(a, b)
    assert score < THRESHOLD and "contacts_different" in [r.code for r in reasons]
    # with their address in common they are one person
    assert compare(a, Features(**{**b.__dict__, "addresses": home}))[0] >= THRESHOLD
    # a record without an address or contacts is no evidence either way: it may be new
    assert compare(a, Features(**{**b.__dict__, "addresses": frozenset()}))[0] >= THRESHOLD
    assert compare(a, Features(**{**b.__dict__, "phones": frozenset()}))[0] >= THRESHOLD


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Kovács", "Márk"), ("Kovács", "Mór")),  # two real names, not a typo
        (("Balogh", "Réka"), ("Balogh", "Éva")),
        (("Cseh", "Zoltán"), ("Ács", "Zoltán")),
        (("Ambrus", "Éva Viktória"), ("Ambrus", "Éva Zsuzsanna")),  # second given names differ
    ],
)
def test_different_people_with_alike_names_are_not_similar(a, b):
    assert name_match(person(*a), person(*b, id=2)) == "name_different"


@pytest.mark.django_db  # whether "Jánso" is a typo reads the given-name list
def test_a_common_name_needs_more_than_a_birth_date_and_a_rare_one_counts_more():
    def pair(a_clients, b_clients, **kw):
        a = person(birth_date=BIRTH, name_clients=a_clients, **kw)
        b = person("Kovács", "Jánso", id=2, birth_date=BIRTH, name_clients=b_clients, **kw)  # a typo
        score, reasons = compare(a, b)
        return score, {r.code for r in reasons}

    # Kovács János with his birth date: a name hundreds of clients have, namesakes likely
    assert pair(620, 1) == (55, {"name_similar", "birth_date_same", "name_common"})
    same = compare(person(birth_date=BIRTH, name_clients=620), person(id=2, birth_date=BIRTH, name_clients=620))
    assert same[0] == 65 < THRESHOLD
    # a shared phone is what namesakes do not have: then how common the name is does not matter
    phone = frozenset({"+36301234567"})
    assert pair(620, 1, phones=phone) == (110, {"name_similar", "birth_date_same", "phone"})
    # a rare name (or one not counted yet: 0) with a birth date: more likely one person
    assert pair(12, 0) == (75, {"name_similar", "birth_date_same", "name_rare"})
    # names not counted at all (no scan yet): no adjustment either way
    assert pair(None, None) == (70, {"name_similar", "birth_date_same"})
    assert pair(620, None)[0] == 70
    # in between: neither common nor rare
    assert pair(100, 3)[0] == 70


@pytest.mark.django_db
def test_the_scan_counts_names_and_an_entry_is_weighed_by_the_counts(clerk):
    from crm.duplicates.find import features_of_data, name_frequencies_of
    from crm.models import NameFrequency

    assert name_frequencies_of(["kovacs janos"]) is None  # nothing counted yet
    assert features_of_data(kovacs()).name_clients is None
    client_save(data=kovacs(), user=clerk)
    client_save(data=kovacs(given_names="János Péter", emails=[], phones=[], addresses=[]), user=clerk)
    client_save(data=kovacs(family_name="Dr. Nagy", given_names="Éva", emails=[], phones=[]), user=clerk)
    duplicates_scan()
    assert dict(NameFrequency.objects.values_list("key", "clients")) == {"kovacs janos": 2, "nagy eva": 1}
    assert features_of_data(kovacs()).name_clients == 2
    assert features_of_data(kovacs(family_name="Ritka")).name_clients == 0  # not counted: rare
    client_save(data=kovacs(family_name="Nagy", given_names="Éva Anna", emails=[], phones=[]), user=clerk)
    duplicates_scan()  # counted anew
    assert NameFrequency.objects.get(key="nagy eva").clients == 2
    # a name longer than a key is counted by its beginning
    client_save(data=kovacs(family_name="Ő" * 100, given_names="Á" * 100, emails=[], phones=[]), user=clerk)
    duplicates_scan()
    assert NameFrequency.objects.get(key=f"{'o' * 100} {'a' * 19}").clients == 1


def test_junior_and_senior_of_one_name_are_two_people():
    father = person(birth_date=None, addresses=frozenset({("1123", "alkotas utca", "7/B", "")}))
    son = Features(**{**father.__dict__, "id": 2, "generation": "junior"})
    assert compare(father, son)[0] < THRESHOLD
    assert compare(father, Features(**{**father.__dict__, "id": 3}))[0] >= THRESHOLD


def test_neighbours_of_one_name_in_a_block_of_flats_do_not_share_an_address():
    flat = lambda door: frozenset({("1126", "boszormenyi ut", "12", door)})  # noqa: E731
    a, b = person(addresses=flat("25")), person(id=2, addresses=flat("37"))
    assert "address" not in [r.code for r in compare(a, b)[1]]
    assert "address" in [r.code for r in compare(a, person(id=3, addresses=flat("")))[1]]
