"""The client timeline: one history per client that other apps write to.

An app records what happened to a person with `timeline_record`; the CRM never reads another
app's tables to build the timeline. The `key` names the event once (e.g. "case:42:submitted"),
so a retried job or a repeated call records it once.

    timeline_record(user=resident.user, kind="case.submitted", title=..., key=f"case:{pk}:submitted")
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Client, TimelineEntry

logger = logging.getLogger(__name__)

#: Kinds of events and how the staff area names them. Apps add theirs here as they start writing.
KINDS: dict[str, Any] = {
    "case.submitted": _("Application submitted"),
    "case.decided": _("Application decided"),
    "payment.captured": _("Fee paid"),
    "identification.verified": _("Identified in person"),
    "newsletter.opened": _("Newsletter opened"),
    "newsletter.clicked": _("Newsletter link clicked"),
    "contact.inquiry": _("Contacted the contact centre"),
}


def timeline_record(
    *,
    kind: str,
    title: str,
    key: str,
    client: Client | None = None,
    user=None,
    at: datetime.datetime | None = None,
    data: dict | None = None,
    url: str = "",
) -> TimelineEntry | None:
    """Record an event on the client's timeline (the client given, or the one of the resident
    account `user`, made on first use). Returns None when there is no client to write to."""
    if kind not in KINDS:
        raise ValueError(f"unknown timeline kind {kind!r}: add it to crm.timeline.KINDS")
    if client is None and user is not None:
        client = Client.objects.filter(user=user).first()
        if client is None:
            from crm.services import client_sync_from_account

            client = client_sync_from_account(user=user)
    if client is None:
        return None
    try:
        with transaction.atomic():
            entry, _created = TimelineEntry.objects.get_or_create(
                key=key[:120],
                defaults={
                    "client": client,
                    "kind": kind,
                    "title": title[:300],
                    "at": at or timezone.now(),
                    "data": data or {},
                    "url": url[:300],
                },
            )
    except IntegrityError:  # recorded concurrently by another delivery of the same job
        entry = TimelineEntry.objects.get(key=key[:120])
    return entry


def timeline_record_safely(**kwargs) -> None:
    """For callers whose own work must not fail because of the timeline: errors are logged."""
    try:
        timeline_record(**kwargs)
    except Exception:
        logger.exception("timeline entry %s could not be recorded", kwargs.get("key"))


def client_timeline(client: Client, *, limit: int = 100) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(client=client).order_by("-at", "-pk")[:limit])
