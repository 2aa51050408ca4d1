"""Writes of client records. Staff screens, the resident account sync and imports all go through
`client_save`, so every record is cleansed by the same rules, keeps a history of who changed
what, and queues what nobody could fix automatically.

    client_save(client=None, data=ClientData(...), user=..., source=...)  -> SaveResult
    client_sync_from_account(user=...)   the resident account's data into its client record
    cleanup_resolve(item=..., user=..., dismiss=..., note=...)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from crm import cleansing
from crm.cleansing import Problem
from crm.errors import CrmError, ErrorCode
from crm.models import (
    AddressKind,
    CleanupItem,
    CleanupState,
    Client,
    ClientAddress,
    ClientChange,
    ClientConsent,
    ClientEmail,
    ClientPhone,
    ClientSource,
    ClientState,
    ConsentChannel,
    ContactKind,
    Gender,
    GenderSource,
    ValidationState,
)
from crm.normalise import name_key, search_keys, words

OLDEST_BIRTH_DATE = datetime.date(1900, 1, 1)


# --- input ----------------------------------------------------------------------------------------
@dataclass
class EmailData:
    address: str
    kind: str = ContactKind.PRIVATE
    is_default: bool = False
    verified: bool = False  # the address was proven (a confirmed account email)
    id: int | None = None


@dataclass
class PhoneData:
    number: str
    kind: str = ""  # taken from the number when empty (mobile, landline)
    is_default: bool = False
    id: int | None = None


@dataclass
class AddressData:
    postcode: str = ""
    settlement: str = ""
    street_name: str = ""
    street_type: str = ""
    house_number: str = ""
    extra: str = ""
    district: int | None = None
    country: str = "HU"
    kind: str = AddressKind.PERMANENT
    is_default: bool = False
    id: int | None = None


@dataclass
class ConsentData:
    granted: bool
    source: str


@dataclass
class ClientData:
    """A whole client record as entered. Channel lists replace the stored ones: rows with an
    `id` are updated, rows without one added, stored rows not listed removed."""

    name_prefix: str = ""
    family_name: str = ""
    given_names: str = ""
    gender: str = ""
    birth_date: datetime.date | None = None
    loyalty_card_number: str = ""
    emails: list[EmailData] = field(default_factory=list)
    phones: list[PhoneData] = field(default_factory=list)
    addresses: list[AddressData] = field(default_factory=list)
    consents: dict[str, ConsentData] = field(default_factory=dict)


@dataclass
class SaveResult:
    client: Client
    created: bool
    corrections: list[str]  # what cleansing fixed, for the clerk to see
    problems: list[Problem]  # queued for cleanup


# --- the save -------------------------------------------------------------------------------------
def client_save(
    *, client: Client | None = None, data: ClientData, user=None, source: str = ClientSource.STAFF, account=None
) -> SaveResult:
    """Create or update a client: validate, cleanse, store, write the history and queue problems.
    `account` links a new client to its resident account."""
    _validate(client=client, data=data)
    corrections: list[str] = []
    problems: list[Problem] = []

    name = cleansing.name_cleanse(
        name_prefix=data.name_prefix, family_name=data.family_name, given_names=data.given_names
    )
    corrections += name.notes
    gender, gender_source = _gender(client=client, stated=data.gender, given_names=name.given_names)
    if gender_source == GenderSource.UNKNOWN and name.given_names:
        problems.append(
            Problem(
                "gender",
                "gender_unknown",
                _("The gender could not be inferred from the given name %(name)s.") % {"name": name.given_names},
                name.given_names,
            )
        )
    emails = _emails(data.emails, corrections, problems)
    phones = _phones(data.phones, corrections, problems)
    addresses = _addresses(data.addresses, corrections, problems)
    card = cleansing.loyalty_card_cleanse(data.loyalty_card_number) or None

    given = client
    with transaction.atomic():
        created = client is None
        if created:
            client = Client(source=source, created_by=user if _is_user(user) else None, user=account)
            before: dict[str, Any] = {}
        else:
            client = Client.objects.select_for_update().get(pk=client.pk)
            if client.state != ClientState.ACTIVE:
                raise CrmError(
                    ErrorCode.CLIENT_NOT_ACTIVE,
                    _("This record was merged into another client or erased; it cannot be changed."),
                )
            before = _snapshot(client)
        client.name_prefix = name.name_prefix
        client.family_name = name.family_name
        client.given_names = name.given_names
        client.gender = gender
        client.gender_source = gender_source
        client.birth_date = data.birth_date
        client.loyalty_card_number = card
        try:
            with transaction.atomic():
                client.save()
        except IntegrityError as exc:
            if "crm_client_loyalty_card_unique" in str(exc):  # taken by a concurrent save
                raise _card_taken() from exc
            raise
        channel_changes = {
            "emails": _store(client, ClientEmail, emails),
            "phones": _store(client, ClientPhone, phones),
            "addresses": _store(client, ClientAddress, addresses),
        }
        consent_changes = _store_consents(client, data.consents)
        client.search_name = name_key(client.family_name, client.given_names)
        client.search_keys = client_search_keys(client)
        client.save(update_fields=["search_name", "search_keys", "updated_at"])

        after = _snapshot(client)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        changes.update({k: v for k, v in channel_changes.items() if v})
        if consent_changes:
            changes["consents"] = consent_changes
        if created or changes:
            ClientChange.objects.create(
                client=client,
                action="created" if created else "updated",
                changes=changes,
                source=source,
                actor=user if _is_user(user) else None,
            )
        _queue_problems(client, problems)
        if source != ClientSource.IMPORT:  # an import is checked as a whole afterwards
            saved_id = client.pk
            transaction.on_commit(lambda: _duplicates_check_later(saved_id))
    if given is not None and given is not client:
        given.refresh_from_db()  # the caller's instance shows what was stored
    return SaveResult(client, created, corrections, problems)


def _duplicates_check_later(client_id: int) -> None:
    from crm.tasks import crm_duplicates_check_client

    crm_duplicates_check_client.send(client_id)


def _is_user(user) -> bool:
    return bool(user is not None and getattr(user, "pk", None))


def _card_taken() -> CrmError:
    message = _("This Hegyvidék Kártya number belongs to another client.")
    return CrmError(ErrorCode.DUPLICATE_LOYALTY_CARD, message, fields={"loyalty_card_number": [message]})


def _validate(*, client: Client | None, data: ClientData) -> None:
    fields: dict[str, list[str]] = {}
    if not (words(data.family_name) or words(data.given_names) or data.emails or data.phones):
        fields.setdefault("family_name", []).append(_("Give a name, an email address or a phone number."))
    if data.birth_date is not None:
        if data.birth_date > timezone.localdate():
            fields.setdefault("birth_date", []).append(_("The date of birth cannot be in the future."))
        elif data.birth_date < OLDEST_BIRTH_DATE:
            fields.setdefault("birth_date", []).append(_("The date of birth is before 1900."))
    if data.gender not in Gender.values:
        fields.setdefault("gender", []).append(_("Choose female, male or unknown."))
    card = cleansing.loyalty_card_cleanse(data.loyalty_card_number)
    if card and not cleansing.LOYALTY_CARD.match(card):
        fields.setdefault("loyalty_card_number", []).append(
            _("A Hegyvidék Kártya number has 6 to 20 letters and digits.")
        )
    elif card and Client.objects.filter(loyalty_card_number=card).exclude(pk=getattr(client, "pk", None)).exists():
        fields.setdefault("loyalty_card_number", []).append(
            _("This Hegyvidék Kártya number belongs to another client.")
        )
    for name, rows in (("emails", data.emails), ("phones", data.phones), ("addresses", data.addresses)):
        if sum(1 for row in rows if row.is_default) > 1:
            fields.setdefault(name, []).append(_("Mark only one of them as default."))
        if client is not None:
            model = {"emails": ClientEmail, "phones": ClientPhone, "addresses": ClientAddress}[name]
            ids = {row.id for row in rows if row.id}
            if ids - set(model.objects.filter(client=client, pk__in=ids).values_list("pk", flat=True)):
                fields.setdefault(name, []).append(_("One of the rows does not belong to this client."))
        elif any(row.id for row in rows):
            fields.setdefault(name, []).append(_("A new client has no stored rows to change."))
    if data.consents.keys() - set(ConsentChannel.values):
        fields.setdefault("consents", []).append(_("Consent is asked for the newsletter and SMS only."))
    if fields:
        first = next(iter(fields.values()))[0]
        taken = _("This Hegyvidék Kártya number belongs to another client.")
        code = ErrorCode.DUPLICATE_LOYALTY_CARD if taken in fields.get("loyalty_card_number", []) else ErrorCode.INVALID
        raise CrmError(code, first, fields=fields)


def _gender(*, client: Client | None, stated: str, given_names: str) -> tuple[str, str]:
    """A stated gender is kept; otherwise it is inferred from the first given name, and marked so."""
    if stated:
        if client is not None and client.gender == stated and client.gender_source == GenderSource.INFERRED:
            # the form sent back what was inferred: still an inference, unless the name changed
            if client.given_names == given_names:
                return stated, GenderSource.INFERRED
        else:
            return stated, GenderSource.STATED
    from crm.names import gender_infer

    inferred = gender_infer(given_names) if given_names else ""
    return (inferred, GenderSource.INFERRED) if inferred else ("", GenderSource.UNKNOWN)


def _defaults(rows: list[dict]) -> list[dict]:
    """Exactly one default among stored rows: the marked one, else the first valid one."""
    if rows and not any(r["is_default"] for r in rows):
        best = next((r for r in rows if r["validation_state"] != ValidationState.INVALID), rows[0])
        best["is_default"] = True
    return rows


def _emails(items: list[EmailData], corrections: list[str], problems: list[Problem]) -> list[dict]:
    rows: dict[str, dict] = {}
    for item in items:
        result = cleansing.email_cleanse(item.address)
        if not result.value:
            continue
        key = cleansing.email_key(result.value)
        if result.note and result.state == ValidationState.CORRECTED:
            corrections.append(result.note)
        problems += result.problems
        if key in rows:  # the same address twice: keep one, default if either was
            rows[key]["is_default"] |= item.is_default
            continue
        rows[key] = {
            "id": item.id,
            "address": result.value,
            "normalised": key,
            "kind": item.kind or ContactKind.PRIVATE,
            "is_default": item.is_default,
            "validation_state": result.state,
            "validation_note": result.note[:300],
            "verified": item.verified,
        }
    return _defaults(list(rows.values()))


def _phones(items: list[PhoneData], corrections: list[str], problems: list[Problem]) -> list[dict]:
    rows: dict[str, dict] = {}
    for item in items:
        if not (item.number or "").strip():
            continue
        result = cleansing.phone_cleanse(item.number)
        problems += result.problems
        if result.state == ValidationState.CORRECTED:
            corrections.append(_("Phone number written as %(number)s.") % {"number": result.value})
        if result.value in rows:
            rows[result.value]["is_default"] |= item.is_default
            continue
        rows[result.value] = {
            "id": item.id,
            "number": result.value[:20],
            "national": result.national,
            "raw": item.number.strip()[:50],
            "kind": item.kind or result.kind or ContactKind.OTHER,
            "is_default": item.is_default,
            "validation_state": result.state,
            "validation_note": result.note[:300],
        }
    return _defaults(list(rows.values()))


def _addresses(items: list[AddressData], corrections: list[str], problems: list[Problem]) -> list[dict]:
    from crm.addresses import AddressInput, address_check

    rows = []
    for item in items:
        typed = AddressInput(
            postcode=item.postcode,
            settlement=item.settlement,
            district=item.district,
            street_name=item.street_name,
            street_type=item.street_type,
            house_number=item.house_number,
            extra=item.extra,
            country=item.country or "HU",
        )
        if not any((typed.postcode, typed.settlement, typed.street_name, typed.house_number)):
            continue
        result = address_check(typed)
        corrections += result.corrections
        problems += [
            Problem("address", p.code, p.message, _address_text(item), getattr(p, "suggestion", ""))
            for p in result.problems
        ]
        rows.append(
            {
                "id": item.id,
                "kind": item.kind or AddressKind.PERMANENT,
                "country": (result.country or "HU")[:2],
                "postcode": result.postcode,
                "settlement": result.settlement,
                "district": result.district,
                "street_name": result.street_name,
                "street_type": result.street_type,
                "house_number": result.house_number,
                "extra": result.extra,
                "street_key": result.street_key,
                "is_default": item.is_default,
                "validation_state": result.state,
                "validation_note": "; ".join([*result.corrections, *(p.message for p in result.problems)])[:300],
            }
        )
    return _defaults(rows)


def _address_text(item: AddressData) -> str:
    street = " ".join(p for p in (item.street_name, item.street_type, item.house_number) if p)
    return ", ".join(p for p in (" ".join(p for p in (item.postcode, item.settlement) if p), street) if p)[:300]


_CHANNEL_FIELDS = {
    ClientEmail: ("address", "kind", "is_default"),
    ClientPhone: ("number", "kind", "is_default"),
    ClientAddress: ("kind", "postcode", "settlement", "street_name", "street_type", "house_number", "extra"),
}


def _store(client: Client, model, rows: list[dict]) -> dict[str, list]:
    """Replace the client's rows of one channel; returns what was added, changed and removed."""
    stored = {row.pk: row for row in model.objects.filter(client=client)}
    keep = {row["id"] for row in rows if row["id"]}
    removed = [obj for pk, obj in stored.items() if pk not in keep]
    shown = _CHANNEL_FIELDS[model]
    changes: dict[str, list] = {"added": [], "changed": [], "removed": [str(obj) for obj in removed]}
    model.objects.filter(pk__in=[obj.pk for obj in removed]).delete()
    # the one-default index is not deferrable: clear the flags first, then set the new one
    model.objects.filter(client=client, is_default=True).update(is_default=False)
    now = timezone.now()
    for row in rows:
        values = {k: v for k, v in row.items() if k not in ("id", "verified")}
        obj = stored.get(row["id"]) if row["id"] else None
        if model is ClientEmail:
            # proven once, the same address stays proven; a new or unproven one is not
            same = obj is not None and obj.normalised == values["normalised"]
            values["verified_at"] = ((obj.verified_at if same else None) or now) if row.get("verified") else None
        if obj is not None:
            diff = {
                f: [getattr(obj, f), values[f]] for f in shown if f != "is_default" and getattr(obj, f) != values[f]
            }
            if diff and model is not ClientEmail:
                values["verified_at"] = None  # a changed number or address is unproven again
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save()
            if diff:
                changes["changed"].append({"id": obj.pk, **diff})
        else:
            try:
                with transaction.atomic():
                    obj = model.objects.create(client=client, **values)
            except IntegrityError:  # the same value as a stored row that was listed too
                continue
            changes["added"].append(str(obj))
    return {k: v for k, v in changes.items() if v}


