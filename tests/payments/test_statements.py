"""Bank statement parsing: camt.053, MT940 and CSV exports of Hungarian banks, and hostile files.

The samples in `samples/` imitate real exports: an OTP-style camt.053.001.02 (batch entry,
pending entry, fee), a Raiffeisen-style camt.053.001.08 EUR account with two daily
statements, K&H-style MT940 in Windows-1250 with structured `:86:` sub-fields inside a SWIFT
envelope, Erste-style MT940 with labelled `:86:` lines, and CSV exports in cp1250
(OTP-style), UTF-8 with BOM (Erste-style debit/credit columns) and UTF-8 (T/J indicator).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.utils.functional import Promise
from django.utils.translation import override

from payments import statements
from payments.statements import StatementError, StatementLine, normalise_iban, parse_statement
from payments.statements.csv import parse_amount
from payments.statements.mt940_details import Details, parse_details
from payments.statements.values import parse_date

SAMPLES = Path(__file__).parent / "samples"
D20 = date(2026, 11, 20)
D19 = date(2026, 11, 19)
D21 = date(2026, 11, 21)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def refused(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as caught:
        parse_statement(data)
    return caught.value


# --- camt.053 ---------------------------------------------------------------------------------


def test_otp_camt053_v02_statement_header():
    # given an OTP-style camt.053.001.02 daily statement
    data = sample("otp_camt053_v02.xml")

    # when it is parsed
    statement = parse_statement(data, filename="otp_camt053_v02.xml")

    # then the statement's own account, period and balances are read
    assert statement.format == "camt.053"
    assert statement.account_iban == "HU95117840091549001200000000"
    assert statement.currency == "HUF"
    assert statement.statement_id == "2026-0225-HUF"
    assert (statement.period_start, statement.period_end) == (D20, D20)
    assert (statement.opening_balance, statement.closing_balance) == (8_412_350, 7_380_500)
    assert statement.opening_balance + sum(line.amount for line in statement.lines) == statement.closing_balance


def test_otp_camt053_v02_entries_batches_signs_and_remittance():
    # given the OTP-style statement: a credit with a two-line Ustrd, a debit with a structured
    # reference, a batch of three credits, a fee without details, a credit, and a pending entry
    data = sample("otp_camt053_v02.xml")

    # when it is parsed
    lines = parse_statement(data).lines

    # then each booked payment is one line; the batch is split per TxDtls; the pending one is left out
    assert lines == [
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=25_000,
            currency="HUF",
            counterparty_name="Kiss Péter",
            counterparty_iban="HU42117730161111101800000000",
            remittance="RF18 5390 0754 7034 parkolási díj 2026/11",
            end_to_end_id="KP-2026-11-PARK",
            bank_reference="OTP2026112000154871",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=-1_250_000,
            currency="HUF",
            counterparty_name="Hegyvidék Építő és Felújító Kft.",
            counterparty_iban="HU22103000021326547400000000",  # given as 10300002-13265474-00000000
            remittance="Számla 2026/0412 Csörsz utcai járda felújítása",
            end_to_end_id="",  # NOTPROVIDED
            bank_reference="OTP2026112000154872",
            structured_reference="RF50HEGY2026PARK77",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=12_000,
            currency="HUF",
            counterparty_name="Nagy Éva",
            counterparty_iban="HU15116000060000000048801232",
            remittance="Lakossági hulladékszállítás 2026 IV. negyedév",
            end_to_end_id="NE-SZEMETSZALLITAS-26",
            bank_reference="OTP2026112000154873-1",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=18_500,
            currency="HUF",
            counterparty_name="Tóth Gábor",
            counterparty_iban="HU83120101540123456500000000",  # given as a 16-digit Othr/Id
            remittance="rf19 2026hegy 0001234 ebédbefizetés Kőrösi Csoma",
            bank_reference="OTP2026112000154873-2",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=15_000,
            currency="HUF",
            counterparty_name="Horváth Zsuzsanna",
            counterparty_iban="HU82109180010000006200000000",
            remittance="Közterület-használati díj",
            bank_reference="OTP2026112000154873-3",
            structured_reference="RF18539007547034",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=-2_350,
            currency="HUF",
            remittance="Számlavezetési díj 2026. október",  # AddtlNtryInf: the fee has no RmtInf
            bank_reference="OTP2026112000154874",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D19,
            amount=150_000,
            currency="HUF",
            counterparty_name="Szabó Bálint",
            counterparty_iban="HU15104001265210874500000000",
            remittance="Építményadó 2026 II. félév adószám: 8412345678",
            end_to_end_id="SZB-EPITMENYADO-2026-2",
            bank_reference="OTP2026112000154875",
        ),
    ]


def test_raiffeisen_camt053_v08_eur_two_statements():
    # given a camt.053.001.08 file of a EUR account with two daily statements (Pty/Nm names,
    # BBAN account id, a booking DtTm, a batch in another currency, an INFO entry)
    data = sample("raiffeisen_camt053_v08.xml")

    # when it is parsed
    statement = parse_statement(data)

    # then the two statements make one, amounts are in cents, the foreign-currency batch stays whole
    assert statement.account_iban == "HU52120010080012345000100002"
    assert statement.currency == "EUR"
    assert statement.statement_id == "120010080012345000100002-20261118,120010080012345000100002-20261119"
    assert (statement.period_start, statement.period_end) == (date(2026, 11, 18), D19)
    assert (statement.opening_balance, statement.closing_balance) == (2_045_010, 2_216_976)
    assert statement.lines == [
        StatementLine(
            booking_date=date(2026, 11, 18),
            value_date=date(2026, 11, 18),
            amount=123_456,
            currency="EUR",
            counterparty_name="Stadt Oberursel (Taunus)",
            counterparty_iban="DE89370400440532013000",
            remittance="Testvérvárosi program 2026 / Städtepartnerschaft",
            end_to_end_id="OBU-PARTNER-2026-11",
            bank_reference="R2611180000917",
            structured_reference="RF381200345",  # "rf38 1200 345" normalised
        ),
        StatementLine(
            booking_date=D19,
            value_date=D19,
            amount=-8_990,
            currency="EUR",
            counterparty_name="Raiffeisen Bank Zrt.",
            remittance="Devizaszámla-vezetési díj",
            bank_reference="R2611190000021",
        ),
        StatementLine(
            booking_date=D19,
            value_date=D19,
            amount=57_500,
            currency="EUR",
            counterparty_name="Urząd Miasta Zakopane",
            counterparty_iban="PL61109010140000071219812874",
            remittance="Wymiana młodzieży / ifjúsági csere Szállásköltség",
            bank_reference="R2611190000022",
        ),
    ]


@pytest.mark.parametrize("version", ["001.02", "001.04", "001.06", "001.08", "001.13"])
def test_camt053_versions_are_recognised_by_namespace(version):
    # given the OTP statement under another camt.053 namespace version
    data = sample("otp_camt053_v02.xml").replace(b"camt.053.001.02", f"camt.053.{version}".encode())

    # when it is parsed
    statement = parse_statement(data)

    # then the same entries are read
    assert statement.format == "camt.053"
    assert [line.amount for line in statement.lines] == [25_000, -1_250_000, 12_000, 18_500, 15_000, -2_350, 150_000]


@pytest.mark.parametrize(
    ("namespace", "element", "message"),
    [
        ("camt.052.001.08", "BkToCstmrAcctRpt", "camt.052"),
        ("camt.054.001.02", "BkToCstmrDbtCdtNtfctn", "camt.054"),
    ],
)
def test_camt052_and_camt054_are_refused(namespace, element, message):
    # given an intraday report or a debit/credit notification instead of a statement
    data = (
        sample("otp_camt053_v02.xml")
        .replace(b"camt.053.001.02", namespace.encode())
        .replace(b"BkToCstmrStmt", element.encode())
    )

    # when it is parsed
    error = refused(data)

    # then it is refused with a message naming what it is
    assert error.code == "camt_wrong_message"
    assert message in str(error.message)


def test_other_iso20022_xml_is_refused():
    # given a payment initiation (pain.001) uploaded by mistake
    data = (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">'
        b"<CstmrCdtTrfInitn><GrpHdr><MsgId>1</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>"
    )

    # when it is parsed, then it is refused
    assert refused(data).code == "xml_not_camt"


_AUDIT: dict[str, list | None] = {"events": None}


def _audit(event: str, args: tuple) -> None:
    events = _AUDIT["events"]
    if events is not None and (event == "open" or event.startswith(("socket.", "urllib."))):
        events.append((event, str(args[0]) if args else ""))


sys.addaudithook(_audit)  # hooks cannot be removed: this one records only inside `with outside_access:`


class _OutsideAccess:
    """File opens and socket use by Python code while the `with` block runs."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def __enter__(self) -> _OutsideAccess:
        _AUDIT["events"] = self.events
        return self

    def __exit__(self, *exc_info) -> None:
        _AUDIT["events"] = None


