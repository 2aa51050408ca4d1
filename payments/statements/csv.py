"""CSV exports of Hungarian internet banks ("számlatörténet", "tranzakciók" downloads).

No two banks agree, so the columns are found from the header row by name (Hungarian or
English, with or without accents), the separator from that row, the decimal separator from
the amounts. A few lines of preamble (account number, period, opening balance) before the
header and summary rows after the entries are tolerated.

Debits are told from credits by a negative amount, by separate "Terhelés"/"Jóváírás"
columns, or by a T/J (D/C) indicator column next to an unsigned amount.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from itertools import islice

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .csv_header import Columns, find_header, fold
from .errors import StatementError
from .types import ParsedStatement, StatementLine, normalise_iban
from .values import (
    PROGRESS_EVERY,
    ProgressCallback,
    check_currency,
    collapse,
    date_or_error,
    decode_text,
    invalid_amount,
    looks_binary,
    minor_units_or_error,
    parse_date,
)

_DEBIT_MARKS = frozenset({"t", "terheles", "d", "db", "dbit", "debit", "tartozik", "ki", "kimeno"})
_CREDIT_MARKS = frozenset({"j", "jovairas", "c", "cr", "crdt", "credit", "kovetel", "be", "bejovo"})
_SUMMARY = re.compile(r"(nyito|zaro|kezdo|vegso)? ?egyenleg|osszesen|forgalom|opening balance|closing balance")
_AMOUNT_JUNK = re.compile(r"[\s\u00a0\u202f'’]|huf|ft|eur|usd|chf|gbp", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS_ONLY = re.compile(r"\d{1,3}[.,]\d{3}")
_ACCOUNT_IN_TEXT = re.compile(r"\b(HU\d{2}(?:[ -]?\d{4}){6}|\d{8}-\d{8}(?:-\d{8})?)\b")
_CURRENCY_IN_TEXT = re.compile(r"\b(HUF|EUR|USD|CHF|GBP)\b")


def _decimal_separator(samples: list[str]) -> str:
    """Hungarian exports use a decimal comma; a point followed by 1-2 digits betrays the other kind."""
    for sample in samples:
        value = _AMOUNT_JUNK.sub("", sample)
        if re.search(r"\.\d{1,2}$", value) and "," not in value:
            return "."
        if re.search(r",\d{1,2}$", value):
            return ","
    return ","


def parse_amount(text: str, decimal_separator: str, line: int | None) -> Decimal | None:
    """A signed amount as banks print it ("-1 234,00", "1.234,00", "(500)", "12 500 Ft"); None if empty.

    With both separators present the later one is the decimal mark; a lone separator followed by
    exactly three digits ("1.234") is read by the file's convention (`decimal_separator`)."""
    value = _AMOUNT_JUNK.sub("", text).replace("\u2212", "-")
    if not value:
        return None
    negative = False
    if value.startswith("(") and value.endswith(")"):
        value, negative = value[1:-1], True
    if value[:1] in ("+", "-"):
        value, negative = value[1:], negative or value[0] == "-"
    elif value[-1:] in ("+", "-"):
        value, negative = value[:-1], negative or value[-1] == "-"
    commas, points = value.count(","), value.count(".")
    if commas and points:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
    elif commas > 1:
        decimal = "."
    elif points > 1:
        decimal = ","
    elif commas or points:
        decimal = "," if commas else "."
        if _THOUSANDS_ONLY.fullmatch(value) and decimal != decimal_separator:
            decimal = decimal_separator
    else:
        decimal = decimal_separator
    value = value.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    if not _PLAIN_NUMBER.fullmatch(value):
        raise invalid_amount(text, line)
    amount = Decimal(value)
    return -amount if negative else amount


def _summary(cells: list[str], decimal_separator: str, line: int) -> tuple[str, Decimal | None] | None:
    """A preamble line or summary row ("Nyitó egyenleg;;1 234 567,00", "Összesen;…"): its kind
    ("opening", "closing", "other") and amount, or None for an ordinary row."""
    label = next((fold(c) for c in cells if c.strip()), "")
    if not _SUMMARY.match(label):
        return None
    kind = "other"
    if label.startswith(("nyito", "kezdo", "opening")):
        kind = "opening"
    elif label.startswith(("zaro", "vegso", "closing")):
        kind = "closing"
    for cell in reversed(cells):
        try:
            amount = parse_amount(cell, decimal_separator, line)
        except StatementError:
            continue
        if amount is not None:
            return kind, amount
    return kind, None


def _short_row(line: int) -> StatementError:
    return StatementError(
        "csv_bad_row", _("The row has fewer columns than the header; the file may be truncated."), line
    )


