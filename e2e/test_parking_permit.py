"""Journey 6: an identified resident applies for a parking permit on a phone, watches the
timeline while the workers run, and downloads the signed decision (which records receipt)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backend.demo_accounts import DEMO_PASSWORD
from e2e.conftest import assert_accessible, db_query

RESIDENT = "lakos@example.hu"  # Szűcs Levente: identified in the demo data, two cars in the registry
PLATE = "AB-SL-126"


@pytest.fixture
def device():
    return "phone"  # the service is built for phones first; one run keeps the case unique


def test_identified_resident_applies_and_downloads_the_signed_decision(page, shot, stack, tmp_path):
    page.goto("/account/login")
    page.get_by_label("E-mail-cím").fill(RESIDENT)
    page.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Bejelentkezés", exact=True).click()
    expect(page).to_have_url(re.compile(r"/profile$"))

    # step 1: the verified details
    page.goto("/services/parking-permit")
    expect(page.get_by_role("heading", level=1, name=re.compile(r"lépés.*Az Ön adatai"))).to_be_visible()
    expect(page.get_by_text("Szűcs Levente")).to_be_visible()
    shot(page, "1-details")
    assert_accessible(page, "wizard step 1 (details)")
    page.get_by_role("link", name="Tovább").click()

    # step 2: the registry's vehicle, pre-selected as the eligible one
    vehicle = page.get_by_role("radio", name=re.compile(PLATE))
    expect(vehicle).to_be_checked()
    shot(page, "2-vehicle")
    assert_accessible(page, "wizard step 2 (vehicle)")
    page.get_by_role("button", name="Tovább").or_(page.get_by_role("link", name="Tovább")).first.click()

    # step 3: every rule checked in the registries, explained before submitting
    expect(page.get_by_text("Minden feltétel teljesül")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Nem teljesül")).to_have_count(0)
    shot(page, "3-check")
    assert_accessible(page, "wizard step 3 (check and submit)")
    page.get_by_role("button", name="Kérelem benyújtása").click()

    # the case page: the timeline fills while the workers run, then the decision
    expect(page).to_have_url(re.compile(r"/cases/VH-\d{4}-\d{6}$"))
    reference = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_text("A hozzájárulást megadtuk")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Határozat letöltése (PDF)")).to_be_visible()
    shot(page, "4-granted")
    assert_accessible(page, "case page with the decision")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Határozat letöltése")).click()
    pdf = tmp_path / "decision.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    expect(page.get_by_text("Átvéve:")).to_be_visible(timeout=15_000)

    # the state behind it: granted, permit, filing numbers, receipt recorded
    rows = db_query(
        stack,
        "SELECT status, step, permit_number, filing_number, decision_filing_number, delivered_at IS NOT NULL, "
        "signature_level FROM eservices_case WHERE reference = %s",
        (reference,),
    )
    status, step, permit, filing, decision_filing, delivered, level = rows[0]
    assert (status, step) == ("granted", "done")
    assert permit.startswith("HV-") and filing.startswith("XII/") and decision_filing.startswith("XII/")
    assert delivered and level in ("B-LT", "B-LTA")

    # the QR code's public page confirms the signature, without personal data
    token = db_query(stack, "SELECT verification_token FROM eservices_case WHERE reference = %s", (reference,))[0][0]
    page.goto(f"/ellenorzes/{token}/")
    expect(page.get_by_role("status")).to_contain_text("hiteles")
    expect(page.get_by_text("Szűcs")).to_have_count(0)
    shot(page, "5-verification")
    assert_accessible(page, "public verification page")
