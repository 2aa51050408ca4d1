"""Shapes of the CRM staff API: a client record in and out, duplicate candidates.

Input errors are answered as `{"code": "invalid", "message", "fields"}` where `fields` maps a
path to its messages, the same path style the search expression validator uses:
`family_name`, `emails[1].address`, `consents.sms.source`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.errors import CrmError, ErrorCode
from crm.models import AddressKind, Client, ConsentChannel, ContactKind, Gender
from crm.services import AddressData, ClientData, ConsentData, EmailData, PhoneData

MAX_ROWS = 20


# --- errors ---------------------------------------------------------------------------------------
def error_paths(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"emails[1].address": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                path = prefix
            elif isinstance(key, int):  # a row of a list (DRF keys list errors by index)
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for sub, messages in error_paths(value, path).items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, item in enumerate(detail):
            for sub, messages in error_paths(item, f"{prefix}[{index}]").items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(item) for item in detail]
    elif detail:
        out[prefix or "non_field_errors"] = [str(detail)]
    return {k: v for k, v in out.items() if v}


def validated(serializer: serializers.Serializer) -> dict:
    """The serializer's data, or a CrmError INVALID with every problem by path."""
    if not serializer.is_valid():
        fields = error_paths(serializer.errors)
        path, messages = next(iter(fields.items()))
        raise CrmError(ErrorCode.INVALID, f"{path}: {messages[0]}", fields=fields)
    return serializer.validated_data


# --- a client in ----------------------------------------------------------------------------------
class EmailIn(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="A stored row to change.")
    address = serializers.CharField(max_length=254, trim_whitespace=True)
    kind = serializers.ChoiceField(choices=ContactKind.choices, default=ContactKind.PRIVATE)
    is_default = serializers.BooleanField(default=False)


class PhoneIn(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    number = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(
        choices=ContactKind.choices, default="", allow_blank=True, help_text="Taken from the number when empty."
    )
    is_default = serializers.BooleanField(default=False)


class AddressIn(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    kind = serializers.ChoiceField(choices=AddressKind.choices, default=AddressKind.PERMANENT)
    country = serializers.CharField(max_length=2, min_length=2, default="HU")
    postcode = serializers.CharField(max_length=10, allow_blank=True, default="")
    settlement = serializers.CharField(max_length=100, allow_blank=True, default="")
    district = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=23, default=None)
    street_name = serializers.CharField(max_length=150, allow_blank=True, default="")
    street_type = serializers.CharField(max_length=30, allow_blank=True, default="")
    house_number = serializers.CharField(max_length=30, allow_blank=True, default="")
    extra = serializers.CharField(max_length=100, allow_blank=True, default="")
    is_default = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if not any(attrs.get(k) for k in ("postcode", "settlement", "street_name", "house_number")):
            raise serializers.ValidationError(_("Give at least a postcode, a settlement or a street."))
        return attrs


class ConsentIn(serializers.Serializer):
    granted = serializers.BooleanField()
    source = serializers.CharField(
        max_length=100, help_text="Where the answer was given: 'phone call', 'sign-up form at the desk' …"
    )


class ConsentsIn(serializers.Serializer):
    newsletter = ConsentIn(required=False)
    sms = ConsentIn(required=False)


class ClientIn(serializers.Serializer):
    """A whole client record. On update, a key left out keeps what is stored; a list given
    replaces the stored rows (rows with an `id` are changed, rows without one added, stored rows
    not listed removed)."""

    name_prefix = serializers.CharField(max_length=30, allow_blank=True, required=False)
    family_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    given_names = serializers.CharField(max_length=150, allow_blank=True, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, required=False)
    birth_date = serializers.DateField(allow_null=True, required=False)
    loyalty_card_number = serializers.CharField(max_length=30, allow_blank=True, allow_null=True, required=False)
    emails = EmailIn(many=True, required=False, max_length=MAX_ROWS)
    phones = PhoneIn(many=True, required=False, max_length=MAX_ROWS)
    addresses = AddressIn(many=True, required=False, max_length=MAX_ROWS)
    consents = ConsentsIn(required=False)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, help_text="Added as a new note.")


