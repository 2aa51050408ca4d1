"""What every statement parser returns, whatever the file format (camt.053, MT940, CSV).

Amounts are integers in the currency's minor unit (HUF has none in practice: 1 = 1 Ft; EUR
cents for a EUR account), credits positive and debits negative, so sums are exact.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

# ISO 4217 minor-unit exponents that differ from 2. HUF is 0 although ISO lists 2: the fillér
# is long gone, banks book whole forints, and the contract above says 1 = 1 Ft.
_EXPONENTS = {
    "HUF": 0,
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
_ACCOUNT_SEPARATORS = re.compile(r"[\s\-]+")
_HU_WEIGHTS = (9, 7, 3, 1)


def currency_exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit as used in `StatementLine.amount`."""
    return _EXPONENTS.get(currency, 2)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Exact conversion of a decimal amount to minor units; ValueError if it has finer decimals
    than the currency allows (e.g. 12.50 HUF), because silently rounding money is worse."""
    scaled = amount.scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} has more decimals than the currency allows")
    return int(scaled)


def _hungarian_block_ok(digits: str) -> bool:
    return sum(int(d) * _HU_WEIGHTS[i % 4] for i, d in enumerate(digits)) % 10 == 0


def hungarian_account_to_iban(digits: str) -> str:
    """A 16- or 24-digit Hungarian account number (GIRO/BBAN) as HU IBAN, "" if it is not one.

    Both blocks (bank+branch, account) carry a 9-7-3-1 weighted check digit; checking them
    keeps random 16/24-digit references from being mistaken for accounts."""
    if not digits.isdigit() or len(digits) not in (16, 24):
        return ""
    bban = digits.ljust(24, "0")
    if not (_hungarian_block_ok(bban[:8]) and _hungarian_block_ok(bban[8:])):
        return ""
    check = 98 - int(bban + "173000") % 97  # "HU00" moved to the end: H=17, U=30
    return f"HU{check:02d}{bban}"


@lru_cache(maxsize=16384)  # payers recur: a statement names the same accounts again and again
def normalise_iban(value: str) -> str:
    """The account form `StatementLine.counterparty_iban` and `ParsedStatement.account_iban` use.

    Spaces and hyphens are dropped and letters upper-cased; a Hungarian domestic account
    number (3x8 or 2x8 digits, valid check digits) becomes its HU IBAN, so the same account
    compares equal whichever way a bank wrote it. Anything else is kept in compact form."""
    compact = _ACCOUNT_SEPARATORS.sub("", value).upper()
    return hungarian_account_to_iban(compact) or compact


@dataclass(frozen=True)
class StatementLine:
    """One booked entry (camt.053 `Ntry`, MT940 `:61:` + `:86:`, one CSV row).

    A camt.053 batch entry whose transactions (`TxDtls`) add up to it gives one line per
    transaction, so that each payment of the batch can be matched on its own."""

    booking_date: date
    value_date: date | None
    amount: int  # minor units, credit > 0, debit < 0
    currency: str  # ISO 4217, e.g. "HUF"
    counterparty_name: str = ""
    counterparty_iban: str = ""  # normalised: no spaces, upper case; "" when unknown
    remittance: str = ""  # free-text remittance information (közlemény), whitespace collapsed
    end_to_end_id: str = ""  # EndToEndId / reference of the ordering party, "" or "NOTPROVIDED" dropped
    bank_reference: str = ""  # the bank's own id of the entry (AcctSvcrRef, MT940 bank reference)
    structured_reference: str = ""  # a creditor reference given in a structured field (CdtrRefInf), if any

    @property
    def fingerprint(self) -> str:
        """Stable identity of the entry across uploads of the same or an overlapping statement.

        The bank's reference identifies an entry when present; otherwise the booked facts do.
        (Two genuinely identical entries on one day without a bank reference are told apart
        by the caller with an occurrence counter.)"""
        if self.bank_reference:
            basis = f"ref|{self.bank_reference}|{self.booking_date.isoformat()}|{self.amount}"
        else:
            basis = "|".join(
                (
                    "facts",
                    self.booking_date.isoformat(),
                    str(self.amount),
                    self.currency,
                    self.counterparty_iban,
                    self.counterparty_name.casefold(),
                    self.remittance.casefold(),
                    self.end_to_end_id,
                )
            )
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class ParsedStatement:
    format: str  # "camt.053", "mt940" or "csv"
    account_iban: str  # the statement's own account, normalised ("" if the file does not say)
    currency: str
    statement_id: str = ""  # camt Stmt/Id, MT940 :20:/:28C:, "" for CSV
    period_start: date | None = None
    period_end: date | None = None
    opening_balance: int | None = None  # minor units
    closing_balance: int | None = None
    lines: list[StatementLine] = field(default_factory=list)
