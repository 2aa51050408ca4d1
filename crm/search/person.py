"""Search fields on the client and their own rows: demographics, addresses, consents, tags,
groups, contact channels.

Conditions are `Q` objects on `Client`; what lives in another table is an `Exists` subquery
correlated on the client id (every such table has an index starting with it). Address fields give
a condition on one `ClientAddress` row instead: the expression puts those of one AND group into
one `Exists`, so "district XII and Böszörményi út" must hold for the same address.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import CharField, Exists, F, Func, Q, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import (
    ClientAddress,
    ClientConsent,
    ClientEmail,
    ClientPhone,
    ClientSource,
    ClientTag,
    ConsentChannel,
    Gender,
    GroupMembership,
    ValidationState,
    roman,
)
from crm.normalise import fold
from crm.search import values as v
from crm.search.base import (
    Context,
    Names,
    Operator,
    SearchField,
    client_rows,
    exists,
    joined,
    period_q,
    period_text,
    years_before,
)
from crm.search.values import at

MAX_AGE = 130
GENDERS = {"female": Gender.FEMALE, "male": Gender.MALE, "unknown": Gender.UNKNOWN}
SOURCES = dict(ClientSource.choices)
CHANNELS = dict(ConsentChannel.choices)
#: Which addresses an address criterion looks at (the criterion's optional "address" key).
ADDRESS_SCOPES = ("any", "default")


# --- demographics --------------------------------------------------------------------------------
def _age(value, path, problems):
    return v.whole_number(value, path, problems, minimum=0, maximum=MAX_AGE)


def _age_range(value, path, problems):
    data = v.obj(value, path, problems, required=("min", "max"))
    if data is None:
        return None
    low = _age(data["min"], at(path, "min"), problems) if "min" in data else None
    high = _age(data["max"], at(path, "max"), problems) if "max" in data else None
    if low is not None and high is not None and low > high:
        problems.add(path, _("min must not be greater than max"))
    return {"min": low, "max": high}


def _born_at_least(years: int, context: Context) -> Q:
    # at least N years old: born on or before the same day N years ago
    return Q(birth_date__lte=years_before(context.today, years))


def _born_at_most(years: int, context: Context) -> Q:
    # at most N years old: not yet N+1, born after the same day N+1 years ago
    return Q(birth_date__gt=years_before(context.today, years + 1))


AGE = SearchField(
    label=gettext_lazy("age"),
    operators={
        "between": Operator(
            check=_age_range,
            condition=lambda value, c, ctx: _born_at_least(value["min"], ctx) & _born_at_most(value["max"], ctx),
            describe=lambda value, c, n: _("age %(min)s–%(max)s") % value,
        ),
        "gte": Operator(
            check=_age,
            condition=lambda value, c, ctx: _born_at_least(value, ctx),
            describe=lambda value, c, n: _("age %(years)s or older") % {"years": value},
        ),
        "lte": Operator(
            check=_age,
            condition=lambda value, c, ctx: _born_at_most(value, ctx),
            describe=lambda value, c, n: _("age %(years)s or younger") % {"years": value},
        ),
    },
)


def _date_range(value, path, problems):
    data = v.obj(value, path, problems, optional=("from", "to"))
    return None if data is None else v.period(data, path, problems, relative=False, required=True)


def _period_only(value, path, problems):
    data = v.obj(value, path, problems, optional=v.PERIOD_KEYS)
    return None if data is None else v.period(data, path, problems, required=True)


def _born_between(value: dict) -> Q:
    condition = Q()
    if "from" in value:
        condition &= Q(birth_date__gte=value["from"])
    if "to" in value:
        condition &= Q(birth_date__lte=value["to"])
    return condition


BIRTH_DATE = SearchField(
    label=gettext_lazy("date of birth"),
    operators={
        "between": Operator(
            check=_date_range,
            condition=lambda value, c, ctx: _born_between(value),
            describe=lambda value, c, n: _("born %(period)s") % {"period": period_text(value)},
        ),
    },
)


def _gender(value, path, problems):
    return v.choice(value, path, problems, choices=GENDERS)


def _genders(value, path, problems):
    return v.list_of(value, path, problems, item=_gender)


def _gender_text(keys: list[str]) -> str:
    return _("gender: %(genders)s") % {"genders": joined([str(GENDERS[key].label) for key in keys], op="or")}


GENDER = SearchField(
    label=gettext_lazy("gender"),
    operators={
        "eq": Operator(
            check=_gender,
            condition=lambda value, c, ctx: Q(gender=GENDERS[value].value),
            describe=lambda value, c, n: _gender_text([value]),
        ),
        "in": Operator(
            check=_genders,
            condition=lambda value, c, ctx: Q(gender__in=[GENDERS[key].value for key in value]),
            describe=lambda value, c, n: _gender_text(value),
        ),
    },
)


def _source(value, path, problems):
    return v.choice(value, path, problems, choices=SOURCES)


def _sources_text(keys: list[str]) -> str:
    return _("source: %(sources)s") % {"sources": joined([str(SOURCES[key]) for key in keys], op="or")}


SOURCE = SearchField(
    label=gettext_lazy("source"),
    operators={
        "eq": Operator(
            check=_source,
            condition=lambda value, c, ctx: Q(source=value),
            describe=lambda value, c, n: _sources_text([value]),
        ),
        "in": Operator(
            check=lambda value, path, problems: v.list_of(value, path, problems, item=_source),
            condition=lambda value, c, ctx: Q(source__in=value),
            describe=lambda value, c, n: _sources_text(value),
        ),
    },
)

CREATED = SearchField(
    label=gettext_lazy("created"),
    operators={
        "between": Operator(
            check=_period_only,
            condition=lambda value, c, ctx: period_q(value, "created_at", ctx),
            describe=lambda value, c, n: _("created %(period)s") % {"period": period_text(value)},
        ),
    },
)


# --- addresses: conditions on one ClientAddress row ----------------------------------------------
def _district(value, path, problems):
    return v.whole_number(value, path, problems, minimum=1, maximum=23)


def _district_text(districts: list[int]) -> str:
    return _("district: %(districts)s") % {"districts": ", ".join(roman(number) for number in districts)}


def _postcode(value, path, problems):
    cleaned = v.text(value, path, problems, max_length=10)
    if cleaned is None:
        return None
    if not all(ch.isascii() and (ch.isalnum() or ch in " -") for ch in cleaned):
        problems.add(path, _("must contain only digits, letters, spaces and hyphens"))
        return None
    return cleaned.upper()


def _street(value, path, problems):
    return v.text(value, path, problems, max_length=180)


#: `translate()` pairs that fold accented Latin letters like `crm.normalise.fold` does, letter
#: for letter: core PostgreSQL has no unaccent, and settlements are stored as written.
_FOLD_FROM = "".join(
    ch for ch in map(chr, range(0xC0, 0x180)) if len(fold(ch)) == 1 and fold(ch).isascii() and fold(ch) != ch.lower()
)
_FOLD_TO = "".join(fold(ch) for ch in _FOLD_FROM)


def _settlement_key():
    folded = Func(F("settlement"), Value(_FOLD_FROM), Value(_FOLD_TO), function="translate", output_field=CharField())
    return Lower(folded)


DISTRICT = SearchField(
    label=gettext_lazy("district"),
    on_address=True,
    operators={
        "eq": Operator(
            check=_district,
            condition=lambda value, c, ctx: Q(district=value),
            describe=lambda value, c, n: _district_text([value]),
        ),
        "in": Operator(
            check=lambda value, path, problems: sorted(v.list_of(value, path, problems, item=_district) or []) or None,
            condition=lambda value, c, ctx: Q(district__in=value),
            describe=lambda value, c, n: _district_text(value),
        ),
    },
)

POSTCODE = SearchField(
    label=gettext_lazy("postcode"),
    on_address=True,
    operators={
        "in": Operator(
            check=lambda value, path, problems: v.list_of(value, path, problems, item=_postcode),
            condition=lambda value, c, ctx: Q(postcode__in=value),
            describe=lambda value, c, n: _("postcode: %(postcodes)s") % {"postcodes": ", ".join(value)},
        ),
        "starts_with": Operator(
            check=_postcode,
            condition=lambda value, c, ctx: Q(postcode__startswith=value),
            describe=lambda value, c, n: _("postcode starting with %(prefix)s") % {"prefix": value},
        ),
    },
)

STREET = SearchField(
    label=gettext_lazy("street"),
    on_address=True,
    operators={
        "eq": Operator(
            check=_street,
            condition=lambda value, c, ctx: Q(street_key=fold(value)),
            describe=lambda value, c, n: _("street: %(street)s") % {"street": value},
        ),
        "starts_with": Operator(
            check=_street,
            condition=lambda value, c, ctx: Q(street_key__startswith=fold(value)),
            describe=lambda value, c, n: _("street starting with %(prefix)s") % {"prefix": value},
        ),
    },
)

SETTLEMENT = SearchField(
    label=gettext_lazy("settlement"),
    on_address=True,
    operators={
        "eq": Operator(
            check=lambda value, path, problems: v.text(value, path, problems, max_length=100),
            # `settlement_key` is the folded settlement, aliased by `address_rows`
            condition=lambda value, c, ctx: Q(settlement_key=fold(value)),
            describe=lambda value, c, n: _("settlement: %(settlement)s") % {"settlement": value},
        ),
    },
)


def address_rows(conditions: list[Q], *, scope: str) -> Exists:
    rows = client_rows(ClientAddress)
    if scope == "default":
        rows = rows.filter(is_default=True)
    return Exists(rows.alias(settlement_key=_settlement_key()).filter(*conditions))


# --- consents, tags, groups, channels ------------------------------------------------------------
def _consent(value, path, problems):
    data = v.obj(value, path, problems, required=("channel", "granted"))
    if data is None:
        return None
    channel = v.choice(data["channel"], at(path, "channel"), problems, choices=CHANNELS) if "channel" in data else None
    granted = v.boolean(data["granted"], at(path, "granted"), problems) if "granted" in data else None
    return {"channel": channel, "granted": granted}


def _consent_text(value, c, n) -> str:
    channel = CHANNELS[value["channel"]]
    if value["granted"]:
        return _("consent to %(channel)s: granted") % {"channel": channel}
    return _("consent to %(channel)s: not granted") % {"channel": channel}


CONSENT = SearchField(
    label=gettext_lazy("consent"),
    operators={
        "eq": Operator(
            check=_consent,
            # not granted: no answer yet counts as much as a refusal
            condition=lambda value, c, ctx: exists(
                Exists(client_rows(ClientConsent, channel=value["channel"], granted=True)), value["granted"]
            ),
            describe=_consent_text,
        ),
    },
)


def _tag_ids(value, path, problems):
    ids = v.list_of(value, path, problems, item=v.identifier, max_items=100)
    for position, tag_id in enumerate(value if ids else []):
        problems.refer("tag", tag_id, v.index(path, position))
    return ids


def _tag_names(ids: list[int], names: Names) -> list[str]:
    return [names.tag.get(tag_id, f"#{tag_id}") for tag_id in ids]


def _tags_all(ids: list[int]) -> Q:
    # one EXISTS per tag: each is an index lookup on (client, tag)
    condition = Q()
    for tag_id in ids:
        condition &= Q(Exists(client_rows(ClientTag, tag_id=tag_id)))
    return condition


TAG = SearchField(
    label=gettext_lazy("tag"),
    operators={
        "any_of": Operator(
            check=_tag_ids,
            condition=lambda value, c, ctx: Q(Exists(client_rows(ClientTag, tag_id__in=value))),
            describe=lambda value, c, n: _("tag: %(tags)s") % {"tags": joined(_tag_names(value, n), op="or")},
        ),
        "all_of": Operator(
            check=_tag_ids,
            condition=lambda value, c, ctx: _tags_all(value),
            describe=lambda value, c, n: _("tag: %(tags)s") % {"tags": joined(_tag_names(value, n), op="and")},
        ),
        "none_of": Operator(
            check=_tag_ids,
            condition=lambda value, c, ctx: ~Q(Exists(client_rows(ClientTag, tag_id__in=value))),
            describe=lambda value, c, n: _("no tag: %(tags)s") % {"tags": joined(_tag_names(value, n), op="or")},
        ),
    },
)


def _group_id(value, path, problems):
    group_id = v.identifier(value, path, problems)
    if group_id is not None:
        problems.refer("group", group_id, path)
    return group_id


def _membership(group_id: int, criterion: dict, context: Context) -> Exists:
    """Membership valid on the day (`on`, default today); an empty bound is open-ended and
    `valid_until` is the last valid day."""
    day = datetime.date.fromisoformat(criterion["on"]) if "on" in criterion else context.today
    return Exists(
        client_rows(GroupMembership, group_id=group_id)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    )


def _group_text(template: str, group_id: int, criterion: dict, names: Names) -> str:
    text = template % {"group": names.group.get(group_id, f"#{group_id}")}
    if "on" in criterion:
        text += " " + _("on %(day)s") % {"day": criterion["on"]}
    return text


GROUP = SearchField(
    label=gettext_lazy("group"),
    extra_keys={"on": v.date},
    operators={
        "member_of": Operator(
            check=_group_id,
            condition=lambda value, c, ctx: Q(_membership(value, c, ctx)),
            describe=lambda value, c, n: _group_text(_("group: %(group)s"), value, c, n),
        ),
        "not_member_of": Operator(
            check=_group_id,
            condition=lambda value, c, ctx: ~Q(_membership(value, c, ctx)),
            describe=lambda value, c, n: _group_text(_("not in group: %(group)s"), value, c, n),
        ),
    },
)


def _channel_field(label, model, has: Any, has_not: Any) -> SearchField:
    # an address known to be invalid cannot be used, so it does not count
    def condition(value, c, ctx):
        return exists(Exists(client_rows(model).exclude(validation_state=ValidationState.INVALID)), value)

    return SearchField(
        label=label,
        operators={
            "eq": Operator(
                check=v.boolean,
                condition=condition,
                describe=lambda value, c, n: str(has if value else has_not),
            )
        },
    )


HAS_EMAIL = _channel_field(
    gettext_lazy("has an email address"),
    ClientEmail,
    gettext_lazy("has an email address"),
    gettext_lazy("no email address"),
)
HAS_PHONE = _channel_field(
    gettext_lazy("has a phone number"),
    ClientPhone,
    gettext_lazy("has a phone number"),
    gettext_lazy("no phone number"),
)