@pytest.fixture
def outside_access(monkeypatch):
    # lxml reads files in C, out of the audit hooks' sight: make it fail loudly instead, to
    # prove a file with a DTD is refused before the body parser ever sees it.
    def must_not_run(*args, **kwargs):
        raise AssertionError("lxml must not parse a file with a DTD")

    monkeypatch.setattr("payments.statements.camt.secure_iterparse", must_not_run)
    return _OutsideAccess()


def test_xxe_file_is_refused_without_file_or_network_access(outside_access):
    # given a camt.053 with external entities pointing at /etc/passwd and a local URL
    data = sample("xxe_camt053.xml")

    # when it is parsed
    with outside_access:
        error = refused(data)

    # then it is refused at the DTD, before anything is resolved or read
    assert (error.code, error.line) == ("xml_forbidden", 2)
    assert outside_access.events == []


def test_billion_laughs_is_refused_quickly(outside_access):
    # given the classic exponential entity expansion
    data = sample("billion_laughs_camt053.xml")

    # when it is parsed
    started = time.monotonic()
    with outside_access:
        error = refused(data)

    # then it is refused at once, without expanding anything
    assert error.code == "xml_forbidden"
    assert time.monotonic() - started < 1
    assert outside_access.events == []


def test_quadratic_blowup_and_bare_doctype_are_refused(outside_access):
    # given an internal entity used many times, and a DOCTYPE without any entity
    blowup = (
        b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY a "' + b"x" * 50_000 + b'">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>'
        + b"&a;" * 50_000
        + b"</Id></Stmt></BkToCstmrStmt></Document>"
    )
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "camt.053.001.02.dtd">'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>'
    )

    # when they are parsed, then both are refused
    with outside_access:
        assert refused(blowup).code == "xml_forbidden"
        assert refused(doctype).code == "xml_forbidden"
    assert outside_access.events == []


