"""Journey 8: a finance clerk uploads a bank statement (camt.053) whose transfer quotes an
order's payment reference with a typo and another payer's name; the line waits in the review
queue with the order suggested and the reasons explained; the clerk confirms it and the
order is paid."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backend.demo_accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
from e2e.conftest import assert_accessible, db_execute, db_query, ensure_first_permit, fresh_totp_code

FINANCE_CLERK = "penzugy@hegyvidek.example"
RESIDENT = "lakos@example.hu"
ACCOUNT_IBAN = "HU18117730160000000015843128"  # PAYMENT_ACCOUNT_IBAN's default: the stack's own account
AMOUNT = 24000


@pytest.fixture
def device():
    return "desktop"  # the staff area is a desktop tool


def _open_order(stack, new_page) -> str:
    """An order waiting for payment, made the way the payments app makes one (its RF
    reference from its id), on a case of the identified demo resident."""
    from payments.references import reference_create

    resident = new_page()
    resident.goto("/account/login")
    resident.get_by_label("E-mail-cím").fill(RESIDENT)
    resident.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    resident.get_by_role("button", name="Bejelentkezés", exact=True).click()
    expect(resident).to_have_url(re.compile(r"/profile$"))
    case_reference = ensure_first_permit(resident, stack)
    case_id, resident_id = db_query(
        stack, "SELECT id, applicant_id FROM eservices_case WHERE reference = %s", (case_reference,)
    )[0]
    order_id = db_execute(
        stack,
        "INSERT INTO payments_order (case_id, resident_id, description, amount, amount_paid, status, due_date, "
        "created_at, updated_at) VALUES (%s, %s, 'E2E díj', %s, 0, 'open', now() + interval '8 days', now(), now()) "
        "RETURNING id",
        (case_id, resident_id, AMOUNT),
    )[0][0]
    reference = reference_create(order_id, prefix="HV")
    db_execute(stack, "UPDATE payments_order SET reference = %s WHERE id = %s RETURNING id", (reference, order_id))
    return reference


def _typo(reference: str) -> str:
    """The reference with one digit of its body changed, as a payer might mistype it."""
    last = reference[-1]
    return reference[:-1] + ("1" if last != "1" else "2")


def _camt053(remittance: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>E2E-STMT-1</MsgId><CreDtTm>2026-11-21T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>E2E-2026-11-21</Id>
      <CreDtTm>2026-11-21T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{ACCOUNT_IBAN}</IBAN></Id><Ccy>HUF</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="HUF">100000</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-21</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="HUF">{100000 + AMOUNT}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-21</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="HUF">{AMOUNT}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-11-21</Dt></BookgDt><ValDt><Dt>2026-11-21</Dt></ValDt>
        <AcctSvcrRef>E2E-0001</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>HCT</Cd></Prtry></BkTxCd>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>KOVACS BELA</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>HU93116000060000000012345676</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def _staff_login(page) -> None:
    page.goto("/admin/")
    page.get_by_role("textbox", name=re.compile("Email|E-mail", re.I)).fill(FINANCE_CLERK)
    page.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Bejelentkezés").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Kód").fill(fresh_totp_code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Bejelentkezés").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_finance_clerk_uploads_a_statement_and_confirms_a_suggested_match(page, new_page, shot, stack, tmp_path):
    reference = _open_order(stack, new_page)
    statement = tmp_path / "kivonat.xml"
    statement.write_bytes(_camt053(f"Parkolasi dij {_typo(reference)} koszonom"))

    _staff_login(page)
    page.goto("/admin/bank-statements/upload/")
    page.get_by_label("Kivonatfájl").set_input_files(statement)
    shot(page, "1-upload")
    page.get_by_role("button", name="Feltöltés és beolvasás").click()

    # the statement page follows the reading with a progress bar, then shows the result
    expect(page.get_by_role("progressbar").or_(page.get_by_role("heading", name="Eredmény"))).to_be_visible()
    lines_link = page.get_by_role("link", name="A kivonat tételeinek megjelenítése")
    if page.get_by_role("heading", name="Eredmény").count() == 0:  # still reading when the page was made
        expect(lines_link).to_be_visible(timeout=30_000)
        lines_link.click()
    review_link = page.get_by_role("link", name="Tovább a felülvizsgálandó tételekhez")
    expect(review_link).to_be_visible()
    shot(page, "2-read")
    review_link.click()

    # the line waits with the order suggested and why
    line = page.get_by_role("article").filter(has_text="KOVACS BELA")
    expect(line).to_be_visible()
    from payments.references import reference_format

    expect(line.locator(".recon-reference", has_text=reference_format(reference))).to_be_visible()
    expect(line.get_by_text(re.compile("egy karakterben eltér"))).to_be_visible()  # the reason, explained
    shot(page, "3-review-queue")
    assert_accessible(page, "review queue")
    line.get_by_role("button", name="Párosítás jóváhagyása").first.click()

    # the order is paid by the transfer, booked by the clerk
    expect(page.get_by_role("article").filter(has_text="KOVACS BELA")).to_have_count(0, timeout=15_000)
    shot(page, "4-confirmed")
    rows = db_query(
        stack,
        "SELECT o.status, o.amount_paid, p.method, p.status, a.automatic, a.created_by_id IS NOT NULL "
        "FROM payments_order o JOIN payments_payment p ON p.order_id = o.id "
        "JOIN payments_allocation a ON a.payment_id = p.id WHERE o.reference = %s",
        (reference,),
    )
    assert rows == [("paid", AMOUNT, "transfer", "captured", False, True)]

    # every screen of the finance clerk's day passes axe: the upload form, the statement with
    # its lines, the order, the orders and invoices lists and the daily summary
    order_id = db_query(stack, "SELECT id FROM payments_order WHERE reference = %s", (reference,))[0][0]
    statement_id = db_query(stack, "SELECT id FROM payments_bankstatement ORDER BY id DESC LIMIT 1")[0][0]
    for path, name in (
        ("/admin/bank-statements/upload/", "statement upload"),
        ("/admin/bank-statements/", "statements list"),
        (f"/admin/bank-statements/statement/{statement_id}/", "statement page"),
        (f"/admin/orders/order/{order_id}/", "order page"),
        ("/admin/orders/", "orders list"),
        ("/admin/invoices/", "invoices list"),
        ("/admin/bank-statements/daily/", "daily summary"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, name)
    shot(page, "5-daily-summary")
