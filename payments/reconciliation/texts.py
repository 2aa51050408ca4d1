"""The matcher's reasons as sentences for the finance clerk, in the clerk's language.

The matcher stores each reason as a stable code with parameters (`{"code", "params"}`); its own
English texts (`payments.matching.REASON_TEXTS`) are for logs. Every code it can emit has a
sentence here, and a test keeps the two lists in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from payments.references import reference_format
from payments.statements.types import currency_exponent

from .common import Code

# Translators: where in the bank entry a reference was found; used inside sentences below.
_SOURCES = {
    "structured": gettext_lazy("the structured reference"),
    "remittance": gettext_lazy("the remittance"),
    "end_to_end_id": gettext_lazy("the end-to-end id"),
}
_NAME_LEVELS = {
    # Translators: %(name)s is the name the bank sent, %(payer_name)s the name on the order
    "exact": gettext_lazy("The payer's name agrees: %(name)s ~ %(payer_name)s."),
    "initials": gettext_lazy("The payer's name agrees, with initials or shortened words: %(name)s ~ %(payer_name)s."),
    "partial": gettext_lazy("The payer's name agrees except for one extra name: %(name)s ~ %(payer_name)s."),
}
_TYPO_KINDS = {
    "substitution": gettext_lazy("The reference in %(source)s differs in one character: %(found)s → %(reference)s."),
    "transposition": gettext_lazy(
        "The reference in %(source)s has two neighbouring characters swapped: %(found)s → %(reference)s."
    ),
    "insertion": gettext_lazy("The reference in %(source)s has one character too many: %(found)s → %(reference)s."),
    "deletion": gettext_lazy("The reference in %(source)s is missing one character: %(found)s → %(reference)s."),
}
_REFUSALS = {
    "order_not_payable": gettext_lazy(
        "The match was not booked automatically: the order was no longer waiting for payment."
    ),
    Code.AMOUNTS_CHANGED.value: gettext_lazy(
        "The match was not booked automatically: the orders' balances changed meanwhile."
    ),
}


def money(amount: int, currency: str = "HUF") -> str:
    """An amount in minor units as the clerk reads it: "12 000 Ft", "1 234,56 EUR"."""
    exponent = currency_exponent(currency)
    sign = "−" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**exponent) if exponent else (abs(amount), 0)
    text = f"{whole:,}".replace(",", "\u00a0")
    if exponent:
        text += f",{fraction:0{exponent}d}"
    unit = "Ft" if currency == "HUF" else currency
    return f"{sign}{text}\u00a0{unit}"


def reason_text(reason: Mapping[str, Any]) -> str:
    """One stored reason (`{"code", "params"}`) as a translated sentence."""
    code = reason.get("code", "")
    params = dict(reason.get("params") or {})
    try:
        return _sentence(code, params)
    except (KeyError, TypeError, ValueError):
        return code  # a reason stored by an older matcher with other parameters: still show something


def _sentence(code: str, p: dict[str, Any]) -> str:
    ref = reference_format(str(p["reference"])) if "reference" in p else None
    source = _SOURCES.get(p.get("source", ""), p.get("source", ""))
    if code == "reference_exact":
        return _("The structured reference is the order's reference %(reference)s.") % {"reference": _required(ref)}
    if code == "reference_in_text":
        return _("The order's reference %(reference)s is in %(source)s.") % {
            "reference": _required(ref),
            "source": source,
        }
    if code == "reference_one_typo":
        template = _TYPO_KINDS.get(p.get("kind", ""), _TYPO_KINDS["substitution"])
        found = reference_format(str(p["found"]))
        return str(template) % {"source": source, "found": found, "reference": _required(ref)}
    if code == "reference_body":
        return _("The order's reference without its check digits, %(found)s, is in %(source)s.") % {
            "found": p["found"],
            "source": source,
        }
    if code == "amount_equal":
        return _("The amount, %(amount)s, equals the amount due.") % {"amount": money(p["amount"])}
    if code == "amount_sum_of_orders":
        return ngettext(
            "The amount, %(amount)s, equals the sum due on %(count)d order.",
            "The amount, %(amount)s, equals the sum due on %(count)d orders.",
            p["count"],
        ) % {"amount": money(p["amount"]), "count": p["count"]}
    if code == "amount_partial":
        return _("Partial payment: %(amount)s of %(due)s due; %(missing)s missing.") % {
            "amount": money(p["amount"]),
            "due": money(p["due"]),
            "missing": money(p["missing"]),
        }
    if code == "amount_over":
        return _("Overpayment: %(amount)s for %(due)s due; %(surplus)s to refund.") % {
            "amount": money(p["amount"]),
            "due": money(p["due"]),
            "surplus": money(p["surplus"]),
        }
    if code == "name_match":
        template = _NAME_LEVELS.get(p.get("level", ""), _NAME_LEVELS["partial"])
        return str(template) % {"name": p["name"], "payer_name": p["payer_name"]}
    if code == "iban_match":
        return _("The payer's account %(iban)s paid this resident's earlier orders.") % {"iban": p["iban"]}
    if code == "ambiguous":
        return ngettext(
            "%(count)d open order fits this evidence equally well.",
            "%(count)d open orders fit this evidence equally well.",
            p["count"],
        ) % {"count": p["count"]}
    if code == "debit":
        return _("Outgoing entry (debit): not a payment to match.")
    if code == "zero_amount":
        return _("Zero amount: not a payment to match.")
    if code == "currency_mismatch":
        return _("The entry is in %(currency)s; orders are paid in %(expected)s.") % p
    if code == "order_already_paid":
        return _("The quoted reference %(reference)s belongs to an order that is already paid.") % {
            "reference": _required(ref)
        }
    if code == "reference_not_open":
        return _("The quoted reference %(reference)s belongs to no order awaiting payment.") % {
            "reference": _required(ref)
        }
    if code == "reference_unresolved":
        return _("The reference-like text %(found)s matches no order awaiting payment.") % {"found": p["found"]}
    if code == "booking_refused":
        default = _("The match was not booked automatically; please check it.")
        return str(_REFUSALS.get(p.get("code", ""), default))
    return code


def _required(value: str | None) -> str:
    if value is None:
        raise KeyError("reference")
    return value


# Every code the matcher (and the booking) can store; tests compare it with the matcher's list.
KNOWN_CODES = frozenset(
    {
        "reference_exact",
        "reference_in_text",
        "reference_one_typo",
        "reference_body",
        "amount_equal",
        "amount_sum_of_orders",
        "amount_partial",
        "amount_over",
        "name_match",
        "iban_match",
        "ambiguous",
        "debit",
        "zero_amount",
        "currency_mismatch",
        "order_already_paid",
        "reference_not_open",
        "reference_unresolved",
        "booking_refused",
    }
)
