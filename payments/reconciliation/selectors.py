"""Reads for the reconciliation screens: the review queue, counts, the daily summary."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from payments.models import BankStatement, StatementLine

State = StatementLine.MatchState


def review_queue(*, state: str = "") -> QuerySet[StatementLine]:
    """Incoming payments a clerk has to look at: waiting for review, or matched to nothing.

    Lines of a statement still being read are left out: the matcher has not judged them yet."""
    states = [state] if state in (State.REVIEW, State.UNMATCHED) else [State.REVIEW, State.UNMATCHED]
    return (
        StatementLine.objects.filter(match_state__in=states, amount__gt=0)
        .exclude(statement__state=BankStatement.State.PROCESSING)
        .select_related("statement")
        .order_by("booking_date", "pk")
    )


def statement_counts(*, statement_id: int) -> dict[str, int]:
    """How many of the statement's stored lines are in each match state (every state present)."""
    counts = dict(
        StatementLine.objects.filter(statement_id=statement_id)
        .values_list("match_state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {value: counts.get(value, 0) for value in State.values}


def same_file_uploads(statement: BankStatement) -> QuerySet[BankStatement]:
    """Earlier uploads of the very same file (same SHA-256)."""
    return (
        BankStatement.objects.filter(file_sha256=statement.file_sha256, uploaded_at__lt=statement.uploaded_at)
        .select_related("uploaded_by")
        .order_by("uploaded_at")
    )


def _bucket(state_filter: Q) -> dict[str, Any]:
    return {"count": Count("pk", filter=state_filter), "amount": Sum("amount", filter=state_filter, default=0)}


def daily_summary(*, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """Per booking day (and currency): incoming lines, and how they were matched, with amounts.

    Each bank entry counts once, however many statements repeated it."""
    buckets = {
        "credits": Q(),
        "auto": Q(match_state=State.AUTO),
        "manual": Q(match_state=State.MANUAL),
        "unmatched": Q(match_state__in=[State.REVIEW, State.UNMATCHED]),
        "ignored": Q(match_state=State.IGNORED),
    }
    annotations: dict[str, Any] = {}
    for name, condition in buckets.items():
        for key, expression in _bucket(condition).items():
            annotations[f"{name}_{key}"] = expression
    rows = (
        StatementLine.objects.filter(amount__gt=0, booking_date__gte=start, booking_date__lte=end)
        .values("booking_date", "currency")
        .annotate(**annotations)
        .order_by("-booking_date", "currency")
    )
    return list(rows)


def daily_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary's columns added up per currency (amounts of different currencies never mix)."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row["currency"], {"currency": row["currency"]})
        for key, value in row.items():
            if key not in ("booking_date", "currency"):
                total[key] = total.get(key, 0) + value
    return [totals[currency] for currency in sorted(totals)]
