"""Duplicates in the staff API (`/api/staff/v1/crm/duplicates/…`), permission crm.merge_client.

GET  duplicates/?state=open&page=1       likely duplicate pairs, strongest first
GET  duplicates/<id>/                    a pair with both records' fields and the default choices
POST duplicates/<id>/merge/              {"survivor": id, "choices": {"family_name": id, ...}}
POST duplicates/<id>/dismiss/            "not a duplicate" (remembered by later scans)
POST merges/<id>/unmerge/                undo a merge
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import services
from crm.api.permissions import CrmStaffPermission
from crm.duplicates.merge import FIELDS, client_merge, client_unmerge, duplicate_pair_dismiss, merge_defaults
from crm.duplicates.rules import LABELS
from crm.errors import CrmError, ErrorCode
from crm.models import ClientMerge, ClientState, DuplicatePair, DuplicateState

MERGE = "crm.merge_client"
PAGE_SIZE = 50


class _View(APIView):
    permission_classes = [CrmStaffPermission]
    required_permission = MERGE


def _pair(pk: int) -> DuplicatePair:
    pair = DuplicatePair.objects.select_related("client_a", "client_b").filter(pk=pk).first()
    if pair is None:
        raise CrmError(ErrorCode.NOT_FOUND, _("There is no such pair."))
    return pair


def _reasons(pair: DuplicatePair) -> list[dict]:
    return [
        {"code": r.get("code"), "label": str(LABELS.get(r.get("code"), r.get("code"))), "weight": r.get("weight")}
        for r in pair.reasons
    ]


def _side(client) -> dict:
    return {
        "id": client.pk,
        "name": client.display_name,
        "state": client.state,
        "has_account": bool(client.user_id),
        **{
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name in FIELDS
            for value in [getattr(client, name)]
        },
    }


def _pair_out(pair: DuplicatePair, *, full: bool = False) -> dict:
    body = {
        "id": pair.pk,
        "score": pair.score,
        "state": pair.state,
        "reasons": _reasons(pair),
        "found_at": pair.found_at,
        "client_a": {"id": pair.client_a_id, "name": pair.client_a.display_name},
        "client_b": {"id": pair.client_b_id, "name": pair.client_b.display_name},
    }
    if full:
        body["client_a"] = _side(pair.client_a)
        body["client_b"] = _side(pair.client_b)
        body["default_choices"] = merge_defaults(pair.client_a, pair.client_b)
    return body


class PairListView(_View):
    def get(self, request):
        state = request.query_params.get("state", DuplicateState.OPEN)
        if state not in DuplicateState.values:
            message = _("Choose one of: %(states)s.") % {"states": ", ".join(DuplicateState.values)}
            raise CrmError(ErrorCode.INVALID, message, fields={"state": [message]})
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            message = _("Give a page number.")
            raise CrmError(ErrorCode.INVALID, message, fields={"page": [message]}) from None
        pairs = DuplicatePair.objects.filter(state=state).select_related("client_a", "client_b")
        if state == DuplicateState.OPEN:
            pairs = pairs.filter(client_a__state=ClientState.ACTIVE, client_b__state=ClientState.ACTIVE)
        pairs = pairs.order_by("-score", "pk")
        count = pairs.count()
        rows = pairs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        return Response({"count": count, "page": page, "results": [_pair_out(p) for p in rows]})


class PairDetailView(_View):
    def get(self, request, pk: int):
        pair = _pair(pk)
        for client in (pair.client_a, pair.client_b):
            services.client_viewed(client=client, user=request.user, context="api_duplicate_pair")
        return Response(_pair_out(pair, full=True))


class MergeIn(serializers.Serializer):
    survivor = serializers.IntegerField(help_text="The client that remains (either of the pair).")
    choices = serializers.DictField(
        child=serializers.IntegerField(), required=False, default=dict, help_text="Field name -> client id."
    )


class PairMergeView(_View):
    def post(self, request, pk: int):
        pair = _pair(pk)
        body = MergeIn(data=request.data)
        if not body.is_valid():
            raise CrmError(ErrorCode.INVALID, _("Check the highlighted fields."), fields=body.errors)
        survivor_id = body.validated_data["survivor"]
        if survivor_id not in (pair.client_a_id, pair.client_b_id):
            message = _("The remaining client must be one of the pair.")
            raise CrmError(ErrorCode.INVALID, message, fields={"survivor": [message]})
        survivor, merged = (
            (pair.client_a, pair.client_b) if survivor_id == pair.client_a_id else (pair.client_b, pair.client_a)
        )
        merge = client_merge(
            survivor=survivor, merged=merged, choices=body.validated_data["choices"], user=request.user, pair=pair
        )
        return Response(
            {"merge": merge.pk, "survivor": survivor.pk, "merged": merged.pk, "provenance": merge.provenance}
        )


class PairDismissView(_View):
    def post(self, request, pk: int):
        pair = duplicate_pair_dismiss(pair=_pair(pk), user=request.user)
        return Response(_pair_out(pair))


class UnmergeView(_View):
    def post(self, request, pk: int):
        merge = ClientMerge.objects.filter(pk=pk).first()
        if merge is None:
            raise CrmError(ErrorCode.NOT_FOUND, _("There is no such merge."))
        merge = client_unmerge(merge=merge, user=request.user)
        return Response({"merge": merge.pk, "unmerged_at": merge.unmerged_at, "kept_fields": merge.kept_fields})


class ClientPairsView(_View):
    """The open pairs one client is part of."""

    def get(self, request, pk: int):
        pairs = DuplicatePair.objects.filter(Q(client_a=pk) | Q(client_b=pk), state=DuplicateState.OPEN)
        return Response([_pair_out(p) for p in pairs.select_related("client_a", "client_b")[:50]])


urlpatterns = [
    path("duplicates/", PairListView.as_view(), name="crm-api-duplicates"),
    path("duplicates/<int:pk>/", PairDetailView.as_view(), name="crm-api-duplicate"),
    path("duplicates/<int:pk>/merge/", PairMergeView.as_view(), name="crm-api-duplicate-merge"),
    path("duplicates/<int:pk>/dismiss/", PairDismissView.as_view(), name="crm-api-duplicate-dismiss"),
    path("merges/<int:pk>/unmerge/", UnmergeView.as_view(), name="crm-api-unmerge"),
    path("clients/<int:pk>/duplicates/", ClientPairsView.as_view(), name="crm-api-client-duplicates"),
]
