"""ISO 20022 camt.053 (BankToCustomerStatement), versions camt.053.001.02 to .001.13.

Safety: see `safexml` -- defusedxml refuses any DTD or entity before lxml reads the body.

Speed: iterparse hands over one `Ntry` at a time, which is read by walking its children
with pre-qualified tag names (no per-entry XPath), then cleared and dropped.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import StatementError
from .safexml import probe_xml, secure_iterparse
from .types import ParsedStatement, StatementLine, normalise_iban
from .values import (
    Progress,
    ProgressCallback,
    StatementPart,
    check_currency,
    collapse,
    date_or_error,
    decimal_text_to_minor,
    invalid_amount,
    merge_parts,
    normalise_reference,
)

_AMOUNT = re.compile(r"\d{1,18}(?:\.\d{1,5})?")
_OPENING_CODES = ("OPBD", "PRCD")
_CLOSING_CODES = ("CLBD",)
_TAGS = (
    "Acct AcctSvcrRef AddtlNtryInf AddtlTxInf Amt AmtDtls Bal BookgDt Cd CdOrPrtry Cdtr CdtrAcct CdtrRefInf "
    "CdtDbtInd Ccy Dbtr DbtrAcct Dt DtTm EndToEndId FrDtTm FrToDt IBAN Id Nm Ntry NtryDtls NtryRef "
    "Othr Prtry Pty Ref Refs RltdPties RmtInf Stmt Strd Sts ToDtTm Tp TxAmt TxDtls UltmtCdtr "
    "UltmtDbtr Ustrd ValDt"
).split()


def _missing(element: str, line: int | None) -> StatementError:
    return StatementError(
        "missing_element", format_lazy(_("The mandatory element {element} is missing."), element=element), line
    )


class _Tags:
    """Clark-notation tag names of one namespace, so lookups need no namespace resolution."""

    def __init__(self, namespace: str) -> None:
        for name in _TAGS:
            setattr(self, name, f"{{{namespace}}}{name}" if namespace else name)


def _kids(elem) -> dict:
    """First child per tag: one pass over the children instead of one search per field."""
    found: dict = {}
    for child in elem:
        found.setdefault(child.tag, child)
    return found


def _dig(elem, *path: str):
    """The first element at a child path below `elem` (which may be None), or None."""
    for tag in path:
        if elem is None:
            return None
        elem = next(elem.iterchildren(tag), None)
    return elem


def _text(elem) -> str:
    return (elem.text or "").strip() if elem is not None else ""


@dataclass
class _Tx:
    amount: int | None  # signed minor units, None when not given in the account currency
    name: str
    iban: str
    remittance: str
    structured: str
    end_to_end: str
    bank_reference: str


class _Reader:
    def __init__(self, namespace: str, progress: Progress) -> None:
        self.t = _Tags(namespace)
        self.progress = progress
        self.statements: list[StatementPart] = []
        self.current: StatementPart | None = None

    # --- amounts, dates, parties -------------------------------------------------------------

    def _amount(self, amt, fallback_currency: str, line: int | None) -> tuple[int, str]:
        """Unsigned minor units and currency of an `Amt`-like element."""
        currency = check_currency(amt.get("Ccy") or fallback_currency, line)
        text = (amt.text or "").strip()
        if not _AMOUNT.fullmatch(text):
            raise invalid_amount(text, line)
        return decimal_text_to_minor(text, currency, line), currency

    def _sign(self, indicator_elem, line: int | None, *, required: bool = True) -> int:
        indicator = _text(indicator_elem)
        if indicator == "CRDT":
            return 1
        if indicator == "DBIT":
            return -1
        if not indicator and not required:
            return 0
        raise StatementError(
            "bad_indicator",
            format_lazy(_("“{value}” is not a credit/debit indicator (CRDT or DBIT)."), value=indicator[:20]),
            line,
        )

    def _date(self, elem, what: str, line: int | None) -> date | None:
        """A `BookgDt`/`ValDt`/`Bal/Dt` choice of `Dt` or `DtTm`; None if the element is absent."""
        if elem is None:
            return None
        text = _text(_dig(elem, self.t.Dt)) or _text(_dig(elem, self.t.DtTm))
        if not text:
            raise _missing(f"{what}/Dt", line)
        return date_or_error(text, line)

    def _account(self, acct) -> str:
        ident = _dig(acct, self.t.Id)
        if ident is None:
            return ""
        return normalise_iban(_text(_dig(ident, self.t.IBAN)) or _text(_dig(ident, self.t.Othr, self.t.Id)))

    def _party_name(self, party) -> str:
        if party is None:
            return ""
        # camt.053.001.02-.07 write Dbtr/Nm, .08 and later Dbtr/Pty/Nm.
        kids = _kids(party)
        return collapse(_text(kids.get(self.t.Nm)) or _text(_dig(kids.get(self.t.Pty), self.t.Nm)))

    def _header(self, stmt) -> StatementPart:
        t = self.t
        line = stmt.sourceline
        kids = _kids(stmt)
        acct = kids.get(t.Acct)
        if acct is None:
            raise _missing("Acct", line)
        result = StatementPart(id=_text(kids.get(t.Id)), iban=self._account(acct))
        if not result.iban:
            raise _missing("Acct/Id", acct.sourceline)
        result.currency = _text(_dig(acct, t.Ccy))
        for bal in stmt.iterchildren(t.Bal):
            code = _text(_dig(bal, t.Tp, t.CdOrPrtry, t.Cd)) or _text(_dig(bal, t.Tp, t.CdOrPrtry, t.Prtry))
            bal_kids = _kids(bal)
            if t.Amt not in bal_kids:
                raise _missing("Bal/Amt", bal.sourceline)
            amount, currency = self._amount(bal_kids[t.Amt], result.currency, bal.sourceline)
            result.currency = result.currency or currency
            signed = amount * self._sign(bal_kids.get(t.CdtDbtInd), bal.sourceline)
            when = self._date(bal_kids.get(t.Dt), "Bal/Dt", bal.sourceline)
            if code in _OPENING_CODES and result.opening is None:
                # OPBD is dated the statement day; PRCD the previous day's close.
                result.opening, result.start = signed, (when if code == "OPBD" else None)
            elif code in _CLOSING_CODES:
                result.closing, result.end = signed, when
        period = kids.get(t.FrToDt)
        if period is not None:
            start, end = _text(_dig(period, t.FrDtTm)), _text(_dig(period, t.ToDtTm))
            result.start = date_or_error(start, period.sourceline) if start else result.start
            result.end = date_or_error(end, period.sourceline) if end else result.end
        if result.currency:
            result.currency = check_currency(result.currency, acct.sourceline)
        return result

    # --- entries -------------------------------------------------------------------------------

    def _tx(self, tx, entry_sign: int, currency: str) -> _Tx:
        t = self.t
        line = tx.sourceline
        kids = _kids(tx)
        sign = self._sign(kids.get(t.CdtDbtInd), line, required=False) or entry_sign
        amount = None
        # AmtDtls/TxAmt is in the account's currency (.02); TxDtls/Amt exists from .04 on.
        amt = _dig(kids.get(t.AmtDtls), t.TxAmt, t.Amt)
        amt = kids.get(t.Amt) if amt is None else amt
        if amt is not None:
            value, tx_currency = self._amount(amt, currency, line)
            amount = sign * value if tx_currency == currency else None
        name = iban = ""
        parties = kids.get(t.RltdPties)
        if parties is not None:
            # For a credit the payer (debtor) is the counterparty, for a debit the payee.
            party_kids = _kids(parties)
            party, account, ultimate = (
                (t.Dbtr, t.DbtrAcct, t.UltmtDbtr) if sign > 0 else (t.Cdtr, t.CdtrAcct, t.UltmtCdtr)
            )
            name = self._party_name(party_kids.get(party)) or self._party_name(party_kids.get(ultimate))
            iban = self._account(party_kids.get(account))
        unstructured: list[str] = []
        structured = ""
        for rmt in tx.iterchildren(t.RmtInf):
            for part in rmt:
                if part.tag == t.Ustrd:
                    unstructured.append(part.text or "")
                elif part.tag == t.Strd and not structured:
                    structured = _text(_dig(part, t.CdtrRefInf, t.Ref))
        refs = _kids(kids[t.Refs]) if t.Refs in kids else {}
        end_to_end = _text(refs.get(t.EndToEndId))
        return _Tx(
            amount=amount,
            name=name,
            iban=iban,
            # Fees and interest carry no remittance; the bank's note on them is the next best thing.
            remittance=collapse(" ".join(unstructured)) or collapse(_text(kids.get(t.AddtlTxInf))),
            structured=normalise_reference(structured),
            end_to_end="" if end_to_end.upper() == "NOTPROVIDED" else end_to_end,
            bank_reference=_text(refs.get(t.AcctSvcrRef)),
        )

    def entry(self, ntry) -> None:
        t = self.t
        line = ntry.sourceline
        if self.current is None:
            # The header elements (Id, Acct, Bal, FrToDt) all precede the first Ntry.
            self.current = self._header(ntry.getparent())
        kids = _kids(ntry)
        status_elem = kids.get(t.Sts)
        # .02-.07: <Sts>BOOK</Sts>; .08 and later: <Sts><Cd>BOOK</Cd></Sts>.
        status = _text(status_elem) or _text(_dig(status_elem, t.Cd)) or _text(_dig(status_elem, t.Prtry))
        if status and status.upper() not in ("BOOK", "BOOKED"):
            return  # pending or information-only entries are not bookings
        if t.Amt not in kids:
            raise _missing("Ntry/Amt", line)
        amount, currency = self._amount(kids[t.Amt], self.current.currency, line)
        sign = self._sign(kids.get(t.CdtDbtInd), line)
        booking_date = self._date(kids.get(t.BookgDt), "BookgDt", line)
        if booking_date is None:
            raise _missing("Ntry/BookgDt", line)
        value_date = self._date(kids.get(t.ValDt), "ValDt", line)
        entry_reference = _text(kids.get(t.AcctSvcrRef)) or _text(kids.get(t.NtryRef))
        txs = [
            self._tx(tx, sign, currency)
            for details in ntry.iterchildren(t.NtryDtls)
            for tx in details.iterchildren(t.TxDtls)
        ]
        parts: list[tuple[_Tx, int, str]]
        if len(txs) > 1 and all(tx.amount is not None for tx in txs) and sum(tx.amount for tx in txs) == sign * amount:
            # A batch entry: one line per transaction, so each payment can be matched on its own.
            own_refs = [tx.bank_reference for tx in txs]
            unique = all(own_refs) and len(set(own_refs)) == len(own_refs)
            parts = [
                (tx, tx.amount, own_refs[i] if unique else (f"{entry_reference}/{i + 1}" if entry_reference else ""))
                for i, tx in enumerate(txs)
            ]
        elif len(txs) == 1:
            parts = [(txs[0], sign * amount, entry_reference or txs[0].bank_reference)]
        else:
            # No details, or details that do not add up to the entry: the entry as a whole.
            same = {(tx.name, tx.iban) for tx in txs}
            structured = {tx.structured for tx in txs} - {""}
            merged = _Tx(
                None,
                *(same.pop() if len(same) == 1 else ("", "")),
                remittance=collapse(" ".join(tx.remittance for tx in txs)),
                structured=structured.pop() if len(structured) == 1 else "",
                end_to_end="",
                bank_reference="",
            )
            parts = [(merged, sign * amount, entry_reference)]
        if len(parts) == 1 and not parts[0][0].remittance and not parts[0][0].structured:
            # Fees and interest carry no remittance; the bank's note on the entry is the next best thing.
            parts = [(replace(parts[0][0], remittance=collapse(_text(kids.get(t.AddtlNtryInf)))), *parts[0][1:])]
        self.current.lines.extend(
            StatementLine(
                booking_date=booking_date,
                value_date=value_date,
                amount=tx_amount,
                currency=currency,
                counterparty_name=tx.name,
                counterparty_iban=tx.iban,
                remittance=tx.remittance,
                end_to_end_id=tx.end_to_end,
                bank_reference=reference,
                structured_reference=tx.structured,
            )
            for tx, tx_amount, reference in parts
        )

    def statement_end(self, stmt) -> None:
        statement = self.current or self._header(stmt)
        self.current = None
        if not statement.currency:
            if not statement.lines:
                raise _missing("Acct/Ccy", stmt.sourceline)
            statement.currency = statement.lines[0].currency
        self.statements.append(statement)


def parse_camt(data: bytes, progress: ProgressCallback | None = None) -> ParsedStatement:
    namespace, _message = probe_xml(data)
    reader = _Reader(namespace, Progress(progress, len(data)))
    stream = io.BytesIO(data)
    t = reader.t
    context = secure_iterparse(stream, (t.Ntry, t.Stmt))
    checked = False
    try:
        for _event, elem in context:
            if not checked:
                # Belt and braces: the probe already refused any DTD.
                if elem.getroottree().docinfo.doctype:
                    raise StatementError("xml_forbidden", _("The XML file contains a document type declaration."), 1)
                checked = True
            if elem.tag == t.Ntry:
                reader.entry(elem)
                reader.progress.entry(stream.tell)
                previous = elem.getprevious()
                elem.clear()
                if previous is not None and previous.tag == t.Ntry:
                    elem.getparent().remove(previous)
            else:
                reader.statement_end(elem)
                elem.clear()
    except etree.XMLSyntaxError as exc:
        raise StatementError(
            "xml_malformed", _("The file is not well-formed XML (it may be truncated or damaged)."), exc.lineno
        ) from None
    except etree.LxmlError:
        raise StatementError("xml_malformed", _("The XML file could not be read."), None) from None
    if not reader.statements:
        raise _missing("Stmt", None)
    reader.progress.finish()
    return merge_parts("camt.053", reader.statements)
