"""What the search builder of the staff area needs to offer every field: `expression_schema()`
plus, per operator, its label and the kind of value input it takes, and the choices (genders,
districts, tags, groups, service types …) with labels in the active language."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crm.models import ClientGroup, ConsentChannel, Tag, roman
from crm.search.activity import CASE_STATUSES
from crm.search.expression import expression_schema
from crm.search.person import GENDERS, MAX_AGE, SOURCES
from eservices.cases.models import ServiceType

#: Tags and groups offered in the builder's lists (a longer list would not be usable anyway).
MAX_CHOICES = 1000

OPERATOR_LABELS = {
    "eq": _("is"),
    "in": _("is one of"),
    "between": _("between"),
    "gte": _("at least"),
    "lte": _("at most"),
    "starts_with": _("starts with"),
    "any_of": _("has any of"),
    "all_of": _("has all of"),
    "none_of": _("has none of"),
    "member_of": _("is a member of"),
    "not_member_of": _("is not a member of"),
    "exists": _("has"),
    "not_exists": _("has none"),
}

#: The value input of each field's operators (the builder draws one per kind), and the list a
#: choice input offers.
VALUE_KINDS: dict[str, dict[str, str]] = {
    "age": {"between": "number_range", "gte": "number", "lte": "number"},
    "birth_date": {"between": "date_range"},
    "gender": {"eq": "choice", "in": "choices"},
    "district": {"eq": "choice", "in": "choices"},
    "postcode": {"in": "texts", "starts_with": "text"},
    "street": {"eq": "text", "starts_with": "text"},
    "settlement": {"eq": "text"},
    "consent": {"eq": "consent"},
    "tag": {"any_of": "choices", "all_of": "choices", "none_of": "choices"},
    "group": {"member_of": "choice", "not_member_of": "choice"},
    "has_email": {"eq": "boolean"},
    "has_phone": {"eq": "boolean"},
    "source": {"eq": "choice", "in": "choices"},
    "created": {"between": "period"},
    "has_case": {"exists": "case", "not_exists": "case"},
    "paid": {"exists": "payment", "not_exists": "payment"},
    "activity": {"exists": "activity", "not_exists": "activity"},
}
FIELD_CHOICES = {
    "gender": "genders",
    "district": "districts",
    "tag": "tags",
    "group": "groups",
    "source": "sources",
}
FIELD_HELP = {
    "age": _("Whole years, as of today."),
    "street": _("Street name with its type, e.g. Böszörményi út."),
    "postcode": _("Several postcodes separated by commas."),
    "group": _("Membership valid today, or on the day given."),
}


def _capitalised(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def builder_schema() -> dict:
    """JSON-ready: `fields` (name, label, operators with label and value kind, choices key),
    `choices` (lists of {value, label}), `activity_kinds`, `limits`."""
    schema = expression_schema()
    fields = []
    for field in schema["fields"]:
        name = field["name"]
        fields.append(
            {
                **field,
                "label": _capitalised(field["label"]),
                "operators": [
                    {
                        "name": op,
                        "label": str(OPERATOR_LABELS.get(op, op)),
                        "value": VALUE_KINDS.get(name, {}).get(op, "text"),
                    }
                    for op in field["operators"]
                ],
                "choices": FIELD_CHOICES.get(name),
                "help": str(FIELD_HELP.get(name, "")),
                **({"min": 0, "max": MAX_AGE} if name == "age" else {}),
            }
        )
    name_field = "name_en" if (get_language() or "").startswith("en") else "name_hu"
    choices = {
        "genders": [{"value": key, "label": str(gender.label)} for key, gender in GENDERS.items()],
        "districts": [{"value": number, "label": f"{roman(number)}."} for number in range(1, 24)],
        "sources": [{"value": key, "label": str(label)} for key, label in SOURCES.items()],
        "channels": [{"value": key, "label": str(label)} for key, label in ConsentChannel.choices],
        "case_statuses": [{"value": key, "label": str(label)} for key, label in CASE_STATUSES.items()],
        "tags": [{"value": pk, "label": name} for pk, name in Tag.objects.values_list("pk", "name")[:MAX_CHOICES]],
        "groups": [
            {"value": pk, "label": name} for pk, name in ClientGroup.objects.values_list("pk", "name")[:MAX_CHOICES]
        ],
        "service_types": [
            {"value": code, "label": label}
            for code, label in ServiceType.objects.order_by(name_field).values_list("code", name_field)[:MAX_CHOICES]
        ],
        "activity_kinds": [{"value": item["kind"], "label": item["label"]} for item in schema["activity_kinds"]],
    }
    return {"fields": fields, "choices": choices, "limits": schema["limits"]}
