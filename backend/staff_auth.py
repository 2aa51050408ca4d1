"""The staff second-factor rule, in one place: the gate in front of the staff area and the
record that a session passed a TOTP step."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication


def totp_activated(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up TOTP means typing a valid code: that session has passed the second factor,
    so the new staff member goes straight on to the staff area instead of signing in again."""
    if request is not None and authenticator.type == authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", type="totp", id=authenticator.pk)
