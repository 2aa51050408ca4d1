"""`/api/staff/v1/crm/…`: client records (`clients.py`), search and segments (`segments.py`),
imports (`imports.py`), duplicates (`duplicates.py`)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("crm.api.clients")),
    path("", include("crm.api.segments")),
    path("", include("crm.api.duplicates")),
]