def _store_consents(client: Client, consents: dict[str, ConsentData]) -> dict[str, list]:
    changes = {}
    now = timezone.now()
    for channel, consent in consents.items():
        current = ClientConsent.objects.filter(client=client, channel=channel).first()
        if current is not None and current.granted == consent.granted:
            continue
        ClientConsent.objects.update_or_create(
            client=client,
            channel=channel,
            defaults={"granted": consent.granted, "source": consent.source[:100], "given_at": now},
        )
        changes[channel] = [current.granted if current else None, consent.granted, consent.source[:100]]
    return changes


def _snapshot(client: Client) -> dict[str, Any]:
    return {
        "name_prefix": client.name_prefix,
        "family_name": client.family_name,
        "given_names": client.given_names,
        "gender": client.gender,
        "gender_source": client.gender_source,
        "birth_date": client.birth_date.isoformat() if client.birth_date else None,
        "loyalty_card_number": client.loyalty_card_number,
    }


def client_search_keys(client: Client) -> list[str]:
    """Every prefix of the name words and street names, house numbers and postcodes whole."""
    texts = [client.family_name, client.given_names]
    numbers = []
    for address in client.addresses.all():
        texts.append(address.street_name)
        numbers += [address.house_number, address.postcode]
    return search_keys(texts, numbers=numbers)


