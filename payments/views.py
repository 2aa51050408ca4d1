"""Pages of the payments app the browser is sent to (not the API)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from payments import card
from payments.errors import PaymentsError


@never_cache
@require_GET
def card_return(request):
    """Where the card gateway sends the browser back. The signed `r` only says which payment it
    was: the status is never taken from it. A status query is sent, and the browser goes to the
    case page, which shows "checking your payment" until the notification or the query lands."""
    try:
        payment, hint = card.card_return(r=request.GET.get("r", ""), s=request.GET.get("s", ""))
    except PaymentsError as exc:
        page = format_html(
            '<!doctype html><html lang="{}"><meta charset="utf-8"><title>{}</title>'
            '<main><h1>{}</h1><p>{}</p><p><a href="/cases">{}</a></p></main></html>',
            request.LANGUAGE_CODE,
            _("Payment"),
            _("Payment"),
            exc.message,
            _("Go to my cases"),
        )
        return HttpResponse(page, status=400)
    case_reference = payment.order.case.reference
    return HttpResponseRedirect(f"/cases/{quote(case_reference, safe='')}?{urlencode({'payment': hint})}")
