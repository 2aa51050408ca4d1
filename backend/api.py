"""One error shape for the whole REST API: {"code", "message", "fields"}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.errors import ApplicationError


class ErrorSerializer(serializers.Serializer):
    """Every error of the REST API. `fields` maps a field (or a nested field) to its messages."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`, `not_authenticated`.")
    message = serializers.CharField(help_text="A translated sentence for people.")
    fields = serializers.DictField(child=serializers.JSONField(), help_text="Field name → list of messages.")


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def _outside_system_error(exc):
    """An outside system that failed while a person waits: say so, don't crash (503 / 502)."""
    from integrations.http import IntegrationError

    if not isinstance(exc, IntegrationError):
        return None
    if exc.retryable:
        return Response(
            {
                "code": "outside_system_unavailable",
                "message": _(
                    "A national registry or partner system is not answering right now. Please try again in a few minutes."
                ),
                "fields": {},
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "60"},
        )
    return Response(
        {
            "code": "outside_system_error",
            "message": _("A national registry or partner system refused the request. Please contact customer service."),
            "fields": {},
        },
        status=status.HTTP_502_BAD_GATEWAY,
    )


def exception_handler(exc, context):
    outside = _outside_system_error(exc)
    if outside is not None:
        return outside
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": exc.message, "fields": exc.fields},
            status=exc.http_status,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _flatten(detail) if isinstance(detail, dict) else {}
        non_field = fields.pop("non_field_errors", None) if isinstance(fields, dict) else None
        message = non_field[0] if non_field else _("Some fields are not valid. Please correct them.")
        if not isinstance(detail, dict):
            message = " ".join(_flatten(detail)) if detail else message
        response.data = {"code": "invalid", "message": message, "fields": fields}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    message = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    response.data = {"code": code, "message": str(message), "fields": {}}
    return response


def schema_only_resident_api(endpoints):
    """drf-spectacular hook: the OpenAPI file describes /api/v1/ (the SPA's contract)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
