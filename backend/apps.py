from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = _("Portal")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from backend.staff_auth import totp_activated

        authenticator_added.connect(totp_activated, dispatch_uid="backend.totp_activated")
