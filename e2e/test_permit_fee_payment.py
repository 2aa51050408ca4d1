"""Journey 7: an identified resident applies for the permit for a further vehicle (a fee),
pays it by card on the card gateway's page (simulator), and downloads the signed decision and
the signed invoice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backend.demo_accounts import DEMO_PASSWORD
from e2e.conftest import assert_accessible, db_query, ensure_first_permit

RESIDENT = "lakos@example.hu"  # Szűcs Levente: identified; two cars in the registry
SECOND_PLATE = "AB-SL-471"
SUCCESS_CARD = "4908 3660 9990 0425"


@pytest.fixture
def device():
    return "phone"


def test_resident_pays_the_fee_by_card_and_downloads_decision_and_invoice(page, shot, stack, tmp_path):
    page.goto("/account/login")
    page.get_by_label("E-mail-cím").fill(RESIDENT)
    page.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Bejelentkezés", exact=True).click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    ensure_first_permit(page, stack)

    # the wizard of the fee-bearing service: details, his second car, the rules and the fee
    page.goto("/services/parking-permit-additional")
    expect(page.get_by_text("Szűcs Levente")).to_be_visible()
    page.get_by_role("link", name="Tovább").click()
    page.get_by_role("radio", name=re.compile(SECOND_PLATE)).check()
    page.get_by_role("button", name="Tovább").or_(page.get_by_role("link", name="Tovább")).first.click()
    expect(page.get_by_text("Minden feltétel teljesül")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("fee-notice")).to_contain_text(re.compile(r"24\s000\sFt"))
    shot(page, "1-check-with-fee")
    page.get_by_role("button", name="Kérelem benyújtása").click()

    # the case waits for the fee: amount, reference, transfer details and the card button
    expect(page).to_have_url(re.compile(r"/cases/VH-\d{4}-\d{6}$"))
    reference = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", name="Fizetendő díj")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Banki átutalás")).to_be_visible()
    shot(page, "2-fee-to-pay")
    assert_accessible(page, "case page waiting for the fee")

    # the card gateway's page (simulator): pay with the test card
    page.get_by_role("button", name="Fizetés bankkártyával").click()
    expect(page.get_by_label("Kártyaszám")).to_be_visible(timeout=15_000)
    shot(page, "3-card-page")
    page.get_by_label("Kártyaszám").fill(SUCCESS_CARD)
    page.get_by_label("Lejárat (HH/ÉÉ)").fill("12/30")
    page.get_by_label("Biztonsági kód (CVC)").fill("123")
    page.get_by_role("button", name="Fizetés", exact=True).click()

    # back on the case page: the portal checks the payment itself, then the case goes on
    expect(page).to_have_url(re.compile(rf"/cases/{reference}\?payment="), timeout=15_000)
    expect(page.get_by_text("A befizetés megérkezett, ügye folytatódik.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("A hozzájárulást megadtuk")).to_be_visible(timeout=60_000)
    shot(page, "4-paid-and-granted")

    with page.expect_download() as decision:
        page.get_by_role("link", name=re.compile("Határozat letöltése")).click()
    decision_pdf = tmp_path / "decision.pdf"
    decision.value.save_as(decision_pdf)
    assert decision_pdf.read_bytes()[:5] == b"%PDF-"

    invoice_link = page.get_by_role("link", name=re.compile("Számla letöltése"))
    expect(invoice_link).to_be_visible(timeout=60_000)
    with page.expect_download() as invoice:
        invoice_link.click()
    invoice_pdf = tmp_path / "invoice.pdf"
    invoice.value.save_as(invoice_pdf)
    assert invoice_pdf.read_bytes()[:5] == b"%PDF-"
    shot(page, "5-invoice")

    # the state behind it: the card payment captured from the gateway's notification or query,
    # the order paid, one invoice for it
    rows = db_query(
        stack,
        "SELECT o.status, o.amount, o.amount_paid, p.method, p.status, "
        "(SELECT count(*) FROM payments_invoice i WHERE i.order_id = o.id) "
        "FROM payments_order o JOIN eservices_case c ON c.id = o.case_id "
        "JOIN payments_payment p ON p.order_id = o.id WHERE c.reference = %s AND p.status = 'captured'",
        (reference,),
    )
    assert rows == [("paid", 24000, 24000, "card", "captured", 1)]