def test_truncated_camt_is_refused_with_a_line():
    # given the OTP statement cut off in the middle of the batch entry
    data = sample("otp_camt053_v02.xml")
    data = data[: data.index(b"OTP2026112000154873-2")]

    # when it is parsed
    error = refused(data)

    # then it is refused as damaged XML, at the line where it ends
    assert error.code == "xml_malformed"
    assert error.line == data.count(b"\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "code", "line"),
    [
        (b'<Amt Ccy="HUF">25000.00</Amt>\n        <CdtDbtInd>', b"<CdtDbtInd>", "missing_element", 64),
        (
            b'<Amt Ccy="HUF">25000.00</Amt>\n        <CdtDbtInd>',
            b'<Amt Ccy="HUF">25 000,00</Amt><CdtDbtInd>',
            "bad_amount",
            64,
        ),
        (
            b'<Amt Ccy="HUF">25000.00</Amt>\n        <CdtDbtInd>',
            b'<Amt Ccy="HUF">25000.50</Amt><CdtDbtInd>',
            "bad_amount",
            64,
        ),
        (
            b'<Amt Ccy="HUF">25000.00</Amt>\n        <CdtDbtInd>',
            b'<Amt Ccy="Ft">25000</Amt><CdtDbtInd>',
            "bad_currency",
            64,
        ),
        (
            b"<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>BOOK</Sts>",
            b"<CdtDbtInd>C</CdtDbtInd><Sts>BOOK</Sts>",
            "bad_indicator",
            64,
        ),
        (b"<Dt>2026-11-20</Dt>\n        </BookgDt>", b"<Dt>2026-13-20</Dt></BookgDt>", "bad_date", 64),
        (b"<BookgDt>\n          <Dt>2026-11-20</Dt>\n        </BookgDt>", b"", "missing_element", 64),
        (b"<IBAN>HU95117840091549001200000000</IBAN>", b"", "missing_element", 20),
    ],
)
def test_camt_entry_errors_point_at_the_entry(old, new, code, line):
    # given the OTP statement with one field of its first entry (or its account) damaged
    data = sample("otp_camt053_v02.xml")
    assert old in data
    data = data.replace(old, new, 1)

    # when it is parsed
    error = refused(data)

    # then the error says what is wrong and where
    assert (error.code, error.line) == (code, line)


def test_camt_with_statements_of_two_accounts_is_refused():
    # given a file whose second statement belongs to another account
    data = sample("raiffeisen_camt053_v08.xml")
    second = data.rindex(b"<Othr><Id>12001008-00123450-00100002</Id>")
    data = data[:second] + data[second:].replace(b"12001008-00123450-00100002", b"11600006-00000000-12345676", 1)

    # when it is parsed, then it is refused
    assert refused(data).code == "multiple_accounts"


# --- MT940 ------------------------------------------------------------------------------------


