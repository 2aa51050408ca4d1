"""Matching statement lines to orders, and the clerk's work on them (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from payments.errors import ErrorCode, PaymentsError
from payments.matching import AUTO, IGNORED, REVIEW, Matcher, MatchResult, OpenOrder, Reason, Suggestion
from payments.models import (
    Allocation,
    Order,
    OrderStatus,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
    StatementLine,
)
from payments.references import reference_format, reference_normalise
from payments.services import payment_transition
from payments.statements import StatementLine as ParsedLine

from .common import OPEN_STATES, ORDER_CURRENCY, AlreadyDone, Code, line_title, require_reconciler

State = StatementLine.MatchState
PAYABLE = (OrderStatus.OPEN, OrderStatus.PARTIALLY_PAID)
MATCH_BATCH = 1000
_STATE_OF_DECISION = {REVIEW: State.REVIEW, IGNORED: State.IGNORED}  # "none" -> unmatched


# --- the matching run ---------------------------------------------------------------------


def open_orders_load() -> list[OpenOrder]:
    """Orders awaiting payment, as the matcher sees them. The payer's IBAN is the account an
    earlier transfer of the same resident came from (the latest one still matched), if any."""
    known_ibans = dict(
        Allocation.objects.filter(undone_at__isnull=True)
        .exclude(line__counterparty_iban="")
        .order_by("order__resident_id", "-created_at", "-pk")
        .distinct("order__resident_id")
        .values_list("order__resident_id", "line__counterparty_iban")
    )
    rows = (
        Order.objects.filter(status__in=PAYABLE, reference__isnull=False)
        .values_list(
            "pk", "reference", "amount", "amount_paid", "resident_id", "resident__family_name", "resident__given_names"
        )
        .order_by("pk")
    )
    return [
        OpenOrder(
            order_id=pk,
            reference=reference,
            amount_due=amount - paid,
            payer_name=f"{family} {given}".strip(),
            payer_iban=known_ibans.get(resident_id, ""),
        )
        for pk, reference, amount, paid, resident_id, family, given in rows.iterator(chunk_size=5000)
    ]


def statement_match(*, statement_id: int, progress: Callable[[int, int], None] | None = None) -> None:
    """Run the matcher over the statement's lines still waiting for it, oldest first. Automatic
    matches are booked one line per transaction; the rest are stored in batches."""
    ids = list(
        StatementLine.objects.filter(statement_id=statement_id, match_state=State.UNMATCHED, allocations__isnull=True)
        .order_by("booking_date", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    matcher = Matcher(open_orders_load(), currency=ORDER_CURRENCY)
    for start in range(0, len(ids), MATCH_BATCH):
        chunk = ids[start : start + MATCH_BATCH]
        judged = []
        for line in StatementLine.objects.filter(pk__in=chunk).order_by("booking_date", "pk"):
            result = matcher.match(_parsed(line))
            if result.decision == AUTO:
                result = _book_automatically(line, result)
                if result is None:
                    continue
            line.match_state = _STATE_OF_DECISION.get(result.decision, State.UNMATCHED)
            line.suggestions = [_suggestion_data(suggestion) for suggestion in result.suggestions]
            line.reasons = [_reason_data(reason) for reason in result.reasons]
            line.updated_at = timezone.now()
            judged.append(line)
        StatementLine.objects.bulk_update(judged, ["match_state", "suggestions", "reasons", "updated_at"])
        if progress is not None:
            progress(start + len(chunk), len(ids))


def _book_automatically(line: StatementLine, result: MatchResult) -> MatchResult | None:
    """Book the matcher's choice (None), or hand back a review verdict when the orders changed
    since they were loaded, e.g. a card payment arrived meanwhile."""
    best = result.best
    try:
        _book(
            line_id=line.pk,
            order_ids=best.order_ids if best else (),
            user=None,
            automatic=True,
            score=best.score if best else None,
            reasons=[_reason_data(reason) for reason in best.reasons] if best else [],
            suggestions=[_suggestion_data(suggestion) for suggestion in result.suggestions],
            line_reasons=[_reason_data(reason) for reason in result.reasons],
        )
    except PaymentsError as exc:
        refused = Reason.of("booking_refused", code=str(exc.code))
        return MatchResult(result.fingerprint, REVIEW, result.suggestions, (*result.reasons, refused))
    return None


def _parsed(line: StatementLine) -> ParsedLine:
    return ParsedLine(
        booking_date=line.booking_date,
        value_date=line.value_date,
        amount=line.amount,
        currency=line.currency,
        counterparty_name=line.counterparty_name,
        counterparty_iban=line.counterparty_iban,
        remittance=line.remittance,
        end_to_end_id=line.end_to_end_id,
        bank_reference=line.bank_reference,
        structured_reference=line.structured_reference,
    )


def _reason_data(reason: Reason) -> dict[str, Any]:
    return {"code": reason.code, "params": reason.as_dict()}


def _suggestion_data(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "order_ids": list(suggestion.order_ids),
        "score": suggestion.score,
        "amount_state": suggestion.amount_state,
        "reasons": [_reason_data(reason) for reason in suggestion.reasons],
    }


# --- booking ------------------------------------------------------------------------------


def _book(
    *,
    line_id: int,
    order_ids: Sequence[int],
    user,
    automatic: bool,
    note: str = "",
    score: float | None = None,
    reasons: list | None = None,
    suggestions: list | None = None,
    line_reasons: list | None = None,
) -> list[Allocation]:
    """One line pays `order_ids`: a captured TRANSFER payment and an allocation per order, the
    orders recomputed (a case whose order is now paid goes on after commit), all in one
    transaction; the audit log and the case's message come only with the commit."""
    source = PaymentEvent.Source.STATEMENT if automatic else PaymentEvent.Source.CLERK
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line_id)
        if line.match_state not in OPEN_STATES:
            booked = set(line.allocations.filter(undone_at__isnull=True).values_list("order_id", flat=True))
            if line.match_state != State.IGNORED and booked == set(order_ids):
                raise AlreadyDone(Code.ALREADY_DONE, _("This line is already matched to these orders."))
            raise PaymentsError(Code.LINE_NOT_OPEN, _("This line has already been dealt with; reload the page."))
        if line.amount <= 0:
            raise PaymentsError(Code.NOT_A_CREDIT, _("Only incoming payments can be matched to orders."))
        if line.currency != ORDER_CURRENCY:
            raise PaymentsError(
                Code.CURRENCY,
                _("This entry is in %(currency)s; orders are paid in %(expected)s.")
                % {"currency": line.currency, "expected": ORDER_CURRENCY},
            )
        allocated = line.allocations.filter(undone_at__isnull=True).aggregate(total=Sum("amount"))["total"] or 0
        available = line.amount - allocated
        if available <= 0:
            raise PaymentsError(Code.LINE_NOT_OPEN, _("This line is already matched in full; reload the page."))
        # locked in id order, as every booking does, so two bookings never wait on each other
        orders = list(Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk"))
        if not orders or len(orders) != len(set(order_ids)):
            raise PaymentsError(Code.ORDER_UNKNOWN, _("No order has this payment reference."))
        for order in orders:
            if order.status not in PAYABLE:
                raise PaymentsError(
                    ErrorCode.ORDER_NOT_PAYABLE,
                    _("The order %(reference)s is not waiting for payment (%(status)s).")
                    % {"reference": reference_format(order.reference or ""), "status": order.get_status_display()},
                )
        allocations = []
        for order, amount in zip(orders, _split(available, orders, exact=automatic), strict=True):
            if amount > 0:
                allocations.append(_allocate(line, order, amount, user, automatic, source, note, score, reasons))
        line.match_state = State.AUTO if automatic else State.MANUAL
        fields = ["match_state", "updated_at"]
        if suggestions is not None:
            line.suggestions, line.reasons = suggestions, line_reasons or []
            fields += ["suggestions", "reasons"]
        line.save(update_fields=fields)
        log(
            instance=line,
            action="payments.line_matched",
            user=user,
            title=line_title(line),
            data={
                "orders": [allocation.order_id for allocation in allocations],
                "amounts": [allocation.amount for allocation in allocations],
                "automatic": automatic,
                "note": note,
            },
        )
    return allocations


def _split(available: int, orders: Sequence[Order], *, exact: bool) -> list[int]:
    """How much of the line goes to each order. One order takes the whole amount (a partial or
    an overpayment shows on the order); several take their balances in turn, the last one the
    rest. Automatic bookings of several orders need the balances to add up exactly."""
    if len(orders) == 1:
        return [available]
    balances = [max(order.balance, 0) for order in orders]
    if exact and sum(balances) != available:
        raise PaymentsError(Code.AMOUNTS_CHANGED, _("The orders' balances no longer add up to the amount paid."))
    amounts, rest = [], available
    for number, balance in enumerate(balances):
        amount = rest if number == len(balances) - 1 else min(balance, rest)
        amounts.append(amount)
        rest -= amount
    return amounts


def _allocate(line, order, amount, user, automatic, source, note, score, reasons) -> Allocation:
    payment = Payment.objects.create(order=order, method=PaymentMethod.TRANSFER, amount=amount, recorded_by=user)
    data = {"statement_line": line.pk, "statement": line.statement_id}
    PaymentEvent.objects.create(payment=payment, to_status=PaymentStatus.CREATED, source=source, user=user, data=data)
    payment_transition(
        payment_id=payment.pk, to_status=PaymentStatus.CAPTURED, source=source, note=note, data=data, user=user
    )
    allocation = Allocation.objects.create(
        line=line,
        order=order,
        payment=payment,
        amount=amount,
        automatic=automatic,
        score=score,
        reasons=reasons or [],
        note=note,
        created_by=user,
    )
    log(
        instance=order,
        action="payments.transfer_matched",
        user=user,
        data={**data, "payment": payment.pk, "amount": amount, "automatic": automatic, "note": note},
    )
    return allocation


# --- the clerk's actions --------------------------------------------------------------------


def suggestion_confirm(*, line_id: int, index: int, user, note: str = "") -> list[Allocation]:
    """Book the line's `index`-th suggestion (as shown in the review queue)."""
    require_reconciler(user)
    line = StatementLine.objects.get(pk=line_id)
    if not 0 <= index < len(line.suggestions):
        raise PaymentsError(Code.LINE_NOT_OPEN, _("This suggestion no longer exists; reload the page."))
    suggestion = line.suggestions[index]
    return _book(
        line_id=line_id,
        order_ids=suggestion["order_ids"],
        user=user,
        automatic=False,
        note=note.strip(),
        score=suggestion.get("score"),
        reasons=suggestion.get("reasons", []),
    )


def line_match_manual(*, line_id: int, reference: str, note: str, user) -> Allocation:
    """Book the line to the order with `reference` (however spaced or cased); `note` says why."""
    require_reconciler(user)
    errors = {}
    note = note.strip()
    if not note:
        errors["note"] = [_("Say why the payment belongs to this order.")]
    compact = reference_normalise(reference)
    order = Order.objects.filter(reference=compact).first() if compact else None
    if order is None:
        errors["reference"] = [
            _("No order has this payment reference.") if compact else _("Enter the order's payment reference.")
        ]
    if errors:
        raise PaymentsError(ErrorCode.INVALID, next(iter(errors.values()))[0], fields=errors)
    try:
        allocations = _book(line_id=line_id, order_ids=[order.pk], user=user, automatic=False, note=note)
    except AlreadyDone:
        raise
    except PaymentsError as exc:
        if exc.code in (ErrorCode.ORDER_NOT_PAYABLE, Code.ORDER_UNKNOWN):
            raise PaymentsError(exc.code, exc.message, fields={"reference": [exc.message]}) from exc
        raise
    return allocations[0]


def line_ignore(*, line_id: int, note: str, user) -> StatementLine:
    """Mark a line as not a payment to match (a refund, a grant, a tax paid to the wrong account)."""
    require_reconciler(user)
    note = note.strip()
    if not note:
        message = _("Say why this is not a payment to match.")
        raise PaymentsError(ErrorCode.INVALID, message, fields={"note": [message]})
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line_id)
        if line.match_state == State.IGNORED:
            raise AlreadyDone(Code.ALREADY_DONE, _("This line is already marked as not a payment."))
        if line.match_state not in OPEN_STATES:
            raise PaymentsError(Code.LINE_NOT_OPEN, _("This line has already been dealt with; reload the page."))
        if line.allocations.filter(undone_at__isnull=True).exists():
            raise PaymentsError(Code.LINE_HAS_ALLOCATIONS, _("Part of this line pays an order: unmatch that first."))
        line.match_state = State.IGNORED
        line.save(update_fields=["match_state", "updated_at"])
        log(instance=line, action="payments.line_ignored", user=user, title=line_title(line), data={"note": note})
    return line


