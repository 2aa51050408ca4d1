"""Journey 5: a visitor switches the portal from Hungarian to English; the choice sticks."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.conftest import assert_accessible


def test_language_switch_hu_to_en_survives_reload(page, shot, device):
    page.goto("/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Hegyvidék e-Portál")
    expect(page.locator("html")).to_have_attribute("lang", "hu")
    switch = page.get_by_role("group", name="Nyelv választása")
    expect(switch.get_by_role("button", name="Magyar")).to_have_attribute("aria-pressed", "true")
    info = page.get_by_role("region", name="Tájékoztatók")
    expect(info.get_by_role("link", name="Az e-ügyintézésről")).to_be_visible()
    shot(page, "1-hu")
    assert_accessible(page, "home page (HU)")

    switch.get_by_role("button", name="English").click()

    expect(heading).to_have_text("Hegyvidék e-Portal")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.get_by_role("group", name="Choose language")
    expect(switch.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()
    shot(page, "2-en")

    page.reload()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hegyvidék e-Portal")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("group", name="Choose language").get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("localStorage.getItem('eportal.lang')") == "en"
    expect(page.get_by_role("link", name="About e-administration")).to_be_visible()
    shot(page, "3-en-reloaded")
    assert_accessible(page, "home page (EN)")
