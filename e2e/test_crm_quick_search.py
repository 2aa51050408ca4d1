"""Journey 9: a CRM clerk finds clients as she types — a name from its first letters in any
order, a phone number as people write it — opens a client's page with the cleansed contacts,
history and timeline, and looks at the cleanup queue."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backend.demo_accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
from e2e.conftest import assert_accessible, fresh_totp_code

CRM_CLERK = "ugyfel@hegyvidek.example"


@pytest.fixture
def device():
    return "desktop"  # the staff area is a desktop tool


def _staff_login(page) -> None:
    page.goto("/admin/")
    page.get_by_role("textbox", name=re.compile("Email|E-mail", re.I)).fill(CRM_CLERK)
    page.get_by_label("Jelszó").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Bejelentkezés").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Kód").fill(fresh_totp_code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Bejelentkezés").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_crm_clerk_quick_searches_and_opens_a_client(page, shot):
    _staff_login(page)
    page.goto("/admin/crm/")
    search = page.get_by_role("searchbox", name="Ügyfelek keresése")
    expect(search).to_be_focused()

    # results come while typing, without pressing Enter
    search.press_sequentially("kov jan", delay=60)
    results = page.get_by_test_id("crm-results")
    expect(results.get_by_role("link")).to_have_text(["Kovács János", "Kovács Jánosné"])
    expect(page).to_have_url(re.compile(r"q=kov\+jan|q=kov%20jan"))
    shot(page, "1-name")
    assert_accessible(page, "client search")

    # a phone number as people write it; a Hegyvidék Kártya number with spaces
    search.fill("")
    search.press_sequentially("06 70 222 33", delay=40)
    expect(results.get_by_role("link")).to_have_text(["dr. Nagy Anna Mária"])
    search.fill("HK 1000 0001")
    expect(results.get_by_role("link")).to_have_text(["Kovács János"])

    # the client's page: cleansed contacts, default flags, history
    results.get_by_role("link", name="Kovács János").click()
    expect(page.get_by_test_id("client-name")).to_have_text("Kovács János")
    contacts = page.get_by_role("region", name="Elérhetőségek")
    expect(contacts.get_by_text("+36301234567")).to_be_visible()
    expect(contacts.get_by_text(re.compile(r"1123 Budapest XII\., Alkotás utca 7/B"))).to_be_visible()
    history = page.get_by_role("region", name="Az adatlap előzményei")
    expect(history.get_by_text(re.compile(r"Telefonszámok.*\+36301234567"))).to_be_visible()
    shot(page, "2-client")
    assert_accessible(page, "client page")

    # the cleanup queue holds what cleansing could not fix in the demo entries
    page.goto("/admin/crm/cleanup/")
    table = page.get_by_test_id("cleanup-table")
    expect(table.get_by_role("row").filter(has_text="Farkas Bence").first).to_be_visible()
    shot(page, "3-cleanup")
    assert_accessible(page, "cleanup queue")
