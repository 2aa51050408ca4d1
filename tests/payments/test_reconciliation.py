"""Finance clerks upload bank statements; incoming transfers are matched to orders, booked once,
and what the matcher cannot decide waits in a review queue for a clerk.

The import job is run directly (as the worker would run it) after the upload's commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from eservices.cases.models import Case, CaseStatus, Step
from payments.matching import REASON_TEXTS
from payments.models import (
    Allocation,
    BankStatement,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StatementLine,
)
from payments.reconciliation import (
    allocation_undo,
    line_fingerprints,
    line_ignore,
    line_match_manual,
    statement_upload,
    suggestion_confirm,
)
from payments.reconciliation.importing import _Progress
from payments.reconciliation.texts import KNOWN_CODES, reason_text
from payments.references import reference_format
from payments.services import order_for_case_ensure
from payments.statement_tasks import bank_statement_import
from payments.statements import parse_statement
from tests.eservices.test_case_pipeline import run
from tests.factories import ResidentProfileFactory, UserFactory
from tests.payments.test_orders import FEE, finance_clerk, paid_service, staff_client, waiting_case  # noqa: F401

pytestmark = [pytest.mark.django_db]

SAMPLES = Path(__file__).parent / "samples"
ACCOUNT = "HU95117840091549001200000000"  # the OTP account of the samples
DAY = date(2026, 11, 20)
State = StatementLine.MatchState
BASE = "/admin/bank-statements"


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # the pages are read in English here, whatever the Hungarian catalogue holds by now
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def clerk_of_finance(finance_clerk):  # noqa: F811
    return finance_clerk


# --- helpers ------------------------------------------------------------------------------------


@dataclass
class Entry:
    amount: int
    text: str = ""
    name: str = "Kovács Anna"
    iban: str = ""
    ref: str = ""
    structured: str = ""
    day: date = DAY


def camt(entries: list[Entry], *, statement_id: str = "T-1", account: str = ACCOUNT) -> bytes:
    """A camt.053.001.02 statement holding `entries` (debits have negative amounts)."""
    body = []
    for number, entry in enumerate(entries, start=1):
        iban = f"<DbtrAcct><Id><IBAN>{entry.iban}</IBAN></Id></DbtrAcct>" if entry.iban else ""
        structured = (
            f"<Strd><CdtrRefInf><Ref>{escape(entry.structured)}</Ref></CdtrRefInf></Strd>" if entry.structured else ""
        )
        body.append(
            f"""<Ntry><Amt Ccy="HUF">{abs(entry.amount)}.00</Amt><CdtDbtInd>{"CRDT" if entry.amount > 0 else "DBIT"}</CdtDbtInd>
