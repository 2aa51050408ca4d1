"""Shared reading helpers: text decoding, dates, amounts, references, progress reporting."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .errors import StatementError
from .types import ParsedStatement, StatementLine, currency_exponent, to_minor_units

# Statements of a busy municipal account run to ~100k entries a year; a camt.053 of that
# size is 100-150 MB. Anything far beyond is not a statement but an attack or a mistake.
MAX_STATEMENT_BYTES = 200 * 1024 * 1024
PROGRESS_EVERY = 1000  # entries between two progress callbacks

ProgressCallback = Callable[[int, int], None]

_HUNGARIAN_LETTERS = frozenset("áéíóöőúüűÁÉÍÓÖŐÚÜŰ")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_RF_REFERENCE = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")


def collapse(text: str) -> str:
    """Whitespace runs (line breaks of a wrapped remittance too) become one space."""
    return " ".join(text.split())


def normalise_reference(value: str) -> str:
    """An ISO 11649 RF reference in compact upper-case form ("rf18 5390 0754 7034" ->
    "RF18539007547034"); anything else only trimmed."""
    value = value.strip()
    if not value:
        return ""
    compact = re.sub(r"\s+", "", value).upper()
    return compact if _RF_REFERENCE.fullmatch(compact) else value


def decode_text(data: bytes) -> str:
    """Bytes of a text export (MT940, CSV) as text.

    Hungarian bank exports come as UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
    "Unicode text"), Windows-1250, or DOS code page 852 from older systems. Single-byte
    candidates are told apart by which one yields more Hungarian letters."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("cp1250", "cp852"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:200_000]
        candidates.append((sum(ch in _HUNGARIAN_LETTERS for ch in sample), -len(candidates), text))
    # cp852 maps every byte, so there is always a candidate.
    return max(candidates)[2]


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise StatementError(
            "encoding",
            format_lazy(
                _("The file is marked as Unicode text but is not valid {encoding}."), encoding=encoding.upper()
            ),
            None,
        ) from exc


def looks_binary(text: str) -> bool:
    """Control characters (NUL and friends) do not occur in bank text exports."""
    sample = text[:65536]
    return len(_CONTROL_CHARS.findall(sample)) > max(2, len(sample) // 1000)


def line_of(text: str, position: int) -> int:
    """1-based line number of a character position."""
    return text.count("\n", 0, max(position, 0)) + 1


_ISO_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4})\.?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME_SUFFIX = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*")


@lru_cache(maxsize=8192)
def parse_date(value: str) -> date:
    """A date as banks write it: 2026-11-21, 2026.11.21., 2026. 11. 21., 21.11.2026, 20261121,
    optionally followed by a time (ISO date-times of camt included). ValueError otherwise."""
    value = value.strip()
    for pattern, order in ((_ISO_DATE, (1, 2, 3)), (_DAY_FIRST_DATE, (3, 2, 1)), (_COMPACT_DATE, (1, 2, 3))):
        match = pattern.match(value)
        if match and _TIME_SUFFIX.fullmatch(value, match.end()):
            year, month, day = (int(match.group(i)) for i in order)
            if not 1990 <= year <= 2200:
                raise ValueError(f"implausible year in {value!r}")
            return date(year, month, day)
    raise ValueError(f"not a date: {value!r}")


def date_or_error(value: str, line: int | None) -> date:
    try:
        return parse_date(value)
    except ValueError:
        raise StatementError(
            "bad_date", format_lazy(_("“{value}” is not a valid date."), value=value[:40]), line
        ) from None


def minor_units_or_error(amount: Decimal, currency: str, line: int | None) -> int:
    try:
        return to_minor_units(amount, currency)
    except (ValueError, InvalidOperation):
        raise StatementError(
            "bad_amount",
            format_lazy(
                _("The amount {amount} {currency} has more decimals than the currency allows."),
                amount=str(amount),
                currency=currency,
            ),
            line,
        ) from None


def decimal_text_to_minor(text: str, currency: str, line: int | None) -> int:
    """An unsigned plain decimal ("1234.5", already checked against `\\d+(\\.\\d+)?`) in minor
    units, with integer arithmetic because this runs once per entry of a 100k-entry file."""
    exponent = currency_exponent(currency)
    whole, _sep, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > exponent:
        return minor_units_or_error(Decimal(text), currency, line)  # raises the clerk-facing error
    return int(whole) * 10**exponent + (int(fraction.ljust(exponent, "0")) if fraction else 0)


def check_currency(currency: str, line: int | None) -> str:
    currency = currency.strip().upper()
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise StatementError(
            "bad_currency", format_lazy(_("“{value}” is not a currency code."), value=currency[:20]), line
        )
    return currency


class Progress:
    """Calls the caller's `progress(done, total)` every `PROGRESS_EVERY` entries, in bytes."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.entries = 0

    def entry(self, done: Callable[[], int]) -> None:
        """Count one entry; `done` tells how many bytes have been read (called only when reporting)."""
        self.entries += 1
        if self.callback is not None and self.entries % PROGRESS_EVERY == 0:
            self.callback(min(max(done(), 0), self.total), self.total)

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(self.total, self.total)


def invalid_amount(value: str, line: int | None) -> StatementError:
    return StatementError(
        "bad_amount", format_lazy(_("“{value}” is not a valid amount."), value=value.strip()[:40]), line
    )


@dataclass
class StatementPart:
    """One statement inside a file (camt `Stmt`, MT940 `:20:` block); a file may hold many."""

    id: str = ""
    iban: str = ""
    currency: str = ""
    start: date | None = None
    end: date | None = None
    opening: int | None = None
    closing: int | None = None
    lines: list[StatementLine] = field(default_factory=list)


def merge_parts(kind: str, parts: list[StatementPart]) -> ParsedStatement:
    """Several statements of one account (e.g. a month of daily statements) make one
    `ParsedStatement`; statements of different accounts in one file are refused."""
    first = parts[0]
    if any((p.iban, p.currency) != (first.iban, first.currency) for p in parts):
        raise StatementError(
            "multiple_accounts",
            _("The file holds statements of several accounts or currencies. Please upload one account at a time."),
            None,
        )
    ordered = sorted(parts, key=lambda p: p.start or p.end or date.max)  # stable: file order otherwise
    lines = [line for p in ordered for line in p.lines]
    booked = [line.booking_date for line in lines]
    starts = [p.start for p in ordered if p.start] or booked or [p.end for p in ordered if p.end]
    ends = [p.end for p in ordered if p.end] or booked
    return ParsedStatement(
        format=kind,
        account_iban=first.iban,
        currency=first.currency,
        statement_id=",".join(p.id for p in ordered if p.id),
        period_start=min(starts, default=None),
        period_end=max(ends, default=None),
        opening_balance=ordered[0].opening,
        closing_balance=ordered[-1].closing,
        lines=lines,
    )
