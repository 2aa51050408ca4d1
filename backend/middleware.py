"""Staff must sign in with a second factor before the staff area opens."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

STAFF_PREFIXES = ("/admin/",)
# assets the sign-in pages themselves load from the staff area (the icon sprite, translations)
PUBLIC_STAFF_ASSETS = ("/admin/sprite/", "/admin/jsi18n/")


def session_used_second_factor(request) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class StaffSecondFactorMiddleware:
    """Staff area requests need a session that passed a TOTP step.

    A staff member without TOTP is sent to set it up (only the setup pages are reachable);
    one with TOTP whose session skipped the step (e.g. a social or resident login) is signed
    out and sent to the staff sign-in page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(STAFF_PREFIXES)
            and not request.path.startswith(PUBLIC_STAFF_ASSETS)
            and (user.is_staff or user.is_superuser)
        ):
            if not is_mfa_enabled(user, ["totp"]):
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
            if not session_used_second_factor(request):
                logout(request)
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)
