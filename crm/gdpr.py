"""A client's rights under the GDPR: a copy of everything the CRM holds about them (Art. 15/20)
and erasure (Art. 17, `törlés`).

    client_export(client=..., user=...)               -> dict, JSON-serialisable; audited
    client_erase(client=..., user=..., reason=...)    anonymises the record in place; audited

What erasure keeps, and why:

- The client row itself stays, anonymised (state `erased`, no name, birth date, gender, card,
  search columns), so that what other apps keep can still point at "a client".
- Timeline entries of cases and payments (`case.*`, `payment.*`) stay: the municipality must
  keep its case files and accounts (the law on administrative procedure and on accounting), and
  those records belong to the e-services and payments apps, which keep them anyway. Their titles
  and data lose the client's name, emails and phone numbers should any appear there. Every other
  timeline entry (newsletter, contact centre, identification) is deleted.
- The history of the record stays as a list of "what changed when, by whom", with every value
  replaced by a placeholder.
- The linked resident account is *not* deleted here, only unlinked (`user=None`). The account is
  the resident's own: it holds their sign-in, their cases and payments, and the resident closes
  it themselves (or staff do it in the accounts area, with the rules that apply there). Erasing
  the CRM record must not sign a person out of the portal or lose their applications. If the
  account stays and changes later, the account sync creates a new client record from it — the
  person kept using the portal, so the municipality deals with them again.
- Clients merged into this one are the same person: they are erased with it, and the merge
  records lose their snapshots (an erased client cannot be unmerged).
- The audit entry names the client by id only and holds the staff member's reason; audit entries
  written earlier about this client lose the name they were labelled with.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from crm.errors import CrmError, ErrorCode
from crm.models import (
    CleanupItem,
    Client,
    ClientAddress,
    ClientChange,
    ClientEmail,
    ClientMerge,
    ClientPhone,
    ClientState,
    DuplicatePair,
    DuplicateState,
    TimelineEntry,
)

#: Timeline kinds whose records the law requires keeping (they live in other apps anyway).
KEPT_TIMELINE_PREFIXES = ("case.", "payment.")
ERASED = "[erased]"
EXPORT_FORMAT = "hegyvidek-crm-client-export/1"


# --- export ---------------------------------------------------------------------------------------
def client_export(*, client: Client, user) -> dict[str, Any]:
    """Everything the CRM holds about the client, as plain JSON types."""
    client = Client.objects.select_related("user", "merged_into", "created_by").get(pk=client.pk)
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _json(timezone.now()),
        "client": {
            "id": client.pk,
            "state": client.state,
            "name_prefix": client.name_prefix,
            "family_name": client.family_name,
            "given_names": client.given_names,
            "gender": client.gender,
            "gender_source": client.gender_source,
            "birth_date": _json(client.birth_date),
            "loyalty_card_number": client.loyalty_card_number,
            "source": client.source,
            "resident_account": {"id": client.user.pk, "email": client.user.email} if client.user else None,
            "merged_into": client.merged_into_id,
            "created_at": _json(client.created_at),
            "updated_at": _json(client.updated_at),
        },
        "emails": [
            {
                **_channel(row),
                "address": row.address,
                "kind": row.kind,
            }
            for row in ClientEmail.objects.filter(client=client).order_by("pk")
        ],
        "phones": [
            {**_channel(row), "number": row.number, "as_entered": row.raw, "kind": row.kind}
            for row in ClientPhone.objects.filter(client=client).order_by("pk")
        ],
        "addresses": [
            {
                **_channel(row),
                "kind": row.kind,
                "country": row.country,
                "postcode": row.postcode,
                "settlement": row.settlement,
                "district": row.district,
                "street_name": row.street_name,
                "street_type": row.street_type,
                "house_number": row.house_number,
                "extra": row.extra,
                "one_line": row.one_line,
            }
            for row in ClientAddress.objects.filter(client=client).order_by("pk")
        ],
        "identifiers": [
            {"kind": row.kind, "value": row.value, "created_at": _json(row.created_at)}
            for row in client.identifiers.order_by("pk")
        ],
        "consents": [
            {"channel": row.channel, "granted": row.granted, "source": row.source, "given_at": _json(row.given_at)}
            for row in client.consents.order_by("channel")
        ],
        "notes": [
            {"text": row.text, "created_at": _json(row.created_at)} for row in client.notes.order_by("created_at", "pk")
        ],
        "tags": [
            {"tag": row.tag.name, "added_at": _json(row.added_at)}
            for row in client.client_tags.select_related("tag").order_by("tag__name")
        ],
        "groups": [
            {
                "group": row.group.name,
                "valid_from": _json(row.valid_from),
                "valid_until": _json(row.valid_until),
                "added_at": _json(row.added_at),
            }
            for row in client.group_memberships.select_related("group").order_by("group__name")
        ],
        "history": [
            {"at": _json(row.at), "action": row.action, "source": row.source, "changes": _json(row.changes)}
            for row in ClientChange.objects.filter(client=client).order_by("at", "pk")
        ],
        "timeline": [
            {"at": _json(row.at), "kind": row.kind, "title": row.title, "data": _json(row.data)}
            for row in TimelineEntry.objects.filter(client=client).order_by("at", "pk")
        ],
        "data_problems": [
            {"field": row.field, "message": row.message, "value": row.value, "state": row.state}
            for row in CleanupItem.objects.filter(client=client).order_by("created_at", "pk")
        ],
        "merged_records": [row.pk for row in Client.objects.filter(merged_into=client).order_by("pk")],
    }
    # who on the staff wrote what is the municipality's business, not the client's: actors are left out
    log(instance=client, action="crm.client_exported", user=user, data={})
    return data


def _channel(row) -> dict[str, Any]:
    return {
        "is_default": row.is_default,
        "validation_state": row.validation_state,
        "validation_note": row.validation_note,
        "verified_at": _json(row.verified_at),
        "created_at": _json(row.created_at),
    }


def _json(value):
    """Dates and other non-JSON values as DjangoJSONEncoder writes them; containers recursively."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return DjangoJSONEncoder().default(value)


