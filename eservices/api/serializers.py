from __future__ import annotations

import datetime
import re

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from eservices.models import IdentificationStatus, postcode_validator

# What typed text refuses: C0/C1 control characters other than tab and line breaks (those become
# spaces), and invisible format characters (soft hyphen, zero-width and direction marks, BOM).
# Written as regex escapes, so the same pattern documents the rule in the OpenAPI schema.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
TEXT_PATTERN = f"^[^{_CONTROL}]+$"  # "+": a blank field is its own case in the schema (allow_blank)
NAME_PATTERN = f"^[^0-9{_CONTROL}]+$"


class TextField(serializers.CharField):
    """Typed text: control and invisible format characters are refused, whitespace runs
    (tabs, line breaks) become one space."""

    pattern = TEXT_PATTERN

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # checked first by to_internal_value with a clearer message; here for the OpenAPI schema
        self.validators.append(RegexValidator(self.pattern, message=_("This field cannot contain control characters.")))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _CONTROL_RE.search(value):
            raise serializers.ValidationError(_("This field cannot contain control characters."))
        return " ".join(value.split())


class AddressSerializer(serializers.Serializer):
    postcode = serializers.CharField(max_length=4, validators=[postcode_validator])
    settlement = TextField(max_length=80)
    district = TextField(max_length=10, required=False, allow_blank=True, default="")
    street_name = TextField(max_length=100)
    street_type = TextField(max_length=30)
    house_number = TextField(max_length=20)
    building = TextField(max_length=20, required=False, allow_blank=True, default="")
    floor = TextField(max_length=10, required=False, allow_blank=True, default="")
    door = TextField(max_length=10, required=False, allow_blank=True, default="")

    REQUIRED = ("postcode", "settlement", "street_name", "street_type", "house_number")

    def validate(self, attrs):
        # a PATCH replaces the whole address: required parts stay required even then
        missing = {name: [_("This field is required.")] for name in self.REQUIRED if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return {key: attrs.get(key, "") for key in self.fields}


class NameField(TextField):
    pattern = NAME_PATTERN

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if re.search("[0-9]", value):
            raise serializers.ValidationError(_("A name cannot contain digits."))
        return value


class ProfileSerializer(serializers.Serializer):
    """The resident's own profile. Hungarian name order: family name, then given names."""

    email = serializers.EmailField(source="user.email", read_only=True)
    family_name = NameField()
    given_names = NameField(max_length=150)
    birth_name = NameField(max_length=200)
    mother_birth_name = NameField(max_length=200)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_place = NameField()
    phone = PhoneNumberField(required=False, allow_blank=True, region="HU")
    permanent_address = AddressSerializer(required=False, allow_null=True)
    mailing_address = AddressSerializer(required=False, allow_null=True)
    mailing_same_as_permanent = serializers.BooleanField(
        required=False, help_text="True when letters go to the permanent address; sending true clears mailing_address."
    )
    identification_status = serializers.ChoiceField(choices=IdentificationStatus.choices, read_only=True)

    def validate(self, attrs):
        if attrs.pop("mailing_same_as_permanent", False):
            attrs["mailing_address"] = None
        return attrs

    def validate_birth_date(self, value: datetime.date | None):
        if value is None:
            return value
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(_("The date of birth cannot be in the future."))
        if value < datetime.date(today.year - 130, 1, 1):
            raise serializers.ValidationError(_("Check the year of birth."))
        return value

    def validate_phone(self, value):
        return value or ""


class IdentificationOfficeSerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()
    opening_hours = serializers.ListField(child=serializers.CharField())
    phone = serializers.CharField()


class IdentificationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IdentificationStatus.choices)
    verified_at = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField()
    what_to_bring = serializers.ListField(child=serializers.CharField())
    office = IdentificationOfficeSerializer()
