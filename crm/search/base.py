"""The building blocks of a search field: for each operator of a field, how its value is checked,
which SQL condition it becomes and how it reads in a summary; dates and periods in Budapest time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm.search.values import Problems

BUDAPEST = ZoneInfo("Europe/Budapest")


@dataclass(frozen=True)
class Context:
    """What a condition is relative to: the day of the search in Budapest."""

    today: datetime.date


@dataclass
class Names:
    """Names of the objects an expression refers to, for its summary."""

    tag: dict[int, str] = field(default_factory=dict)
    group: dict[int, str] = field(default_factory=dict)
    service_type: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operator:
    check: Callable[[Any, str, Problems], Any]
    condition: Callable[[Any, dict, Context], Q]  # (value, criterion, context)
    describe: Callable[[Any, dict, Names], str]  # (value, criterion, names)


@dataclass(frozen=True)
class SearchField:
    label: Any
    operators: dict[str, Operator]
    on_address: bool = False  # the condition is on a ClientAddress row
    extra_keys: dict[str, Callable[[Any, str, Problems], Any]] = field(default_factory=dict)


# --- dates ---------------------------------------------------------------------------------------
def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th, so someone
    born on 29 February has their birthday on 1 March in other years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight in Budapest (never inside a DST change, which happens at 2–3 a.m.)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=BUDAPEST)


def period_start(value: dict, context: Context) -> datetime.datetime | None:
    """The first instant of the period (`last_days` or `from`), or None if it has no start."""
    if "last_days" in value:
        return day_start(context.today - datetime.timedelta(days=value["last_days"]))
    if "from" in value:
        return day_start(datetime.date.fromisoformat(value["from"]))
    return None


def period_end(value: dict) -> datetime.datetime | None:
    """The instant after the period (midnight after `to`), or None if it has no end."""
    if "to" in value:
        return day_start(datetime.date.fromisoformat(value["to"]) + datetime.timedelta(days=1))
    return None


def period_q(value: dict, column: str, context: Context) -> Q:
    """The period as a half-open range of instants: from midnight of `from` to midnight after
    `to`, so an index on the timestamp column serves it."""
    condition = Q()
    start, end = period_start(value, context), period_end(value)
    if start is not None:
        condition &= Q(**{f"{column}__gte": start})
    if end is not None:
        condition &= Q(**{f"{column}__lt": end})
    return condition


def period_text(value: dict) -> str:
    if "last_days" in value:
        return _("in the last %(days)s days") % {"days": value["last_days"]}
    if "from" in value and "to" in value:
        return f"{value['from']} – {value['to']}"
    if "from" in value:
        return _("from %(day)s") % {"day": value["from"]}
    if "to" in value:
        return _("until %(day)s") % {"day": value["to"]}
    return ""


def joined(parts: list[str], *, op: str) -> str:
    """Values in a summary: "Nyugdíjas or Önkéntes" (a context keeps these short words apart
    from other "and"/"or" in the catalogue)."""
    word = pgettext("search summary", "and") if op == "and" else pgettext("search summary", "or")
    return f" {word} ".join(parts)


def group_word(op: str) -> str:
    """The word joining the items of a group, in capitals to stand out from values' "and"/"or"."""
    return pgettext("search summary", "AND") if op == "and" else pgettext("search summary", "OR")


def exists(condition: Exists, wanted: bool = True) -> Q:
    return Q(condition) if wanted else ~Q(condition)


def client_rows(model, **lookups):
    return model.objects.filter(client=OuterRef("pk"), **lookups)
