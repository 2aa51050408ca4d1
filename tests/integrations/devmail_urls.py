"""URLconf for the /dev/mail/ tests: the page is mounted only when DEBUG, tests run without it."""

from django.urls import include, path

urlpatterns = [path("dev/mail/", include("backend.devmail"))]
