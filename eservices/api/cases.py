"""Resident API of the e-services: catalogue, vehicles, eligibility preview, cases, decisions."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import ErrorSerializer
from eservices import services as account_services
from eservices import servicetypes
from eservices.cases import selectors
from eservices.cases import services as case_services
from eservices.cases.models import Case, CaseEvent, CaseStatus, ServiceType, Step


def _lang() -> str:
    return "en" if (get_language() or "hu").startswith("en") else "hu"


class ServiceTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    fee_huf = serializers.IntegerField()
    validity_days = serializers.IntegerField()

    def get_name(self, service) -> str:
        return service.name_en if _lang() == "en" else service.name_hu


class VehicleSerializer(serializers.Serializer):
    plate = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    owner_since = serializers.DateField(allow_null=True)
    is_first = serializers.BooleanField(help_text="Only the first vehicle of a resident can get a permit.")


#: A Hungarian plate as people type it: three letters (or four, since 2022) and three digits, with
#: spaces, hyphens or dots anywhere. Documents in the OpenAPI schema what `normalise_plate` takes.
PLATE_PATTERN = r"^[\s.-]*(?:[A-Za-z][\s.-]*){3,4}(?:[0-9][\s.-]*){3}$"


class PlateSerializer(serializers.Serializer):
    plate = serializers.CharField(
        max_length=12,
        validators=[
            RegexValidator(
                PLATE_PATTERN, message=gettext_lazy("Enter a Hungarian number plate, for example ABC-123 or AA-BC-123.")
            )
        ],
    )

    def validate_plate(self, value: str) -> str:
        from integrations.registry.contract import normalise_plate

        try:
            return normalise_plate(value)
        except ValueError:
            raise serializers.ValidationError(_invalid_plate()) from None


def _invalid_plate() -> str:
    from django.utils.translation import gettext as _

    return _("Enter a Hungarian number plate, for example ABC-123 or AA-BC-123.")


class RuleResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    passed = serializers.BooleanField()
    explanation = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    rules_version = serializers.CharField()
    results = RuleResultSerializer(many=True)


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=CaseEvent.Kind.choices)
    step = serializers.ChoiceField(choices=Step.choices)
    step_label = serializers.CharField(source="get_step_display")
    message = serializers.CharField(source="text")


class CaseSerializer(serializers.Serializer):
    reference = serializers.CharField()
    service = ServiceTypeSerializer(source="service_type")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    step = serializers.ChoiceField(choices=Step.choices)
    step_label = serializers.CharField(source="get_step_display")
    plate = serializers.CharField(source="data.plate")
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    filing_number = serializers.CharField()
    permit_number = serializers.CharField()
    permit_valid_from = serializers.DateField(allow_null=True)
    permit_valid_until = serializers.DateField(allow_null=True)
    decision_ready = serializers.SerializerMethodField()
    delivered_at = serializers.DateTimeField(allow_null=True)

    def get_decision_ready(self, case) -> bool:
        return case.step == Step.DONE


class CaseDetailSerializer(CaseSerializer):
    reasons = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True)

    def get_reasons(self, case) -> list[dict]:
        results = case.eligibility.get("results", [])
        key = "explanation_en" if _lang() == "en" else "explanation_hu"
        return [{"code": r["code"], "passed": r["passed"], "explanation": r[key]} for r in results]


class CaseSubmitSerializer(PlateSerializer):
    # the services that have a rules module; whether one is open for applications is the catalogue's
    service = serializers.ChoiceField(choices=servicetypes.CODES)


def _profile(request):
    return account_services.resident_profile_ensure(user=request.user)


class ServiceListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ServiceTypeSerializer(many=True))
    def get(self, request):
        return Response(ServiceTypeSerializer(ServiceType.objects.filter(is_active=True), many=True).data)


class VehicleListView(APIView):
    """The resident's vehicles per the vehicle registry (identified residents only)."""

    @extend_schema(responses={200: VehicleSerializer(many=True), 403: ErrorSerializer})
    def get(self, request):
        return Response(
            VehicleSerializer(selectors.vehicles_for_applicant(applicant=_profile(request)), many=True).data
        )


class EligibilityView(APIView):
    """What the rules of a service say about a plate before the resident submits."""

    @extend_schema(
        parameters=[OpenApiParameter("service", str, OpenApiParameter.PATH, enum=list(servicetypes.CODES))],
        request=PlateSerializer,
        responses={200: EligibilitySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request, service: str):
        if service not in servicetypes.CODES:
            raise Http404
        serializer = PlateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preview = selectors.eligibility_preview(
            applicant=_profile(request), plate=serializer.validated_data["plate"], service_code=service
        )
        return Response(EligibilitySerializer(preview).data)


class CaseListView(APIView):
    @extend_schema(responses={200: CaseSerializer(many=True)})
    def get(self, request):
        return Response(CaseSerializer(selectors.cases_for_applicant(applicant=_profile(request)), many=True).data)

    @extend_schema(
        request=CaseSubmitSerializer,
        responses={201: CaseSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request):
        serializer = CaseSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_services.case_submit(
            applicant=_profile(request),
            service_code=serializer.validated_data["service"],
            data={"plate": serializer.validated_data["plate"]},
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    @extend_schema(responses={200: CaseDetailSerializer, 404: ErrorSerializer})
    def get(self, request, reference: str):
        case = get_object_or_404(selectors.cases_for_applicant(applicant=_profile(request)), reference=reference)
        return Response(CaseDetailSerializer(case).data)


class CaseDecisionView(APIView):
    """The signed decision (PDF). The addressee's first download records its delivery."""

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorSerializer, 409: ErrorSerializer}
    )
    def get(self, request, reference: str):
        case = get_object_or_404(
            Case.objects.select_related("applicant"), reference=reference, applicant__user=request.user
        )
        pdf = case_services.case_decision_receive(case=case, user=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="hatarozat-{case.reference}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
