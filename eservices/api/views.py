from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import ErrorSerializer
from eservices import selectors, services
from eservices.api.serializers import IdentificationStatusSerializer, ProfileSerializer


class CsrfView(APIView):
    """Sets the `csrftoken` cookie the SPA sends back in `X-CSRFToken`."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={204: None})
    @method_decorator(ensure_csrf_cookie)
    def get(self, request):
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileView(APIView):
    """The signed-in resident's own profile."""

    @extend_schema(responses={200: ProfileSerializer, 403: ErrorSerializer})
    def get(self, request):
        profile = services.resident_profile_ensure(user=request.user)
        return Response(ProfileSerializer(profile).data)

    @extend_schema(
        request=ProfileSerializer, responses={200: ProfileSerializer, 400: ErrorSerializer, 403: ErrorSerializer}
    )
    def patch(self, request):
        profile = services.resident_profile_ensure(user=request.user)
        serializer = ProfileSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("user", None)
        profile = services.resident_profile_update(profile=profile, data=data)
        return Response(ProfileSerializer(profile).data)


class IdentificationStatusView(APIView):
    """Where the resident's in-person identification stands, and what to bring."""

    @extend_schema(responses={200: IdentificationStatusSerializer, 403: ErrorSerializer})
    def get(self, request):
        profile = services.resident_profile_ensure(user=request.user)
        data = selectors.identification_status_get(profile=profile)
        return Response(IdentificationStatusSerializer(data).data)
