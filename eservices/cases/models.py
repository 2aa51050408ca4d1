"""Service types, cases and their timeline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.Model):
    """An e-service residents can apply for; its rules live in `rules_module`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_hu = models.CharField(_("name (Hungarian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    rules_module = models.CharField(_("rules module"), max_length=200)
    fee_huf = models.PositiveIntegerField(_("fee (HUF)"), default=0)
    filing_classification = models.CharField(_("filing classification"), max_length=20)
    validity_days = models.PositiveIntegerField(_("validity (days)"), default=365)
    is_active = models.BooleanField(_("open for applications"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_hu


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    PROCESSING = "processing", _("Being processed")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Stopped with an error")


class Step(models.TextChoices):
    """The pipeline, in order. `DONE` is the end."""

    REGISTER_ARRIVAL = "register_arrival", _("Registering the application")
    REGISTRY_CHECKS = "registry_checks", _("Checking the registries")
    DECIDE = "decide", _("Deciding")
    AWAIT_PAYMENT = "await_payment", _("Waiting for the fee to be paid")
    CREATE_PERMIT = "create_permit", _("Creating the permit")
    RENDER = "render", _("Preparing the decision")
    SIGN = "sign", _("Signing the decision")
    ISSUE = "issue", _("Filing the decision")
    NOTIFY = "notify", _("Notifying the applicant")
    DONE = "done", _("Completed")


class Case(models.Model):
    """One application. Every outside call of a step uses the idempotency key recorded in
    `keys` when the case was submitted, so a repeated step never repeats its effect."""

    FINAL_STATUSES = (CaseStatus.GRANTED, CaseStatus.REFUSED)
    # records, not content: Wagtail's reference index (content usage) would cost a query per save
    wagtail_reference_index_ignore = True

    reference = models.CharField(_("case reference"), max_length=32, unique=True)
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service type")
    )
    applicant = models.ForeignKey(
        "eservices.ResidentProfile", on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    step = models.CharField(_("step"), max_length=30, choices=Step.choices, default=Step.REGISTER_ARRIVAL)
    data = models.JSONField(_("application data"), default=dict)
    keys = models.JSONField(default=dict, help_text="Idempotency key per outside call, recorded at submission.")
    facts = models.JSONField(_("registry facts"), default=dict, blank=True)
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    filing_number = models.CharField(_("filing number (iktatószám)"), max_length=40, blank=True)
    decision_filing_number = models.CharField(_("decision filing number"), max_length=40, blank=True)
    permit_number = models.CharField(_("permit number"), max_length=40, blank=True)
    permit_valid_from = models.DateField(null=True, blank=True)
    permit_valid_until = models.DateField(null=True, blank=True)
    decision_unsigned = models.BinaryField(null=True, blank=True, editable=False)
    decision_pdf = models.BinaryField(null=True, blank=True, editable=False)
    decision_sha256 = models.CharField(max_length=64, blank=True)
    signature_level = models.CharField(max_length=10, blank=True)
    verification_token = models.CharField(max_length=43, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed_step = models.CharField(max_length=30, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("received by the applicant at"), null=True, blank=True)
    delivery_channel = models.CharField(max_length=30, blank=True)
    delivery_filed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["applicant", "-submitted_at"]),
        ]
        permissions = [("retry_case", _("Can retry a failed case step"))]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.step == Step.DONE


class CaseEvent(models.Model):
    """The case's timeline, as the resident and the clerk see it."""

    wagtail_reference_index_ignore = True  # records, not content

    class Kind(models.TextChoices):
        STEP_DONE = "step_done", _("Step done")
        STEP_RETRY = "step_retry", _("Step will be retried")
        STEP_FAILED = "step_failed", _("Step failed")
        NOTE = "note", _("Note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step = models.CharField(max_length=30, choices=Step.choices)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    @property
    def text(self) -> str:
        """The message in the reader's language: stored as an untranslated template and values."""
        from django.utils.translation import gettext

        translated = gettext(self.message) if self.message else ""
        return translated % self.data if self.data else translated
