"""At identification the registry's answer is compared with the client record field by field;
the clerk takes the registry's value or keeps the record's, per field."""

from __future__ import annotations

import datetime
import uuid

import pytest

from crm.errors import CrmError
from crm.models import ClientChange, ClientIdentifier, IdentifierKind
from crm.registry import registry_review, registry_review_apply
from crm.services import client_sync_from_account
from eservices.models import IdentityVerification
from eservices.services import identification_record_registry_answer
from integrations.registry.contract import Address, PersonRecord
from tests.conftest import login_staff_with_mfa
from tests.factories import ResidentProfileFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    return staff_user(role="crm_clerk", email="pult@test.example")


def registry_person(**overrides) -> PersonRecord:
    values = {
        "person_id": "SZL-000123",
        "family_name": "Kovács",
        "given_names": "Anna Mária",  # the resident typed "Anna"
        "birth_name": "Kovács Anna Mária",
        "mother_birth_name": "Szabó Mária",
        "birth_date": datetime.date(1985, 3, 14),
        "birth_place": "Budapest",
        "sex": "F",
        "permanent_address": Address(
            postcode="1122",
            settlement="Budapest",
            district="XII",
            street_name="Városmajor",
            street_type="utca",
            house_number="14",  # the resident typed 12
            floor="2",
            door="5",
        ),
        "document_type": "id_card",
        "document_number": "123456AB",
        "document_valid_until": datetime.date(2030, 1, 1),
        "document_status": "valid",
    }
    values.update(overrides)
    fields = PersonRecord.__dataclass_fields__
    person = PersonRecord(**{k: v for k, v in values.items() if k in fields})
    if "document_status" not in fields:
        object.__setattr__(person, "document_status", values["document_status"])
    return person


@pytest.fixture
def identified(desk):
    """A resident with a client record and the registry's answer to a document check."""
    profile = ResidentProfileFactory()
    client = client_sync_from_account(user=profile.user)
    verification = IdentityVerification.objects.create(
        profile=profile, clerk=desk, document_type="id_card", document_number="123456AB", idempotency_key=uuid.uuid4()
    )
    identification_record_registry_answer(verification_id=verification.pk, person=registry_person())
    verification.refresh_from_db()
    return client, verification


def test_the_differences_of_the_record_and_the_registry(identified):
    client, verification = identified
    review = registry_review(client=client, verification=verification)
    assert [(d.field, d.ours, d.registry) for d in review.differences] == [
        ("given_names", "Anna", "Anna Mária"),
        ("address.house_number", "12", "14"),
    ]
    assert review.decided is False and review.registry_person_id == "SZL-000123"


def test_accepted_fields_are_taken_and_kept_fields_remembered(identified, desk):
    client, verification = identified
    registry_review_apply(client=client, verification=verification, accepted={"given_names"}, user=desk)
    client.refresh_from_db()
    assert client.given_names == "Anna Mária"
    assert client.addresses.get(kind="permanent").house_number == "12"  # kept
    change = ClientChange.objects.get(client=client, action="registry_reviewed")
    assert change.changes["given_names"] == ["Anna", "Anna Mária", "accepted"]
    assert change.changes["address.house_number"] == ["12", "14", "kept"]
    assert change.actor == desk
    assert ClientIdentifier.objects.get(client=client).value == "SZL-000123"
    # reviewed once per answer
    assert registry_review(client=client, verification=verification).decided is True
    with pytest.raises(CrmError):
        registry_review_apply(client=client, verification=verification, accepted=set(), user=desk)


def test_a_field_taken_from_the_registry_is_not_undone_by_the_account_sync(identified, desk):
    client, verification = identified
    registry_review_apply(client=client, verification=verification, accepted={"given_names"}, user=desk)
    client_sync_from_account(user=client.user)  # the resident saves the profile again ("Anna")
    client.refresh_from_db()
    assert client.given_names == "Anna Mária"


def test_only_a_differing_field_can_be_accepted(identified, desk):
    client, verification = identified
    with pytest.raises(CrmError) as caught:
        registry_review_apply(client=client, verification=verification, accepted={"family_name"}, user=desk)
    assert "family_name" in caught.value.fields
    assert not ClientChange.objects.filter(action="registry_reviewed").exists()


def test_the_identification_page_shows_the_comparison_and_saves_the_choices(client, identified, desk):
    crm_client, verification = identified
    login_staff_with_mfa(client, desk)
    url = f"/admin/residents/identify/{verification.profile_id}/"
    page = client.get(url).content.decode()
    assert "Client record compared with the registry" in page and "Anna Mária" in page
    response = client.post(
        url,
        {
            "action": "crm_review",
            "verification": verification.pk,
            "crm_given_names": "record",
            "crm_address.house_number": "registry",
        },
    )
    assert response.status_code == 302
    crm_client.refresh_from_db()
    assert crm_client.given_names == "Anna"
    assert crm_client.addresses.get(kind="permanent").house_number == "14"
    assert IdentifierKind.REGISTRY_PERSON == ClientIdentifier.objects.get(client=crm_client).kind
