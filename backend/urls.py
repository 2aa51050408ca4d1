from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from wagtail import urls as wagtail_urls  # noqa: F401 - imported for Wagtail's URL reversing
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from backend import views
from cms.api import api_router
from eservices.cases.public_views import decision_verification
from payments import urls as payments_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include("eservices.api.urls")),
    path("api/v1/", include(payments_urls.api_urlpatterns)),
    path("api/v1/", include("payments.invoice_api")),
    path("api/staff/v1/crm/", include("crm.api.urls")),
    path("api/cms/", api_router.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("healthz", views.healthz, name="healthz"),
    path("payments/", include(payments_urls.urlpatterns)),
    path("ellenorzes/<str:token>/", decision_verification, name="decision-verification"),
]

if settings.DEBUG:
    urlpatterns += [path("dev/mail/", include("backend.devmail"))]

urlpatterns += [
    # The SPA owns every other path: index.html, with the CSRF cookie set.
    re_path(r"^(?!api/|admin/|_allauth/|accounts/|static/|media/|documents/|ellenorzes/).*$", views.spa, name="spa"),
]