def test_kh_mt940_cp1250_structured_details():
    # given a K&H-style MT940 in Windows-1250: two daily statements in SWIFT envelopes, `:86:`
    # with ?20-?2x remittance wrapped at 27 characters, ?31/?38 accounts, ?32/?33 names, SEPA keywords
    data = sample("kh_mt940.sta")

    # when it is parsed
    statement = parse_statement(data)

    # then both statements are read into one, with the Hungarian letters intact
    assert statement.format == "mt940"
    assert statement.account_iban == "HU74104021424950505600000000"  # :25:OKHBHUHB/1040214249505056…
    assert statement.currency == "HUF"
    assert statement.statement_id == "KH26111900012/00231/001,KH26112000013/00232/001"
    assert (statement.period_start, statement.period_end) == (D19, D20)
    assert (statement.opening_balance, statement.closing_balance) == (3_540_210, 3_284_110)
    assert statement.lines == [
        StatementLine(
            booking_date=D19,
            value_date=D19,
            amount=45_000,
            currency="HUF",
            counterparty_name="KISS PÉTER",
            counterparty_iban="HU42117730161111101800000000",
            remittance="RF18 5390 0754 7034 PARKOLÁSI DÍJ 2026/11",
            end_to_end_id="KP-2026-11-PARK",  # the :61: customer reference
            bank_reference="KH26111900001",
        ),
        StatementLine(
            booking_date=D19,
            value_date=D19,
            amount=-318_750,
            currency="HUF",
            counterparty_name="FŰTÉSTECHNIKA MOLNÁR ÉS TÁRSA KFT.",
            counterparty_iban="HU08117050082047123100000000",
            remittance="Számla 2026/0877 fűtéskorszerűsítés, Böszörményi út 18.",
            end_to_end_id="HEGY-UTAL-2026-0877",  # EREF+
            bank_reference="KH26111900002",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=12_000,
            currency="HUF",
            counterparty_name="NAGY ÉVA",
            counterparty_iban="HU15116000060000000048801232",
            remittance="Lakossági hulladékszállítás 2026 IV. negyedév",
            bank_reference="KH26112000001",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=-1_850,
            currency="HUF",
            remittance="Számlavezetési díj 2026. október",  # unstructured :86:
            bank_reference="KH26112000002",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=7_500,
            currency="HUF",
            counterparty_name="TÓTH GÁBOR",
            counterparty_iban="HU83120101540123456500000000",  # ?38
            remittance="rf19 2026 HEGY 0001 234 ebédbefizetés",
            bank_reference="KH26112000003",
        ),
    ]


def test_erste_mt940_labelled_details_and_reversal():
    # given an Erste-style MT940 in UTF-8 with labelled `:86:` lines, a multi-line remittance,
    # an entry without entry date and a reversed debit (RD)
    data = sample("erste_mt940.sta")

    # when it is parsed
    statement = parse_statement(data)

    # then the labels give name, account and remittance; RD is a credit
    assert statement.account_iban == "HU93116000060000000012345676"
    assert statement.statement_id == "ERSTE20261120/312"
    assert (statement.opening_balance, statement.closing_balance) == (12_500_000, 12_661_600)
    assert statement.lines == [
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=230_000,
            currency="HUF",
            counterparty_name="VARGA JÓZSEFNÉ",
            counterparty_iban="HU34117110412085730900000000",
            remittance="RF18 5390 0754 7034 bérleti díj 2026. november, Városmajor utca 12.",
            end_to_end_id="E2E-VARGANE-0001",
            bank_reference="GIBA261120001",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=-98_400,
            currency="HUF",
            counterparty_name="ELMŰ Hálózati Kft.",
            counterparty_iban="HU29102009712150874700000000",
            remittance="4012345678 sz. számla, Csörsz u. 18. közvilágítás",
            bank_reference="GIBA261120002",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=15_000,
            currency="HUF",
            remittance="Készpénzbefizetés a XII. ker. Polgármesteri Hivatal pénztárából",
            bank_reference="GIBA261120003",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=15_000,
            currency="HUF",
            counterparty_name="FŰTÉSTECHNIKA MOLNÁR ÉS TÁRSA KFT.",
            counterparty_iban="HU08117050082047123100000000",
            remittance="Téves terhelés visszaírása",
            bank_reference="GIBA261120004",
        ),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # sub-fields filled to 27 characters were cut mid-word and are glued back
        (
            "051?00ÁTUTALÁS?20KÖZTERÜLET-HASZNÁLATI DÍJ?21 2026/11?31HU42117730161111101800000000?32KISS PÉTER",
            Details("KISS PÉTER", "HU42117730161111101800000000", "KÖZTERÜLET-HASZNÁLATI DÍJ 2026/11"),
        ),
        (
            "?20Parkolási díjak, 2026. nove?21mber, Csörsz utca?3211773016-11111018",
            Details("11773016-11111018", "", "Parkolási díjak, 2026. november, Csörsz utca"),
        ),
        # ?38 (IBAN) wins over ?31 (domestic number); ?32 and ?33 make the name
        (
            "051?00ÁTUTALÁS?20ebéd?3111773016-11111018?32HORVÁTH?33ZSUZSANNA?38HU15116000060000000048801232",
            Details("HORVÁTH ZSUZSANNA", "HU15116000060000000048801232", "ebéd"),
        ),
        # labelled lines, a wrapped remittance
        (
            "PARTNER: NAGY ÉVA\nSZÁMLA: 11600006-00000000-48801232\nKÖZLEMÉNY: RF18 5390\n0754 7034",
            Details("NAGY ÉVA", "HU15116000060000000048801232", "RF18 5390 0754 7034"),
        ),
        # free text
        ("Kamatjóváírás\n2026. november", Details("", "", "Kamatjóváírás 2026. november")),
        ("", Details()),
    ],
)
def test_mt940_details_styles(raw, expected):
    # given an `:86:` field in one of the Hungarian banks' styles
    # when it is read
    details = parse_details(raw)

    # then name, account and remittance come out
    assert details == expected