def allocation_undo(*, allocation_id: int, note: str, user) -> Allocation:
    """Take a matched transfer back off its order: the payment is reversed, the order shows its
    balance again (a case already decided stays decided), the allocation is kept as undone
    and the line returns to the review queue."""
    require_reconciler(user)
    note = note.strip()
    if not note:
        message = _("Say why the payment does not belong to this order.")
        raise PaymentsError(ErrorCode.INVALID, message, fields={"note": [message]})
    line_id = Allocation.objects.values_list("line_id", flat=True).get(pk=allocation_id)
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line_id)  # the line first, as `_book` does
        allocation = Allocation.objects.select_for_update().get(pk=allocation_id)
        if allocation.undone_at is not None:
            raise AlreadyDone(Code.ALREADY_DONE, _("This match has already been undone."))
        data = {"statement_line": line.pk, "allocation": allocation.pk}
        payment_transition(
            payment_id=allocation.payment_id,
            to_status=PaymentStatus.REVERSED,
            source=PaymentEvent.Source.CLERK,
            note=note,
            data=data,
            user=user,
        )
        allocation.undone_at, allocation.undone_by, allocation.undo_reason = timezone.now(), user, note
        allocation.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        line.match_state = State.REVIEW if line.suggestions else State.UNMATCHED
        line.save(update_fields=["match_state", "updated_at"])
        data.update(payment=allocation.payment_id, amount=allocation.amount, note=note)
        log(instance=allocation.order, action="payments.transfer_unmatched", user=user, data=data)
        log(
            instance=line,
            action="payments.line_unmatched",
            user=user,
            title=line_title(line),
            data={"order": allocation.order_id, "amount": allocation.amount, "note": note},
        )
    return allocation


def orders_by_id(order_ids: Iterable[int]) -> dict[int, Order]:
    """Orders named by suggestions, in one query (for pages listing many lines)."""
    ids = set(order_ids)
    if not ids:
        return {}
    return {order.pk: order for order in Order.objects.filter(pk__in=ids).select_related("resident", "case")}
