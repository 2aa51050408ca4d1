"""Reads of the payments app used by other apps and the API."""

from __future__ import annotations

from payments.models import Order, OrderStatus


def order_paid_for_case(*, case_id: int) -> Order | None:
    """The paid order of a case, if it had a fee and it is paid."""
    return Order.objects.filter(case_id=case_id, status=OrderStatus.PAID).first()
