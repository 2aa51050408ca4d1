"""Client records in the staff API (`/api/staff/v1/crm/clients/…`).

    GET  clients/?q=kov+jan&page=1        quick search; names only (reading a record is audited)
    POST clients/                         create; likely duplicates answer 409 unless confirmed
    GET  clients/<id>/                    the record (audited: crm.client_viewed)
    PUT  clients/<id>/                    update (keys left out keep the stored value)
    POST clients/check-duplicates/        the likely duplicates of a record being entered
    GET  clients/<id>/export/             GDPR export (JSON download; audited)
    POST clients/<id>/erase/              GDPR erasure, with the reason (crm.erase_client)

Every write goes through `crm.services.client_save`; the answer says what cleansing corrected
(`corrections`) and what it queued for a person to check (`problems`).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import gdpr, selectors, services
from crm.api.permissions import CrmStaffPermission
from crm.api.serializers import (
    ClientCreateIn,
    ClientIn,
    ClientListItemOut,
    ClientOut,
    DuplicateCheckIn,
    ProblemOut,
    candidate_out,
    client_data,
    validated,
)
from crm.cleansing import email_key
from crm.errors import CrmError, ErrorCode
from crm.models import Client, ClientNote, ClientSource, ClientState

VIEW = "crm.view_client"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class _CrmView(APIView):
    permission_classes = [CrmStaffPermission]


def _client(pk: int) -> Client:
    try:
        return selectors.client_for_staff(pk)
    except Client.DoesNotExist:
        raise CrmError(ErrorCode.NOT_FOUND, _("There is no such client.")) from None


def _ensure_active(client: Client) -> None:
    if client.state == ClientState.MERGED:
        raise CrmError(
            ErrorCode.CLIENT_NOT_ACTIVE,
            _("This record was merged into another client and cannot be changed; change that client."),
        )
    if client.state != ClientState.ACTIVE:
        raise CrmError(ErrorCode.CLIENT_NOT_ACTIVE, _("This client's data were erased; the record cannot be changed."))


def _saved(result: services.SaveResult, *, status_code: int) -> Response:
    client = selectors.client_for_staff(result.client.pk)
    body = {
        **ClientOut(client).data,
        "corrections": list(result.corrections),
        "problems": ProblemOut(result.problems, many=True).data,
    }
    return Response(body, status=status_code)


def _add_note(client: Client, text: str, user) -> None:
    text = (text or "").strip()
    if text:
        ClientNote.objects.create(client=client, text=text, author=user)


def duplicates_of(data: services.ClientData, *, exclude_client_id: int | None = None) -> list:
    from crm.duplicates import duplicates_for_data

    return duplicates_for_data(data=data, exclude_client_id=exclude_client_id)


def _candidates(candidates: list, user) -> list[dict]:
    """Showing a candidate shows its birth date and contacts: a read of personal data."""
    for candidate in candidates:
        services.client_viewed(client=candidate.client, user=user, context="duplicate_check")
    return [candidate_out(c) for c in candidates]


# --- search and create ----------------------------------------------------------------------------
class _PageIn(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=True, default="", trim_whitespace=True)
    page = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)


class ClientsView(_CrmView):
    required_permission = VIEW
    required_permissions = {"POST": (VIEW, "crm.add_client")}

    def get(self, request):
        params = validated(_PageIn(data=request.query_params))
        page, size = params["page"], params["page_size"]
        result = selectors.clients_quick_search(params["q"], limit=page * size)
        shown = result.clients[(page - 1) * size : page * size]
        has_next = len(result.clients) == page * size and result.total > page * size
        return Response(
            {
                "count": result.total,
                "more": result.more,  # the search stopped at its cap: type more to narrow it
                "kind": result.kind,
                "page": page,
                "page_size": size,
                "has_next": has_next,
                "results": ClientListItemOut(shown, many=True).data,
            }
        )

    def post(self, request):
        values = validated(ClientCreateIn(data=request.data))
        data = client_data(values)
        if not values["confirm_not_duplicate"]:
            candidates = duplicates_of(data)
            if candidates:
                return Response(
                    {
                        "code": ErrorCode.POSSIBLE_DUPLICATES.value,
                        "message": _(
                            "This person may be stored already. Open the existing client, or confirm "
                            "that this is a new person (confirm_not_duplicate)."
                        ),
                        "fields": {},
                        "candidates": _candidates(candidates, request.user),
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        with transaction.atomic():
            result = services.client_save(data=data, user=request.user, source=ClientSource.STAFF)
            _add_note(result.client, values.get("note", ""), request.user)
        return _saved(result, status_code=status.HTTP_201_CREATED)


class DuplicateCheckView(_CrmView):
    """The record as it is being entered; nothing is stored."""

    required_permissions = {"POST": VIEW}

    def post(self, request):
        values = validated(DuplicateCheckIn(data=request.data))
        data = client_data(values)
        candidates = duplicates_of(data, exclude_client_id=values.get("exclude_client_id"))
        return Response({"candidates": _candidates(candidates, request.user)})


# --- one client -----------------------------------------------------------------------------------
class ClientView(_CrmView):
    required_permission = VIEW
    required_permissions = {"PUT": (VIEW, "crm.change_client")}

    def get(self, request, pk: int):
        client = _client(pk)
        services.client_viewed(client=client, user=request.user, context="api")
        return Response(ClientOut(client).data)

    def put(self, request, pk: int):
        client = _client(pk)
        _ensure_active(client)
        values = validated(ClientIn(data=request.data))
        base = services.client_data_of(client)
        data = client_data(values, base=base)
        if "emails" in values:
            # proven once, an address stays proven only when it is sent back unchanged
            proven = {e.id: email_key(e.address) for e in base.emails if e.verified}
            for email in data.emails:
                email.verified = email.id in proven and proven[email.id] == email_key(email.address)
        with transaction.atomic():
            result = services.client_save(client=client, data=data, user=request.user, source=ClientSource.STAFF)
            _add_note(result.client, values.get("note", ""), request.user)
        return _saved(result, status_code=status.HTTP_200_OK)


class ClientExportView(_CrmView):
    required_permission = (VIEW, "crm.view_client_personal_data")

    def get(self, request, pk: int):
        client = _client(pk)
        data = gdpr.client_export(client=client, user=request.user)
        return Response(data, headers={"Content-Disposition": f'attachment; filename="client-{client.pk}.json"'})


class _EraseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why: the request's reference, the legal ground.")


class ClientEraseView(_CrmView):
    required_permissions = {"POST": (VIEW, "crm.erase_client")}

    def post(self, request, pk: int):
        client = _client(pk)
        values = validated(_EraseIn(data=request.data))
        client = gdpr.client_erase(client=client, user=request.user, reason=values["reason"])
        return Response({"id": client.pk, "state": client.state})


urlpatterns = [
    path("clients/", ClientsView.as_view(), name="crm-api-clients"),
    path("clients/check-duplicates/", DuplicateCheckView.as_view(), name="crm-api-check-duplicates"),
    path("clients/<int:pk>/", ClientView.as_view(), name="crm-api-client"),
    path("clients/<int:pk>/export/", ClientExportView.as_view(), name="crm-api-client-export"),
    path("clients/<int:pk>/erase/", ClientEraseView.as_view(), name="crm-api-client-erase"),
]
