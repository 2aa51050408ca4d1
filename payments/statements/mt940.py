"""SWIFT MT940 customer statements, read with the maintained `mt-940` library.

The library splits the tags and reads `:25:`, `:28C:`, the balances and `:61:`; the `:86:`
details are read by `mt940_details` because Hungarian banks fill them in their own ways.
A file may hold several statements (`:20:` blocks), e.g. a month of daily statements.

`mt940.parse()` is never called: given a string that happens to name an existing file it
reads that file. The text is handed to `Transactions.parse()` directly.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal

import mt940
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .errors import StatementError
from .mt940_details import parse_details
from .types import ParsedStatement, StatementLine, normalise_iban
from .values import (
    PROGRESS_EVERY,
    ProgressCallback,
    StatementPart,
    check_currency,
    decode_text,
    line_of,
    merge_parts,
    minor_units_or_error,
)

# On a tag it cannot match, the library logs the raw tag -- account numbers, names,
# remittances -- at ERROR. We report the failure ourselves and keep personal data out of logs.
logging.getLogger("mt940").setLevel(logging.CRITICAL)

_ENVELOPE = re.compile(r"\{[1-3]:(?:[^{}]|\{[^{}]*\})*\}|\{4:|^-\}|\{5:(?:[^{}]|\{[^{}]*\})*\}", re.MULTILINE)
_STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)
_ENTRY_START = re.compile(r"^:61:", re.MULTILINE)
_ANY_TAG = re.compile(r"^:(?:\d{2}[A-Z]?|NS):", re.MULTILINE)
_ACCOUNT = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}|\d{8}-?\d{8}(?:-?\d{8})?")
_NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NONE"})
_OPTIONS = mt940.Options(unbounded_details=True, non_swift_free_text=True)
# No silent date "fix-ups" (the default turns 30 February into 28 February) and no
# library reading of `:86:`.
_PROCESSORS = {"pre_statement": [], "post_transaction_details": []}


def _malformed(message, line: int | None) -> StatementError:
    return StatementError("mt940_malformed", message, line)


class _Reader:
    def __init__(self, text: str, total_bytes: int, progress: ProgressCallback | None) -> None:
        self.text = text
        self.total_bytes = total_bytes
        self.progress = progress
        self.unreported = 0  # entries read since progress was last reported

    def _report(self, position: int) -> None:
        if self.progress is not None and self.text:
            self.progress(min(self.total_bytes, position * self.total_bytes // len(self.text)), self.total_bytes)

    def read(self) -> list[StatementPart]:
        starts = [m.start() for m in _STATEMENT_START.finditer(self.text)]
        if not starts:
            first = _ANY_TAG.search(self.text)
            raise _malformed(
                _("The MT940 file has no statement (no :20: tag); it may be truncated."),
                line_of(self.text, first.start()) if first else None,
            )
        bounds = zip(starts, starts[1:] + [len(self.text)], strict=True)
        return [self._statement(start, end) for start, end in bounds]

    def _statement(self, start: int, end: int) -> StatementPart:
        block = self.text[start:end]
        transactions = mt940.models.Transactions(processors=_PROCESSORS, options=_OPTIONS)
        # Fed in slices of PROGRESS_EVERY entries, cut where a `:61:` starts, so progress can be
        # reported; the collection carries its state (current entry) from one slice to the next.
        entries = [m.start() for m in _ENTRY_START.finditer(block)]
        cuts = entries[PROGRESS_EVERY::PROGRESS_EVERY]
        for index, (chunk_start, chunk_end) in enumerate(zip([0, *cuts], [*cuts, len(block)], strict=True)):
            self._parse_chunk(transactions, block, chunk_start, chunk_end, start)
            self.unreported += min(PROGRESS_EVERY, len(entries) - index * PROGRESS_EVERY)
            if self.unreported >= PROGRESS_EVERY:  # a file of many small daily statements reports rarely too
                self._report(start + chunk_end)
                self.unreported = 0
        return self._part(transactions, start)

    def _parse_chunk(self, transactions, block: str, chunk_start: int, chunk_end: int, offset: int) -> None:
        chunk = block[chunk_start:chunk_end]
        try:
            transactions.parse(chunk)
        except Exception:  # the library raises RuntimeError, ValueError, ArithmeticError...
            line = line_of(self.text, offset + chunk_start + _failing_tag(chunk))
            raise _malformed(_("The MT940 file contains a tag that cannot be read."), line) from None

    def _line_of_tag(self, block_start: int, tag: str) -> int:
        found = self.text.find(tag, block_start)
        return line_of(self.text, found if found >= 0 else block_start)

    def _balance(self, data: dict, keys: tuple[str, ...], block_start: int) -> tuple[int | None, str, date | None]:
        for key in keys:
            balance = data.get(key)
            if balance is None:
                continue
            amount = getattr(balance, "amount", None)
            if not isinstance(amount, mt940.models.Amount):
                raise _malformed(_("A balance of the MT940 file has no amount."), self._line_of_tag(block_start, ":6"))
            line = self._line_of_tag(block_start, ":6")
            currency = check_currency(amount.currency or "", line)
            when = balance.date
            return (
                minor_units_or_error(amount.amount, currency, line),
                currency,
                date(when.year, when.month, when.day) if when else None,
            )
        return None, "", None

    def _part(self, transactions, block_start: int) -> StatementPart:
        data = transactions.data
        account = str(data.get("account_identification") or "").strip()
        if not account:
            raise _malformed(_("The MT940 statement has no account (:25:) tag."), line_of(self.text, block_start))
        opening, currency, _opened = self._balance(
            data, ("final_opening_balance", "intermediate_opening_balance", "opening_balance"), block_start
        )
        closing, closing_currency, end = self._balance(
            data, ("final_closing_balance", "intermediate_closing_balance", "closing_balance"), block_start
        )
        if opening is None or closing is None:
            raise _malformed(
                _("The MT940 statement lacks its opening or closing balance (:60F:/:62F:); the file may be truncated."),
                line_of(self.text, block_start),
            )
        currency = currency or closing_currency
        number = "/".join(filter(None, (data.get("statement_number"), data.get("sequence_number"))))
        reference = str(data.get("transaction_reference") or "").strip()
        part = StatementPart(
            id="/".join(filter(None, (reference, number))),
            iban=_account(account),
            currency=currency,
            start=None,  # the :60F: date is the previous statement's; the entries tell the start
            end=end,
            opening=opening,
            closing=closing,
        )
        position = block_start
        for transaction in transactions:
            # Where the entry's `:61:` is, for error messages only (a line is counted on failure).
            position = self.text.find("\n:61:", position) + 1
            part.lines.append(self._line(transaction.data, currency, position))
        return part

    def _line(self, data: dict, currency: str, position: int) -> StatementLine:
        try:
            return self._build_line(data, currency)
        except StatementError as exc:
            raise StatementError(exc.code, exc.message, line_of(self.text, position)) from None

    def _build_line(self, data: dict, currency: str) -> StatementLine:
        line = None
        status = str(data.get("status") or "").upper()
        if status in ("C", "RD"):  # RD: reversal of a debit, money comes back
            sign = 1
        elif status in ("D", "RC"):  # RC: reversal of a credit, money leaves
            sign = -1
        else:
            raise StatementError(
                "bad_indicator", format_lazy(_("“{value}” is not a debit/credit mark."), value=status[:4]), line
            )
        amount = data.get("amount")
        if not isinstance(amount, mt940.models.Amount):
            raise _malformed(_("An MT940 entry (:61:) has no amount."), line)
        value = minor_units_or_error(abs(Decimal(amount.amount)), currency, line)
        value_date = data.get("date")
        booking_date = data.get("entry_date") or value_date
        if not isinstance(booking_date, date):
            raise _malformed(_("An MT940 entry (:61:) has no date."), line)
        details = parse_details(str(data.get("transaction_details") or ""))
        customer_reference = str(data.get("customer_reference") or "").strip()
        bank_reference = str(data.get("bank_reference") or "").strip()
        return StatementLine(
            booking_date=date(booking_date.year, booking_date.month, booking_date.day),
            value_date=date(value_date.year, value_date.month, value_date.day) if value_date else None,
            amount=sign * value,
            currency=currency,
            counterparty_name=details.name,
            counterparty_iban=details.iban,
            remittance=details.remittance,
            end_to_end_id=details.end_to_end_id
            or ("" if customer_reference.upper() in _NO_REFERENCE else customer_reference),
            bank_reference="" if bank_reference.upper() in _NO_REFERENCE else bank_reference,
        )


def _failing_tag(chunk: str) -> int:
    """Where in `chunk` the tag is that the library cannot read: each tag is tried on its own.
    Runs only after a failure, so its cost does not matter."""
    starts = [m.start() for m in _ANY_TAG.finditer(chunk)]
    for start, end in zip(starts, [*starts[1:], len(chunk)], strict=True):
        try:
            mt940.models.Transactions(processors=_PROCESSORS, options=_OPTIONS).parse(chunk[start:end])
        except Exception:  # noqa: BLE001 -- any failure marks the tag
            return start
    return 0


def _account(value: str) -> str:
    """`:25:` comes as an IBAN, a domestic number, or prefixed with the bank's BIC ("OTPVHUHB/…")."""
    compact = re.sub(r"[\s]", "", value).upper()
    match = _ACCOUNT.search(compact)
    return normalise_iban(match.group(0) if match else compact)


def parse_mt940(data: bytes, progress: ProgressCallback | None = None) -> ParsedStatement:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    if "{1:" in text or "{4:" in text:
        text = _ENVELOPE.sub("", text)  # the SWIFT FIN envelope around block 4
    parts = _Reader(text, len(data), progress).read()
    if progress is not None:
        progress(len(data), len(data))
    return merge_parts("mt940", parts)
