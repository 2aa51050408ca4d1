from django.urls import path

from eservices.api import cases, views

urlpatterns = [
    path("csrf/", views.CsrfView.as_view(), name="api-csrf"),
    path("me/profile/", views.ProfileView.as_view(), name="api-profile"),
    path("me/identification/", views.IdentificationStatusView.as_view(), name="api-identification"),
    path("services/", cases.ServiceListView.as_view(), name="api-services"),
    path("services/parking_permit/vehicles/", cases.VehicleListView.as_view(), name="api-vehicles"),
    path("services/<str:service>/eligibility/", cases.EligibilityView.as_view(), name="api-eligibility"),
    path("cases/", cases.CaseListView.as_view(), name="api-cases"),
    path("cases/<str:reference>/", cases.CaseDetailView.as_view(), name="api-case"),
    path("cases/<str:reference>/decision/", cases.CaseDecisionView.as_view(), name="api-case-decision"),
]
