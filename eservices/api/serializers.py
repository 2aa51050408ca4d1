from __future__ import annotations

import datetime
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from eservices.models import IdentificationStatus, postcode_validator


def _clean_text(value: str) -> str:
    """Whitespace runs (tabs, line breaks) become one space; control characters are refused."""
    cleaned = " ".join(value.split())
    if any(unicodedata.category(char) in ("Cc", "Cf", "Co", "Cn") for char in cleaned):
        raise serializers.ValidationError(_("This field cannot contain control characters."))
    return cleaned


class AddressSerializer(serializers.Serializer):
    postcode = serializers.CharField(max_length=4, validators=[postcode_validator])
    settlement = serializers.CharField(max_length=80)
    district = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    street_name = serializers.CharField(max_length=100)
    street_type = serializers.CharField(max_length=30)
    house_number = serializers.CharField(max_length=20)
    building = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    floor = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    door = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")

    REQUIRED = ("postcode", "settlement", "street_name", "street_type", "house_number")

    def validate(self, attrs):
        # a PATCH replaces the whole address: required parts stay required even then
        missing = {name: [_("This field is required.")] for name in self.REQUIRED if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        cleaned, errors = {}, {}
        for key in self.fields:
            try:
                cleaned[key] = _clean_text(attrs.get(key, ""))
            except serializers.ValidationError as exc:
                errors[key] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


class NameField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = _clean_text(super().to_internal_value(data))
        if any(char.isdigit() for char in value):
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