class ClientCreateIn(ClientIn):
    confirm_not_duplicate = serializers.BooleanField(
        default=False, help_text="The clerk checked the likely duplicates: this is a new person."
    )


class DuplicateCheckIn(ClientIn):
    exclude_client_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)


def client_data(values: dict, *, base: ClientData | None = None) -> ClientData:
    """Validated input as `ClientData`; keys not given keep `base`'s values."""
    data = base or ClientData()
    for key in ("name_prefix", "family_name", "given_names", "gender", "birth_date"):
        if key in values:
            setattr(data, key, values[key])
    if "loyalty_card_number" in values:
        data.loyalty_card_number = values["loyalty_card_number"] or ""
    if "emails" in values:
        data.emails = [EmailData(**row) for row in values["emails"]]
    if "phones" in values:
        data.phones = [PhoneData(**row) for row in values["phones"]]
    if "addresses" in values:
        data.addresses = [AddressData(**row) for row in values["addresses"]]
    data.consents = {
        channel: ConsentData(granted=consent["granted"], source=consent["source"])
        for channel, consent in (values.get("consents") or {}).items()
        if channel in ConsentChannel.values
    }
    return data


# --- a client out ---------------------------------------------------------------------------------
class _ChannelOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    is_default = serializers.BooleanField()
    validation_state = serializers.CharField()
    validation_note = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)


class EmailOut(_ChannelOut):
    address = serializers.CharField()


class PhoneOut(_ChannelOut):
    number = serializers.CharField(help_text="E.164, e.g. +36301234567")
    raw = serializers.CharField(help_text="As entered.")


class AddressOut(_ChannelOut):
    country = serializers.CharField()
    postcode = serializers.CharField()
    settlement = serializers.CharField()
    district = serializers.IntegerField(allow_null=True)
    street_name = serializers.CharField()
    street_type = serializers.CharField()
    house_number = serializers.CharField()
    extra = serializers.CharField()
    one_line = serializers.CharField()


class ClientOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    display_name = serializers.CharField()
    name_prefix = serializers.CharField()
    family_name = serializers.CharField()
    given_names = serializers.CharField()
    gender = serializers.CharField()
    gender_source = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    loyalty_card_number = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    account_email = serializers.SerializerMethodField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    emails = EmailOut(many=True, source="emails.all")
    phones = PhoneOut(many=True, source="phones.all")
    addresses = AddressOut(many=True, source="addresses.all")
    consents = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_account_email(self, client: Client) -> str | None:
        return client.user.email if client.user_id else None

    def get_consents(self, client: Client) -> dict:
        return {
            c.channel: {
                "granted": c.granted,
                "source": c.source,
                "given_at": serializers.DateTimeField().to_representation(c.given_at),
            }
            for c in client.consents.all()
        }

    def get_tags(self, client: Client) -> list[str]:
        return [ct.tag.name for ct in client.client_tags.select_related("tag").order_by("tag__name")]


class ProblemOut(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    value = serializers.CharField()
    suggestion = serializers.CharField()


class ClientListItemOut(serializers.Serializer):
    """A search result: the name only. The record (and its audit entry) is one click away."""

    id = serializers.IntegerField()
    display_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_display_name(self, client: Client) -> str:
        return str(client)

    def get_url(self, client: Client) -> str:
        return reverse("crm-api-client", args=[client.pk])


# --- duplicates -----------------------------------------------------------------------------------
def candidate_out(candidate) -> dict:
    """A `crm.duplicates.DuplicateCandidate` for the clerk: who, how sure, and why."""
    client = candidate.client
    email = _default(client.emails.all())
    phone = _default(client.phones.all())
    return {
        "id": client.pk,
        "display_name": str(client),
        "birth_date": client.birth_date.isoformat() if client.birth_date else None,
        "email": email.address if email else None,
        "phone": phone.number if phone else None,
        "score": candidate.score,
        "reasons": [{"code": r.code, "label": str(r.label), "weight": r.weight} for r in candidate.reasons],
        "url": reverse("crm:client", args=[client.pk]),
    }


def _default(rows):
    rows = list(rows)
    return next((row for row in rows if row.is_default), rows[0] if rows else None)