<Sts>BOOK</Sts><BookgDt><Dt>{entry.day.isoformat()}</Dt></BookgDt><ValDt><Dt>{entry.day.isoformat()}</Dt></ValDt>
<AcctSvcrRef>{entry.ref or f"{statement_id}-{number:06d}"}</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{escape(entry.name)}</Nm></Dbtr>{iban}</RltdPties>
<RmtInf><Ustrd>{escape(entry.text)}</Ustrd>{structured}</RmtInf></TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-11-21T05:00:00+01:00</CreDtTm></GrpHdr>
<Stmt><Id>{statement_id}</Id><CreDtTm>2026-11-21T05:00:00+01:00</CreDtTm>
<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>HUF</Ccy></Acct>
{"".join(body)}
</Stmt></BkToCstmrStmt></Document>""".encode()


_numbers = iter(range(1, 1_000_000))


def order_for(resident, service, amount: int = FEE) -> Order:
    """An order awaiting payment for a case stopped at the payment step (no outside system)."""
    case = Case.objects.create(
        reference=f"HV-T-{next(_numbers):06d}",
        service_type=service,
        applicant=resident,
        status=CaseStatus.AWAITING_PAYMENT,
        step=Step.AWAIT_PAYMENT,
        verification_token=secrets.token_urlsafe(32),
        submitted_at=timezone.now(),
    )
    order = order_for_case_ensure(case=case)
    if amount != order.amount:
        Order.objects.filter(pk=order.pk).update(amount=amount)
        order.refresh_from_db()
    return order


def imported(data: bytes, user, capture, *, name: str = "kivonat.xml", account: str = "") -> BankStatement:
    """Upload a file as the clerk, then run the import job as the worker would, committing both."""
    with capture(execute=True):
        statement = statement_upload(
            uploaded_file=SimpleUploadedFile(name, data), user=user, account_iban=account, language="en"
        )
    with capture(execute=True):
        bank_statement_import(statement.pk, "en")
    statement.refresh_from_db()
    return statement


def states(statement: BankStatement) -> list[str]:
    return list(statement.lines.order_by("booking_date", "pk").values_list("match_state", flat=True))


def typo(reference: str) -> str:
    """The reference with its last digit changed: invalid, one substitution away."""
    last = reference[-1]
    return reference[:-1] + ("1" if last != "1" else "2")


# --- upload of every sample format ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "account", "total", "expected_states"),
    [
        (
            "otp_camt053_v02.xml",
            "",
            7,
            ["unmatched", "ignored", "unmatched", "unmatched", "unmatched", "ignored", "unmatched"],
        ),
        ("raiffeisen_camt053_v08.xml", "", 3, ["unmatched", "ignored", "unmatched"]),
        ("kh_mt940.sta", "", 5, ["unmatched", "ignored", "unmatched", "ignored", "unmatched"]),
        ("erste_mt940.sta", "", 4, ["unmatched", "ignored", "unmatched", "unmatched"]),
        ("otp_szamlatortenet_cp1250.csv", "", 5, ["unmatched", "ignored", "unmatched", "unmatched", "ignored"]),
        (
            "erste_tranzakciok_utf8bom.csv",
            "HU93 1160 0006 0000 0000 1234 5676",
            5,
            ["unmatched", "ignored", "unmatched", "unmatched", "unmatched"],
        ),
        ("mbh_export_tj.csv", "HU93116000060000000012345676", 2, ["unmatched", "ignored"]),
    ],
)
def test_clerk_uploads_each_sample_format_and_its_lines_are_stored(
    sample, account, total, expected_states, clerk_of_finance, broker, django_capture_on_commit_callbacks
):
    client = staff_client(clerk_of_finance)
    data = (SAMPLES / sample).read_bytes()
    # when the clerk uploads the file on the upload page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/upload/", {"file": SimpleUploadedFile(sample, data), "account_iban": account})
    # then the file is stored with its hash and the import job is sent after commit
    statement = BankStatement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/statement/{statement.pk}/"
    assert (statement.file_name, statement.file_size, statement.state) == (sample, len(data), "processing")
    assert statement.file_sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert statement.uploaded_by == clerk_of_finance
    assert broker.queues["statements"].qsize() == 1
    # when the worker runs the job
    with django_capture_on_commit_callbacks(execute=True):
        bank_statement_import(statement.pk, "en")
    # then every entry is stored once; debits are set aside, credits wait for a clerk (no order is open)
    statement.refresh_from_db()
    assert (statement.state, statement.progress, statement.lines_total) == ("done", 100, total)
    assert (statement.lines_new, statement.lines_duplicate) == (total, 0)
    assert statement.account_iban == (parse_statement(data).account_iban or account.replace(" ", ""))
    assert states(statement) == expected_states
    assert Payment.objects.count() == 0
    # and the statement page shows the result, the lines, and no progress bar any more
    page = client.get(f"{BASE}/statement/{statement.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<progress" not in html and sample in html
    assert f"{total} read, {total} new, 0 already stored" in html
    assert html.count(f'href="{BASE}/line/') == total


# --- automatic matching ---------------------------------------------------------------------------


def test_exact_reference_is_booked_and_the_case_resumes(
    waiting_case,  # noqa: F811
    clerk_of_finance,
    broker,
    django_capture_on_commit_callbacks,
):
    order = Order.objects.get(case=waiting_case)
    data = camt(
        [Entry(FEE, f"parkolási díj {reference_format(order.reference)}", name="SZUCS LEVENTE"), Entry(-2350, "díj")]
    )
    # when the statement quoting the order's reference is imported
    statement = imported(data, clerk_of_finance, django_capture_on_commit_callbacks)
    # then the credit is matched automatically and the debit set aside
    assert states(statement) == [State.AUTO, State.IGNORED]
    line = statement.lines.get(match_state=State.AUTO)
    allocation = Allocation.objects.get()
    assert (allocation.line, allocation.order, allocation.amount, allocation.automatic) == (line, order, FEE, True)
    assert allocation.score == 1.0 and allocation.created_by is None
    # and a transfer payment was captured from the statement, and the order is paid
    payment = allocation.payment
    assert (payment.method, payment.status, payment.amount) == (PaymentMethod.TRANSFER, PaymentStatus.CAPTURED, FEE)
    assert [(e.from_status, e.to_status, e.source) for e in payment.events.all()] == [
        ("", "created", "statement"),
        ("created", "captured", "statement"),
    ]
    order.refresh_from_db()
    assert (order.status, order.amount_paid, order.balance) == (OrderStatus.PAID, FEE, 0)
    # and it is audited on the order and on the line
    assert ModelLogEntry.objects.filter(action="payments.transfer_matched", object_id=str(order.pk)).count() == 1
    assert ModelLogEntry.objects.filter(action="payments.line_matched", object_id=str(line.pk)).count() == 1
    # and the case was sent on (after commit) and now runs to its signed decision
    assert broker.queues["cases"].qsize() == 1
    case = run(Case.objects.get(pk=waiting_case.pk))
    assert (case.step, case.status) == (Step.DONE, CaseStatus.GRANTED)


def test_typo_reference_goes_to_review_and_a_clerk_confirms_it(
    paid_service,  # noqa: F811
    clerk_of_finance,
    broker,
    django_capture_on_commit_callbacks,
):
    order = order_for(ResidentProfileFactory(), paid_service)
    mistyped = typo(order.reference)
    # given a transfer quoting the reference with one wrong digit, sent by someone else
    statement = imported(
        camt([Entry(FEE, f"díj {reference_format(mistyped)}", name="Nagy Béla")]),
        clerk_of_finance,
        django_capture_on_commit_callbacks,
    )
    line = statement.lines.get()
    # then it waits for review with the order suggested and the typo explained
    assert line.match_state == State.REVIEW and Payment.objects.count() == 0
    assert [s["order_ids"] for s in line.suggestions] == [[order.pk]]
    assert [r["code"] for r in line.suggestions[0]["reasons"]] == ["reference_one_typo", "amount_equal"]
    client = staff_client(clerk_of_finance)
    queue = client.get(f"{BASE}/review/")
    html = queue.content.decode()
    sentence = (
        f"The reference in the remittance differs in one character: "
        f"{reference_format(mistyped)} → {reference_format(order.reference)}."
    )
    assert queue.status_code == 200 and sentence in html
    assert f"{round(line.suggestions[0]['score'] * 100)}% certain" in html
    assert reference_format(order.reference) in html and "Kovács Anna" in html
    # when the clerk confirms the suggestion from the queue (and the button is pressed twice)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            f"{BASE}/line/{line.pk}/", {"action": "confirm", "suggestion": "0", "next": f"{BASE}/review/"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            f"{BASE}/line/{line.pk}/", {"action": "confirm", "suggestion": "0", "next": f"{BASE}/review/"}
        )
    # then it is booked once, by the clerk, and the case goes on
    assert (first.status_code, first["Location"]) == (302, f"{BASE}/review/")
    assert (second.status_code, second["Location"]) == (302, f"{BASE}/review/")
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.match_state == State.MANUAL and order.status == OrderStatus.PAID
    allocation = Allocation.objects.get()
    assert (allocation.automatic, allocation.created_by, allocation.amount) == (False, clerk_of_finance, FEE)
    assert [(e.to_status, e.source, e.user) for e in allocation.payment.events.all()] == [
        ("created", "clerk", clerk_of_finance),
        ("captured", "clerk", clerk_of_finance),
    ]
    assert broker.queues["cases"].qsize() == 1
    assert client.get(f"{BASE}/review/").context["page"].paginator.count == 0


def test_one_transfer_for_two_orders_books_both(
    paid_service,  # noqa: F811
    clerk_of_finance,
    django_capture_on_commit_callbacks,
):
    resident = ResidentProfileFactory()
    first, second = order_for(resident, paid_service, 12_000), order_for(resident, paid_service, 8_000)
    text = f"{first.reference} és {second.reference.lower()}"
    statement = imported(camt([Entry(20_000, text)]), clerk_of_finance, django_capture_on_commit_callbacks)
    assert states(statement) == [State.AUTO]
    assert sorted(Allocation.objects.values_list("order_id", "amount")) == [(first.pk, 12_000), (second.pk, 8_000)]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PAID}


def test_partial_and_over_payment_are_booked_with_the_line_amount(
    paid_service,  # noqa: F811
    clerk_of_finance,
    broker,
    django_capture_on_commit_callbacks,
):
    partial, over = order_for(ResidentProfileFactory(), paid_service), order_for(ResidentProfileFactory(), paid_service)
    data = camt([Entry(5_000, partial.reference), Entry(15_000, over.reference, name="Kovács Anna")])
    statement = imported(data, clerk_of_finance, django_capture_on_commit_callbacks)
    assert states(statement) == [State.AUTO, State.AUTO]
    partial.refresh_from_db()
    over.refresh_from_db()
    assert (partial.status, partial.amount_paid, partial.balance) == (OrderStatus.PARTIALLY_PAID, 5_000, 7_000)
    assert (over.status, over.amount_paid, over.balance) == (OrderStatus.PAID, 15_000, -3_000)
    assert sorted(Allocation.objects.values_list("amount", flat=True)) == [5_000, 15_000]
    assert broker.queues["cases"].qsize() == 1  # only the fully paid one goes on


# --- duplicates and overlaps ----------------------------------------------------------------------


def test_the_same_file_uploaded_again_books_nothing_twice(
    paid_service,  # noqa: F811
    clerk_of_finance,
    django_capture_on_commit_callbacks,
):
    order = order_for(ResidentProfileFactory(), paid_service)
    data = camt([Entry(FEE, order.reference), Entry(3_000, "adomány", name="Tóth Gábor")])
    first = imported(data, clerk_of_finance, django_capture_on_commit_callbacks)
    # when the very same file is uploaded again
    again = imported(data, clerk_of_finance, django_capture_on_commit_callbacks, name="kivonat (1).xml")
    # then its entries are counted as already stored, and nothing is stored or booked again
    assert (again.state, again.file_sha256, again.lines_total, again.lines_new, again.lines_duplicate) == (
        "done",
        first.file_sha256,
        2,
        0,
        2,
    )
    assert StatementLine.objects.count() == 2 and Payment.objects.count() == 1
    # and its page says the file was uploaded before
    page = staff_client(clerk_of_finance).get(f"{BASE}/statement/{again.pk}/")
    assert "The same file was uploaded before" in page.content.decode()


@pytest.mark.parametrize(
    ("first", "second", "total", "new"),
    [("otp_camt053_v02.xml", "otp_camt053_v02_overlap.xml", 6, 1), ("kh_mt940.sta", "kh_mt940_next.sta", 4, 1)],
)
def test_an_overlapping_statement_adds_only_its_new_lines(
    first, second, total, new, clerk_of_finance, django_capture_on_commit_callbacks
):
    earlier = imported((SAMPLES / first).read_bytes(), clerk_of_finance, django_capture_on_commit_callbacks)
    later = imported((SAMPLES / second).read_bytes(), clerk_of_finance, django_capture_on_commit_callbacks)
    assert (later.lines_total, later.lines_new, later.lines_duplicate) == (total, new, total - new)
    assert StatementLine.objects.count() == earlier.lines_total + new
    assert later.lines.count() == new


def test_identical_entries_without_bank_reference_are_both_kept(clerk_of_finance, django_capture_on_commit_callbacks):
    # given an export with two genuinely identical rows (same day, payer, amount, text; no bank reference)
    data = (SAMPLES / "erste_tranzakciok_utf8bom.csv").read_bytes()
    parsed = parse_statement(data)
    assert parsed.lines[2].fingerprint == parsed.lines[3].fingerprint
    fingerprints = line_fingerprints(parsed.lines)
    assert len(set(fingerprints)) == 5 and fingerprints[2] == parsed.lines[2].fingerprint
    # when it is imported twice, then both rows are stored the first time and none the second
    account = "HU93116000060000000012345676"
    first = imported(data, clerk_of_finance, django_capture_on_commit_callbacks, name="a.csv", account=account)
    second = imported(data, clerk_of_finance, django_capture_on_commit_callbacks, name="a.csv", account=account)
    assert (first.lines_new, second.lines_new, second.lines_duplicate) == (5, 0, 5)
    assert StatementLine.objects.filter(counterparty_name="Fehér Judit Éva").count() == 2


def test_a_large_statement_is_inserted_in_batches(clerk_of_finance, django_capture_on_commit_callbacks):
    entries = [Entry(1_000 + i, f"befizetés {i}", name=f"Befizető {i}") for i in range(2_500)]
    with CaptureQueriesContext(connection) as queries:
        statement = imported(camt(entries), clerk_of_finance, django_capture_on_commit_callbacks)
    assert (statement.state, statement.lines_new) == ("done", 2_500)
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "payments_statementline"')
    ]
    assert len(inserts) == 3  # 1000 + 1000 + 500, each its own statement
    progress_writes = [q for q in queries.captured_queries if 'SET "progress"' in q["sql"]]
    assert 1 <= len(progress_writes) <= 6


def test_progress_writes_are_throttled(clerk_of_finance, django_capture_on_commit_callbacks):
    statement = imported(camt([Entry(1_000)]), clerk_of_finance, django_capture_on_commit_callbacks)
    BankStatement.objects.filter(pk=statement.pk).update(state="processing", progress=0)
    progress = _Progress(statement.pk)
    with CaptureQueriesContext(connection) as queries:
        for percent in range(1, 100):
            progress.set(percent)
        progress.set(50)  # never backwards
    assert len(queries.captured_queries) == 1
    assert BankStatement.objects.get(pk=statement.pk).progress == 1


# --- bad files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["xxe_camt053.xml", "billion_laughs_camt053.xml"])
def test_malicious_xml_fails_with_the_parsers_message_and_stores_no_line(
    sample, clerk_of_finance, django_capture_on_commit_callbacks
):
    statement = imported((SAMPLES / sample).read_bytes(), clerk_of_finance, django_capture_on_commit_callbacks)
    assert (statement.state, statement.error_code) == ("failed", "xml_forbidden")
    assert statement.error_message.endswith("(line 2 of the file)")
    assert "entit" in statement.error_message  # the parser's own sentence, in the clerk's language
    assert StatementLine.objects.count() == 0
    client = staff_client(clerk_of_finance)
    data = client.get(f"{BASE}/statement/{statement.pk}/progress/").json()
    assert (data["state"], data["finished"], data["error"]["code"]) == ("failed", True, "xml_forbidden")
    assert data["status_text"] == f"The statement could not be read: {statement.error_message}"
    page = client.get(f"{BASE}/statement/{statement.pk}/")
    assert page.status_code == 200 and statement.error_message in page.content.decode()


def test_a_file_without_its_account_fails_until_the_clerk_names_it(
    clerk_of_finance, django_capture_on_commit_callbacks
):
    data = (SAMPLES / "mbh_export_tj.csv").read_bytes()
    statement = imported(data, clerk_of_finance, django_capture_on_commit_callbacks, name="mbh.csv")
    assert (statement.state, statement.error_code) == ("failed", "account_missing")
    assert StatementLine.objects.count() == 0
    other = imported(data, clerk_of_finance, django_capture_on_commit_callbacks, name="mbh.csv", account=ACCOUNT)
    assert (other.state, other.account_iban, other.lines_new) == ("done", ACCOUNT, 2)


def test_an_unexpected_failure_marks_the_statement_failed(
    clerk_of_finance, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("payments.reconciliation.booking.statement_match", broken)
    with pytest.raises(RuntimeError):
        imported(camt([Entry(1_000)]), clerk_of_finance, django_capture_on_commit_callbacks)
    statement = BankStatement.objects.get()
    assert (statement.state, statement.error_code) == ("failed", "internal")


# --- the clerk's manual work ----------------------------------------------------------------------


def test_unmatch_reverses_the_payment_and_the_order_shows_a_balance_again(
    waiting_case,  # noqa: F811
    clerk_of_finance,
    broker,
    django_capture_on_commit_callbacks,
):
    order = Order.objects.get(case=waiting_case)
    imported(
        camt([Entry(FEE, order.reference, name="Szűcs Levente")]), clerk_of_finance, django_capture_on_commit_callbacks
    )
    case = run(Case.objects.get(pk=waiting_case.pk))
    assert case.status == CaseStatus.GRANTED
    allocation = Allocation.objects.get()
    client = staff_client(clerk_of_finance)
    url = f"{BASE}/line/{allocation.line_id}/"
    field = f"undo-{allocation.pk}-note"
    # a missing reason is a field error in the summary, and changes nothing
    bad = client.post(url, {"action": "undo", "allocation": allocation.pk, field: "  "})
    assert bad.status_code == 400 and 'id="error-summary"' in bad.content.decode()
    assert f'href="#id_{field}"' in bad.content.decode()
    assert Allocation.objects.get().undone_at is None
    # when the clerk unmatches it with a reason (twice: a double submit)
    for _ in range(2):
        response = client.post(url, {"action": "undo", "allocation": allocation.pk, field: "Másik ügy díja"})
        assert (response.status_code, response["Location"]) == (302, url)
    # then the payment is reversed, the allocation kept as undone, and the order owes again
    allocation.refresh_from_db()
    assert (allocation.undone_by, allocation.undo_reason) == (clerk_of_finance, "Másik ügy díja")
    assert allocation.undone_at is not None
    payment = allocation.payment
    assert payment.status == PaymentStatus.REVERSED
    assert [(e.to_status, e.source, e.note) for e in payment.events.all()][-1] == (
        "reversed",
        "clerk",
        "Másik ügy díja",
    )
    order.refresh_from_db()
    assert (order.status, order.amount_paid, order.balance) == (OrderStatus.OPEN, 0, FEE)
    # and the decided case stays decided, while the line is back in the review queue
    assert Case.objects.get(pk=waiting_case.pk).status == CaseStatus.GRANTED
    line = StatementLine.objects.get(pk=allocation.line_id)
    assert line.match_state == State.REVIEW
    assert ModelLogEntry.objects.filter(action="payments.transfer_unmatched", object_id=str(order.pk)).count() == 1
    assert [item["line"] for item in client.get(f"{BASE}/review/").context["items"]] == [line]


def test_clerk_matches_by_reference_and_sets_aside_what_is_not_a_payment(
    paid_service,  # noqa: F811
    clerk_of_finance,
    django_capture_on_commit_callbacks,
):
    order = order_for(ResidentProfileFactory(), paid_service)
    statement = imported(
        camt([Entry(FEE, "parkolás", name="Ismeretlen Ügyfél"), Entry(50_000, "támogatás", name="Alapítvány")]),
        clerk_of_finance,
        django_capture_on_commit_callbacks,
    )
    payment_line, grant = statement.lines.order_by("pk")
    assert states(statement) == [State.UNMATCHED, State.UNMATCHED]
    client = staff_client(clerk_of_finance)
    url = f"{BASE}/line/{payment_line.pk}/"
    # an unknown reference and a missing reason are field errors, and nothing is booked
    bad = client.post(url, {"action": "manual", "manual-reference": "RF00 XX", "manual-note": ""})
    assert bad.status_code == 400
    assert set(bad.context["error_form"].errors) == {"reference", "note"}
    html = bad.content.decode()
    assert 'href="#id_manual-reference"' in html and 'aria-invalid="true"' in html
    assert Allocation.objects.count() == 0
    # when the clerk gives the order's reference as the resident wrote it, with a reason
    reference = reference_format(order.reference).lower()
    ok = client.post(url, {"action": "manual", "manual-reference": reference, "manual-note": "Telefonon egyeztetve"})
    assert ok.status_code == 302
    allocation = Allocation.objects.get()
    assert (allocation.order, allocation.note, allocation.automatic) == (order, "Telefonon egyeztetve", False)
    assert StatementLine.objects.get(pk=payment_line.pk).match_state == State.MANUAL
    # a paid order takes no more transfers
    again = client.post(
        f"{BASE}/line/{grant.pk}/", {"action": "manual", "manual-reference": reference, "manual-note": "x"}
    )
    assert again.status_code == 400 and "is not waiting for payment" in again.content.decode()
    # the grant is set aside with a reason (a reason is required)
    missing = client.post(f"{BASE}/line/{grant.pk}/", {"action": "ignore", "ignore-note": ""})
    assert missing.status_code == 400 and StatementLine.objects.get(pk=grant.pk).match_state == State.UNMATCHED
    for _ in range(2):
        assert (
            client.post(f"{BASE}/line/{grant.pk}/", {"action": "ignore", "ignore-note": "Támogatás"}).status_code == 302
        )
    assert StatementLine.objects.get(pk=grant.pk).match_state == State.IGNORED
    entries = ModelLogEntry.objects.filter(action="payments.line_ignored", object_id=str(grant.pk))
    assert [(e.user, e.data["note"]) for e in entries] == [(clerk_of_finance, "Támogatás")]
    page = client.get(f"{BASE}/line/{grant.pk}/")
    assert page.status_code == 200 and "Támogatás" in page.content.decode()


def test_services_refuse_users_without_the_permission(clerk, paid_service):  # noqa: F811
    from django.core.exceptions import PermissionDenied

    order = order_for(ResidentProfileFactory(), paid_service)
    for attempt in (
        lambda: statement_upload(uploaded_file=SimpleUploadedFile("a.xml", b"<x/>"), user=clerk),
        lambda: suggestion_confirm(line_id=1, index=0, user=clerk),
        lambda: line_match_manual(line_id=1, reference=order.reference, note="x", user=clerk),
        lambda: line_ignore(line_id=1, note="x", user=clerk),
        lambda: allocation_undo(allocation_id=1, note="x", user=clerk),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert BankStatement.objects.count() == 0 and Payment.objects.count() == 0


# --- pages: progress JSON, daily summary, authorization -------------------------------------------


def test_progress_endpoint_reports_state_percent_and_counts(clerk_of_finance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statement = statement_upload(
            uploaded_file=SimpleUploadedFile("k.xml", camt([Entry(1_000), Entry(-500)])), user=clerk_of_finance
        )
    BankStatement.objects.filter(pk=statement.pk).update(progress=42)
    client = staff_client(clerk_of_finance)
    url = f"{BASE}/statement/{statement.pk}/progress/"
    running = client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert running.status_code == 200 and "no-store" in running["Cache-Control"]
    assert running.json() == {
        "id": statement.pk,
        "state": "processing",
        "state_label": "Being read",
        "progress": 42,
        "finished": False,
        "lines_total": 0,
        "lines_new": 0,
        "lines_duplicate": 0,
        "counts": {"unmatched": 0, "review": 0, "auto": 0, "manual": 0, "ignored": 0},
        "error": None,
        "status_text": "Reading the file: 42%",
    }
    page = client.get(f"{BASE}/statement/{statement.pk}/").content.decode()
    assert '<progress id="statement-progress" max="100" value="42"' in page
    assert 'role="status" aria-live="polite"' in page and "backend/job_progress.js" in page
    bank_statement_import(statement.pk, "en")
    done = client.get(url).json()
    assert (done["state"], done["progress"], done["finished"], done["lines_total"]) == ("done", 100, True, 2)
    assert done["counts"] == {"unmatched": 1, "review": 0, "auto": 0, "manual": 0, "ignored": 1}
    assert done["status_text"] == (
        "Done. 2 read, 2 new, 0 already stored. Matched automatically: 0; waiting for review: 0; "
        "unmatched: 1; not payments: 1."
    )


def test_daily_summary_counts_and_sums_per_booking_day(
    paid_service,  # noqa: F811
    clerk_of_finance,
    django_capture_on_commit_callbacks,
):
    order = order_for(ResidentProfileFactory(), paid_service)
    other = date(2026, 11, 21)
    data = camt(
        [
            Entry(FEE, order.reference),
            Entry(7_000, "ismeretlen", name="Valaki Más"),
            Entry(-2_000, "díj"),
            Entry(3_000, "adomány", name="Alapítvány", day=other),
        ]
    )
    statement = imported(data, clerk_of_finance, django_capture_on_commit_callbacks)
    line_ignore(line_id=statement.lines.get(amount=3_000).pk, note="adomány", user=clerk_of_finance)
    client = staff_client(clerk_of_finance)
    page = client.get(f"{BASE}/daily/", {"start": "2026-11-19", "end": "2026-11-21"})
    assert page.status_code == 200
    rows = [
        {key: row[key] for key in ("booking_date", "credits_count", "auto_count", "unmatched_count", "ignored_count")}
        for row in page.context["rows"]
    ]
    assert rows == [
        {"booking_date": other, "credits_count": 1, "auto_count": 0, "unmatched_count": 0, "ignored_count": 1},
        {"booking_date": DAY, "credits_count": 2, "auto_count": 1, "unmatched_count": 1, "ignored_count": 0},
    ]
    assert page.context["rows"][1]["credits_amount"] == "19\u00a0000\u00a0Ft"
    totals = page.context["totals"][0]
    assert (totals["credits_count"], totals["credits_amount"]) == (3, "22\u00a0000\u00a0Ft")
    bad = client.get(f"{BASE}/daily/", {"start": "2026-11-21", "end": "2026-11-01"})
    assert bad.status_code == 400 and 'id="error-summary"' in bad.content.decode()
    # the range fields open with the last 30 days filled in, as the browser's date inputs read them
    today = timezone.localdate()
    with translation.override("hu"):
        html = client.get(f"{BASE}/daily/", HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    assert f'value="{(today - timezone.timedelta(days=30)).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html


def test_every_matcher_reason_has_a_sentence():
    assert set(REASON_TEXTS) <= KNOWN_CODES
    samples = {
        "reference_exact": {"reference": "RF93HV000123456", "source": "structured", "order_id": 1},
        "reference_in_text": {"reference": "RF93HV000123456", "source": "remittance", "order_id": 1},
        "reference_one_typo": {
            "found": "RF93HV000123465",
            "reference": "RF93HV000123456",
            "kind": "transposition",
            "source": "end_to_end_id",
            "order_id": 1,
        },
        "reference_body": {"found": "HV000123456", "reference": "RF93HV000123456", "source": "remittance"},
        "amount_equal": {"amount": 12000},
        "amount_sum_of_orders": {"amount": 20000, "count": 2},
        "amount_partial": {"amount": 5000, "due": 12000, "missing": 7000},
        "amount_over": {"amount": 15000, "due": 12000, "surplus": 3000},
        "name_match": {"level": "initials", "name": "KOVACS A", "payer_name": "Kovács Anna"},
        "iban_match": {"iban": "HU42117730161111101800000000"},
        "ambiguous": {"count": 3},
        "debit": {"amount": -100},
        "zero_amount": {},
        "currency_mismatch": {"currency": "EUR", "expected": "HUF"},
        "order_already_paid": {"reference": "RF93HV000123456", "order_id": 1},
        "reference_not_open": {"reference": "RF93HV000123456", "source": "remittance"},
        "reference_unresolved": {"found": "RF12ABC", "source": "remittance"},
        "booking_refused": {"code": "order_not_payable"},
    }
    assert set(samples) == KNOWN_CODES
    texts = {code: reason_text({"code": code, "params": params}) for code, params in samples.items()}
    assert all(text != code for code, text in texts.items())
    assert texts["reference_one_typo"] == (
        "The reference in the end-to-end id has two neighbouring characters swapped: "
        "RF93 HV00 0123 465 → RF93 HV00 0123 456."
    )
    assert (
        texts["amount_partial"]
        == "Partial payment: 5\u00a0000\u00a0Ft of 12\u00a0000\u00a0Ft due; 7\u00a0000\u00a0Ft missing."
    )
    assert reason_text({"code": "reference_exact", "params": {}}) == "reference_exact"  # old data: no crash


PAGES = [
    "/",
    "/upload/",
    "/statement/{statement}/",
    "/statement/{statement}/progress/",
    "/review/",
    "/line/{line}/",
    "/daily/",
]


def test_authorization_matrix_for_every_page_and_action(
    paid_service,  # noqa: F811
    clerk_of_finance,
    clerk,
    django_capture_on_commit_callbacks,
):
    order = order_for(ResidentProfileFactory(), paid_service)
    statement = imported(
        camt([Entry(FEE, order.reference), Entry(4_000, typo(order.reference), name="Más Valaki")]),
        clerk_of_finance,
        django_capture_on_commit_callbacks,
    )
    booked, open_line = statement.lines.order_by("pk")
    allocation = Allocation.objects.get()
    ids = {"statement": statement.pk, "line": open_line.pk}
    actions = [
        (f"{BASE}/upload/", {"file": SimpleUploadedFile("x.xml", camt([Entry(1)])), "account_iban": ""}),
        (f"{BASE}/line/{open_line.pk}/", {"action": "confirm", "suggestion": "0"}),
        (f"{BASE}/line/{open_line.pk}/", {"action": "manual", "manual-reference": order.reference, "manual-note": "x"}),
        (f"{BASE}/line/{open_line.pk}/", {"action": "ignore", "ignore-note": "x"}),
        (
            f"{BASE}/line/{booked.pk}/",
            {"action": "undo", "allocation": allocation.pk, f"undo-{allocation.pk}-note": "x"},
        ),
    ]

    def snapshot():
        return (
            BankStatement.objects.count(),
            Payment.objects.count(),
            list(StatementLine.objects.order_by("pk").values_list("match_state", flat=True)),
            list(Allocation.objects.values_list("undone_at", flat=True)),
            ModelLogEntry.objects.count(),
        )

    before = snapshot()
    resident = Client()
    resident.force_login(UserFactory())
    clerk_client = staff_client(clerk)
    refused = {"anonymous": Client(), "resident": resident, "staff without the permission": clerk_client}
    for who, client in refused.items():
        for page in PAGES:
            url = BASE + page.format(**ids)
            response = client.get(url)
            assert response.status_code == 302, (who, url)
            assert response["Location"].startswith(("/accounts/login/", "/admin/")), (who, url)
            assert not response["Location"].startswith(BASE), (who, url)
            assert client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code in (401, 403), (who, url)
        for url, data in actions:
            assert client.post(url, data).status_code == 302, (who, url)
    assert snapshot() == before
    # the menu shows the statements only to finance clerks
    assert "Bank statements" not in clerk_client.get("/admin/").content.decode()
    finance = staff_client(clerk_of_finance)
    assert "Bank statements" in finance.get("/admin/").content.decode()
    for page in PAGES:
        assert finance.get(BASE + page.format(**ids)).status_code == 200, page
    index = finance.get(f"{BASE}/")
    assert list(index.context["object_list"]) == [statement]
    assert "Upload a statement" in index.content.decode()


# --- stalled imports ------------------------------------------------------------------------------


def test_an_import_whose_job_was_lost_is_sent_again_and_runs_once(
    clerk_of_finance, django_capture_on_commit_callbacks, broker
):
    from payments.reconciliation.importing import STATEMENT_STALLED_AFTER, statements_stalled
    from payments.tasks import statements_send_stalled

    with django_capture_on_commit_callbacks(execute=True):
        statement = statement_upload(
            uploaded_file=SimpleUploadedFile("kivonat.xml", camt([Entry(1_000), Entry(2_000)])),
            user=clerk_of_finance,
            language="en",
        )
    # given the import's message is lost before a worker takes it
    broker.flush_all()
    assert statements_stalled() == []  # a fresh upload is not stalled
    BankStatement.objects.filter(pk=statement.pk).update(
        uploaded_at=timezone.now() - STATEMENT_STALLED_AFTER - timezone.timedelta(minutes=1)
    )
    # when the periodic reconcile runs, the import is sent again
    assert statements_stalled() == [statement.pk]
    assert statements_send_stalled() == 1
    assert broker.queues["statements"].qsize() == 1
    with django_capture_on_commit_callbacks(execute=True):
        bank_statement_import(statement.pk)
    statement.refresh_from_db()
    assert (statement.state, statement.lines_total, statement.attempts) == ("done", 2, 1)
    assert statement.heartbeat_at is not None
    assert statements_stalled() == []


def test_an_import_that_keeps_dying_is_marked_failed(clerk_of_finance, django_capture_on_commit_callbacks):
    from payments.reconciliation.importing import STATEMENT_MAX_RUNS

    with django_capture_on_commit_callbacks(execute=False):
        statement = statement_upload(
            uploaded_file=SimpleUploadedFile("kivonat.xml", camt([Entry(1_000)])), user=clerk_of_finance
        )
    # given every earlier run died without finishing (the worker killed)
    BankStatement.objects.filter(pk=statement.pk).update(attempts=STATEMENT_MAX_RUNS)
    bank_statement_import(statement.pk, "en")
    statement.refresh_from_db()
    assert (statement.state, statement.error_code) == ("failed", "stalled")
    assert "stopped 6 times" in statement.error_message
    assert not statement.lines.exists()
