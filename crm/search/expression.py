"""The CRM's complex search, stored as data: a JSON expression, checked, translated into one SQL
query over active clients, and summarised in one line.

The format
----------
A *group* combines its items with AND or OR, optionally negated::

    {"op": "and" | "or", "items": [<group or criterion>, ...], "not": true}   # "not" optional

A *criterion* is one condition::

    {"field": "<name>", "operator": "<operator>", "value": <value>, "not": true}   # "not" optional

The root is a group. Groups nest at most `MAX_DEPTH` levels deep (the root is level 1) and an
expression has at most `MAX_ITEMS` criteria and groups; a group has at least one item. Example:
clients aged 30–50 living in District XII who are pensioners or opened a newsletter in the
last 90 days::

    {"op": "and", "items": [
        {"field": "age", "operator": "between", "value": {"min": 30, "max": 50}},
        {"field": "district", "operator": "in", "value": [12]},
        {"op": "or", "items": [
            {"field": "tag", "operator": "any_of", "value": [7]},
            {"field": "activity", "operator": "exists",
             "value": {"kind": "newsletter.opened", "last_days": 90}}
        ]}
    ]}

Fields, operators and values (dates are "YYYY-MM-DD"; a *period* is any of `from`, `to`
(inclusive days in Budapest time) or `last_days` alone, counted from midnight N days ago):

- `age`: `between` {min, max}; `gte` / `lte` N (whole years 0–130, as of today in Budapest;
  turned into a `birth_date` range so its index is used). Clients without a birth date never match.
- `birth_date`: `between` {from, to} (either may be left out).
- `gender`: `eq` "female" | "male" | "unknown"; `in` [those].
- `district`: `eq` N; `in` [N, ...] (Budapest districts 1–23).
- `postcode`: `in` ["1121", ...]; `starts_with` "112".
- `street`: `eq` / `starts_with` "Böszörményi út" (compared folded with the address's `street_key`).
- `settlement`: `eq` "Budapest" (compared folded: case and accents do not matter).
- `consent`: `eq` {channel: "newsletter" | "sms", granted: true | false}; not granted includes
  clients who never answered.
- `tag`: `any_of` / `all_of` / `none_of` [tag id, ...].
- `group`: `member_of` / `not_member_of` group id, membership valid today, or on the day given in
  the criterion's optional `"on": "YYYY-MM-DD"` key (empty validity bounds are open-ended).
- `has_email` / `has_phone`: `eq` true | false (addresses and numbers known to be invalid do not count).
- `source`: `eq` / `in` the client's source ("staff", "account", "import", "newsletter", "contact_centre").
- `created`: `between` a period (at least one key).
- `has_case`: `exists` / `not_exists` {service_type: code, status: [...], period on submission}
  (every key optional: {} is any case).
- `paid`: `exists` / `not_exists` {min_amount: HUF, period on payment}: a paid order.
- `activity`: `exists` / `not_exists` {kind, period}: a timeline event of one of `ACTIVITY_KINDS`.

Address fields (`district`, `postcode`, `street`, `settlement`) look at any of the client's
addresses, or only the default one with the criterion key `"address": "default"`. The address
criteria of one AND group (not negated, same `address` scope) must all hold for the same address:
"district XII and Böszörményi út" is one address, not one of each.

Only active clients are results (merged and erased ones never are). A search is one SQL query: a
client's other rows (addresses, consents, tags, memberships, timeline, cases, orders) are `EXISTS`
subqueries on indexed columns.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Mapping
from functools import reduce
from typing import Any, NoReturn

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.errors import CrmError, ErrorCode
from crm.models import Client, ClientGroup, ClientState, Tag
from crm.search import values as v
from crm.search.activity import timeline_rows
from crm.search.base import BUDAPEST, Context, Names, group_word
from crm.search.fields import ACTIVITY_KINDS, FIELDS
from crm.search.person import ADDRESS_SCOPES, address_rows
from crm.search.values import Problems, at, index, quoted
from eservices.cases.models import ServiceType

MAX_DEPTH = 10
MAX_ITEMS = 200
GROUP_OPS = ("and", "or")


# --- checking ------------------------------------------------------------------------------------
def expression_validate(expression: Any, *, check_references: bool = True) -> dict:
    """The expression in its normalised form (whitespace collapsed, duplicates dropped, default
    keys left out), or `CrmError(INVALID_EXPRESSION)` listing every problem with its path in
    `fields["expression"]`. With `check_references`, tag and group ids and service type codes
    must exist (one query per kind used); a stored search is evaluated without that check, so a
    tag deleted since simply matches no one."""
    normalised, problems = _checked(expression)
    if not problems and check_references:
        _check_references(problems)
    if problems:
        _raise(problems)
    return normalised


def _checked(expression: Any) -> tuple[dict | None, Problems]:
    problems = Problems()
    checker = _Checker(problems)
    if not isinstance(expression, Mapping) or "field" in expression:
        problems.add("", _('must be a group: an object with "op" and "items"'))
        return None, problems
    return checker.group(expression, "", depth=1), problems


def _raise(problems: Problems) -> NoReturn:
    messages = list(problems.messages)
    if problems.count > len(messages):
        more = problems.count - len(messages)
        messages.append(_("… and %(count)s more problems") % {"count": more})
    raise CrmError(
        ErrorCode.INVALID_EXPRESSION,
        _("The search is not valid: %(problem)s") % {"problem": messages[0]},
        fields={"expression": messages},
    )


class _Checker:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.items = 0

    def group(self, value: Mapping, path: str, *, depth: int) -> dict | None:
        problems = self.problems
        data = v.obj(value, path, problems, required=("op", "items"), optional=("not",))
        if data is None:
            return None
        result: dict[str, Any] = {}
        if "op" in data:
            result["op"] = v.choice(data["op"], at(path, "op"), problems, choices=dict.fromkeys(GROUP_OPS))
        if "not" in data and v.boolean(data["not"], at(path, "not"), problems):
            result["not"] = True
        if "items" not in data:
            return result
        items_path = at(path, "items")
        items = data["items"]
        if depth > MAX_DEPTH:
            problems.add(path, _("groups are nested too deeply (at most %(count)s levels)") % {"count": MAX_DEPTH})
            return None
        if not isinstance(items, list | tuple):
            problems.add(items_path, _("must be a list of criteria and groups"))
            return None
        if not items:
            problems.add(items_path, _("must contain at least one criterion or group"))
            return None
        result["items"] = []
        for position, item in enumerate(items):
            self.items += 1
            if self.items > MAX_ITEMS:
                problems.add(items_path, _("too many criteria and groups (at most %(count)s)") % {"count": MAX_ITEMS})
                return None
            result["items"].append(self.item(item, index(items_path, position), depth=depth))
        return result

    def item(self, value: Any, path: str, *, depth: int) -> dict | None:
        if isinstance(value, Mapping) and "field" in value:
            return self.criterion(value, path)
        if isinstance(value, Mapping) and ("op" in value or "items" in value):
            return self.group(value, path, depth=depth + 1)
        self.problems.add(path, _('must be a group ("op", "items") or a criterion ("field", "operator", "value")'))
        return None

    def criterion(self, value: Mapping, path: str) -> dict | None:
        problems = self.problems
        name = value["field"]
        spec = FIELDS.get(name) if isinstance(name, str) else None
        if spec is None:
            problems.add(
                at(path, "field"),
                _("unknown field %(field)s; known fields: %(fields)s")
                % {"field": quoted(name), "fields": v.one_of(FIELDS)},
            )
            return None
        optional = ("not", *(("address",) if spec.on_address else ()), *spec.extra_keys)
        data = v.obj(value, path, problems, required=("field", "operator", "value"), optional=optional)
        result: dict[str, Any] = {"field": name}
        operator_name = data.get("operator")
        operator_spec = spec.operators.get(operator_name) if isinstance(operator_name, str) else None
        if "operator" in data and operator_spec is None:
            problems.add(
                at(path, "operator"),
                _("the field %(field)s has the operators %(operators)s")
                % {"field": name, "operators": v.one_of(spec.operators)},
            )
        if operator_spec is not None:
            result["operator"] = operator_name
            if "value" in data:
                result["value"] = operator_spec.check(data["value"], at(path, "value"), problems)
        if "not" in data and v.boolean(data["not"], at(path, "not"), problems):
            result["not"] = True
        if "address" in data:
            scope = v.choice(data["address"], at(path, "address"), problems, choices=dict.fromkeys(ADDRESS_SCOPES))
            if scope and scope != "any":
                result["address"] = scope
        for key, check in spec.extra_keys.items():
            if key in data:
                result[key] = check(data[key], at(path, key), problems)
        return result


def _check_references(problems: Problems) -> None:
    """Every referenced tag, group and service type exists: one query per kind used."""
    by_kind: dict[str, list[tuple[Any, str]]] = {}
    for kind, key, path in problems.references:
        by_kind.setdefault(kind, []).append((key, path))
    lookups = {
        "tag": (
            lambda keys: set(Tag.objects.filter(pk__in=keys).values_list("pk", flat=True)),
            _("there is no tag with this id"),
        ),
        "group": (
            lambda keys: set(ClientGroup.objects.filter(pk__in=keys).values_list("pk", flat=True)),
            _("there is no client group with this id"),
        ),
        "service_type": (
            lambda keys: set(ServiceType.objects.filter(code__in=keys).values_list("code", flat=True)),
            _("there is no service type with this code"),
        ),
    }
    for kind, found in by_kind.items():
        existing_of, message = lookups[kind]
        existing = existing_of({key for key, _path in found})
        for key, path in found:
            if key not in existing:
                problems.add(path, message)


# --- querying ------------------------------------------------------------------------------------
def search_today() -> datetime.date:
    """The day a search is relative to (ages, "today" memberships, `last_days`): in Budapest."""
    return timezone.now().astimezone(BUDAPEST).date()


def expression_to_q(expression: Any, *, today: datetime.date | None = None) -> Q:
    """The expression as a condition on `Client` (without the active-state filter: see
    `clients_matching`). It is checked first, without database queries."""
    normalised = expression_validate(expression, check_references=False)
    return _group_q(normalised, Context(today=today or search_today()))


def clients_matching(expression: Any, *, today: datetime.date | None = None) -> QuerySet[Client]:
    """The active clients the expression finds, in id order (stable pages and exports): one SQL
    query, lazy like any queryset, so a saved search is evaluated anew on every use."""
    condition = expression_to_q(expression, today=today)
    return Client.objects.filter(state=ClientState.ACTIVE).filter(condition).order_by("pk")


def _group_q(group: dict, context: Context) -> Q:
    conjunction = group["op"] == "and"
    parts: list[Q] = []
    same_address: dict[str, list[Q]] = {}  # address scope -> conditions on one address row
    any_event: list[dict] = []  # OR group: events of any of these kinds and periods
    for item in group["items"]:
        if "field" not in item:
            parts.append(_group_q(item, context))
            continue
        spec = FIELDS[item["field"]]
        if not conjunction and not item.get("not") and item["field"] == "activity" and item["operator"] == "exists":
            any_event.append(item["value"])
            continue
        condition = spec.operators[item["operator"]].condition(item["value"], item, context)
        if spec.on_address:
            scope = item.get("address", "any")
            if not item.get("not"):
                # AND: all on one address; OR: any address matching any of them — either way
                # one EXISTS (an OR of EXISTS subqueries would be evaluated client by client)
                same_address.setdefault(scope, []).append(condition)
                continue
            condition = Q(address_rows([condition], scope=scope))
        parts.append(~condition if item.get("not") else condition)
    for scope, conditions in same_address.items():
        if not conjunction:
            conditions = [reduce(operator.or_, conditions)]
        parts.append(Q(address_rows(conditions, scope=scope)))
    if any_event:
        parts.append(Q(timeline_rows(any_event, context)))
    combined = reduce(operator.and_ if conjunction else operator.or_, parts)
    return ~combined if group.get("not") else combined


# --- describing ----------------------------------------------------------------------------------
def expression_describe(expression: Any) -> str:
    """A one-line summary in the active language, e.g. "age 30–50 AND (tag: Nyugdíjas OR
    district: XII)". Names of tags, groups and service types are read (one query per kind used);
    one deleted since shows as its id."""
    normalised, problems = _checked(expression)
    if problems:
        _raise(problems)
    return _describe_group(normalised, _names(problems.references), top=True)


def _names(references: list[tuple[str, Any, str]]) -> Names:
    names = Names()
    keys: dict[str, set] = {}
    for kind, key, _path in references:
        keys.setdefault(kind, set()).add(key)
    if keys.get("tag"):
        names.tag = dict(Tag.objects.filter(pk__in=keys["tag"]).values_list("pk", "name"))
    if keys.get("group"):
        names.group = dict(ClientGroup.objects.filter(pk__in=keys["group"]).values_list("pk", "name"))
    if keys.get("service_type"):
        name_field = "name_en" if (get_language() or "").startswith("en") else "name_hu"
        services = ServiceType.objects.filter(code__in=keys["service_type"])
        names.service_type = dict(services.values_list("code", name_field))
    return names


def _describe_group(group: dict, names: Names, *, top: bool) -> str:
    texts = [
        _describe_group(item, names, top=False) if "field" not in item else _describe_criterion(item, names)
        for item in group["items"]
    ]
    word = group_word(group["op"])
    text = f" {word} ".join(texts)
    if group.get("not"):
        return _("NOT %(condition)s") % {"condition": text if len(texts) == 1 else f"({text})"}
    return text if top or len(texts) == 1 else f"({text})"


def _describe_criterion(item: dict, names: Names) -> str:
    spec = FIELDS[item["field"]]
    text = spec.operators[item["operator"]].describe(item["value"], item, names)
    if item.get("address") == "default":
        text = _("%(condition)s (default address)") % {"condition": text}
    return _("NOT %(condition)s") % {"condition": text} if item.get("not") else text


# --- for forms -----------------------------------------------------------------------------------
def expression_schema() -> dict:
    """The fields, their operators and the activity kinds, with labels in the active language,
    for the search builder of the staff area."""
    return {
        "fields": [
            {
                "name": name,
                "label": str(spec.label),
                "operators": list(spec.operators),
                "address": spec.on_address,
                "extra_keys": list(spec.extra_keys),
            }
            for name, spec in FIELDS.items()
        ],
        "activity_kinds": [{"kind": kind, "label": str(label)} for kind, label in ACTIVITY_KINDS.items()],
        "limits": {"depth": MAX_DEPTH, "items": MAX_ITEMS},
    }