def test_truncated_mt940_is_refused():
    # given the Erste MT940 cut off before its closing balance
    data = sample("erste_mt940.sta")
    data = data[: data.index(b":62F:")]

    # when it is parsed
    error = refused(data)

    # then it is refused as incomplete
    assert (error.code, error.line) == ("mt940_malformed", 1)


def test_mt940_unreadable_tag_is_refused_at_its_line():
    # given an Erste MT940 whose third entry has an impossible date
    data = sample("erste_mt940.sta").replace(b":61:2611201120C15000,00", b":61:2613201120C15000,00")

    # when it is parsed
    error = refused(data)

    # then the error points at that :61: line
    assert (error.code, error.line) == ("mt940_malformed", 15)


# --- CSV --------------------------------------------------------------------------------------


def test_otp_csv_cp1250_with_preamble_and_summary():
    # given an OTP-style CSV in Windows-1250: preamble with account and opening balance,
    # signed amounts with space thousands, a quoted ";" and a quoted two-line remittance,
    # a closing-balance row
    data = sample("otp_szamlatortenet_cp1250.csv")

    # when it is parsed
    statement = parse_statement(data)

    # then the entries, the account and the balances are read
    assert statement.format == "csv"
    assert statement.account_iban == "HU95117840091549001200000000"
    assert (statement.currency, statement.statement_id) == ("HUF", "")
    assert (statement.period_start, statement.period_end) == (date(2026, 11, 16), D20)
    assert (statement.opening_balance, statement.closing_balance) == (8_300_000, 7_237_650)
    assert statement.lines == [
        StatementLine(
            booking_date=date(2026, 11, 16),
            value_date=date(2026, 11, 16),
            amount=25_000,
            currency="HUF",
            counterparty_name="Kiss Péter",
            counterparty_iban="HU42117730161111101800000000",
            remittance="RF18 5390 0754 7034 parkolási díj",
            bank_reference="OTP2026111600153001",
        ),
        StatementLine(
            booking_date=date(2026, 11, 17),
            value_date=date(2026, 11, 17),
            amount=-1_250_000,
            currency="HUF",
            counterparty_name="Hegyvidék Építő és Felújító Kft.",
            counterparty_iban="HU22103000021326547400000000",
            remittance="Számla 2026/0412; Csörsz utcai járda",
            bank_reference="OTP2026111700153002",
        ),
        StatementLine(
            booking_date=date(2026, 11, 18),
            value_date=date(2026, 11, 18),
            amount=150_000,
            currency="HUF",
            counterparty_name="Szabó Bálint",
            remittance="Építményadó 2026 II. félév",
            bank_reference="OTP2026111800153003",
        ),
        StatementLine(
            booking_date=D19,
            value_date=D19,
            amount=15_000,
            currency="HUF",
            counterparty_name="Horváth Zsuzsanna",
            counterparty_iban="HU82109180010000006200000000",
            remittance="Közterület-használati díj RF18 5390 0754 7034",
            bank_reference="OTP2026111900153004",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=-2_350,
            currency="HUF",
            remittance="Számlavezetési díj 2026. október",
            bank_reference="OTP2026112000153005",
        ),
    ]


def test_erste_csv_utf8_bom_debit_and_credit_columns():
    # given an Erste-style CSV in UTF-8 with BOM: day-first dates, "1.234,00" amounts in separate
    # Terhelés/Jóváírás columns, a two-line remittance, no bank reference column
    data = sample("erste_tranzakciok_utf8bom.csv")

    # when it is parsed
    statement = parse_statement(data)

    # then debits are negative, credits positive
    fehér = StatementLine(
        booking_date=D21,
        value_date=D20,
        amount=7_500,
        currency="HUF",
        counterparty_name="Fehér Judit Éva",
        counterparty_iban="HU87107000242476420700000000",
        remittance="rf19 2026HEGY 0001234 ebéd",
    )
    assert statement.account_iban == ""
    assert (statement.opening_balance, statement.closing_balance) == (None, None)
    assert statement.lines == [
        StatementLine(
            booking_date=D21,
            value_date=D21,
            amount=230_000,
            currency="HUF",
            counterparty_name="Varga Józsefné",
            counterparty_iban="HU34117110412085730900000000",
            remittance="RF18 5390 0754 7034 bérleti díj 2026. november",
        ),
        StatementLine(
            booking_date=D21,
            value_date=D21,
            amount=-98_400,
            currency="HUF",
            counterparty_name="ELMŰ Hálózati Kft.",
            counterparty_iban="HU29102009712150874700000000",
            remittance="4012345678 sz. számla közvilágítás",
        ),
        fehér,
        fehér,
        StatementLine(
            booking_date=date(2026, 11, 22),
            value_date=date(2026, 11, 22),
            amount=1_000_000,
            currency="HUF",
            counterparty_name="Molnár Ágnes",
            counterparty_iban="HU08117050082047123100000000",
            remittance="Kutyaadó? nincs ilyen, ez parkolás",
        ),
    ]


