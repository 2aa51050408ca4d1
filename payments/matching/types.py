"""The engine's inputs and outputs: plain frozen dataclasses, no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

AUTO = "auto"  # booked without a clerk
REVIEW = "review"  # review queue, with suggestions
NONE = "none"  # review queue, unmatched (no suggestion)
IGNORED = "ignored"  # not an incoming payment (debit, zero amount)

EXACT = "exact"
PARTIAL = "partial"
OVER = "over"

# English explanations, for logs and tests; the UI keeps its own translated texts by `code`.
REASON_TEXTS = {
    "reference_exact": "The structured reference is the order's reference {reference}.",
    "reference_in_text": "The {source} contains the order's reference {reference}.",
    "reference_one_typo": "The reference in the {source} differs in one character ({kind}): {found} → {reference}.",
    "reference_body": "The {source} contains the order's reference without its check digits: {found}.",
    "amount_equal": "The amount {amount} equals the amount due.",
    "amount_sum_of_orders": "The amount {amount} equals the sum due on {count} orders.",
    "amount_partial": "Partial payment: {amount} of {due}, {missing} missing.",
    "amount_over": "Overpayment: {amount} for {due} due, {surplus} surplus.",
    "name_match": "The payer's name agrees ({level}): {name} ~ {payer_name}.",
    "iban_match": "The payer's account {iban} is the order's payer account.",
    "ambiguous": "{count} open orders fit this evidence equally well.",
    "debit": "Outgoing entry (debit): not matched.",
    "zero_amount": "Zero amount: not matched.",
    "currency_mismatch": "The entry is in {currency}; orders are in {expected}.",
    "order_already_paid": "The quoted reference {reference} belongs to an order that is already paid.",
    "reference_not_open": "The quoted reference {reference} belongs to no open order.",
    "reference_unresolved": "A reference-like text {found} matches no open order.",
}


@dataclass(frozen=True)
class OpenOrder:
    """What the engine needs to know about an order awaiting payment (amount in minor units)."""

    order_id: int
    reference: str
    amount_due: int
    payer_name: str
    payer_iban: str = ""
    created: date | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence or one remark, as a stable code and a few parameters.

    `Reason.of("amount_equal", amount=5000)`; read with `reason["amount"]`. The parameters are
    plain strings and integers (JSON-ready for storing with the review item); treat them as
    read-only."""

    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, **params: str | int) -> Reason:
        return cls(code, params)

    def __getitem__(self, key: str) -> str | int:
        return self.params[key]

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))

    def as_dict(self) -> dict[str, str | int]:
        return dict(self.params)

    def explain(self) -> str:
        template = REASON_TEXTS.get(self.code)
        if template is None:
            return self.code
        try:
            return template.format(**self.params)
        except KeyError:
            return self.code


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Orders one payment may settle; `score` in [0, 1], higher is more certain."""

    order_ids: tuple[int, ...]
    score: float
    reasons: tuple[Reason, ...]
    amount_state: str  # EXACT, PARTIAL or OVER, against the orders' remaining amounts


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The engine's verdict on one statement line."""

    fingerprint: str
    decision: str  # AUTO, REVIEW, NONE or IGNORED
    suggestions: tuple[Suggestion, ...] = ()  # best first; with AUTO the first is the one booked
    reasons: tuple[Reason, ...] = ()  # about the line as a whole (debit, unknown reference, …)

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def order_ids(self) -> tuple[int, ...]:
        """The orders booked automatically; () unless the decision is AUTO."""
        return self.suggestions[0].order_ids if self.decision == AUTO else ()
