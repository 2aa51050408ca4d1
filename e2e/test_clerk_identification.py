"""Journey 3: a clerk identifies residents in person against the registry (simulator);
the resident then sees the verified status in the SPA."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backend.demo_accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
from e2e.conftest import (
    VIEWPORTS,
    assert_accessible,
    assert_fits_width,
    db_query,
    fresh_totp_code,
)

CLERK = "ugyintezo@hegyvidek.example"
REGISTRY_ANSWER_MS = 30_000


def staff_login(page, shot) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/"))
    expect(page.get_by_role("heading", level=1, name="Munkatársi bejelentkezés")).to_be_visible()
    shot(page, "1-staff-login")
    page.get_by_role("textbox", name=re.compile("Email|E-mail", re.I)).fill(CLERK)
    page.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Bejelentkezés").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", level=1, name="Második lépés: hitelesítő kód")).to_be_visible()
    page.get_by_label("Kód").fill(fresh_totp_code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Bejelentkezés").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def open_resident(page, search: str, name: str) -> None:
    page.get_by_role("link", name="Lakosok").first.click()
    expect(page).to_have_url(re.compile(r"/admin/residents/"))
    search_box = page.get_by_role("search").get_by_role("textbox", name="Keresett szó(darab)")
    search_box.fill(search)
    search_box.press("Enter")
    results = page.get_by_role("table")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and the one resident found
    expect(results.get_by_role("link", name=name)).to_be_visible()
    results.get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(r"/admin/residents/identify/\d+/$"))
    expect(page.get_by_role("heading", level=1, name=f"Személyazonosítás: {name}")).to_be_visible()


def start_check(page, number: str) -> None:
    page.get_by_label("Okmány típusa").select_option(label="Személyi igazolvány")
    page.get_by_label("Okmányszám").fill(number)
    page.get_by_role("button", name="Ellenőrzés a nyilvántartásban").click()


# The staff area is a desktop tool: one run at 1280×800; axe also checks the identify page at
# phone width (one staff login per session: a TOTP code is accepted only once).
@pytest.mark.parametrize("device", ["desktop"])
def test_clerk_identifies_residents_and_resident_sees_it(stack, new_page, shot, device):
    page = new_page()
    staff_login(page, shot)

    # --- Kovács Anna: everything matches ------------------------------------------------------------------
    open_resident(page, "Kovács", "Kovács Anna")
    shot(page, "2-kovacs-anna")
    start_check(page, "123456AB")
    status = page.get_by_test_id("identification-status")
    # the page refreshes itself every 3 s until the registry answers; on a loaded machine the
    # worker may take a while to pick the job up
    expect(status).to_have_text("Azonosítva", timeout=REGISTRY_ANSWER_MS)
    # a full match is accepted automatically
    expect(page.get_by_test_id("verification-state")).to_have_text("Az ügyintéző elfogadta")
    table = page.get_by_role("table", name="Összevetés a nyilvántartással, mezőnként")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Anyja születési neve .*Egyezik"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Házszám .*Egyezik"))).to_be_visible()
    expect(table.get_by_text("Eltér", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Elfogadás"))).to_have_count(0)  # nothing to decide
    shot(page, "3-kovacs-anna-verified")
    assert_identify_page_accessible(page, shot, "kovacs-anna")

    # --- Nagy Péter: mother's name without the accent, house number 16 instead of 18 -------------------
    open_resident(page, "Nagy", "Nagy Péter")
    start_check(page, "234567CD")
    expect(page.get_by_test_id("verification-state")).to_have_text("Az adatok eltérnek")
    expect(page.get_by_test_id("identification-status")).not_to_have_text("Azonosítva")
    table = page.get_by_role("table", name="Összevetés a nyilvántartással, mezőnként")
    mother = table.get_by_role("row", name=re.compile(r"^Anyja születési neve"))
    expect(mother).to_contain_text("Eltér")
    expect(mother).to_contain_text("Tóth Erzsebet")
    expect(mother).to_contain_text("Tóth Erzsébet")
    house = table.get_by_role("row", name=re.compile(r"^Házszám"))
    expect(house).to_contain_text("Eltér")
    expect(house).to_contain_text("16")
    expect(house).to_contain_text("18")
    expect(table.get_by_role("row", name=re.compile(r"^Családi név .*Egyezik"))).to_be_visible()
    expect(page.get_by_role("heading", name="Döntés")).to_be_visible()
    page.get_by_role("heading", name="Döntés").scroll_into_view_if_needed()
    shot(page, "4-nagy-peter-differs")
    assert_identify_page_accessible(page, shot, "nagy-peter")

    note = "Személyi igazolvány alapján: az anyja neve ékezettel helyes, a házszám 18."
    page.get_by_label("Megjegyzés (elutasítás esetén kötelező)").fill(note)
    page.get_by_role("button", name="Elfogadás: a személyazonosságot az okmány igazolja").click()
    expect(page.get_by_text("A lakos személyazonosítása megtörtént.")).to_be_visible()
    expect(page.get_by_test_id("identification-status")).to_have_text("Azonosítva")
    expect(page.get_by_test_id("verification-state")).to_have_text("Az ügyintéző elfogadta")
    expect(page.get_by_text(note)).to_be_visible()
    shot(page, "5-nagy-peter-accepted")

    rows = db_query(
        stack,
        "SELECT u.email, p.identification_status, p.verified_at IS NOT NULL "
        "FROM eservices_residentprofile p JOIN eservices_user u ON u.id = p.user_id "
        "WHERE u.email IN ('kovacs.anna@example.hu', 'nagy.peter@example.hu') ORDER BY u.email",
    )
    assert rows == [("kovacs.anna@example.hu", "verified", True), ("nagy.peter@example.hu", "verified", True)]
    decided = db_query(
        stack,
        "SELECT v.state, v.decision_note, c.email FROM eservices_identityverification v "
        "JOIN eservices_residentprofile p ON p.id = v.profile_id JOIN eservices_user u ON u.id = p.user_id "
        "JOIN eservices_user c ON c.id = v.decided_by_id WHERE u.email = 'nagy.peter@example.hu'",
    )
    assert decided == [("accepted", note, CLERK)]

    # --- Kovács Anna sees it in the SPA ----------------------------------------------------------------------
    resident = new_page()
    resident.goto("/account/login?next=/identification")
    resident.get_by_label("E-mail-cím").fill("kovacs.anna@example.hu")
    resident.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    resident.get_by_role("button", name="Bejelentkezés", exact=True).click()
    expect(resident).to_have_url(re.compile(r"/identification$"))
    expect(resident.get_by_role("heading", level=1, name="Személyazonosítás")).to_be_visible()
    panel = resident.get_by_role("region", name="Jelenlegi állapot")
    expect(panel).to_contain_text("Azonosítva")
    expect(panel).to_contain_text("Személyazonosságát ellenőriztük.")
    shot(resident, "6-resident-identification")
    assert_accessible(resident, "identification page (resident)")


# The whole page must be free of serious/critical findings, Wagtail's chrome included (its
# success message is darkened in backend/static/backend/admin.css). Our template is also
# checked alone, so a finding there names our markup.
OUR_CONTENT_SELECTOR = "main .identify-page"
OUR_CONTENT = {"include": [[OUR_CONTENT_SELECTOR]]}


def assert_identify_page_accessible(page, shot, step: str) -> None:
    desktop = page.viewport_size
    try:
        for name, viewport in (
            ("desktop", VIEWPORTS["desktop"]["viewport"]),
            ("phone", VIEWPORTS["phone"]["viewport"]),
        ):
            if page.viewport_size != viewport:
                page.set_viewport_size(viewport)
                page.reload()  # Wagtail lays its chrome out for the width at load time
                expect(page.get_by_test_id("identification-status")).to_be_visible()
            assert_fits_width(page, OUR_CONTENT_SELECTOR, f"identify page at {name} width")
            if name == "phone":
                shot(page, f"{step}-identify-at-phone-width")
                page.get_by_role("table").scroll_into_view_if_needed()
                shot(page, f"{step}-identify-at-phone-width-table")
            assert_accessible(page, f"identify page template ({name})", context=OUR_CONTENT)
            assert_accessible(page, f"identify page with the staff area's chrome ({name})")
    finally:
        if page.viewport_size != desktop:
            page.set_viewport_size(desktop)
            page.reload()
            expect(page.get_by_test_id("identification-status")).to_be_visible()
