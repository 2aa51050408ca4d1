"""Search fields on what a client did: applications (cases), paid fees (orders), timeline events.

Cases and orders belong to the resident profile, not the client: a client is linked to a resident
through the account (`ResidentProfile.user_id = Client.user_id`), so those `Exists` subqueries are
correlated on `Client.user_id` (a unique column) and join the profile by its unique `user_id`.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import TimelineEntry
from crm.search import values as v
from crm.search.base import (
    Context,
    Names,
    Operator,
    SearchField,
    client_rows,
    joined,
    period_end,
    period_q,
    period_start,
    period_text,
)
from crm.search.values import at
from eservices.cases.models import Case, CaseStatus
from payments.models import Order, OrderStatus

MAX_AMOUNT = 1_000_000_000
CASE_STATUSES = dict(CaseStatus.choices)

#: Timeline kinds the `activity` field can search for, with how the summary names them. A kind is
#: added here once an app writes it (see `crm.timeline`).
ACTIVITY_KINDS: dict[str, Any] = {
    "newsletter.opened": gettext_lazy("newsletter opened"),
    "newsletter.clicked": gettext_lazy("newsletter link clicked"),
    "contact.inquiry": gettext_lazy("contacted the contact centre"),
    "case.submitted": gettext_lazy("application submitted"),
    "payment.captured": gettext_lazy("fee paid"),
    "identification.verified": gettext_lazy("identified in person"),
}


# --- activity: cases, payments, the timeline -----------------------------------------------------
def _service_type(value, path, problems):
    code = v.text(value, path, problems, max_length=40)
    if code is not None:
        problems.refer("service_type", code, path)
    return code


def _statuses(value, path, problems):
    return v.list_of(value, path, problems, item=lambda s, p, pr: v.choice(s, p, pr, choices=CASE_STATUSES))


def _case(value, path, problems):
    data = v.obj(value, path, problems, optional=("service_type", "status", *v.PERIOD_KEYS))
    if data is None:
        return None
    result = v.period(data, path, problems)
    if "service_type" in data:
        result["service_type"] = _service_type(data["service_type"], at(path, "service_type"), problems)
    if "status" in data:
        result["status"] = _statuses(data["status"], at(path, "status"), problems)
    return result


def _cases(value: dict, context: Context) -> Exists:
    # a client is linked to a resident through the account: ResidentProfile.user = Client.user
    rows = Case.objects.filter(applicant__user_id=OuterRef("user_id")).filter(period_q(value, "submitted_at", context))
    if "service_type" in value:
        rows = rows.filter(service_type__code=value["service_type"])
    if "status" in value:
        rows = rows.filter(status__in=value["status"])
    return Exists(rows)


def _case_text(value: dict, criterion: dict, names: Names, *, wanted: bool) -> str:
    service = value.get("service_type")
    if service:
        template = _("has a case: %(service)s") if wanted else _("has no case: %(service)s")
        parts = [template % {"service": names.service_type.get(service, service)}]
    else:
        parts = [_("has a case") if wanted else _("has no case")]
    if "status" in value:
        statuses = joined([str(CASE_STATUSES[status]) for status in value["status"]], op="or")
        parts.append(_("status: %(statuses)s") % {"statuses": statuses})
    if period_text(value):
        parts.append(_("submitted %(period)s") % {"period": period_text(value)})
    return ", ".join(parts)


HAS_CASE = SearchField(
    label=gettext_lazy("case"),
    operators={
        "exists": Operator(
            check=_case,
            condition=lambda value, c, ctx: Q(_cases(value, ctx)),
            describe=lambda value, c, n: _case_text(value, c, n, wanted=True),
        ),
        "not_exists": Operator(
            check=_case,
            condition=lambda value, c, ctx: ~Q(_cases(value, ctx)),
            describe=lambda value, c, n: _case_text(value, c, n, wanted=False),
        ),
    },
)


def _payment(value, path, problems):
    data = v.obj(value, path, problems, optional=("min_amount", *v.PERIOD_KEYS))
    if data is None:
        return None
    result = v.period(data, path, problems)
    if "min_amount" in data:
        result["min_amount"] = v.whole_number(
            data["min_amount"], at(path, "min_amount"), problems, minimum=0, maximum=MAX_AMOUNT
        )
    return result


def _payments(value: dict, context: Context) -> Exists:
    rows = Order.objects.filter(resident__user_id=OuterRef("user_id"), status=OrderStatus.PAID).filter(
        period_q(value, "paid_at", context)
    )
    if "min_amount" in value:
        rows = rows.filter(amount__gte=value["min_amount"])
    return Exists(rows)


def _payment_text(value: dict, *, wanted: bool) -> str:
    parts = [_("paid a fee") if wanted else _("paid no fee")]
    if "min_amount" in value:
        amount = f"{value['min_amount']:,}".replace(",", "\u00a0")
        parts.append(_("at least %(amount)s Ft") % {"amount": amount})
    if period_text(value):
        parts.append(period_text(value))
    return ", ".join(parts)


PAID = SearchField(
    label=gettext_lazy("paid"),
    operators={
        "exists": Operator(
            check=_payment,
            condition=lambda value, c, ctx: Q(_payments(value, ctx)),
            describe=lambda value, c, n: _payment_text(value, wanted=True),
        ),
        "not_exists": Operator(
            check=_payment,
            condition=lambda value, c, ctx: ~Q(_payments(value, ctx)),
            describe=lambda value, c, n: _payment_text(value, wanted=False),
        ),
    },
)


def _activity(value, path, problems):
    data = v.obj(value, path, problems, required=("kind",), optional=v.PERIOD_KEYS)
    if data is None:
        return None
    result = v.period(data, path, problems)
    if "kind" in data:
        result["kind"] = v.choice(data["kind"], at(path, "kind"), problems, choices=ACTIVITY_KINDS)
    return result


def timeline_row_q(value: dict, context: Context) -> Q:
    """The condition on one `TimelineEntry` row; `timeline_rows` puts several in one EXISTS."""
    return Q(kind=value["kind"]) & period_q(value, "at", context)


def timeline_rows(values: list[dict], context: Context) -> Exists:
    """One EXISTS for "any of these events": `EXISTS(a OR b)` is a single (semi-)join, while
    `EXISTS(a) OR EXISTS(b)` is a subquery evaluated for every candidate client. With several
    events, the kinds and the widest period are also given on their own: PostgreSQL reads an
    OR of (kind, period) pairs from the (kind, at) index only with those as index conditions,
    not by filtering every row of the index."""
    rows = client_rows(TimelineEntry).filter(reduce(operator.or_, [timeline_row_q(v, context) for v in values]))
    if len(values) > 1:
        rows = rows.filter(kind__in=sorted({value["kind"] for value in values}))
        starts = [period_start(value, context) for value in values]
        if None not in starts:  # every event has a start: none of them is earlier than the first
            rows = rows.filter(at__gte=min(starts))
        ends = [period_end(value) for value in values]
        if None not in ends:
            rows = rows.filter(at__lt=max(ends))
    return Exists(rows)


def _timeline(value: dict, context: Context) -> Exists:
    return timeline_rows([value], context)


def _activity_text(value: dict, *, wanted: bool) -> str:
    kind = ACTIVITY_KINDS[value["kind"]]
    parts = [(_("activity: %(activity)s") if wanted else _("no activity: %(activity)s")) % {"activity": kind}]
    if period_text(value):
        parts.append(period_text(value))
    return ", ".join(parts)


ACTIVITY = SearchField(
    label=gettext_lazy("activity"),
    operators={
        "exists": Operator(
            check=_activity,
            condition=lambda value, c, ctx: Q(_timeline(value, ctx)),
            describe=lambda value, c, n: _activity_text(value, wanted=True),
        ),
        "not_exists": Operator(
            check=_activity,
            condition=lambda value, c, ctx: ~Q(_timeline(value, ctx)),
            describe=lambda value, c, n: _activity_text(value, wanted=False),
        ),
    },
)
