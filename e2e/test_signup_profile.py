"""Journey 1: sign up, confirm the address from the email, fill in the profile."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from e2e.conftest import assert_accessible, db_query, link_in, mail_ids, unique_email, wait_for_mail

PASSWORD = "Hegyi-Tavasz-2026!"


def test_signup_verify_email_and_fill_in_profile(page, shot, stack, device):
    email = unique_email("uj.lakos", device)
    before = mail_ids(stack)

    # --- sign up ---------------------------------------------------------------------------------
    page.goto("/")
    page.get_by_role("navigation", name="Fő navigáció").get_by_role("link", name="Regisztráció").click()
    expect(page.get_by_role("heading", level=1, name="Regisztráció")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account/signup$"))
    assert_accessible(page, "signup page")
    page.get_by_label("E-mail-cím").fill(email)
    page.get_by_label("Jelszó", exact=False).first.fill(PASSWORD)
    page.get_by_label("Jelszó még egyszer").fill(PASSWORD)
    shot(page, "1-signup-filled")
    page.get_by_role("button", name="Fiók létrehozása").click()

    expect(page.get_by_role("heading", level=1, name="Nézze meg a postafiókját")).to_be_visible()
    expect(page.get_by_text(f"Megerősítő levelet küldtünk a(z) {email} címre")).to_be_visible()
    shot(page, "2-check-inbox")
    assert_accessible(page, "verify-email (check your inbox) page")

    # --- the email ---------------------------------------------------------------------------------
    message = wait_for_mail(stack, email, "", after=before)
    assert "Kérjük, erősítse meg e-mail-címét" in message.subject, message.subject
    link = link_in(message, stack.base_url, "/account/verify-email/")

    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="E-mail-cím megerősítése")).to_be_visible()
    expect(page.get_by_text(f"Erősítse meg, hogy a(z) {email} cím az Öné.")).to_be_visible()
    shot(page, "3-confirm")
    assert_accessible(page, "verify-email (confirm) page")
    page.get_by_role("button", name="Megerősítés").click()

    # --- signed in, on the profile page -------------------------------------------------------------------
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("heading", level=1, name="Adataim")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="E-mail-címét megerősítettük")).to_be_visible()
    expect(page.get_by_role("button", name="Kijelentkezés")).to_be_visible()
    signed_in_as = page.get_by_text(f"Bejelentkezve: {email}")
    # the phone layout hides the "signed in as" line to save room; it is there on wide screens
    expect(signed_in_as).to_be_visible() if device == "desktop" else expect(signed_in_as).to_be_attached()
    expect(page.get_by_text("Személyazonosítás állapota: Nincs azonosítva")).to_be_visible()
    assert db_query(stack, "SELECT verified FROM account_emailaddress WHERE email = %s", (email,)) == [(True,)]

    page.get_by_label("Családi név").fill("Fehér")
    page.get_by_label("Utónév (utónevek)").fill("Katalin Zsófia")
    page.get_by_label("Születési név").fill("Fehér Katalin Zsófia")
    page.get_by_label("Anyja születési neve").fill("Kiss Ilona")
    page.get_by_label("Születési idő").fill("1990-05-17")
    page.get_by_label("Születési hely").fill("Szeged")
    page.get_by_label("Telefonszám").fill("nem-telefonszám")
    page.get_by_label("Irányítószám").fill("12a")
    page.get_by_label("Település").fill("Budapest")
    page.get_by_label("Kerület").fill("XII")
    page.get_by_label("Közterület neve").fill("Városmajor")
    page.get_by_label("Közterület jellege").fill("utca")
    page.get_by_label("Házszám").fill("31")
    page.get_by_role("button", name="Mentés").click()

    # --- the error summary: shown, focused, linking to the fields ------------------------------------
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Hiba történt"))
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    phone_link = summary.get_by_role("link", name=re.compile("érvényes telefonszámot"))
    postcode_link = summary.get_by_role("link", name=re.compile("Az irányítószám 4 számjegyből áll"))
    expect(phone_link).to_have_attribute("href", "#field-phone")
    expect(postcode_link).to_have_attribute("href", "#field-permanent_address-postcode")
    expect(page.get_by_label("Irányítószám")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Telefonszám")).to_have_attribute("aria-invalid", "true")
    shot(page, "4-errors")
    assert_accessible(page, "profile page with errors")

    postcode_link.click()
    expect(page.get_by_label("Irányítószám")).to_be_focused()
    page.get_by_label("Irányítószám").fill("1122")
    phone_link.click()
    expect(page.get_by_label("Telefonszám")).to_be_focused()
    page.get_by_label("Telefonszám").fill("06 30 123 4567")
    page.get_by_role("button", name="Mentés").click()

    expect(page.get_by_text("Adatait elmentettük.")).to_be_visible()
    expect(summary).to_have_count(0)
    shot(page, "5-saved")
    assert_accessible(page, "profile page after saving")

    # --- reload: the saved values, the phone normalised --------------------------------------------------
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Adataim")).to_be_visible()
    expect(page.get_by_label("Családi név")).to_have_value("Fehér")
    expect(page.get_by_label("Utónév (utónevek)")).to_have_value("Katalin Zsófia")
    expect(page.get_by_label("Születési név")).to_have_value("Fehér Katalin Zsófia")
    expect(page.get_by_label("Anyja születési neve")).to_have_value("Kiss Ilona")
    expect(page.get_by_label("Születési idő")).to_have_value("1990-05-17")
    expect(page.get_by_label("Születési hely")).to_have_value("Szeged")
    expect(page.get_by_label("Telefonszám")).to_have_value("+36301234567")
    expect(page.get_by_label("Irányítószám")).to_have_value("1122")
    expect(page.get_by_label("Település")).to_have_value("Budapest")
    expect(page.get_by_label("Kerület")).to_have_value("XII")
    expect(page.get_by_label("Közterület neve")).to_have_value("Városmajor")
    expect(page.get_by_label("Közterület jellege")).to_have_value("utca")
    expect(page.get_by_label("Házszám")).to_have_value("31")
    shot(page, "6-reloaded")
    assert_accessible(page, "profile page")

    rows = db_query(
        stack,
        "SELECT p.family_name, p.given_names, p.phone, p.permanent_address->>'postcode' "
        "FROM eservices_residentprofile p JOIN eservices_user u ON u.id = p.user_id WHERE u.email = %s",
        (email,),
    )
    assert rows == [("Fehér", "Katalin Zsófia", "+36301234567", "1122")]

    # --- the login page (signed out) passes axe too ---------------------------------------------------------
    page.get_by_role("button", name="Kijelentkezés").click()
    expect(page.get_by_text("Sikeresen kijelentkezett.")).to_be_visible()
    page.goto("/account/login")
    expect(page.get_by_role("heading", level=1, name="Bejelentkezés")).to_be_visible()
    assert_accessible(page, "login page")
