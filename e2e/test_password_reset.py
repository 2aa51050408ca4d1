"""Journey 4: a resident who forgot the password resets it from the email and logs in with the new one."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.conftest import assert_accessible, link_in, mail_ids, wait_for_mail

# a demo resident per viewport whose password no other journey needs (Kovács Anna: the clerk
# journey logs in as her; lakos@: the permit and payment journeys)
ACCOUNTS = {"phone": "horvath.eszter@example.hu", "desktop": "nagy.peter@example.hu"}
NEW_PASSWORD = "Uj-Jelszo-Hegyvidek-77"


def test_password_reset_from_email_then_login(page, shot, stack, device):
    email = ACCOUNTS[device]
    before = mail_ids(stack)

    page.goto("/account/login")
    page.get_by_role("link", name="Elfelejtette a jelszavát?").click()
    expect(page).to_have_url(re.compile(r"/account/password/reset$"))
    expect(page.get_by_role("heading", level=1, name="Elfelejtett jelszó")).to_be_visible()
    assert_accessible(page, "password reset request page")
    page.get_by_label("E-mail-cím").fill(email)
    page.get_by_role("button", name="Hivatkozás küldése").click()
    expect(page.get_by_text("Ha ehhez az e-mail-címhez tartozik fiók, hamarosan levelet kap")).to_be_visible()
    shot(page, "1-requested")

    message = wait_for_mail(stack, email, "", after=before)
    link = link_in(message, stack.base_url, "/account/password/reset/key/")

    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Új jelszó beállítása")).to_be_visible()
    assert_accessible(page, "new password page")
    page.get_by_label("Új jelszó", exact=False).first.fill(NEW_PASSWORD)
    page.get_by_label("Új jelszó még egyszer").fill(NEW_PASSWORD)
    shot(page, "2-new-password")
    page.get_by_role("button", name="Jelszó mentése").click()

    expect(page.get_by_text("Jelszavát megváltoztattuk. Most már bejelentkezhet az új jelszavával.")).to_be_visible()
    shot(page, "3-done")
    page.get_by_role("main").get_by_role("link", name="Bejelentkezés").click()

    expect(page.get_by_role("heading", level=1, name="Bejelentkezés")).to_be_visible()
    page.get_by_label("E-mail-cím").fill(email)
    page.get_by_label("Jelszó").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Bejelentkezés", exact=True).click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("heading", level=1, name="Adataim")).to_be_visible()
    expect(page.get_by_role("button", name="Kijelentkezés")).to_be_visible()
    expect(page.get_by_role("main").get_by_text(email, exact=True)).to_be_visible()
    shot(page, "4-logged-in")