def test_mbh_csv_tj_indicator_comma_separated():
    # given a comma-separated UTF-8 export with ISO dates, decimal points, a T/J column,
    # a bank reference and an end-to-end id column
    data = sample("mbh_export_tj.csv")

    # when it is parsed
    lines = parse_statement(data).lines

    # then T makes a debit and J a credit
    assert lines == [
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=15_000,
            currency="HUF",
            counterparty_name="Tóth Gábor",
            counterparty_iban="HU83120101540123456500000000",
            remittance="RF18 5390 0754 7034",
            end_to_end_id="TG-2026-0017",
            bank_reference="MBH20261120000017",
        ),
        StatementLine(
            booking_date=D20,
            value_date=D20,
            amount=-1_234_567,
            currency="HUF",
            counterparty_name="Fővárosi Vízművek Zrt.",
            counterparty_iban="HU46109180010000004031350017",
            remittance="Vízdíj 2026/10, Csörsz utca 18.",
            bank_reference="MBH20261120000018",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("-1 234,00", ",", "-1234.00"),
        ("1\u00a0234\u00a0567,50", ",", "1234567.50"),
        ("1.234,00", ",", "1234.00"),
        ("1.234.567", ",", "1234567"),
        ("1.234", ",", "1234"),
        ("1,234", ".", "1234"),
        ("1,234.50", ".", "1234.50"),
        ("12.50", ",", "12.50"),
        ("12 500 Ft", ",", "12500"),
        ("(500)", ",", "-500"),
        ("500-", ",", "-500"),
        ("\u221242", ",", "-42"),
        ("+7,5", ",", "7.5"),
        ("", ",", None),
    ],
)
def test_csv_amount_formats(text, decimal, expected):
    # given an amount as a Hungarian bank prints it
    # when it is read
    amount = parse_amount(text, decimal, 1)

    # then its value is exact
    assert (str(amount) if amount is not None else None) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026.11.21.",
        "2026.11.21",
        "2026. 11. 21.",
        "2026-11-21",
        "21.11.2026",
        "21.11.2026.",
        "20261121",
        "2026-11-21T10:22:13+01:00",
        "2026.11.21. 10:22",
    ],
)
def test_date_formats(text):
    # given a date as banks write it, when it is read, then it is 21 November 2026
    assert parse_date(text) == D21


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("Dátum;Összeg\n2026.11.21.;1 000\n2026.13.40.;2 000\n", "bad_date", 3),
        ("Dátum;Összeg\n2026.11.21.;1 000\n2026.11.22.;kétezer\n", "bad_amount", 3),
        ("Dátum;Összeg;Pénznem\n2026.11.21.;12,50;HUF\n", "bad_amount", 2),
        ("Dátum;T/J;Összeg\n2026.11.21.;X;1000\n", "bad_indicator", 2),
        ("Dátum;Terhelés;Jóváírás\n2026.11.21.;;\n", "bad_amount", 2),
        ("Dátum;Partner neve;Összeg;Közlemény\n2026.11.21.;Kiss Péter;1 000;ok\n2026.11.22.;Nagy", "csv_bad_row", 3),
        ('Dátum;Összeg;Közlemény\n2026.11.21.;1 000;"nincs vége\n', "csv_bad_row", 2),
        (
            "Számlaszám;Dátum;Összeg\n11773016-11111018;2026.11.21.;1\n11600006-00000000-48801232;2026.11.21.;2\n",
            "multiple_accounts",
            3,
        ),
        ("Név;Cím;Telefon\nKiss Péter;Csörsz u. 1.;+36 1 123 4567\n", "csv_no_header", None),
    ],
)
def test_csv_errors_point_at_the_row(text, code, line):
    # given a CSV export with one bad row (or no statement header at all)
    # when it is parsed
    error = refused(text.encode("utf-8"))

    # then the error says what and where
    assert (error.code, error.line) == (code, line)


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("erste_mt940.sta", lambda text: text.encode("cp852")),  # DOS Latin-2 of older bank systems
        ("erste_mt940.sta", lambda text: text.encode("cp1250")),
        ("mbh_export_tj.csv", lambda text: text.replace('","', '"\t"').encode("utf-16")),  # Excel "Unicode text"
        (
            "otp_camt053_v02.xml",
            lambda text: text.replace('encoding="UTF-8"', 'encoding="ISO-8859-2"').encode("iso-8859-2"),
        ),
    ],
)
def test_other_encodings_give_the_same_entries(name, encode):
    # given a sample re-encoded the way another bank system writes it
    original = parse_statement(sample(name))
    data = encode(sample(name).decode("utf-8-sig"))

    # when it is parsed
    statement = parse_statement(data)

    # then the same entries come out, accents included
    assert statement.lines == original.lines


