"""Journey 10: a CRM clerk types in a client already on file and is shown the likely duplicate;
builds a complex search in the builder, saves it, tags every client it finds, and resolves a likely duplicate by merging the two records field by field (and
sees that the merge can be undone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import assert_accessible
from e2e.test_crm_quick_search import _staff_login

SEARCH_NAME = "Idősek a XII. kerületben"
TAG = "Idősek napja 2026"


@pytest.fixture
def device():
    return "desktop"  # the staff area is a desktop tool


def test_crm_clerk_builds_saves_and_tags_a_search_then_merges_a_duplicate(page, shot):
    _staff_login(page)

    # entering a client already on file: the likely duplicate shows before anything is saved
    page.goto("/admin/crm/")
    page.get_by_role("link", name="Új ügyfél").click()
    page.get_by_role("textbox", name="Családi név", exact=True).fill("Kovacs")
    page.get_by_role("textbox", name="Utónév", exact=True).fill("Janos")
    page.get_by_label("Születési idő").fill("1958-04-02")
    page.get_by_role("button", name="Új ügyfél mentése").click()
    warning = page.get_by_test_id("crm-duplicates")
    expect(warning.get_by_role("link", name="Kovács János")).to_be_visible()
    expect(warning).to_contain_text("Azonos név")
    shot(page, "0-likely-duplicate")
    assert_accessible(page, "new client form with a likely duplicate")

    # the builder starts with one "age between" condition
    page.goto("/admin/crm/search/complex/")
    page.get_by_label("Legalább").first.fill("60")
    page.get_by_label("Legfeljebb").first.fill("120")
    page.get_by_role("button", name="Feltétel hozzáadása").first.click()
    second_field = page.get_by_label("Mező").nth(1)
    expect(second_field).to_be_focused()  # focus moves to the new row
    second_field.select_option(label="Kerület")
    page.get_by_label("Érték").last.select_option(label="XII.")
    shot(page, "1-builder")
    assert_accessible(page, "complex search builder")
    page.get_by_role("button", name="Keresés", exact=True).click()

    results = page.get_by_test_id("search-results-table")
    for name in ("Kovács János", "Szőke Ödön", "özv. Molnár Istvánné"):
        expect(results.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Tóth Gergő")).to_have_count(0)  # born 1990
    found = page.locator("#crm-results-heading")
    expect(found).to_have_text(re.compile(r"\d+"))
    count = int(re.search(r"\d+", found.inner_text()).group())
    shot(page, "2-results")
    assert_accessible(page, "complex search results")

    # save it: it becomes a saved search, evaluated again whenever it is opened
    page.locator("details.crm-panel > summary").first.click()
    page.get_by_role("textbox", name="Név", exact=True).fill(SEARCH_NAME)
    page.get_by_role("button", name="Keresés mentése").click()
    expect(page.get_by_test_id("saved-search-name")).to_contain_text(SEARCH_NAME)

    # tag every client it finds, after a confirmation with the count
    page.locator("details.crm-panel > summary").last.click()
    page.get_by_role("combobox", name="Címkék", exact=True).or_(
        page.get_by_role("textbox", name="Címkék", exact=True)
    ).fill(TAG)
    page.get_by_role("button", name="Címke hozzáadása").click()
    confirm = page.get_by_test_id("bulk-confirm")
    expect(confirm).to_contain_text(str(count))
    shot(page, "3-confirm")
    confirm.get_by_role("button", name="Megerősítés").click()
    results = page.get_by_test_id("search-results-table")
    expect(results.get_by_role("row").filter(has_text="Kovács János").first).to_contain_text(TAG)

    page.goto("/admin/crm/search/saved/")
    expect(page.get_by_role("link", name=SEARCH_NAME, exact=True)).to_be_visible()
    shot(page, "4-saved")
    assert_accessible(page, "saved searches")

    # a likely duplicate: Szőke Ödön typed again without accents
    page.goto("/admin/crm/duplicates/")
    table = page.get_by_test_id("duplicates-table")
    row = table.get_by_role("row").filter(has_text="Szoke Odon")
    expect(row).to_contain_text("Szőke Ödön")
    row.get_by_role("link").last.click()
    compare = page.get_by_test_id("compare-table")
    expect(compare).to_contain_text("Szoke")
    shot(page, "5-compare")
    assert_accessible(page, "duplicate pair")
    # the accented spelling stays; the remaining record is the older one
    compare.get_by_role("radio", name=re.compile(r"^Szőke")).check()
    page.get_by_role("button", name="Egyesítés", exact=True).click()

    expect(page.get_by_test_id("client-name")).to_have_text("Szőke Ödön")
    contacts = page.get_by_role("region", name="Elérhetőségek")
    expect(contacts.get_by_text("szoke.odon@freemail.hu")).to_be_visible()  # brought by the merged record
    duplicates = page.get_by_test_id("client-duplicates")
    expect(duplicates.get_by_role("button", name="Egyesítés visszavonása")).to_be_visible()
    shot(page, "6-merged")
    assert_accessible(page, "client page after a merge")
