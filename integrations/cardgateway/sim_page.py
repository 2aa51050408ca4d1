"""The simulator's hosted card page (Hungarian or English, an accessible form) and its checks."""

from __future__ import annotations

import html

from integrations.cardgateway.contract import PAY_PATH
from integrations.cardgateway.sim_state import BUDAPEST, Transaction, now

TEXTS = {
    "HU": {
        "title": "Bankkártyás fizetés",
        "sim": "Fejlesztői szimulátor, nem valódi fizetés. Sikeres tesztkártya: 4908 3660 9990 0425; "
        "elutasított: 4111 1111 1111 1111.",
        "merchant": "Kedvezményezett",
        "amount": "Fizetendő összeg",
        "card_number": "Kártyaszám",
        "expiry": "Lejárat (HH/ÉÉ)",
        "cvc": "Biztonsági kód (CVC)",
        "pay": "Fizetés",
        "cancel": "Mégse",
        "errors": "Kérjük, javítsa a következő hibákat:",
        "bad_number": "Adjon meg egy érvényes kártyaszámot.",
        "bad_expiry": "Adja meg a lejáratot HH/ÉÉ alakban; a kártya nem lehet lejárt.",
        "bad_cvc": "A biztonsági kód 3 vagy 4 számjegy.",
        "closed": "Ez a fizetés már lezárult.",
        "back": "Vissza a kedvezményezett oldalára",
        "unknown": "Ismeretlen tranzakció.",
        "deadline": "A fizetési oldal eddig érvényes:",
    },
    "EN": {
        "title": "Card payment",
        "sim": "Development simulator, not a real payment. Successful test card: 4908 3660 9990 0425; "
        "declined: 4111 1111 1111 1111.",
        "merchant": "Payee",
        "amount": "Amount to pay",
        "card_number": "Card number",
        "expiry": "Expiry (MM/YY)",
        "cvc": "Security code (CVC)",
        "pay": "Pay",
        "cancel": "Cancel",
        "errors": "Please correct the following:",
        "bad_number": "Enter a valid card number.",
        "bad_expiry": "Enter the expiry as MM/YY; the card must not have expired.",
        "bad_cvc": "The security code is 3 or 4 digits.",
        "closed": "This payment is already closed.",
        "back": "Back to the payee's site",
        "unknown": "Unknown transaction.",
        "deadline": "This payment page is valid until:",
    },
}