# --- anything else ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"  \r\n\t\n", "empty"),
        (random.Random(7).randbytes(4096), "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "unknown_format"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "unknown_format"),
        (b"Kedves \xc3\x9cgyfel\xc3\xbcnk! A kivonat mell\xc3\xa9kelve.", "unknown_format"),
        (b"<html><body>Bejelentkez\xc3\xa9s</body></html>", "xml_not_camt"),
        (b"<Document", "xml_malformed"),
    ],
)
def test_garbage_empty_and_wrong_files_are_refused(data, code):
    # given something that is not a bank statement
    # when it is parsed, then it is refused with a code saying why
    assert refused(data).code == code


def test_oversized_file_is_refused_before_reading(monkeypatch):
    # given a size limit of 1 kB and a 2 kB statement
    monkeypatch.setattr("payments.statements.detect.MAX_STATEMENT_BYTES", 1024)

    # when it is parsed, then it is refused for its size alone
    assert refused(sample("mbh_export_tj.csv") * 4).code == "too_large"


def test_error_message_is_a_translatable_sentence():
    # given a refused file
    error = refused(b"")

    # then the message is a lazy translation with an English source text
    assert isinstance(error.message, Promise)
    with override("en"):
        assert str(error.message) == "The file is empty."
        assert str(error) == "empty: The file is empty."
    # and a Hungarian reader gets it in Hungarian
    with override("hu"):
        assert str(error.message) == "A fájl üres."


@pytest.mark.parametrize(
    "name",
    [
        "otp_camt053_v02.xml",
        "raiffeisen_camt053_v08.xml",
        "kh_mt940.sta",
        "erste_mt940.sta",
        "otp_szamlatortenet_cp1250.csv",
        "erste_tranzakciok_utf8bom.csv",
        "mbh_export_tj.csv",
    ],
)
def test_damaged_files_raise_only_statement_errors(name):
    # given a sample cut off at many places and with random bytes overwritten
    data = sample(name)
    rng = random.Random(name)
    variants = [data[: len(data) * i // 40] for i in range(40)]
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(3):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))

    # when each is parsed, then it is read or refused with a StatementError, nothing else
    for variant in variants:
        try:
            parse_statement(variant)
        except StatementError as error:
            assert error.code != "internal", (error, variant[:200])


# --- idempotency --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "otp_camt053_v02.xml",
        "raiffeisen_camt053_v08.xml",
        "kh_mt940.sta",
        "erste_mt940.sta",
        "otp_szamlatortenet_cp1250.csv",
        "erste_tranzakciok_utf8bom.csv",
        "mbh_export_tj.csv",
    ],
)
def test_same_file_twice_gives_the_same_fingerprints(name):
    # given a statement file uploaded twice
    data = sample(name)

    # when both uploads are parsed
    first, second = parse_statement(data), parse_statement(bytes(data))

    # then every entry has the same fingerprint both times
    assert [line.fingerprint for line in first.lines] == [line.fingerprint for line in second.lines]
    assert len(first.lines) > 0


def test_overlapping_camt_statements_share_fingerprints_of_shared_entries():
    # given the daily statement and a later one covering its last three entries and a new one
    daily = parse_statement(sample("otp_camt053_v02.xml"))
    later = parse_statement(sample("otp_camt053_v02_overlap.xml"))

    # when their fingerprints are compared
    shared = {line.fingerprint for line in daily.lines} & {line.fingerprint for line in later.lines}

    # then exactly the shared entries (the three batch payments, the fee, the tax) match
    assert shared == {line.fingerprint for line in daily.lines[2:]}
    assert later.lines[-1].fingerprint not in {line.fingerprint for line in daily.lines}


def test_overlapping_mt940_files_share_fingerprints_of_the_shared_day():
    # given two K&H files both holding the statement of 20 November
    first = parse_statement(sample("kh_mt940.sta"))
    second = parse_statement(sample("kh_mt940_next.sta"))

    # when their fingerprints are compared
    shared = {line.fingerprint for line in first.lines} & {line.fingerprint for line in second.lines}

    # then the three entries of 20 November match, nothing else
    assert shared == {line.fingerprint for line in first.lines if line.booking_date == D20}
    assert len(shared) == 3


