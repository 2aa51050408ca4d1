"""The registry's answer at identification, compared with the client record field by field.

The foundation compares what the resident typed with the registry to decide the
identification; this compares the CRM record (what the municipality holds about the client,
maybe entered by staff years ago) with the same answer. The clerk takes the registry's value
or keeps the record's, per field; the answer is kept in the record's history, and a field taken
from the registry is not overwritten later by what the resident types in the portal.

    registry_review(client=, verification=)   -> RegistryReview (rows, already decided?)
    registry_review_apply(client=, verification=, accepted={"family_name", ...}, user=)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.errors import CrmError, ErrorCode
from crm.models import AddressKind, Client, ClientChange, ClientIdentifier, ClientSource, ClientState, IdentifierKind
from crm.normalise import fold

FIELDS = {
    "family_name": gettext_lazy("Family name"),
    "given_names": gettext_lazy("Given names"),
    "birth_date": gettext_lazy("Date of birth"),
    "address.postcode": gettext_lazy("Postcode"),
    "address.settlement": gettext_lazy("Settlement"),
    "address.street_name": gettext_lazy("Street name"),
    "address.street_type": gettext_lazy("Street type"),
    "address.house_number": gettext_lazy("House number"),
}
ACTION = "registry_reviewed"


@dataclass
class Difference:
    field: str
    label: str
    ours: str
    registry: str


@dataclass
class RegistryReview:
    differences: list[Difference] = field(default_factory=list)
    decided: bool = False
    registry_person_id: str = ""


def registry_values(verification) -> dict[str, str]:
    """The registry's answer (stored with the identification) under this module's field names."""
    results = verification.field_results or {}
    values = {}
    for name in ("family_name", "given_names", "birth_date"):
        if name in results:
            values[name] = str(results[name].get("registry") or "")
    for part in ("postcode", "settlement", "street_name", "street_type", "house_number"):
        key = f"permanent_address.{part}"
        if key in results:
            values[f"address.{part}"] = str(results[key].get("registry") or "")
    return values


def _permanent_address(client: Client):
    addresses = list(client.addresses.all())
    return next((a for a in addresses if a.kind == AddressKind.PERMANENT), None)


def _ours(client: Client) -> dict[str, str]:
    address = _permanent_address(client)
    values = {
        "family_name": client.family_name,
        "given_names": client.given_names,
        "birth_date": client.birth_date.isoformat() if client.birth_date else "",
    }
    for part in ("postcode", "settlement", "street_name", "street_type", "house_number"):
        values[f"address.{part}"] = str(getattr(address, part, "") or "") if address else ""
    return values


def _same(name: str, ours: str, theirs: str) -> bool:
    if name == "address.house_number":
        return "".join(ours.split()).upper().rstrip(".") == "".join(theirs.split()).upper().rstrip(".")
    return " ".join(fold(ours).replace("-", " ").split()) == " ".join(fold(theirs).replace("-", " ").split())


def _already_decided(client: Client, verification) -> bool:
    return ClientChange.objects.filter(client=client, action=ACTION, changes__verification=verification.pk).exists()


def registry_review(*, client: Client, verification) -> RegistryReview:
    """The fields where the record and the registry's answer differ (the registry has a value)."""
    theirs = registry_values(verification)
    ours = _ours(client)
    differences = [
        Difference(name, str(FIELDS[name]), ours[name], value)
        for name, value in theirs.items()
        if value and not _same(name, ours[name], value)
    ]
    return RegistryReview(differences, _already_decided(client, verification), verification.registry_person_id or "")


def registry_review_apply(*, client: Client, verification, accepted: set[str], user) -> Client:
    """Write the accepted registry values into the record (cleansed like any entry), keep the
    others, remember both answers, and note the registry identifier on the client."""
    from crm.services import AddressData, client_data_of, client_save

    if client.state != ClientState.ACTIVE:
        raise CrmError(ErrorCode.CLIENT_NOT_ACTIVE, _("A merged or erased client cannot be changed."))
    review = registry_review(client=client, verification=verification)
    if review.decided:
        raise CrmError(ErrorCode.INVALID, _("The registry's answer has already been reviewed for this client."))
    names = {d.field for d in review.differences}
    unknown = sorted(set(accepted) - names)
    if unknown:
        message = _("Only a field that differs from the registry can be taken from it.")
        raise CrmError(ErrorCode.INVALID, message, fields={name: [message] for name in unknown})
    theirs = registry_values(verification)
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        if accepted:
            data = client_data_of(client)
            for name in ("family_name", "given_names"):
                if name in accepted:
                    setattr(data, name, theirs[name])
            if "birth_date" in accepted:
                data.birth_date = datetime.date.fromisoformat(theirs["birth_date"])
            parts = {name.split(".", 1)[1] for name in accepted if name.startswith("address.")}
            if parts:
                address = next((a for a in data.addresses if a.kind == AddressKind.PERMANENT), None)
                if address is None:
                    address = AddressData(kind=AddressKind.PERMANENT, is_default=not data.addresses)
                    data.addresses.append(address)
                for part in parts:
                    setattr(address, part, theirs[f"address.{part}"])
                address.district = None  # derived again from the postcode
            client_save(client=client, data=data, user=user, source=ClientSource.STAFF)
        decisions = {
            d.field: [d.ours, d.registry, "accepted" if d.field in accepted else "kept"] for d in review.differences
        }
        ClientChange.objects.create(
            client=client,
            action=ACTION,
            changes={"verification": verification.pk, **decisions},
            actor=user if getattr(user, "pk", None) else None,
        )
        if review.registry_person_id:
            taken = ClientIdentifier.objects.filter(
                kind=IdentifierKind.REGISTRY_PERSON, value=review.registry_person_id
            )
            if not taken.exists():
                ClientIdentifier.objects.create(
                    client=client, kind=IdentifierKind.REGISTRY_PERSON, value=review.registry_person_id
                )
    client.refresh_from_db()
    return client


def registry_confirmed_fields(client: Client) -> set[str]:
    """The fields whose value was last taken from the registry: the account sync keeps them."""
    latest = ClientChange.objects.filter(client=client, action=ACTION).order_by("-at", "-pk").first()
    if latest is None:
        return set()
    return {name for name, value in latest.changes.items() if isinstance(value, list) and value[-1] == "accepted"}
