"""Reads of invoicing: what a resident may see of their invoices."""

from __future__ import annotations

from django.db.models import QuerySet

from payments.models import Invoice


def invoices_for_resident(*, user, order_reference: str) -> QuerySet[Invoice]:
    """The invoices of one of the user's orders whose document is ready (empty for anyone else's)."""
    return Invoice.objects.filter(
        order__reference=order_reference, order__resident__user=user, pdf__isnull=False
    ).order_by("created_at", "pk")
