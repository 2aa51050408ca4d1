"""allauth adapters: every new account gets a resident profile; Facebook fills in names."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from eservices import services


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.resident_profile_ensure(user=user)
        return user

    def get_email_verification_redirect_url(self, email_address):
        return f"{settings.PUBLIC_URL}/profile"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        data = sociallogin.account.extra_data or {}
        services.resident_profile_ensure(
            user=user,
            family_name=data.get("last_name", ""),
            given_names=data.get("first_name", ""),
        )
        return user