def test_overlapping_csv_without_bank_reference_shares_fact_fingerprints():
    # given an Erste CSV and a later export of the same account repeating two of its rows
    # (exports without a bank reference: the booked facts identify an entry)
    first = parse_statement(sample("erste_tranzakciok_utf8bom.csv"))
    later = (
        "\ufeffDátum;Értéknap;Ellenoldali név;Ellenoldali számlaszám;Közlemény;Terhelés;Jóváírás;Devizanem\n"
        "22.11.2026;22.11.2026;Molnár Ágnes;11705008-20471231-00000000;Kutyaadó? nincs ilyen, ez parkolás;;1.000.000,00;HUF\n"
        "21.11.2026;21.11.2026;ELMŰ Hálózati Kft.;HU29 1020 0971 2150 8747 0000 0000;4012345678 sz. számla közvilágítás;98.400,00;;HUF\n"
        "23.11.2026;23.11.2026;Kiss Péter;11773016-11111018-00000000;parkolás;;5.000,00;HUF\n"
    ).encode()
    second = parse_statement(later)

    # when their fingerprints are compared
    shared = {line.fingerprint for line in first.lines} & {line.fingerprint for line in second.lines}

    # then the two repeated rows match despite different account spelling
    assert shared == {first.lines[1].fingerprint, first.lines[4].fingerprint}
    # and two genuinely identical rows share a fingerprint (the caller counts occurrences)
    assert first.lines[2].fingerprint == first.lines[3].fingerprint


# --- progress and helpers ---------------------------------------------------------------------


def _big_camt(entries: int) -> bytes:
    text = sample("otp_camt053_v02.xml").decode()
    head, rest = text.split("      <!-- 1:", 1)
    entry = "      <Ntry>" + rest.split("      <Ntry>", 2)[1]
    body = "".join(entry.replace("OTP2026112000154871", f"OTP{i:016d}") for i in range(entries))
    return (head + body + "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n").encode()


def _big_mt940(entries: int) -> bytes:
    entry = ":61:2611201120C1000,NTRFNONREF//KH{i:011d}\n:86:051?00ÁTUTALÁS?20parkolás {i}?32KISS PÉTER\n"
    body = "".join(entry.format(i=i) for i in range(entries))
    return f":20:KH1\n:25:HU74104021424950505600000000\n:28C:1\n:60F:C261119HUF0,\n{body}:62F:C261120HUF{entries * 1000},\n".encode()


def _big_csv(entries: int) -> bytes:
    rows = "".join(f"2026.11.20.;KH{i};Kiss Péter;-1 000,00;parkolás {i}\n" for i in range(entries))
    return ("Könyvelés dátuma;Tranzakció azonosító;Partner neve;Összeg;Közlemény\n" + rows).encode("cp1250")


@pytest.mark.parametrize("make", [_big_camt, _big_mt940, _big_csv])
def test_progress_is_reported_in_bytes(make):
    # given a statement of 2,500 entries
    data = make(2500)
    calls: list[tuple[int, int]] = []

    # when it is parsed with a progress callback
    statement = parse_statement(data, progress=lambda done, total: calls.append((done, total)))

    # then progress rises in bytes of the file towards the total, and ends at the total
    assert len(statement.lines) == 2500
    assert len(calls) >= 3
    assert all(total == len(data) for _done, total in calls)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    assert 0 < calls[0][0] < len(data)
    assert calls[-1] == (len(data), len(data))


def test_progress_callback_exception_cancels_the_parse():
    # given a progress callback that cancels, as an abandoned upload would
    class Cancelled(Exception):
        pass

    def cancel(done, total):
        raise Cancelled

    # when a large statement is parsed, then the callback's exception reaches the caller as it is
    with pytest.raises(Cancelled):
        parse_statement(_big_csv(1500), progress=cancel)


def test_unexpected_parser_failure_becomes_a_statement_error(monkeypatch):
    # given a parser with a bug
    def broken(data, progress):
        return {}["missing"]

    monkeypatch.setitem(statements._PARSERS, "csv", broken)

    # when a CSV is parsed
    error = refused(sample("mbh_export_tj.csv"))

    # then the clerk gets a StatementError, not a KeyError
    assert (error.code, error.line) == ("internal", None)
    assert isinstance(error.__cause__, KeyError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HU42 1177 3016 1111 1018 0000 0000", "HU42117730161111101800000000"),
        ("hu42117730161111101800000000", "HU42117730161111101800000000"),
        ("11773016-11111018-00000000", "HU42117730161111101800000000"),
        ("11773016-11111018", "HU42117730161111101800000000"),
        ("11773016-11111019", "1177301611111019"),  # bad check digit: kept, not turned into an IBAN
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("", ""),
    ],
)
def test_normalise_iban(value, expected):
    # given an account as banks write it, when normalised, then it has one form
    assert normalise_iban(value) == expected
