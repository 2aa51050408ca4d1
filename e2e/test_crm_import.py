"""Journey 11: a CRM clerk imports a Hungarian Excel export of clients (Windows-1250, `;`):
the columns are mapped from their headers, a dry run with a progress bar shows what would
happen and saves nothing, then the import keeps the good rows and reports the bad ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import assert_accessible
from e2e.test_crm_quick_search import _staff_login

FILE = Path(__file__).resolve().parent.parent / "tests" / "crm" / "data" / "ugyfelek_cp1250.csv"


@pytest.fixture
def device():
    return "desktop"  # the staff area is a desktop tool


def test_crm_clerk_imports_a_file_with_a_dry_run_first(page, shot):
    _staff_login(page)
    page.goto("/admin/crm-import/")
    page.locator("input[type=file]").set_input_files(str(FILE))
    page.get_by_role("button", name="Feltöltés és az oszlopok hozzárendelése").click()

    # the mapping is guessed from the Hungarian headers
    expect(page.get_by_role("combobox", name="E-mail")).not_to_have_value("")
    shot(page, "1-mapping")
    assert_accessible(page, "import mapping")
    page.get_by_role("button", name="Próbafuttatás (nem ment semmit)").click()

    # the progress bar follows the worker; the page shows the report when the run ends
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_be_visible(timeout=60_000)
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("1990.13.45.")  # the bad date is reported with its row
    expect(report).to_contain_text("Létrejönne")  # a dry run says what would happen
    shot(page, "2-dry-run")
    assert_accessible(page, "import dry run")

    page.get_by_role("button", name="Ezeknek a soroknak az importálása").click()
    expect(page.get_by_role("link", name=re.compile("CSV"))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("import-counts")).to_be_visible()
    shot(page, "3-imported")

    # an imported client is found by the quick search
    page.goto("/admin/crm/?q=kov+erz")
    expect(
        page.get_by_test_id("crm-results").get_by_role("link", name=re.compile("Kovács-Szőke Erzsébet"))
    ).to_be_visible()
