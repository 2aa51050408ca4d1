"""Resident accounts, their profile and in-person identification."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from eservices.fields import EncryptedDateField, EncryptedTextField


class AccountManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email)
        user = self.model(username=username or email, email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, username=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, username=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a resident (SPA) or a staff member (Wagtail admin).

    Residents sign in with their email address; `username` mirrors it for Wagtail's screens.
    """

    email = models.EmailField(_("email address"), unique=True)

    objects = AccountManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        if not self.username:
            self.username = self.email
        super().save(*args, **kwargs)


postcode_validator = RegexValidator(r"^[1-9][0-9]{3}$", _("A Hungarian postcode has four digits."))


class IdentificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not identified yet")
    PENDING = "pending", _("Identification started")
    CHECKING = "checking", _("Registry check in progress")
    NEEDS_REVIEW = "needs_review", _("Differences to review")
    VERIFIED = "verified", _("Identified")
    REJECTED = "rejected", _("Identification refused")


class ResidentProfile(models.Model):
    """Personal and address data of a resident, in Hungarian name order.

    Birth data and mother's name identify a person ("természetes személyazonosító adatok")
    and are encrypted at rest; every staff read of them is audit-logged.
    """

    PROTECTED_FIELDS = ("birth_name", "mother_birth_name", "birth_date", "birth_place")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("account"))
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_names = models.CharField(_("given names"), max_length=150, blank=True)
    birth_name = EncryptedTextField(_("birth name"), blank=True, default="")
    mother_birth_name = EncryptedTextField(_("mother's birth name"), blank=True, default="")
    birth_date = EncryptedDateField(_("date of birth"), blank=True, null=True)
    birth_place = EncryptedTextField(_("place of birth"), blank=True, default="")
    phone = PhoneNumberField(_("phone"), blank=True, region="HU")
    permanent_address = models.JSONField(_("permanent address"), null=True, blank=True)
    mailing_address = models.JSONField(_("mailing address"), null=True, blank=True)
    identification_status = models.CharField(
        _("identification"),
        max_length=20,
        choices=IdentificationStatus.choices,
        default=IdentificationStatus.UNVERIFIED,
        db_index=True,
    )
    verified_at = models.DateTimeField(_("identified at"), null=True, blank=True)
    # the person's identifier in the national registry, known once identified there
    registry_person_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["family_name", "given_names", "id"]
        indexes = [models.Index(fields=["family_name", "given_names"])]
        permissions = [
            ("identify_resident", _("Can identify residents in person")),
            ("view_personal_data", _("Can view protected personal data")),
        ]

    def __str__(self) -> str:
        name = f"{self.family_name} {self.given_names}".strip()
        return name or self.user.email

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_names}".strip()

    @property
    def mailing_same_as_permanent(self) -> bool:
        return not self.mailing_address

    @property
    def is_verified(self) -> bool:
        return self.identification_status == IdentificationStatus.VERIFIED


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    DRIVING_LICENCE = "driving_licence", _("Driving licence (card)")
    RESIDENCE_CARD = "residence_card", _("Residence card")


class VerificationState(models.TextChoices):
    PENDING = "pending", _("Waiting for the registry")
    CHECKING = "checking", _("Asking the registry")
    MATCHED = "matched", _("All data match")
    DIFFERS = "differs", _("Data differ")
    NOT_FOUND = "not_found", _("Not in the registry")
    FAILED = "failed", _("Registry unreachable")
    ACCEPTED = "accepted", _("Accepted by clerk")
    REJECTED = "rejected", _("Rejected by clerk")


class IdentityVerification(models.Model):
    """One in-person identification: the document shown, the registry's answer per field,
    and the clerk's decision. A state machine: pending → checking → matched | differs |
    not_found | failed → (accepted | rejected). `failed` can be retried."""

    FINAL_STATES = (VerificationState.ACCEPTED, VerificationState.REJECTED)
    OPEN_STATES = (VerificationState.PENDING, VerificationState.CHECKING)
    # records, not content: Wagtail's reference index (content usage) would only cost writes
    wagtail_reference_index_ignore = True

    profile = models.ForeignKey(ResidentProfile, on_delete=models.CASCADE, related_name="verifications")
    clerk = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    document_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    document_number = EncryptedTextField(_("document number"))
    state = models.CharField(
        _("state"), max_length=20, choices=VerificationState.choices, default=VerificationState.PENDING
    )
    field_results = models.JSONField(_("registry comparison"), default=dict, blank=True)
    registry_person_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    idempotency_key = models.UUIDField(unique=True)
    decision_note = models.TextField(_("clerk's note"), blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.profile} · {self.get_state_display()}"


from eservices.cases.models import Case, CaseEvent, CaseStatus, ServiceType, Step  # noqa: E402, F401 - registered with the app
