"""Reconciliation engine: which open orders does an incoming bank transfer pay?

Pure Python, no database: the caller loads the open orders (`OpenOrder`) and the statement
lines (`payments.statements.StatementLine`), and books or queues what comes back.

    matcher = Matcher(open_orders)          # indexes once: O(orders)
    results = matcher.match_all(lines)      # O(1) dictionary work per line, in order
    result.decision                         # "auto" | "review" | "none" | "ignored"
    result.suggestions[0].order_ids         # best first; with "auto" the first one is booked

Evidence and decisions
----------------------
A line quotes orders by reference (`payments.references`), looked for in the structured
creditor-reference field, the remittance text and the end-to-end id. Each reference-like text
is one quote, standing for:

* exact — a valid RF reference equal to an open order's (`reference_exact` from the
  structured field, `reference_in_text` from free text, however spaced or cased). The mod-97
  check digits make a wrong-but-valid reference practically impossible;
* one typo — an RF text one edit (substitution, insertion, deletion, adjacent swap) from open
  orders' references (`reference_one_typo`), found through a deletion-neighbourhood (SymSpell)
  index. Check digits catch every digit-for-digit substitution and every swap, so such a typo
  never lands silently on another order (the rest are caught 96 times in 97, and looked up
  even when valid); but sequential order numbers put many references two edits apart, so a
  typo may fit several orders, or be the typo of a reference that is not open: weaker evidence;
* body — the reference without "RF" and check digits ("HV000123456", `reference_body`): no
  check digits, so a mistyped body would be another order's: as weak as a typo, exact only.

Decisions are rules, not a threshold on the score (precision first, target ≥ 0.999):

1. one quote, an exact reference → auto, whatever the amount: equal, partial
   (`amount_partial`) or over (`amount_over`); the caller records the balance;
2. one quote by typo or body → auto only if, of the open orders it may stand for, exactly one
   awaits this amount, and that order's payer name (exact or initials level) or IBAN agrees,
   and the line holds no unresolved reference; otherwise review;
3. several quotes → combined suggestions where one order per quote adds up to the amount
   (`amount_sum_of_orders`), and also smaller groups (up to 8 quoted orders) for review; auto
   when exactly one such reading exists and each of its quotes is exact or a typo/body backed
   by name or IBAN;
4. nothing quoted → orders awaiting exactly this amount whose payer name agrees
   (case/accents/word order/titles ignored; initials, cut-short words and an extra given or
   married name accepted) and/or whose payer IBAN is the sender's. Name alone never books:
   namesakes owe the same fees. Auto only when IBAN and name agree, that order is the only
   candidate, and the text quotes no reference;
5. a quoted order already paid (in this run), a valid reference of no open order, or an
   unresolvable RF text: noted on the result (`order_already_paid`, `reference_not_open`,
   `reference_unresolved`); such notes stop every booking by weaker evidence than an exact
   reference;
6. nothing fits → "none"; debits and zero amounts → "ignored"; another currency → "none".

Scores (for ranking suggestions and showing confidence; additive, clipped to [0, 1]):

    reference exact 0.70 | one typo or body 0.45 (÷ k when the text fits k open orders)
    amount equal / sum of orders 0.20 | partial or over 0.05
    name exact 0.10 | initials / cut short 0.08 | extra word 0.06 | IBAN 0.10
    nothing quoted: amount 0.20 + name + IBAN, ÷ the number of orders scoring as high

So exact reference + amount = 0.90, typo + amount + name = 0.75, name + amount alone = 0.30.
Combined suggestions take the mean of their quotes' reference points and the weakest name.

Cost: indexes are dictionaries built once (by reference, by body, the one-deletion variants
of every reference, by IBAN, and by amount + pairs of name words / word + initial); a line
costs a few dozen lookups, never a scan of the orders.

Several lines for one order in a run
------------------------------------
`Matcher` tracks consumption: an automatic match lowers the orders' remaining amounts, so the
next line quoting the same order is judged against what is left (equal / partial / over), and
a payment quoting a fully paid order goes to review as `order_already_paid`. Manual matches
made during a run are told with `Matcher.record_payment(order_id, amount)`; a new run starts
from a new `Matcher` built from the database's open orders.
"""

from .engine import Matcher
from .names import name_agreement, name_tokens
from .types import (
    AUTO,
    EXACT,
    IGNORED,
    NONE,
    OVER,
    PARTIAL,
    REASON_TEXTS,
    REVIEW,
    MatchResult,
    OpenOrder,
    Reason,
    Suggestion,
)

__all__ = [
    "AUTO",
    "EXACT",
    "IGNORED",
    "NONE",
    "OVER",
    "PARTIAL",
    "REASON_TEXTS",
    "REVIEW",
    "Matcher",
    "MatchResult",
    "OpenOrder",
    "Reason",
    "Suggestion",
    "name_agreement",
    "name_tokens",
]
