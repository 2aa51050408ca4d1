"""Journey 2: log in with Facebook (the simulator's dialog) and land in the SPA signed in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.conftest import assert_accessible, db_query


def test_login_with_facebook_creates_account_with_names(page, shot, stack, device):
    page.goto("/account/login")
    expect(page.get_by_role("heading", level=1, name="Bejelentkezés")).to_be_visible()
    facebook = page.get_by_role("button", name="Bejelentkezés Facebookkal")
    expect(facebook).to_be_visible()
    shot(page, "1-login")
    assert_accessible(page, "login page")

    facebook.click()

    # the simulator's dialog, on its own origin
    expect(page).to_have_url(re.compile(re.escape(stack.facebook_url) + r"/v19\.0/dialog/oauth"))
    expect(page.get_by_role("heading", level=1, name=re.compile("Bejelentkezés Facebookkal"))).to_be_visible()
    shot(page, "2-facebook-dialog")
    page.get_by_role("button", name=re.compile(r"^Folytatás mint Tóth Bence")).click()

    # back in the SPA, signed in, on the profile page with the names Facebook gave
    expect(page).to_have_url(re.compile(re.escape(stack.base_url) + r"/profile$"))
    expect(page.get_by_role("heading", level=1, name="Adataim")).to_be_visible()
    expect(page.get_by_role("button", name="Kijelentkezés")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("toth.bence@example.hu", exact=True)).to_be_visible()
    expect(page.get_by_label("Családi név")).to_have_value("Tóth")
    expect(page.get_by_label("Utónév (utónevek)")).to_have_value("Bence")
    shot(page, "3-profile")
    assert_accessible(page, "profile page after Facebook login")

    rows = db_query(
        stack,
        "SELECT s.provider, s.uid, e.verified FROM socialaccount_socialaccount s "
        "JOIN eservices_user u ON u.id = s.user_id "
        "JOIN account_emailaddress e ON e.user_id = u.id WHERE u.email = %s",
        ("toth.bence@example.hu",),
    )
    assert rows == [("facebook", "100000000000102", True)]
