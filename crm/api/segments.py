"""Complex search, saved searches, tags and groups in the staff API (`/api/staff/v1/crm/…`).

    POST search/validate/            {expression} -> {description, count} or 400 with every problem
    POST search/                     {expression, page, page_size} -> a page of clients
    POST search/export/?format=csv   {expression | saved_search} -> the file (personal data: audited)
    GET/POST saved-searches/         GET/PUT/PATCH/DELETE saved-searches/<id>/
    GET saved-searches/<id>/clients/?page=
    GET/POST tags/, groups/
    POST search/tags/                {expression | saved_search, tags: [names], remove}
    POST search/groups/              {expression | saved_search, group, remove, valid_from, valid_until}

Views only check input and call `crm.segments` (writes) or `crm.search` (reads).
"""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import segments
from crm.api.permissions import CrmStaffPermission
from crm.errors import CrmError, ErrorCode
from crm.models import ClientGroup, SavedSearch, Tag
from crm.search.export import FORMATS
from crm.search.expression import clients_matching, expression_describe, expression_validate
from crm.search.results import MAX_PER_PAGE, PER_PAGE, clients_export_response, results_page

VIEW = "crm.view_client"


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class _StaffView(APIView):
    permission_classes = [CrmStaffPermission]
    required_permission = VIEW


# --- input ---------------------------------------------------------------------------------------
class ExpressionInput(serializers.Serializer):
    expression = serializers.JSONField()


class SearchInput(ExpressionInput):
    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PER_PAGE, default=PER_PAGE)


class SourceInput(serializers.Serializer):
    """The clients to act on: those of an expression, or of a saved search (evaluated now)."""

    expression = serializers.JSONField(required=False)
    saved_search = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if ("expression" in attrs) == ("saved_search" in attrs):
            raise serializers.ValidationError(
                {"expression": [_("Give either an expression or a saved search.")]}, code="required"
            )
        return attrs


class BulkTagsInput(SourceInput):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=Tag._meta.get_field("name").max_length),
        min_length=1,
        max_length=segments.MAX_BULK_TAGS,
    )
    remove = serializers.BooleanField(default=False)


class BulkGroupInput(SourceInput):
    group = serializers.IntegerField(min_value=1)
    remove = serializers.BooleanField(default=False)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class SavedSearchInput(serializers.Serializer):
    name = serializers.CharField(max_length=SavedSearch._meta.get_field("name").max_length)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    expression = serializers.JSONField()


class NamedInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _source(data: dict):
    """(clients queryset, expression, saved search) of validated `SourceInput` data."""
    if "saved_search" in data:
        saved = SavedSearch.objects.filter(pk=data["saved_search"]).first()
        if saved is None:
            message = _("There is no saved search with this id.")
            raise CrmError(ErrorCode.NOT_FOUND, message, fields={"saved_search": [message]}, http_status=400)
        return clients_matching(saved.expression), saved.expression, saved
    expression = expression_validate(data["expression"])
    return clients_matching(expression), expression, None


def _page_payload(queryset, *, page, page_size, description: str) -> dict:
    paginated, rows = results_page(queryset, page=page, per_page=page_size)
    return {
        "description": description,
        "count": paginated.paginator.count,
        "page": paginated.number,
        "pages": paginated.paginator.num_pages,
        "page_size": paginated.paginator.per_page,
        "results": [row.as_dict() for row in rows],
    }


# --- search --------------------------------------------------------------------------------------
class SearchValidateView(_StaffView):
    """Checks an expression: 400 `invalid_expression` with every problem and its path, or its
    summary and how many clients it finds now."""

    def post(self, request):
        expression = expression_validate(_valid(ExpressionInput, request)["expression"])
        return Response(
            {
                "valid": True,
                "expression": expression,
                "description": expression_describe(expression),
                "count": clients_matching(expression).order_by().count(),
            }
        )


