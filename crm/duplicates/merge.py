"""Merging two client records into one, field by field, and undoing it.

    client_merge(survivor=, merged=, choices={"family_name": <client id>, ...}, user=, pair=None)
    client_unmerge(merge=, user=)
    duplicate_pair_dismiss(pair=, user=)     "not a duplicate", remembered by later scans
    duplicate_pair_reopen(pair=, user=)

The survivor keeps its id (links from other apps stay valid); the merged record stays as a
read-only row pointing to it (`state=merged`, `merged_into`). For each person field the clerk
picks the record to take it from; the default is the survivor's value, or the other's where
the survivor has none. Contacts, notes, tags, groups, identifiers, the timeline and open
cleanup items move over; a contact both records have is kept once. `ClientMerge.provenance`
says where every field came from, `ClientMerge.snapshot` holds what unmerge needs: the moved
row ids and copies of the rows that were dropped as doubles.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from crm.errors import CrmError, ErrorCode
from crm.models import (
    CleanupItem,
    CleanupState,
    Client,
    ClientAddress,
    ClientChange,
    ClientConsent,
    ClientEmail,
    ClientIdentifier,
    ClientMerge,
    ClientNote,
    ClientPhone,
    ClientState,
    ClientTag,
    DuplicatePair,
    DuplicateState,
    GroupMembership,
    TimelineEntry,
)
from crm.normalise import name_key

#: Person fields chosen one by one; `gender_source` follows `gender`.
FIELDS = ("name_prefix", "family_name", "given_names", "gender", "birth_date", "loyalty_card_number")

# Rows that move to the survivor; for the channels a double (same key) is dropped instead.
_MOVED = {
    "emails": (ClientEmail, ("normalised",)),
    "phones": (ClientPhone, ("number",)),
    "addresses": (ClientAddress, ("postcode", "street_key", "house_number", "extra")),
    "identifiers": (ClientIdentifier, None),  # unique (kind, value): never on both
    "notes": (ClientNote, None),
    "timeline": (TimelineEntry, None),
    "tags": (ClientTag, ("tag_id",)),
    "groups": (GroupMembership, ("group_id",)),
}


def _field_value(client: Client, name: str) -> Any:
    value = getattr(client, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _set_field(client: Client, name: str, value: Any) -> None:
    if name == "birth_date" and isinstance(value, str):
        import datetime

        value = datetime.date.fromisoformat(value)
    setattr(client, name, value)


def _row_copy(obj) -> dict:
    """A dropped row as plain data, to recreate it on unmerge."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name == "client":
            continue
        value = getattr(obj, f.attname)
        data[f.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def _refresh_search(client: Client) -> None:
    from crm.services import client_search_keys

    client.search_name = name_key(client.family_name, client.given_names)
    client.search_keys = client_search_keys(client)
    client.save(update_fields=["search_name", "search_keys", "updated_at"])


def _ensure_defaults(client: Client) -> None:
    """A client with contacts of a channel has a default one: the oldest, if none is."""
    for model in (ClientEmail, ClientPhone, ClientAddress):
        if not model.objects.filter(client=client, is_default=True).exists():
            first = model.objects.filter(client=client).order_by("pk").first()
            if first is not None:
                model.objects.filter(pk=first.pk).update(is_default=True)


def _locked_pair(first: Client, second: Client) -> tuple[Client, Client]:
    rows = {c.pk: c for c in Client.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")}
    if len(rows) != 2:
        raise CrmError(ErrorCode.NOT_FOUND, _("The client does not exist."))
    return rows[first.pk], rows[second.pk]


def merge_defaults(survivor: Client, merged: Client) -> dict[str, int]:
    """For each field, the record its value is taken from unless the clerk chooses otherwise."""
    choices = {}
    for name in FIELDS:
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        choices[name] = merged.pk if (mine in (None, "") and theirs not in (None, "")) else survivor.pk
    return choices


def client_merge(
    *, survivor: Client, merged: Client, choices: dict[str, int] | None = None, user=None, pair=None
) -> ClientMerge:
    if survivor.pk == merged.pk:
        raise CrmError(ErrorCode.MERGE_NOT_ALLOWED, _("A client cannot be merged into itself."))
    with transaction.atomic():
        survivor, merged = _locked_pair(survivor, merged)
        for client in (survivor, merged):
            if client.state != ClientState.ACTIVE:
                raise CrmError(
                    ErrorCode.CLIENT_NOT_ACTIVE,
                    _("%(name)s is no longer an active client (merged or erased).") % {"name": client},
                )
        if survivor.user_id and merged.user_id:
            raise CrmError(
                ErrorCode.MERGE_NOT_ALLOWED,
                _("Both clients have a resident account; two accounts cannot be merged into one client."),
            )
        picked = merge_defaults(survivor, merged)
        unknown = sorted(set(choices or {}) - set(FIELDS))
        bad = [n for n, v in (choices or {}).items() if n in FIELDS and v not in (survivor.pk, merged.pk)]
        if unknown or bad:
            message = _("Choose each field from one of the two clients.")
            raise CrmError(ErrorCode.INVALID, message, fields={name: [message] for name in unknown + bad})
        picked.update(choices or {})

        snapshot: dict[str, Any] = {
            "survivor": {n: _field_value(survivor, n) for n in (*FIELDS, "gender_source")},
            "merged": {n: _field_value(merged, n) for n in (*FIELDS, "gender_source")},
            "user_moved": False,
            "moved": {},
            "dropped": {},
            "consents": {
                "survivor": [_row_copy(c) for c in survivor.consents.all()],
                "merged": [_row_copy(c) for c in merged.consents.all()],
            },
            "cleanup_moved": [],
        }
        provenance = {}
        for name in FIELDS:
            source = merged if picked[name] == merged.pk else survivor
            provenance[name] = {"from": source.pk, "value": _field_value(source, name)}
        # the card is unique: free it on the merged record before the survivor takes it
        if picked["loyalty_card_number"] == merged.pk and merged.loyalty_card_number:
            card = merged.loyalty_card_number
            merged.loyalty_card_number = None
            merged.save(update_fields=["loyalty_card_number"])
            survivor.loyalty_card_number = None
            survivor.save(update_fields=["loyalty_card_number"])
            survivor.loyalty_card_number = card
        for name in FIELDS:
            if picked[name] == merged.pk:
                _set_field(survivor, name, snapshot["merged"][name])
                if name == "gender":
                    survivor.gender_source = merged.gender_source
        if merged.user_id and not survivor.user_id:
            account = merged.user
            merged.user = None
            merged.save(update_fields=["user"])
            survivor.user = account
            snapshot["user_moved"] = True
        survivor.save()

        for key, (model, double_key) in _MOVED.items():
            mine = set()
            if double_key:
                mine = set(model.objects.filter(client=survivor).values_list(*double_key))
            moved, dropped = [], []
            for row in model.objects.filter(client=merged).order_by("pk"):
                if double_key and tuple(getattr(row, f) for f in double_key) in mine:
                    dropped.append(_row_copy(row))
                    row.delete()
                    continue
                moved.append(row.pk)
            updates = {"client": survivor}
            if hasattr(model, "is_default"):
                updates["is_default"] = False  # the survivor's defaults stay
            model.objects.filter(pk__in=moved).update(**updates)
            snapshot["moved"][key] = moved
            snapshot["dropped"][key] = dropped
        _ensure_defaults(survivor)
        # consents: the latest answer of either record wins
        for consent in list(merged.consents.all()):
            current = survivor.consents.filter(channel=consent.channel).first()
            if current is None or consent.given_at > current.given_at:
                ClientConsent.objects.update_or_create(
                    client=survivor,
                    channel=consent.channel,
                    defaults={"granted": consent.granted, "source": consent.source, "given_at": consent.given_at},
                )
        merged.consents.all().delete()
        # an open problem the survivor has too stays with the merged record (queued once)
        known = set(survivor.cleanup_items.filter(state=CleanupState.OPEN).values_list("field", "code", "value"))
        open_items = [
            item.pk
            for item in merged.cleanup_items.filter(state=CleanupState.OPEN)
            if (item.field, item.code, item.value) not in known
        ]
        CleanupItem.objects.filter(pk__in=open_items).update(client=survivor)
        snapshot["cleanup_moved"] = open_items

        merged.state = ClientState.MERGED
        merged.merged_into = survivor
        merged.save(update_fields=["state", "merged_into", "updated_at"])
        _refresh_search(survivor)

        if pair is None:
            a, b = sorted((survivor.pk, merged.pk))
            pair = DuplicatePair.objects.filter(client_a_id=a, client_b_id=b).first()
        if pair is not None:
            pair.state = DuplicateState.MERGED
            pair.resolved_by = user if getattr(user, "pk", None) else None
            pair.resolved_at = timezone.now()
            pair.save(update_fields=["state", "resolved_by", "resolved_at", "checked_at"])
        merge = ClientMerge.objects.create(
            survivor=survivor,
            merged=merged,
            pair=pair,
            provenance=provenance,
            snapshot=snapshot,
            merged_by=user if getattr(user, "pk", None) else None,
        )
        actor = user if getattr(user, "pk", None) else None
        changed = {
            n: [snapshot["survivor"][n], provenance[n]["value"]]
            for n in FIELDS
            if provenance[n]["from"] == merged.pk and snapshot["survivor"][n] != provenance[n]["value"]
        }
        ClientChange.objects.create(
            client=survivor,
            action="merged",
            changes={"merged_client": merged.pk, "merge": merge.pk, **changed},
            actor=actor,
        )
        ClientChange.objects.create(
            client=merged, action="merged_into", changes={"survivor": survivor.pk, "merge": merge.pk}, actor=actor
        )
        log(instance=survivor, action="crm.client_merged", user=actor, data={"merged": merged.pk, "merge": merge.pk})
    return merge


def client_unmerge(*, merge: ClientMerge, user=None) -> ClientMerge:
    """Give the merged record back everything it brought. A survivor field taken from the
    merged record returns to its earlier value unless it was changed again since the merge."""
    actor = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        merge = ClientMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.unmerged_at is not None:
            raise CrmError(ErrorCode.MERGE_NOT_ALLOWED, _("This merge has already been undone."))
        survivor, merged = _locked_pair(merge.survivor, merge.merged)
        if merged.state != ClientState.MERGED or merged.merged_into_id != survivor.pk:
            raise CrmError(ErrorCode.MERGE_NOT_ALLOWED, _("This merge can no longer be undone."))
        if survivor.state != ClientState.ACTIVE:
            raise CrmError(
                ErrorCode.CLIENT_NOT_ACTIVE, _("%(name)s is no longer an active client.") % {"name": survivor}
            )
        snapshot = merge.snapshot
        kept = []
        for name in FIELDS:
            source = merge.provenance[name]
            if source["from"] != merged.pk:
                continue
            if _field_value(survivor, name) == source["value"]:
                _set_field(survivor, name, snapshot["survivor"][name])
                if name == "gender":
                    survivor.gender_source = snapshot["survivor"]["gender_source"]
            else:
                kept.append(name)
        if snapshot.get("user_moved") and survivor.user_id:
            account = survivor.user
            survivor.user = None
            survivor.save(update_fields=["user"])
            merged.user = account
        survivor.save()

        for key, (model, _double) in _MOVED.items():
            model.objects.filter(pk__in=snapshot["moved"].get(key, []), client=survivor).update(client=merged)
            for data in snapshot["dropped"].get(key, []):
                data = {k: v for k, v in data.items() if k not in ("is_default",)}
                model.objects.create(client=merged, **data)
        _ensure_defaults(survivor)
        _ensure_defaults(merged)
        CleanupItem.objects.filter(pk__in=snapshot.get("cleanup_moved", []), client=survivor).update(client=merged)
        # consents: each record gets back its own answers; the survivor keeps one given since
        taken_at = merge.merged_at
        for data in snapshot["consents"]["merged"]:
            ClientConsent.objects.create(
                client=merged, **{k: v for k, v in data.items() if k in ("channel", "granted", "source", "given_at")}
            )
        own = {d["channel"]: d for d in snapshot["consents"]["survivor"]}
        for consent in list(survivor.consents.all()):
            if consent.given_at > taken_at:
                continue
            if consent.channel in own:
                data = own[consent.channel]
                consent.granted, consent.source, consent.given_at = data["granted"], data["source"], data["given_at"]
                consent.save()
            else:
                consent.delete()

        for name in (*FIELDS, "gender_source"):
            _set_field(merged, name, snapshot["merged"][name])
        merged.state = ClientState.ACTIVE
        merged.merged_into = None
        merged.save()
        _refresh_search(survivor)
        _refresh_search(merged)

        merge.unmerged_at = timezone.now()
        merge.unmerged_by = actor
        merge.save(update_fields=["unmerged_at", "unmerged_by"])
        if merge.pair_id:
            # undoing a merge says the two are different people: remembered
            DuplicatePair.objects.filter(pk=merge.pair_id).update(
                state=DuplicateState.NOT_DUPLICATE, resolved_by=actor, resolved_at=timezone.now()
            )
        ClientChange.objects.create(
            client=survivor,
            action="unmerged",
            changes={"merged_client": merged.pk, "merge": merge.pk, "kept_fields": kept},
            actor=actor,
        )
        ClientChange.objects.create(
            client=merged, action="unmerged", changes={"survivor": survivor.pk, "merge": merge.pk}, actor=actor
        )
        log(instance=survivor, action="crm.client_unmerged", user=actor, data={"merged": merged.pk, "merge": merge.pk})
    merge.kept_fields = kept
    return merge


def duplicate_pair_dismiss(*, pair: DuplicatePair, user=None) -> DuplicatePair:
    """ "Not a duplicate": later scans keep the answer."""
    with transaction.atomic():
        pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        if pair.state == DuplicateState.MERGED:
            raise CrmError(ErrorCode.MERGE_NOT_ALLOWED, _("These clients were merged; undo the merge instead."))
        pair.state = DuplicateState.NOT_DUPLICATE
        pair.resolved_by = user if getattr(user, "pk", None) else None
        pair.resolved_at = timezone.now()
        pair.save(update_fields=["state", "resolved_by", "resolved_at", "checked_at"])
        log(
            instance=pair.client_a,
            action="crm.duplicate_dismissed",
            user=pair.resolved_by,
            data={"pair": pair.pk, "other": pair.client_b_id},
        )
    return pair


def duplicate_pair_reopen(*, pair: DuplicatePair, user=None) -> DuplicatePair:
    with transaction.atomic():
        pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        if pair.state != DuplicateState.NOT_DUPLICATE:
            return pair
        pair.state = DuplicateState.OPEN
        pair.resolved_by = None
        pair.resolved_at = None
        pair.save(update_fields=["state", "resolved_by", "resolved_at", "checked_at"])
    return pair