def _queue_problems(client: Client, problems: list[Problem]) -> None:
    """Open cleanup items for the problems; close open items of the same field that cleansing
    no longer finds (the clerk fixed the value)."""
    found = {(p.field, p.code, p.value[:300]) for p in problems}
    for item in CleanupItem.objects.filter(client=client, state=CleanupState.OPEN):
        if (item.field, item.code, item.value) not in found:
            item.state = CleanupState.FIXED
            item.resolved_at = timezone.now()
            item.resolution_note = _("No longer found when the record was saved.")
            item.save(update_fields=["state", "resolved_at", "resolution_note"])
    for problem in problems:
        CleanupItem.objects.get_or_create(
            client=client,
            field=problem.field,
            code=problem.code,
            value=problem.value[:300],
            state=CleanupState.OPEN,
            defaults={"message": (problem.message + (f" ({problem.suggestion})" if problem.suggestion else ""))[:300]},
        )


# --- the cleanup queue ----------------------------------------------------------------------------
def cleanup_resolve(*, item: CleanupItem, user, dismiss: bool, note: str = "") -> CleanupItem:
    """A clerk marks a queued problem fixed (after editing the record) or dismisses it."""
    with transaction.atomic():
        item = CleanupItem.objects.select_for_update().get(pk=item.pk)
        if item.state != CleanupState.OPEN:
            raise CrmError(ErrorCode.INVALID, _("This problem was dealt with already."))
        item.state = CleanupState.DISMISSED if dismiss else CleanupState.FIXED
        item.resolved_by = user
        item.resolved_at = timezone.now()
        item.resolution_note = " ".join((note or "").split())[:300]
        item.save(update_fields=["state", "resolved_by", "resolved_at", "resolution_note"])
        ClientChange.objects.create(
            client_id=item.client_id,
            action="cleanup_dismissed" if dismiss else "cleanup_fixed",
            changes={"field": item.field, "code": item.code, "note": item.resolution_note},
            actor=user,
        )
    return item


