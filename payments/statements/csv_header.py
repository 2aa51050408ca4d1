"""Finding the columns of a bank's CSV export from its header row.

Column names differ per bank and per export screen, so each role (booking date, amount,
counterparty…) has a list of names, compared case- and accent-insensitively.
"""

from __future__ import annotations

import csv
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from .errors import StatementError
from .values import collapse

_HEADER_SEARCH_LINES = 30
_DELIMITERS = (";", "\t", ",", "|")
# Header names, compared after `fold()` (case-folded, accents dropped, punctuation as spaces).
_ROLES: dict[str, tuple[str, ...]] = {
    "booking_date": (
        "konyveles datuma",
        "konyvelesi datum",
        "konyveles napja",
        "konyvelesi nap",
        "konyveles",
        "konyvelt datum",
        "datum",
        "tranzakcio datuma",
        "teljesites datuma",
        "booking date",
        "posting date",
        "date",
    ),
    "value_date": ("erteknap", "erteknap datuma", "erteknapja", "ertek nap", "value date"),
    "amount": (
        "osszeg",
        "tranzakcio osszege",
        "konyvelt osszeg",
        "osszeg huf",
        "osszeg ft",
        "amount",
        "transaction amount",
    ),
    "debit": ("terheles", "terheles osszege", "terhelesek", "tartozik", "debit", "debit amount"),
    "credit": ("jovairas", "jovairas osszege", "jovairasok", "kovetel", "credit", "credit amount"),
    "direction": ("t j", "j t", "tj", "terheles jovairas", "jovairas terheles", "irany", "d c", "c d"),
    "currency": ("penznem", "devizanem", "deviza", "valuta", "currency"),
    "name": (
        "partner neve",
        "partner nev",
        "partner",
        "partner megnevezese",
        "ellenoldali nev",
        "ellenoldali partner",
        "ellenoldali partner neve",
        "ellenoldali szamlatulajdonos",
        "ellenfel neve",
        "kedvezmenyezett neve",
        "befizeto neve",
        "kedvezmenyezett befizeto neve",
        "befizeto kedvezmenyezett neve",
        "counterparty",
        "counterparty name",
        "nev",
    ),
    "iban": (
        "partner szamlaszama",
        "partner szamlaszam",
        "partner szamla",
        "partner iban",
        "ellenoldali szamlaszam",
        "ellenoldali szamla",
        "ellenoldali iban",
        "ellenszamla",
        "ellenszamla szama",
        "ellenoldali szamlaszama",
        "kedvezmenyezett szamlaszama",
        "befizeto szamlaszama",
        "counterparty account",
        "counterparty iban",
    ),
    "remittance": ("kozlemeny", "kozlemenyek", "kozl", "remittance", "remittance information"),
    "bank_reference": (
        "tranzakcio azonosito",
        "tranzakcioazonosito",
        "tranzakcio azonositoja",
        "tranzakcio id",
        "tranzakcioszam",
        "tranzakcio szama",
        "banki azonosito",
        "banki referencia",
        "konyvelesi azonosito",
        "azonosito",
        "referencia",
        "bank reference",
        "transaction id",
        "reference",
    ),
    "end_to_end_id": (
        "end to end azonosito",
        "e2e azonosito",
        "end to end id",
        "end to end",
        "e2e",
        "vegponttol vegpontig azonosito",
        "vegpontok kozotti azonosito",
    ),
    "account": ("szamlaszam", "sajat szamlaszam", "sajat szamla", "szamla", "iban", "account", "account number"),
}
# alias -> (role, priority): when two columns claim a role, the earlier alias in the list wins.
_ROLE_OF = {alias: (role, rank) for role, aliases in _ROLES.items() for rank, alias in enumerate(aliases)}
_REMITTANCE_NUMBERED = re.compile(r"kozlemeny \d{1,2}")


def fold(header: str) -> str:
    """Case-folded, accents dropped, punctuation as single spaces: "Könyvelés dátuma" -> "konyveles datuma"."""
    folded = unicodedata.normalize("NFKD", header.casefold())
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


def clean(cell: str) -> str:
    cell = cell.strip()
    if cell.startswith('="') and cell.endswith('"'):  # Excel's way of keeping leading zeros
        cell = cell[2:-1]
    return cell.strip()


def roles_of(cells: list[str]) -> dict[str, list[int]]:
    """Column indexes per role, the best-named column first (remittance columns in file order)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for index, cell in enumerate(cells):
        name = fold(cell)
        role, rank = _ROLE_OF.get(name) or (("remittance", 99) if _REMITTANCE_NUMBERED.fullmatch(name) else ("", 0))
        if role:
            found.setdefault(role, []).append((rank, index))
    return {role: [index for _rank, index in sorted(ranked)] for role, ranked in found.items()}


def _usable(roles: dict[str, list[int]]) -> bool:
    has_date = "booking_date" in roles or "value_date" in roles
    return has_date and ("amount" in roles or ("debit" in roles and "credit" in roles))


def find_header(lines: list[str]) -> tuple[int, str, list[str], dict[str, list[int]]]:
    best: tuple[int, int, str, list[str], dict[str, list[int]]] | None = None
    for number, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        for delimiter in _DELIMITERS:
            if delimiter not in line:
                continue
            cells = next(csv.reader([line], delimiter=delimiter))
            roles = roles_of(cells)
            score = sum(len(indexes) for indexes in roles.values())
            if _usable(roles) and (best is None or score > best[0]):
                best = (score, number, delimiter, cells, roles)
    if best is None:
        raise StatementError(
            "csv_no_header",
            _(
                "No header row with the expected columns (booking date, amount, …) was found, so this is "
                "not a bank statement export that can be read."
            ),
            None,
        )
    return best[1:]


class Columns:
    """Cell access by role for one header layout."""

    def __init__(self, roles: dict[str, list[int]]) -> None:
        self.roles = roles
        # A row must reach its date and amount; trailing optional cells may be left out.
        amounts = roles.get("amount") or sorted(roles.get("debit", []) + roles.get("credit", []))
        dates = roles.get("booking_date") or roles.get("value_date")
        self.width = max(dates[0], amounts[0]) + 1

    def get(self, row: list[str], role: str) -> str:
        indexes = self.roles.get(role)
        return clean(row[indexes[0]]) if indexes and indexes[0] < len(row) else ""

    def joined(self, row: list[str], role: str) -> str:
        return collapse(" ".join(clean(row[i]) for i in self.roles.get(role, ()) if i < len(row)))