_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #eef1f5; color: #14171a; margin: 0; padding: 1rem; }}
  main {{ max-width: 30rem; margin: 2rem auto; background: #fff; border-radius: 8px; padding: 1.5rem;
          box-shadow: 0 1px 3px rgba(0,0,0,.25); }}
  h1 {{ font-size: 1.4rem; margin-top: 0; }}
  .sim {{ background: #fff3cd; border: 1px solid #856404; color: #533f03; padding: .5rem .75rem; border-radius: 4px; }}
  dl {{ display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; }}
  dt {{ font-weight: 600; }}
  label {{ display: block; font-weight: 600; margin-top: 1rem; }}
  input {{ font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; border: 2px solid #5c6670; border-radius: 4px; }}
  input[aria-invalid="true"] {{ border-color: #b00020; }}
  .error {{ color: #b00020; margin: .25rem 0 0; }}
  .summary {{ border: 2px solid #b00020; padding: .5rem .75rem; border-radius: 4px; }}
  .actions {{ display: flex; gap: .75rem; margin-top: 1.5rem; }}
  button {{ font: inherit; padding: .6rem 1.2rem; border-radius: 6px; border: 2px solid transparent; cursor: pointer; }}
  button.pay {{ background: #0a5c36; color: #fff; }}
  button.cancel {{ background: #e4e6eb; color: #14171a; border-color: #5c6670; }}
  button:focus-visible, input:focus-visible, a:focus-visible {{ outline: 3px solid #14171a; outline-offset: 2px; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def amount_text(total: int, currency: str) -> str:
    return f"{total:,}".replace(",", "\u00a0") + (" Ft" if currency == "HUF" else f" {currency}")


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def card_errors(form: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    errors = {}
    number = "".join(form.get("card_number", "").split())
    if not (number.isdigit() and 12 <= len(number) <= 19 and _luhn_ok(number)):
        errors["card_number"] = texts["bad_number"]
    expiry = form.get("expiry", "").replace(" ", "")
    try:
        month, year = (int(part) for part in expiry.split("/"))
        today = now()
        if not 1 <= month <= 12 or (2000 + year, month) < (today.year, today.month):
            raise ValueError
    except ValueError:
        errors["expiry"] = texts["bad_expiry"]
    cvc = form.get("cvc", "").strip()
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        errors["cvc"] = texts["bad_cvc"]
    return errors


def _document(language: str, title: str, body: str) -> str:
    return _PAGE.format(lang=language.lower(), title=html.escape(title), body=body)


def unknown_page() -> str:
    texts = TEXTS["HU"]
    return _document("HU", texts["unknown"], f"<h1>{html.escape(texts['unknown'])}</h1>")


def closed_page(tx: Transaction, back_url: str) -> str:
    """A transaction that has its outcome: only the way back to the merchant."""
    texts, esc = TEXTS[tx.language], html.escape
    body = (
        f"<h1>{esc(texts['title'])}</h1>\n<p>{esc(texts['closed'])}</p>\n"
        f'<p><a href="{esc(back_url)}">{esc(texts["back"])}</a></p>'
    )
    return _document(tx.language, texts["title"], body)


def form_page(tx: Transaction, form: dict[str, str], errors: dict[str, str]) -> str:
    """The card form; with errors, a summary first (role=alert) and each field marked."""
    texts, esc = TEXTS[tx.language], html.escape
    summary = ""
    if errors:
        items = "".join(f'<li><a href="#{name}">{esc(message)}</a></li>' for name, message in errors.items())
        summary = (
            f'<div class="summary" role="alert" tabindex="-1"><p>{esc(texts["errors"])}</p><ul>{items}</ul></div>\n'
        )

    def field_html(name: str, autocomplete: str, size: int) -> str:
        error = errors.get(name)
        described = f' aria-invalid="true" aria-describedby="{name}-error"' if error else ""
        message = f'<p class="error" id="{name}-error">{esc(error)}</p>' if error else ""
        return (
            f'<label for="{name}">{esc(texts[name])}</label>'
            f'<input id="{name}" name="{name}" inputmode="numeric" autocomplete="{autocomplete}" '
            f'maxlength="{size}" value="{esc(form.get(name, ""))}" required{described}>{message}'
        )

    deadline = tx.timeout_at.astimezone(BUDAPEST).strftime("%Y-%m-%d %H:%M")
    body = (
        f"<h1>{esc(texts['title'])}</h1>\n"
        f'<p class="sim">{esc(texts["sim"])}</p>\n{summary}'
        f"<dl><dt>{esc(texts['merchant'])}</dt><dd>{esc(tx.merchant)}</dd>"
        f"<dt>{esc(texts['amount'])}</dt><dd>{esc(amount_text(tx.total, tx.currency))}</dd>"
        f"<dt>{esc(texts['deadline'])}</dt><dd>{esc(deadline)}</dd></dl>\n"
        f'<form method="post" action="{esc(PAY_PATH + tx.transaction_id)}" novalidate>\n'
        + field_html("card_number", "cc-number", 23)
        + field_html("expiry", "cc-exp", 7)
        + field_html("cvc", "cc-csc", 4)
        + '\n<div class="actions">'
        f'<button class="pay" type="submit" name="action" value="pay">{esc(texts["pay"])}</button>'
        f'<button class="cancel" type="submit" name="action" value="cancel" formnovalidate>{esc(texts["cancel"])}</button>'
        "</div>\n</form>"
    )
    return _document(tx.language, texts["title"], body)
