"""The fields of the complex search by name (see `crm.search.expression` for the format)."""

from __future__ import annotations

from crm.search.activity import ACTIVITY, ACTIVITY_KINDS, HAS_CASE, PAID
from crm.search.base import SearchField
from crm.search.person import (
    AGE,
    BIRTH_DATE,
    CONSENT,
    CREATED,
    DISTRICT,
    GENDER,
    GROUP,
    HAS_EMAIL,
    HAS_PHONE,
    POSTCODE,
    SETTLEMENT,
    SOURCE,
    STREET,
    TAG,
)

FIELDS: dict[str, SearchField] = {
    "age": AGE,
    "birth_date": BIRTH_DATE,
    "gender": GENDER,
    "district": DISTRICT,
    "postcode": POSTCODE,
    "street": STREET,
    "settlement": SETTLEMENT,
    "consent": CONSENT,
    "tag": TAG,
    "group": GROUP,
    "has_email": HAS_EMAIL,
    "has_phone": HAS_PHONE,
    "source": SOURCE,
    "created": CREATED,
    "has_case": HAS_CASE,
    "paid": PAID,
    "activity": ACTIVITY,
}

__all__ = ["ACTIVITY_KINDS", "FIELDS"]
