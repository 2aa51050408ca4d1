"""/dev/mail/: what the development SMTP sink caught (DEBUG only; see backend/urls.py).

A developer's tool, not a staff screen: no sign-in, never mounted in production. Reads the
files `integrations.mail.sink` writes under MAIL_SINK_DIR. The JSON views serve browser tests
(`e2e/`) that need the link in a verification email.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from integrations.mail.sink import list_messages, read_message

app_name = "devmail"

# Opened links and remote images of a message are the developer's choice in a dev tool.
_MESSAGE_CSP = {"img-src": ["http:", "https:"], "frame-src": ["'self'"]}
# Injected into the sandboxed frame: links open in a new tab instead of inside the frame.
_FRAME_HEAD = '<base target="_blank">'


def _message_or_404(message_id: str):
    try:
        return read_message(settings.MAIL_SINK_DIR, message_id)
    except FileNotFoundError as exc:
        raise Http404("no such message") from exc


@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    messages = list_messages(settings.MAIL_SINK_DIR)
    return render(request, "devmail/list.html", {"messages": messages, "directory": settings.MAIL_SINK_DIR})


@require_GET
@csp_update(_MESSAGE_CSP)
def message_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    message = _message_or_404(message_id)
    frame_html = _FRAME_HEAD + message.html if message.html else ""
    return render(request, "devmail/detail.html", {"message": message, "frame_html": frame_html})


@require_GET
def message_list_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "messages": [
                {
                    "id": m.id,
                    "date": m.date.isoformat() if m.date else None,
                    "from": m.from_,
                    "to": m.to,
                    "subject": m.subject,
                }
                for m in list_messages(settings.MAIL_SINK_DIR)
            ]
        }
    )


@require_GET
def message_detail_json(request: HttpRequest, message_id: str) -> JsonResponse:
    m = _message_or_404(message_id)
    return JsonResponse(
        {
            "id": m.id,
            "date": m.date.isoformat() if m.date else None,
            "from": m.from_,
            "to": m.to,
            "cc": m.cc,
            "envelope_to": m.envelope_to,
            "subject": m.subject,
            "text": m.text,
            "html": m.html,
        }
    )


urlpatterns = [
    path("", message_list, name="list"),
    path("messages.json", message_list_json, name="list_json"),
    path("<str:message_id>/", message_detail, name="detail"),
    path("<str:message_id>.json", message_detail_json, name="detail_json"),
]