def parse_csv(data: bytes, progress: ProgressCallback | None = None) -> ParsedStatement:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    if looks_binary(text):
        raise StatementError("binary", _("The file is binary data, not a CSV export."), None)
    head = text[:200_000].split("\n")
    header_index, delimiter, _header, roles = find_header(head)
    columns = Columns(roles)
    preamble = head[:header_index]
    account_match = _ACCOUNT_IN_TEXT.search("\n".join(preamble))
    currency_match = _CURRENCY_IN_TEXT.search("\n".join(preamble))
    default_currency = currency_match.group(1) if currency_match else "HUF"
    balances: dict[str, Decimal] = {}
    for number, line in enumerate(preamble, 1):
        found = _summary(next(csv.reader([line], delimiter=delimiter), []), ",", number)
        if found and found[1] is not None:
            balances[found[0]] = found[1]

    body = text[sum(len(line) + 1 for line in head[: header_index + 1]) :]
    try:
        sample_rows = list(islice(csv.reader(io.StringIO(body), delimiter=delimiter), 500))
    except csv.Error:
        sample_rows = []  # reported with its line by the main loop below
    decimal_separator = _decimal_separator(
        [columns.get(row, role) for row in sample_rows for role in ("amount", "debit", "credit")]
    )
    total_lines = max(body.count("\n"), 1)
    lines: list[StatementLine] = []
    accounts: set[str] = set()
    # strict: an unclosed quotation mark must not swallow the rest of the file into one remittance
    reader = csv.reader(io.StringIO(body), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            line = header_index + 1 + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            entry = _row(row, columns, decimal_separator, default_currency, line, balances)
            if entry is not None:
                # An "all accounts" export mixes accounts; one statement is one account.
                accounts.add(normalise_iban(columns.get(row, "account")))
                if len(accounts - {""}) > 1 or entry.currency != (lines[0].currency if lines else entry.currency):
                    raise StatementError(
                        "multiple_accounts",
                        _("The file holds entries of several accounts or currencies. Please export one account."),
                        line,
                    )
                lines.append(entry)
                if progress is not None and len(lines) % PROGRESS_EVERY == 0:
                    progress(min(len(data), reader.line_num * len(data) // total_lines), len(data))
    except csv.Error:
        raise StatementError(
            "csv_bad_row",
            _("The CSV file is damaged (an unclosed quotation mark?)."),
            header_index + 1 + reader.line_num,
        ) from None
    if progress is not None:
        progress(len(data), len(data))

    own = next(iter(accounts - {""}), "")
    currency = lines[0].currency if lines else check_currency(default_currency, None)
    booked = [line.booking_date for line in lines]

    def minor(kind: str) -> int | None:
        return minor_units_or_error(balances[kind], currency, None) if kind in balances else None

    return ParsedStatement(
        format="csv",
        account_iban=own or normalise_iban(account_match.group(1) if account_match else ""),
        currency=currency,
        period_start=min(booked, default=None),
        period_end=max(booked, default=None),
        opening_balance=minor("opening"),
        closing_balance=minor("closing"),
        lines=lines,
    )


def _row(
    row: list[str],
    columns: Columns,
    decimal_separator: str,
    default_currency: str,
    line: int,
    balances: dict[str, Decimal],
) -> StatementLine | None:
    date_text = columns.get(row, "booking_date") or columns.get(row, "value_date")
    try:
        booking_date = parse_date(date_text)
    except ValueError:
        summary = _summary(row, decimal_separator, line)
        if summary is not None:
            if summary[0] != "other" and summary[1] is not None:
                balances[summary[0]] = summary[1]
            return None
        if len(row) < columns.width:
            raise _short_row(line) from None
        booking_date = date_or_error(date_text, line)
    if len(row) < columns.width:
        raise _short_row(line)
    value_text = columns.get(row, "value_date")
    value_date = date_or_error(value_text, line) if value_text else None
    currency = check_currency(columns.get(row, "currency") or default_currency, line)

    amount = parse_amount(columns.get(row, "amount"), decimal_separator, line)
    if amount is None:
        debit = parse_amount(columns.get(row, "debit"), decimal_separator, line)
        credit = parse_amount(columns.get(row, "credit"), decimal_separator, line)
        if debit and credit:
            raise StatementError("csv_bad_row", _("The row has both a debit and a credit amount."), line)
        if debit or (credit is None and debit is not None):
            amount = -abs(debit)
        elif credit is not None:
            amount = abs(credit)
        else:
            raise StatementError("bad_amount", _("The row has no amount."), line)
    elif "direction" in columns.roles:
        mark = columns.get(row, "direction")
        if fold(mark) in _DEBIT_MARKS or mark.strip() == "-":
            amount = -abs(amount)
        elif fold(mark) in _CREDIT_MARKS or mark.strip() == "+":
            amount = abs(amount)
        else:
            raise StatementError(
                "bad_indicator",
                format_lazy(_("“{value}” is not a debit/credit mark (T or J)."), value=mark[:20]),
                line,
            )
    end_to_end = columns.get(row, "end_to_end_id")
    return StatementLine(
        booking_date=booking_date,
        value_date=value_date,
        amount=minor_units_or_error(amount, currency, line),
        currency=currency,
        counterparty_name=collapse(columns.get(row, "name")),
        counterparty_iban=normalise_iban(columns.get(row, "iban")),
        remittance=columns.joined(row, "remittance"),
        end_to_end_id="" if end_to_end.upper() == "NOTPROVIDED" else end_to_end,
        bank_reference=columns.get(row, "bank_reference"),
    )