# --- erasure --------------------------------------------------------------------------------------
def client_erase(*, client: Client, user, reason: str) -> Client:
    """Anonymise the client (and the records merged into it); see the module docstring for what
    is kept. `reason` (why the data are erased: the request's reference, the legal ground) is
    required and goes into the audit log."""
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Give the reason for the erasure (e.g. the reference of the request).")
        raise CrmError(ErrorCode.INVALID, message, fields={"reason": [message]})
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        if client.state == ClientState.ERASED:
            raise CrmError(ErrorCode.CLIENT_NOT_ACTIVE, _("This client's data were erased already."))
        if client.state == ClientState.MERGED:
            raise CrmError(
                ErrorCode.CLIENT_NOT_ACTIVE,
                _("This record was merged into another client: erase that client, and this one goes with it."),
            )
        erased_ids = [client.pk, *_merged_into(client.pk)]
        secrets = _personal_texts(erased_ids)
        reason = _scrub(reason, secrets)[:500]
        for pk in erased_ids:
            _anonymise(Client.objects.select_for_update().get(pk=pk), secrets)
        # the merges' snapshots hold both records' data, for unmerging: an erased client is not unmerged
        ClientMerge.objects.filter(survivor_id__in=erased_ids).update(snapshot={}, provenance={})
        ClientMerge.objects.filter(merged_id__in=erased_ids).update(snapshot={}, provenance={})
        DuplicatePair.objects.filter(state=DuplicateState.OPEN, client_a_id__in=erased_ids).delete()
        DuplicatePair.objects.filter(state=DuplicateState.OPEN, client_b_id__in=erased_ids).delete()
        DuplicatePair.objects.filter(client_a_id__in=erased_ids).update(reasons=[])
        DuplicatePair.objects.filter(client_b_id__in=erased_ids).update(reasons=[])
        # earlier audit entries were labelled with the client's name
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Client), object_id__in=[str(pk) for pk in erased_ids]
        ).update(label=ERASED)
        client.refresh_from_db()
        ClientChange.objects.create(
            client=client, action="erased", changes={}, actor=user if getattr(user, "pk", None) else None
        )
        log(
            instance=client,
            action="crm.client_erased",
            user=user,
            data={"reason": reason, "clients": erased_ids},
        )
    return client