class SearchView(_StaffView):
    def post(self, request):
        data = _valid(SearchInput, request)
        expression = expression_validate(data["expression"])
        return Response(
            _page_payload(
                clients_matching(expression),
                page=data["page"],
                page_size=data["page_size"],
                description=expression_describe(expression),
            )
        )


class _AnyFormat(DefaultContentNegotiation):
    """`?format=csv` names the export's format here, not a DRF renderer; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def export_format(value: str) -> str:
    fmt = (value or "csv").lower()
    if fmt not in FORMATS:
        message = _("Unknown export format: use csv or xlsx.")
        raise CrmError(ErrorCode.INVALID, message, fields={"format": [message]})
    return fmt


class SearchExportView(_StaffView):
    required_permission = (VIEW, "crm.view_client_personal_data")
    content_negotiation_class = _AnyFormat

    def post(self, request):
        fmt = export_format(request.query_params.get("format", "csv"))
        clients, expression, saved = _source(_valid(SourceInput, request))
        segments.clients_export_record(
            user=request.user,
            fmt=fmt,
            count=clients.order_by().count(),
            expression=expression,
            saved_search=saved,
            context="api",
        )
        return clients_export_response(clients, fmt=fmt, filename=f"clients-{timezone.localdate().isoformat()}")


class BulkTagsView(_StaffView):
    required_permission = "crm.change_client"

    def post(self, request):
        data = _valid(BulkTagsInput, request)
        clients, expression, saved = _source(data)
        count = segments.tags_bulk_apply(
            clients=clients,
            tag_names=data["tags"],
            remove=data["remove"],
            user=request.user,
            expression=expression,
            saved_search=saved,
        )
        return Response({"count": count})


class BulkGroupView(_StaffView):
    required_permission = "crm.change_client"

    def post(self, request):
        data = _valid(BulkGroupInput, request)
        group = ClientGroup.objects.filter(pk=data["group"]).first()
        if group is None:
            message = _("There is no client group with this id.")
            raise CrmError(ErrorCode.NOT_FOUND, message, fields={"group": [message]}, http_status=400)
        clients, expression, saved = _source(data)
        count = segments.groups_bulk_apply(
            clients=clients,
            group=group,
            remove=data["remove"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            user=request.user,
            expression=expression,
            saved_search=saved,
        )
        return Response({"count": count})


# --- saved searches ------------------------------------------------------------------------------
def _saved_search_data(saved: SavedSearch, *, detail: bool = False) -> dict:
    data = {
        "id": saved.pk,
        "name": saved.name,
        "description": saved.description,
        "expression": saved.expression,
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
    }
    if detail:
        try:
            data["summary"] = expression_describe(saved.expression)
            data["count"] = clients_matching(saved.expression).order_by().count()
        except CrmError as exc:  # stored before a field changed: shown, not a 500
            data["summary"], data["count"], data["problems"] = "", None, exc.fields.get("expression", [])
    return data


class SavedSearchListView(_StaffView):
    required_permissions = {"POST": ("crm.view_client", "crm.add_savedsearch")}

    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(SavedSearch.objects.order_by("name", "pk"), request, view=self)
        return paginator.get_paginated_response([_saved_search_data(saved) for saved in page])

    def post(self, request):
        data = _valid(SavedSearchInput, request)
        saved = segments.saved_search_save(
            name=data["name"], description=data["description"], expression=data["expression"], user=request.user
        )
        return Response(_saved_search_data(saved, detail=True), status=status.HTTP_201_CREATED)


class SavedSearchDetailView(_StaffView):
    required_permissions = {
        "PUT": ("crm.view_client", "crm.change_savedsearch"),
        "PATCH": ("crm.view_client", "crm.change_savedsearch"),
        "DELETE": ("crm.view_client", "crm.delete_savedsearch"),
    }

    def get(self, request, pk: int):
        return Response(_saved_search_data(get_object_or_404(SavedSearch, pk=pk), detail=True))

    def put(self, request, pk: int):
        return self._save(request, pk, partial=False)

    def patch(self, request, pk: int):
        return self._save(request, pk, partial=True)

    def _save(self, request, pk: int, *, partial: bool):
        saved = get_object_or_404(SavedSearch, pk=pk)
        data = _valid(SavedSearchInput, request, partial=partial)
        saved = segments.saved_search_save(
            saved_search=saved,
            name=data.get("name", saved.name),
            description=data.get("description", saved.description),
            expression=data.get("expression", saved.expression),
            user=request.user,
        )
        return Response(_saved_search_data(saved, detail=True))

    def delete(self, request, pk: int):
        segments.saved_search_delete(saved_search=get_object_or_404(SavedSearch, pk=pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SavedSearchClientsView(_StaffView):
    """The clients the saved search finds now, a page at a time (`?page=`, `?page_size=`)."""

    def get(self, request, pk: int):
        saved = get_object_or_404(SavedSearch, pk=pk)
        page = request.query_params.get("page", 1)
        try:
            page_size = max(1, min(int(request.query_params.get("page_size", PER_PAGE)), MAX_PER_PAGE))
        except ValueError:
            page_size = PER_PAGE
        return Response(
            _page_payload(
                clients_matching(saved.expression),
                page=page,
                page_size=page_size,
                description=expression_describe(saved.expression),
            )
            | {"saved_search": {"id": saved.pk, "name": saved.name}}
        )


# --- tags and groups -----------------------------------------------------------------------------
class TagListView(_StaffView):
    required_permissions = {"POST": ("crm.view_client", "crm.add_tag")}

    def get(self, request):
        tags = Tag.objects.annotate(members=Count("client_tags")).order_by("name")
        paginator = Pagination()
        page = paginator.paginate_queryset(tags, request, view=self)
        return paginator.get_paginated_response(
            [{"id": t.pk, "name": t.name, "description": t.description, "members": t.members} for t in page]
        )

    def post(self, request):
        data = _valid(NamedInput, request)
        tag = segments.tag_create(name=data["name"], description=data["description"], user=request.user)
        return Response(
            {"id": tag.pk, "name": tag.name, "description": tag.description, "members": 0},
            status=status.HTTP_201_CREATED,
        )


class GroupListView(_StaffView):
    required_permissions = {"POST": ("crm.view_client", "crm.add_clientgroup")}

    def get(self, request):
        groups = ClientGroup.objects.annotate(members=Count("memberships")).order_by("name")
        paginator = Pagination()
        page = paginator.paginate_queryset(groups, request, view=self)
        return paginator.get_paginated_response(
            [{"id": g.pk, "name": g.name, "description": g.description, "members": g.members} for g in page]
        )

    def post(self, request):
        data = _valid(NamedInput, request)
        group = segments.group_create(name=data["name"], description=data["description"], user=request.user)
        return Response(
            {"id": group.pk, "name": group.name, "description": group.description, "members": 0},
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    path("search/validate/", SearchValidateView.as_view(), name="crm-search-validate"),
    path("search/", SearchView.as_view(), name="crm-search"),
    path("search/export/", SearchExportView.as_view(), name="crm-search-export"),
    path("search/tags/", BulkTagsView.as_view(), name="crm-search-tags"),
    path("search/groups/", BulkGroupView.as_view(), name="crm-search-groups"),
    path("saved-searches/", SavedSearchListView.as_view(), name="crm-saved-searches"),
    path("saved-searches/<int:pk>/", SavedSearchDetailView.as_view(), name="crm-saved-search"),
    path("saved-searches/<int:pk>/clients/", SavedSearchClientsView.as_view(), name="crm-saved-search-clients"),
    path("tags/", TagListView.as_view(), name="crm-tags"),
    path("groups/", GroupListView.as_view(), name="crm-groups"),
]