# --- resident accounts ----------------------------------------------------------------------------
def client_sync_from_account(*, user) -> Client:
    """The resident account's client record, created on first use and kept in step with the
    profile: name, verified email, phone and addresses from the account are written with
    source "account"; what staff added to the record is kept."""
    from django.contrib.auth import get_user_model

    from eservices.models import ResidentProfile

    with transaction.atomic():
        # two first syncs of one account at once (signup and profile save) would make two clients
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        return _sync_from_account(user, ResidentProfile.objects.filter(user=user).first())


def _sync_from_account(user, profile) -> Client:
    client = Client.objects.filter(user=user).first()
    data = client_data_of(client) if client is not None else ClientData()
    if profile is not None:
        from crm.registry import registry_confirmed_fields

        # what a clerk took from the registry stays; the resident's typing does not undo it
        confirmed = registry_confirmed_fields(client) if client is not None else set()
        if "family_name" not in confirmed:
            data.family_name = profile.family_name or data.family_name
        if "given_names" not in confirmed:
            data.given_names = profile.given_names or data.given_names
        if profile.birth_date and "birth_date" not in confirmed:
            data.birth_date = profile.birth_date
        if profile.phone:
            number = str(profile.phone)
            if not any(cleansing.phone_cleanse(p.number).value == number for p in data.phones):
                data.phones.append(PhoneData(number=number, is_default=not data.phones))
        for kind, stored in (
            (AddressKind.PERMANENT, profile.permanent_address),
            (AddressKind.MAILING, profile.mailing_address),
        ):
            if stored and not any(a.kind == kind for a in data.addresses):
                data.addresses.append(_address_from_profile(stored, kind))
    email_verified = _account_email_verified(user)
    known = {cleansing.email_key(e.address): e for e in data.emails}
    if user.email and cleansing.email_key(user.email) not in known:
        data.emails.append(EmailData(address=user.email, is_default=not data.emails, verified=email_verified))
    elif user.email:
        known[cleansing.email_key(user.email)].verified = email_verified
    if client is None:
        return client_save(data=data, user=None, source=ClientSource.ACCOUNT, account=user).client
    return client_save(client=client, data=data, user=None, source=ClientSource.ACCOUNT).client