def _merged_into(pk: int) -> list[int]:
    """Every client merged (directly or through another merged one) into `pk`."""
    found: list[int] = []
    todo = [pk]
    while todo:
        children = list(Client.objects.filter(merged_into_id__in=todo).values_list("pk", flat=True))
        children = [c for c in children if c not in found and c != pk]
        found += children
        todo = children
    return found


def _personal_texts(client_ids: list[int]) -> list[str]:
    """The strings that would identify the person in free text elsewhere: names, emails, phones."""
    texts: set[str] = set()
    for client in Client.objects.filter(pk__in=client_ids):
        texts.update(
            t for t in (client.display_name, client.family_name, client.given_names, client.loyalty_card_number) if t
        )
        texts.update(part for part in f"{client.family_name} {client.given_names}".split() if len(part) >= 3)
    texts.update(ClientEmail.objects.filter(client_id__in=client_ids).values_list("address", flat=True))
    for number, national, raw in ClientPhone.objects.filter(client_id__in=client_ids).values_list(
        "number", "national", "raw"
    ):
        texts.update(t for t in (number, national, raw) if t)
    for address in ClientAddress.objects.filter(client_id__in=client_ids):
        street = " ".join(p for p in (address.street_name, address.street_type, address.house_number) if p)
        texts.update(t for t in (address.one_line, street) if t and len(t) >= 5)
    return sorted(texts, key=len, reverse=True)  # the whole name before its words


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        # whole words only: a short family name ("Kis") inside another word is not the name
        text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub_json(value, secrets: list[str]):
    if isinstance(value, str):
        return _scrub(value, secrets)
    if isinstance(value, dict):
        return {k: _scrub_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, secrets) for v in value]
    return value


def _placeholder(value):
    """A history entry's values replaced, its shape (which fields changed) kept."""
    if isinstance(value, dict):
        return {k: _placeholder(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    return ERASED


def _anonymise(client: Client, secrets: list[str]) -> None:
    client.emails.all().delete()
    client.phones.all().delete()
    client.addresses.all().delete()
    client.identifiers.all().delete()
    client.consents.all().delete()
    client.notes.all().delete()
    client.client_tags.all().delete()
    client.group_memberships.all().delete()
    client.cleanup_items.all().delete()
    timeline = TimelineEntry.objects.filter(client=client)
    for prefix in KEPT_TIMELINE_PREFIXES:
        timeline = timeline.exclude(kind__startswith=prefix)
    timeline.delete()
    for entry in TimelineEntry.objects.filter(client=client):
        title, data = _scrub(entry.title, secrets), _scrub_json(entry.data, secrets)
        if (title, data) != (entry.title, entry.data):
            entry.title, entry.data = title, data
            entry.save(update_fields=["title", "data"])
    for change in ClientChange.objects.filter(client=client):
        change.changes = _placeholder(change.changes)
        change.save(update_fields=["changes"])
    client.name_prefix = ""
    client.family_name = ""
    client.given_names = ""
    client.gender = ""
    client.gender_source = ""
    client.birth_date = None
    client.loyalty_card_number = None
    client.search_name = ""
    client.search_keys = []
    client.user = None
    client.state = ClientState.ERASED
    client.save(
        update_fields=[
            "name_prefix",
            "family_name",
            "given_names",
            "gender",
            "gender_source",
            "birth_date",
            "loyalty_card_number",
            "search_name",
            "search_keys",
            "user",
            "state",
            "updated_at",
        ]
    )
