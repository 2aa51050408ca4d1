"""The outside-system log: one row per call our clients make to an outside system."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Exchange(models.Model):
    """One request/response exchange with an outside system (all retries of one call are one row).

    Bodies are stored after the client's `redact` hook masked protected personal data, so the
    log can be read by operators who may not see birth data or document numbers.
    """

    system = models.CharField(_("system"), max_length=40)
    operation = models.CharField(_("operation"), max_length=80)
    method = models.CharField(_("method"), max_length=10)
    url = models.URLField(_("URL"), max_length=1000)
    request_id = models.CharField(_("request id"), max_length=64)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True)
    status_code = models.PositiveSmallIntegerField(
        _("status code"), null=True, blank=True, help_text=_("Empty when no response arrived.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    error = models.TextField(_("error"), blank=True)
    request_body = models.JSONField(_("request body"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)

    class Meta:
        verbose_name = _("outside-system exchange")
        verbose_name_plural = _("outside-system exchanges")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["system", "created_at"], name="integr_exchange_sys_created"),
            models.Index(fields=["request_id"], name="integr_exchange_request_id"),
        ]

    def __str__(self) -> str:
        status = self.status_code if self.status_code is not None else "—"
        return f"{self.system}.{self.operation} {self.method} {status} ({self.request_id})"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