def _account_email_verified(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def _address_from_profile(stored: dict, kind: str) -> AddressData:
    """The profile's address (the resident API's shape) as CRM input."""
    extra = " ".join(
        text
        for text in (
            stored.get("building") and f"{stored['building']}. ép.",
            stored.get("floor") and f"{stored['floor']}. em.",
            stored.get("door") and f"{stored['door']}. ajtó",
        )
        if text
    )
    return AddressData(
        kind=kind,
        postcode=str(stored.get("postcode", "") or ""),
        settlement=str(stored.get("settlement", "") or ""),
        street_name=str(stored.get("street_name", "") or ""),
        street_type=str(stored.get("street_type", "") or ""),
        house_number=str(stored.get("house_number", "") or ""),
        extra=extra,
    )


def client_data_of(client: Client) -> ClientData:
    """The stored record as input for `client_save` (to change one thing and save the rest)."""
    return ClientData(
        name_prefix=client.name_prefix,
        family_name=client.family_name,
        given_names=client.given_names,
        gender=client.gender,
        birth_date=client.birth_date,
        loyalty_card_number=client.loyalty_card_number or "",
        emails=[
            EmailData(address=e.address, kind=e.kind, is_default=e.is_default, id=e.pk, verified=bool(e.verified_at))
            for e in client.emails.all()
        ],
        phones=[PhoneData(number=p.number, kind=p.kind, is_default=p.is_default, id=p.pk) for p in client.phones.all()],
        addresses=[
            AddressData(
                **{
                    k: getattr(a, k)
                    for k in (
                        "postcode",
                        "settlement",
                        "street_name",
                        "street_type",
                        "house_number",
                        "extra",
                        "district",
                        "country",
                        "kind",
                        "is_default",
                    )
                },
                id=a.pk,
            )
            for a in client.addresses.all()
        ],
        consents={},
    )


def client_viewed(*, client: Client, user, context: str) -> None:
    """Audit trail: a staff member read a client's personal data."""
    log(instance=client, action="crm.client_viewed", user=user, data={"context": context})
