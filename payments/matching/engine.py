"""The matcher: indexes open orders once, then judges statement lines one by one.

See the package docstring (`payments.matching`) for the rules and the scores.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import combinations, product
from math import prod
from typing import TYPE_CHECKING

from payments.references import reference_is_valid, reference_normalise, reference_occurrences
from payments.statements.types import normalise_iban

from .names import EXACT as NAME_EXACT
from .names import INITIALS as NAME_INITIALS
from .names import PARTIAL as NAME_PARTIAL
from .names import has_initial, letter_keys, name_agreement, name_tokens, pair_keys
from .types import AUTO, EXACT, IGNORED, NONE, OVER, PARTIAL, REVIEW, MatchResult, OpenOrder, Reason, Suggestion

if TYPE_CHECKING:
    from payments.statements.types import StatementLine

# How a line points at an order, strongest first.
REF_EXACT = "exact"  # a valid reference equal to the order's, in a structured field or in the text
REF_TYPO = "typo"  # one character off the order's reference
REF_BODY = "body"  # the order's reference body without "RF" and check digits ("HV000123456")
_RANK = {REF_EXACT: 3, REF_TYPO: 2, REF_BODY: 1}

POINTS_REFERENCE = {REF_EXACT: 0.70, REF_TYPO: 0.45, REF_BODY: 0.45}
POINTS_AMOUNT_EQUAL = 0.20  # equal to the remaining amount, or to the sum over several orders
POINTS_AMOUNT_OFF = 0.05  # partial or over: the reference still says which order
POINTS_NAME = {NAME_EXACT: 0.10, NAME_INITIALS: 0.08, NAME_PARTIAL: 0.06}
POINTS_IBAN = 0.10
TRUSTED_NAMES = (NAME_EXACT, NAME_INITIALS)  # enough, with the amount, to back a mistyped reference

MAX_COMBINED = 8  # quoted orders up to which every subset is tried against the amount
MAX_ASSIGNMENTS = 256  # ways of reading the quotes (one order each) tried against the amount
BLOCKING_NOTES = frozenset({"reference_not_open", "reference_unresolved", "order_already_paid"})

_BODY_SHAPE = re.compile(r"([A-Z]+)(\d+)$")
_BODY_SEPARATORS = re.compile(r"[ \-.]")


def _iban(text: str) -> str:
    # the parsers' normal form: a Hungarian domestic account number becomes its HU IBAN, so an
    # order's payer account and a statement's counterparty compare equal however written
    return normalise_iban(text) if text else ""


def _edit_kind(found: str, reference: str) -> str | None:
    """The kind of the one edit that turns `reference` into `found` (substitution,
    transposition, insertion, deletion), or None when they are not one edit apart."""
    length = len(found)
    if length == len(reference):
        diffs = [i for i in range(length) if found[i] != reference[i]]
        if len(diffs) == 1:
            return "substitution"
        if (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and found[diffs[0]] == reference[diffs[1]]
            and found[diffs[1]] == reference[diffs[0]]
        ):
            return "transposition"
        return None
    if length == len(reference) + 1:
        longer, shorter, kind = found, reference, "insertion"
    elif length == len(reference) - 1:
        longer, shorter, kind = reference, found, "deletion"
    else:
        return None
    i = 0
    while i < len(shorter) and longer[i] == shorter[i]:
        i += 1
    return kind if longer[i + 1 :] == shorter[i:] else None


def _amount(amount: int, due: int) -> tuple[str, Reason]:
    if amount == due:
        return EXACT, Reason.of("amount_equal", amount=amount)
    if amount < due:
        return PARTIAL, Reason.of("amount_partial", amount=amount, due=due, missing=due - amount)
    return OVER, Reason.of("amount_over", amount=amount, due=due, surplus=amount - due)


def _clip(score: float) -> float:
    return round(min(1.0, max(0.0, score)), 4)


class _Entry:
    __slots__ = ("iban", "initialled", "letters", "order", "order_id", "pairs", "reference", "remaining", "tokens")

    def __init__(self, order: OpenOrder, reference: str) -> None:
        self.order = order
        self.order_id = order.order_id
        self.reference = reference
        self.remaining = max(order.amount_due, 0)
        self.tokens = name_tokens(order.payer_name)
        self.pairs = pair_keys(self.tokens)
        self.letters = letter_keys(self.tokens)
        self.initialled = has_initial(self.tokens)
        self.iban = _iban(order.payer_iban)


class _Evidence:
    """One way the line points at one order."""

    __slots__ = ("ambiguity", "index", "kind", "reason")

    def __init__(self, index: int, kind: str, reason: Reason) -> None:
        self.index = index
        self.kind = kind
        self.reason = reason
        self.ambiguity = 1  # how many open orders the same text fits equally


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while creating many objects.

    Indexing and matching create millions of small objects and no reference cycles; left on,
    the collector rescans the growing heap again and again (about 40 % of the run time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Matcher:
    """Matches statement lines to open orders; build once per reconciliation run.

    With `track_consumption` (the default) an automatic match lowers the remaining amount of
    its orders, so a later line of the same run paying the same order sees what is left (and a
    second full payment is an overpayment of an already paid order, for review). A clerk's
    manual match in the middle of a run is told with `record_payment`.
    """

    def __init__(
        self,
        orders: Iterable[OpenOrder],
        *,
        currency: str = "HUF",
        track_consumption: bool = True,
        max_suggestions: int = 5,
    ) -> None:
        self.currency = currency.upper()
        self.track_consumption = track_consumption
        self.max_suggestions = max_suggestions
        with _collector_paused():
            self._build(orders)

    def _build(self, orders: Iterable[OpenOrder]) -> None:
        entries: list[_Entry] = []
        by_id: dict[int, int] = {}
        by_reference: dict[str, int] = {}
        by_body: dict[str, int] = {}
        by_iban: dict[str, list[int]] = {}
        prefixes: set[str] = set()
        digit_counts: set[int] = set()
        for order in orders:
            reference = reference_normalise(order.reference)
            if order.order_id in by_id:
                raise ValueError(f"order {order.order_id} given twice")
            if reference in by_reference:
                raise ValueError(f"reference {reference} given to two orders")
            index = len(entries)
            entry = _Entry(order, reference)
            entries.append(entry)
            by_id[order.order_id] = index
            by_reference[reference] = index
            body = _BODY_SHAPE.match(reference, 4)
            if body is not None:
                by_body[reference[4:]] = index
                prefixes.add(body[1])
                digit_counts.add(len(body[2]))
            if entry.iban:
                by_iban.setdefault(entry.iban, []).append(index)
        self._entries, self._by_id, self._by_reference, self._by_body, self._by_iban = (
            entries,
            by_id,
            by_reference,
            by_body,
            by_iban,
        )

        # Deletion neighbourhood (SymSpell): every reference with one character left out ->
        # the entry, or a tuple of entries when two references share the variant. Leaving out
        # either character of a run ("00") gives the same variant, so only the first is left
        # out; then each variant occurs once per reference, and the dictionary is built in one
        # C-level pass. Variants two references share (sequential order numbers put about 4 %
        # of them two edits from another, with the same check digits) are fixed up afterwards.
        references = [entry.reference for entry in entries]
        variants = [
            reference[:i] + reference[i + 1 :]
            for reference in references
            for i in range(len(reference))
            if i == 0 or reference[i] != reference[i - 1]
        ]
        owners = [
            index
            for index, reference in enumerate(references)
            for i in range(len(reference))
            if i == 0 or reference[i] != reference[i - 1]
        ]
        deletions: dict[str, int | tuple[int, ...]] = dict(zip(variants, owners, strict=True))
        if len(deletions) < len(variants):  # the last owner won: add the others
            others = [
                (variant, index) for variant, index in zip(variants, owners, strict=True) if deletions[variant] != index
            ]
            for variant, index in others:
                present = deletions[variant]
                deletions[variant] = (present, index) if isinstance(present, int) else (*present, index)
        self._deletions = deletions

        # Names, by the amount the order awaits (it changes as payments come in):
        # (amount, full word, another full word) -> entries, for names written in full;
        # (amount, full word, first letter of another word) -> entries, for lines with initials;
        # the same for the few orders whose own name has an initial.
        self._by_pair: dict[tuple[int, str, str], set[int]] = {}
        self._by_letter: dict[tuple[int, str, str], set[int]] = {}
        self._initialled: dict[tuple[int, str, str], set[int]] = {}
        for index, entry in enumerate(entries):
            if entry.remaining > 0:
                self._index_name(index, entry.remaining)

        lengths = {len(reference) for reference in references}
        self._length_range = (min(lengths, default=0) - 1, max(lengths, default=0) + 1)
        self._body_pattern: re.Pattern[str] | None = None
        if prefixes:
            alternatives = "|".join(sorted(prefixes, key=lambda prefix: (-len(prefix), prefix)))
            low, high = min(digit_counts), max(digit_counts)
            self._body_pattern = re.compile(
                rf"(?<![A-Z])({alternatives})[ \-.]?(\d(?:[ \-.]?\d){{{low - 1},{high - 1}}})(?![0-9])"
            )

    # --- state within a run -------------------------------------------------------------

    def remaining(self, order_id: int) -> int:
        """What the order still awaits in this run."""
        return self._entries[self._by_id[order_id]].remaining

    def record_payment(self, order_id: int, amount: int) -> None:
        """Tell the matcher an order received `amount` (e.g. a clerk's manual match)."""
        index = self._by_id[order_id]
        self._set_remaining(index, max(0, self._entries[index].remaining - amount))

    def _name_indexes(self, entry: _Entry) -> list[tuple[dict[tuple[int, str, str], set[int]], list | set]]:
        indexes = [(self._by_pair, entry.pairs), (self._by_letter, entry.letters)]
        if entry.initialled:
            indexes.append((self._initialled, entry.letters))
        return indexes

    def _index_name(self, index: int, amount: int) -> None:
        for by_key, keys in self._name_indexes(self._entries[index]):
            for first, second in keys:
                key = (amount, first, second)
                bucket = by_key.get(key)
                if bucket is None:
                    by_key[key] = {index}
                else:
                    bucket.add(index)

    def _set_remaining(self, index: int, amount: int) -> None:
        # The name indexes keep the order under its former amount too (cheaper than removing
        # it); lookups check the remaining amount.
        entry = self._entries[index]
        if amount > 0 and amount != entry.remaining:
            self._index_name(index, amount)
        entry.remaining = amount

    # --- matching -----------------------------------------------------------------------

    def match_all(self, lines: Iterable[StatementLine]) -> list[MatchResult]:
        """Every line in order; later lines see what earlier automatic matches consumed."""
        with _collector_paused():
            return [self.match(line) for line in lines]

    def match(self, line: StatementLine) -> MatchResult:
        fingerprint = line.fingerprint
        amount = line.amount
        if amount < 0:
            return MatchResult(fingerprint, IGNORED, (), (Reason.of("debit", amount=amount),))
        if amount == 0:
            return MatchResult(fingerprint, IGNORED, (), (Reason.of("zero_amount"),))
        if line.currency and line.currency.upper() != self.currency:
            reason = Reason.of("currency_mismatch", currency=line.currency.upper(), expected=self.currency)
            return MatchResult(fingerprint, NONE, (), (reason,))

        slots, notes = self._collect(line)
        payer = _Payer(line)
        if slots:
            slots = self._settle(slots, notes)
        if slots:
            auto, suggestions = self._judge_references(amount, payer, slots, notes)
        else:
            auto, suggestions = self._judge_payer(amount, payer, notes)

        if auto is not None:
            if suggestions[0] is not auto:
                suggestions.remove(auto)
                suggestions.insert(0, auto)
            decision = AUTO
        else:
            decision = REVIEW if suggestions else NONE
        result = MatchResult(fingerprint, decision, tuple(suggestions[: self.max_suggestions]), tuple(notes))
        if auto is not None and self.track_consumption:
            self._consume(auto, amount)
        return result

    def _consume(self, suggestion: Suggestion, amount: int) -> None:
        indexes = [self._by_id[order_id] for order_id in suggestion.order_ids]
        if len(indexes) == 1:
            self._set_remaining(indexes[0], max(0, self._entries[indexes[0]].remaining - amount))
        else:  # automatic only when the amount is exactly their sum
            for index in indexes:
                self._set_remaining(index, 0)

    # --- what the line quotes -----------------------------------------------------------
    #
    # Each reference-like text in the line is a "slot": the orders it may stand for (one for an
    # exact reference or a body, one or more for a mistyped reference).

    def _collect(self, line: StatementLine) -> tuple[list[list[_Evidence]], list[Reason]]:
        slots: list[list[_Evidence]] = []
        notes: list[Reason] = []
        body_pattern = self._body_pattern
        for source, text in (
            ("structured", line.structured_reference),
            ("remittance", line.remittance),
            ("end_to_end_id", line.end_to_end_id),
        ):
            if not text:
                continue
            occurrences = reference_occurrences(text)
            for candidates, _start, _end in occurrences:
                slot = self._resolve(candidates, source, notes)
                if slot:
                    slots.append(slot)
            if body_pattern is None:
                continue
            if source == "structured":
                if not occurrences:  # a structured field holding the bare body
                    slot = self._body(reference_normalise(text), source)
                    if slot:
                        slots.append(slot)
                continue
            if occurrences:  # the bodies inside RF references were dealt with above
                pieces, position = [], 0
                for _candidates, start, end in occurrences:
                    pieces.append(text[position:start])
                    position = end
                pieces.append(text[position:])
                text = " ".join(pieces)
            for found in body_pattern.finditer(text.upper()):
                slot = self._body(found[1] + _BODY_SEPARATORS.sub("", found[2]), source)
                if slot:
                    slots.append(slot)
        return slots, notes

    def _body(self, body: str, source: str) -> list[_Evidence]:
        index = self._by_body.get(body)
        if index is None:
            return []
        entry = self._entries[index]
        reason = Reason.of(
            "reference_body", found=body, reference=entry.reference, source=source, order_id=entry.order_id
        )
        return [_Evidence(index, REF_BODY, reason)]

    def _resolve(self, candidates: tuple[str, ...], source: str, notes: list[Reason]) -> list[_Evidence]:
        """One RF occurrence: an order's exact reference, else the orders it is one typo from."""
        by_reference = self._by_reference
        for candidate in reversed(candidates):
            index = by_reference.get(candidate)
            if index is not None:
                code = "reference_exact" if source == "structured" else "reference_in_text"
                reason = Reason.of(code, reference=candidate, source=source, order_id=self._entries[index].order_id)
                return [_Evidence(index, REF_EXACT, reason)]
        low, high = self._length_range
        valid = [candidate for candidate in candidates if reference_is_valid(candidate)]
        for candidate in reversed(candidates):
            # Valid ones too: a character added or left out, or a letter typed for a digit,
            # keeps the check digits right once in 97 times.
            if low <= len(candidate) <= high:
                hits = self._one_typo(candidate)
                if hits:
                    return [
                        _Evidence(
                            index,
                            REF_TYPO,
                            Reason.of(
                                "reference_one_typo",
                                found=candidate,
                                reference=self._entries[index].reference,
                                kind=kind,
                                source=source,
                                order_id=self._entries[index].order_id,
                            ),
                        )
                        for index, kind in hits
                    ]
        if valid:
            notes.append(Reason.of("reference_not_open", reference=valid[-1], source=source))
        else:
            notes.append(Reason.of("reference_unresolved", found=candidates[-1], source=source))
        return []

    def _one_typo(self, found: str) -> list[tuple[int, str]]:
        """Orders whose reference is one edit from `found`, via the deletion index (SymSpell).

        A reference r and a text f one edit apart share a one-deletion variant (substitution,
        transposition), or f is a deletion of r (a character left out), or r is a deletion of f
        (one added); the variants only narrow the search, `_edit_kind` confirms."""
        deletions, by_reference = self._deletions, self._by_reference
        found_in: list[int | tuple[int, ...] | None] = [deletions.get(found)]
        for i in range(len(found)):
            variant = found[:i] + found[i + 1 :]
            found_in.append(by_reference.get(variant))
            found_in.append(deletions.get(variant))
        indexes: set[int] = set()
        for value in found_in:
            if value is None:
                continue
            if isinstance(value, int):
                indexes.add(value)
            else:
                indexes.update(value)
        hits = []
        for index in sorted(indexes):
            kind = _edit_kind(found, self._entries[index].reference)
            if kind is not None:
                hits.append((index, kind))
        return hits

    def _settle(self, slots: list[list[_Evidence]], notes: list[Reason]) -> list[list[_Evidence]]:
        """Drop repeats (the same order quoted twice: the strongest quote counts) and orders
        already paid; note quotes of nothing but paid orders."""
        entries = self._entries
        claimed: set[int] = set()
        settled = []
        for slot in sorted(slots, key=lambda slot: (-_RANK[slot[0].kind], len(slot))):
            if any(evidence.index in claimed for evidence in slot):
                continue
            claimed.update(evidence.index for evidence in slot)
            still_open = [evidence for evidence in slot if entries[evidence.index].remaining > 0]
            if not still_open:
                for evidence in slot:
                    entry = entries[evidence.index]
                    notes.append(Reason.of("order_already_paid", order_id=entry.order_id, reference=entry.reference))
                continue
            for evidence in still_open:
                evidence.ambiguity = len(still_open)
            settled.append(still_open)
        return settled

    # --- verdicts -----------------------------------------------------------------------

    def _judge_references(
        self, amount: int, payer: _Payer, slots: list[list[_Evidence]], notes: list[Reason]
    ) -> tuple[Suggestion | None, list[Suggestion]]:
        """The line quotes open orders (rules 1, 2, 3, 5 of the package docstring)."""
        entries = self._entries
        options = [evidence for slot in slots for evidence in slot]
        facts: dict[int, tuple[str | None, bool, list[Reason]]] = {}
        singles: dict[int, Suggestion] = {}
        for evidence in options:
            entry = entries[evidence.index]
            level, iban_ok, payer_reasons = facts[evidence.index] = payer.facts(entry)
            state, amount_reason = _amount(amount, entry.remaining)
            score = POINTS_REFERENCE[evidence.kind] / evidence.ambiguity
            score += POINTS_AMOUNT_EQUAL if state == EXACT else POINTS_AMOUNT_OFF
            if level is not None:
                score += POINTS_NAME[level]
            if iban_ok:
                score += POINTS_IBAN
            reasons = [evidence.reason, amount_reason, *payer_reasons]
            if evidence.ambiguity > 1:
                reasons.append(Reason.of("ambiguous", count=evidence.ambiguity))
            singles[evidence.index] = Suggestion((entry.order_id,), _clip(score), tuple(reasons), state)
        suggestions = list(singles.values())
        blocked = any(note.code in BLOCKING_NOTES for note in notes)

        def trusted(evidence: _Evidence) -> bool:
            """May this quote book its order, given that the amount picks it out?"""
            if evidence.kind == REF_EXACT:
                return True
            level, iban_ok, _reasons = facts[evidence.index]
            return (level in TRUSTED_NAMES or iban_ok) and not blocked

        auto: Suggestion | None = None
        if len(slots) == 1:
            slot = slots[0]
            if len(slot) == 1 and slot[0].kind == REF_EXACT:
                auto = singles[slot[0].index]  # rules 1 and 5: whatever the amount
            else:
                # rule 2: a typo or a body, and among the orders it may stand for exactly one
                # awaits this amount
                fitting = [evidence for evidence in slot if entries[evidence.index].remaining == amount]
                if len(fitting) == 1 and trusted(fitting[0]):
                    auto = singles[fitting[0].index]
            suggestions.sort(key=_rank)
            return auto, suggestions

        # rule 3: one order per quote whose amounts add up to the payment
        assignments: list[tuple[_Evidence, ...]] = []
        if prod(len(slot) for slot in slots) <= MAX_ASSIGNMENTS:
            for assignment in product(*slots):
                if sum(entries[evidence.index].remaining for evidence in assignment) == amount:
                    assignments.append(assignment)
        groups = [tuple(evidence.index for evidence in assignment) for assignment in assignments]
        if len(options) <= MAX_COMBINED:
            # fewer orders than quoted adding up: shown for review, never booked
            slot_of = {evidence.index: number for number, slot in enumerate(slots) for evidence in slot}
            for size in range(min(len(slots), len(options)) - 1, 1, -1):
                for group in combinations([evidence.index for evidence in options], size):
                    if len({slot_of[index] for index in group}) == size and (
                        sum(entries[index].remaining for index in group) == amount
                    ):
                        groups.append(group)
        evidence_of = {evidence.index: evidence for evidence in options}
        for group in groups:
            suggestions.append(self._combined(group, amount, evidence_of, facts))
        if len(assignments) == 1 and all(trusted(evidence) for evidence in assignments[0]):
            auto = suggestions[len(singles)]
        suggestions.sort(key=_rank)
        return auto, suggestions

    def _combined(
        self,
        group: tuple[int, ...],
        amount: int,
        evidence_of: dict[int, _Evidence],
        facts: dict[int, tuple[str | None, bool, list[Reason]]],
    ) -> Suggestion:
        reasons = [evidence_of[index].reason for index in group]
        reasons.append(Reason.of("amount_sum_of_orders", amount=amount, count=len(group)))
        # the mean strength of the quotes: a group that explains every quote and the amount
        # ranks above one exact quote taken alone as an overpayment
        score = sum(POINTS_REFERENCE[evidence_of[index].kind] / evidence_of[index].ambiguity for index in group)
        score = score / len(group) + POINTS_AMOUNT_EQUAL
        levels = [facts[index][0] for index in group]
        if all(levels):
            weakest = min(levels, key=lambda level: POINTS_NAME[level])
            score += POINTS_NAME[weakest]
            reasons.extend(reason for index in group for reason in facts[index][2] if reason.code == "name_match")
        if all(facts[index][1] for index in group):
            score += POINTS_IBAN
            reasons.append(next(reason for reason in facts[group[0]][2] if reason.code == "iban_match"))
        order_ids = tuple(sorted(self._entries[index].order_id for index in group))
        return Suggestion(order_ids, _clip(score), tuple(reasons), EXACT)

    def _judge_payer(
        self, amount: int, payer: _Payer, notes: list[Reason]
    ) -> tuple[Suggestion | None, list[Suggestion]]:
        """No open order quoted: orders awaiting exactly this amount from this name or account."""
        entries = self._entries
        candidates: set[int] = set()
        if payer.iban:
            candidates.update(
                index for index in self._by_iban.get(payer.iban, ()) if entries[index].remaining == amount
            )
        tokens = payer.tokens
        if tokens:
            by_pair = self._by_pair
            for first, second in pair_keys(tokens):
                bucket = by_pair.get((amount, first, second))
                if bucket:
                    candidates.update(bucket)
            # initials are looked up by first letter, which is looser: only when there are some
            lookups = [self._by_letter] if has_initial(tokens) else []
            if self._initialled:
                lookups.append(self._initialled)
            for by_letter in lookups:
                for first, letter in letter_keys(tokens):
                    bucket = by_letter.get((amount, first, letter))
                    if bucket:
                        candidates.update(bucket)
        if not candidates:
            return None, []
        scored: list[tuple[float, int, str | None, bool, list[Reason]]] = []
        for index in candidates:
            if entries[index].remaining != amount:
                continue  # indexed under an amount it no longer awaits
            level, iban_ok, payer_reasons = payer.facts(entries[index])
            if level is None and not iban_ok:
                continue
            raw = POINTS_AMOUNT_EQUAL + (POINTS_NAME[level] if level else 0.0) + (POINTS_IBAN if iban_ok else 0.0)
            scored.append((raw, entries[index].order_id, level, iban_ok, payer_reasons))
        suggestions = []
        amount_reason = Reason.of("amount_equal", amount=amount)
        for raw, order_id, _level, _iban_ok, payer_reasons in scored:
            # a score shared by k orders is split k ways: the clerk sees how ambiguous it is
            rivals = sum(1 for other in scored if other[0] >= raw)
            reasons = (amount_reason, *payer_reasons)
            if rivals > 1:
                reasons += (Reason.of("ambiguous", count=rivals),)
            suggestions.append(Suggestion((order_id,), _clip(raw / rivals), reasons, EXACT))
        suggestions.sort(key=_rank)
        auto = None
        # Name alone never books: namesakes owe the same fees. The payer's known account, the
        # name and the amount together do, when nothing else fits and the text quotes nothing.
        if len(scored) == 1 and not notes:
            _raw, _order_id, level, iban_ok, _reasons = scored[0]
            if iban_ok and level in TRUSTED_NAMES:
                auto = suggestions[0]
        return auto, suggestions


def _rank(suggestion: Suggestion) -> tuple[float, tuple[int, ...]]:
    return (-suggestion.score, suggestion.order_ids)


class _Payer:
    """Who sent the money, normalised once per line."""

    __slots__ = ("iban", "name", "tokens")

    def __init__(self, line: StatementLine) -> None:
        self.name = line.counterparty_name
        self.tokens = name_tokens(self.name) if self.name else ()
        self.iban = _iban(line.counterparty_iban)

    def facts(self, entry: _Entry) -> tuple[str | None, bool, list[Reason]]:
        """(name agreement level, same IBAN, the reasons saying so) against an order's payer."""
        level = name_agreement(self.tokens, entry.tokens) if self.tokens else None
        iban_ok = bool(self.iban) and self.iban == entry.iban
        reasons = []
        if level is not None:
            reasons.append(Reason.of("name_match", level=level, name=self.name, payer_name=entry.order.payer_name))
        if iban_ok:
            reasons.append(Reason.of("iban_match", iban=self.iban))
        return level, iban_ok, reasons
