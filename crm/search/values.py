"""Checks of the values inside a search expression, each collecting problems with their path.

A check returns the normalised value, or None after recording why it is not valid (no valid value
of the format is null). Messages never repeat the offending value: a fuzzed input could be huge
or not printable; only short key names are quoted, cut to a readable length.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from crm.normalise import fold

#: Dates outside this range are refused: no client data lies outside it, and the bounds keep
#: every date arithmetic (a day later, midnight in Budapest) clear of Python's limits.
EARLIEST_DATE = datetime.date(1850, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)
#: The largest primary key (bigint); a larger number would fail in the database, not here.
MAX_ID = 2**63 - 1
MAX_LIST = 200
MAX_TEXT = 150
MAX_LAST_DAYS = 36_500
#: At most this many messages are returned: a fuzzed expression may have thousands of problems.
MAX_MESSAGES = 20

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Problems:
    """The problems found so far, and the ids the expression refers to (checked afterwards
    against the database, all of a kind in one query)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0
        self.references: list[tuple[str, Any, str]] = []  # (kind, id or code, path)

    def add(self, path: str, message: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(f"{path}: {message}" if path else message)

    def refer(self, kind: str, key: Any, path: str) -> None:
        self.references.append((kind, key, path))

    def __bool__(self) -> bool:
        return self.count > 0


def at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def index(path: str, position: int) -> str:
    return f"{path}[{position}]"


def quoted(key: Any) -> str:
    text = key if isinstance(key, str) else type(key).__name__
    text = "".join(ch if ch.isprintable() else "?" for ch in text[:40])
    return f'"{text}"' + ("…" if isinstance(key, str) and len(key) > 40 else "")


def one_of(options) -> str:
    return ", ".join(str(option) for option in options)


def obj(value: Any, path: str, problems: Problems, *, required=(), optional=()) -> dict | None:
    """An object with the given keys: unknown keys and missing required ones are problems. The
    object is returned even then, so the keys it does have are checked too."""
    if not isinstance(value, Mapping):
        keys = one_of([*required, *optional])
        problems.add(path, _("must be an object with the keys %(keys)s") % {"keys": keys})
        return None
    allowed = (*required, *optional)
    for key in value:
        if key not in allowed:
            problems.add(
                path, _("unknown key %(key)s; allowed: %(keys)s") % {"key": quoted(key), "keys": one_of(allowed)}
            )
    for key in required:
        if key not in value:
            problems.add(at(path, key), _("is required"))
    return dict(value)


def whole_number(value: Any, path: str, problems: Problems, *, minimum: int, maximum: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        problems.add(
            path,
            _("must be a whole number between %(minimum)s and %(maximum)s") % {"minimum": minimum, "maximum": maximum},
        )
        return None
    return value


def identifier(value: Any, path: str, problems: Problems) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        problems.add(path, _("must be an id (a positive whole number)"))
        return None
    return value


def boolean(value: Any, path: str, problems: Problems) -> bool | None:
    if not isinstance(value, bool):
        problems.add(path, _("must be true or false"))
        return None
    return value


def text(value: Any, path: str, problems: Problems, *, max_length: int = MAX_TEXT) -> str | None:
    """A short text, whitespace collapsed. Control characters (NUL is refused by PostgreSQL) and
    lone surrogates (not encodable as UTF-8) are problems, not database errors."""
    if not isinstance(value, str):
        problems.add(path, _("must be a text"))
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace() for ch in value):
        problems.add(path, _("must not contain control characters"))
        return None
    cleaned = " ".join(value.split())
    if not cleaned or not fold(cleaned):
        problems.add(path, _("must not be empty"))
        return None
    if len(cleaned) > max_length:
        problems.add(path, _("must be at most %(count)s characters long") % {"count": max_length})
        return None
    return cleaned


def choice(value: Any, path: str, problems: Problems, *, choices: Mapping[str, Any]) -> str | None:
    if not isinstance(value, str) or value not in choices:
        problems.add(path, _("must be one of %(choices)s") % {"choices": one_of(choices)})
        return None
    return value


def date(value: Any, path: str, problems: Problems) -> str | None:
    """A calendar date as 'YYYY-MM-DD' (the only form accepted: `date.fromisoformat` would also
    take week dates and compact forms)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        problems.add(path, _("must be a date in the form YYYY-MM-DD"))
        return None
    try:
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        problems.add(path, _("is not a real calendar date"))
        return None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        problems.add(
            path,
            _("must be a date between %(earliest)s and %(latest)s")
            % {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
        return None
    return value


def list_of(
    value: Any,
    path: str,
    problems: Problems,
    *,
    item: Callable[[Any, str, Problems], Any],
    max_items: int = MAX_LIST,
) -> list | None:
    """A non-empty list, each item checked, duplicates dropped (first one kept)."""
    if not isinstance(value, list | tuple) or not value:
        problems.add(path, _("must be a non-empty list"))
        return None
    if len(value) > max_items:
        problems.add(path, _("must have at most %(count)s items") % {"count": max_items})
        return None
    found = problems.count
    checked = [item(element, index(path, position), problems) for position, element in enumerate(value)]
    if problems.count > found:
        return None
    return list(dict.fromkeys(checked))


#: The keys of a period: a date range, or the last N days (for saved searches that roll on).
PERIOD_KEYS = ("from", "to", "last_days")


def period(value: dict, path: str, problems: Problems, *, relative: bool = True, required: bool = False) -> dict:
    """The period keys of an object already checked by `obj`: `from` and `to` are inclusive
    dates, `last_days` (alone) means from the start of the day N days ago until now."""
    result: dict[str, Any] = {}
    for key in ("from", "to"):
        if key in value:
            result[key] = date(value[key], at(path, key), problems)
    if relative and "last_days" in value:
        if "from" in value or "to" in value:
            problems.add(path, _("give either last_days or from/to, not both"))
        result["last_days"] = whole_number(
            value["last_days"], at(path, "last_days"), problems, minimum=1, maximum=MAX_LAST_DAYS
        )
    if required and not result:
        keys = one_of(PERIOD_KEYS if relative else ("from", "to"))
        problems.add(path, _("give at least one of %(keys)s") % {"keys": keys})
    if result.get("from") and result.get("to") and result["from"] > result["to"]:
        problems.add(path, _("from must not be later than to"))
    return {key: found for key, found in result.items() if found is not None}
