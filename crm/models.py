"""One record per client (`ügyfél`): a resident with an account, a newsletter subscriber, a
caller of the contact centre — whoever the municipality deals with.

Contact channels (emails, phones, addresses) are rows of their own, each with a type, a default
flag (one default per channel and client: a partial unique index), a validation state and the
date it was last verified. Search columns (`search_name`, `search_keys`, `ClientEmail.normalised`,
`ClientPhone.national`) are written by the services from the cleansed values; nothing else
writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "", _("Unknown")


class GenderSource(models.TextChoices):
    STATED = "stated", _("Stated")
    INFERRED = "inferred", _("Inferred from the first name")
    UNKNOWN = "", _("Unknown")


class ClientSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    ACCOUNT = "account", _("Resident account")
    IMPORT = "import", _("Import")
    NEWSLETTER = "newsletter", _("Newsletter sign-up")
    CONTACT_CENTRE = "contact_centre", _("Contact centre")


class ClientState(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another client")
    ERASED = "erased", _("Erased (GDPR)")


class ValidationState(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked")
    VALID = "valid", _("Valid")
    CORRECTED = "corrected", _("Corrected automatically")
    INVALID = "invalid", _("Invalid")


class Client(models.Model):
    """A person, in Hungarian name order (family name first)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="crm_client",
        verbose_name=_("resident account"),
    )
    name_prefix = models.CharField(_("name prefix"), max_length=30, blank=True)  # "dr.", "ifj.", "özv."
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_names = models.CharField(_("given names"), max_length=150, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True, default="")
    gender_source = models.CharField(
        _("gender source"), max_length=10, choices=GenderSource.choices, blank=True, default=""
    )
    # Demographics and duplicate checks need it in the clear; the full natural identity set
    # (birth name, mother's name, birth place) stays only in the encrypted resident profile.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    loyalty_card_number = models.CharField(_("Hegyvidék Kártya number"), max_length=20, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=ClientSource.choices, default=ClientSource.STAFF)
    state = models.CharField(
        _("state"), max_length=10, choices=ClientState.choices, default=ClientState.ACTIVE, db_index=True
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_clients"
    )

    # written by the services, from the cleansed values
    search_name = models.CharField(max_length=260, blank=True, default="")  # "kovacs janos"
    search_keys = ArrayField(models.CharField(max_length=20), default=list, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["loyalty_card_number"],
                condition=Q(loyalty_card_number__isnull=False),
                name="crm_client_loyalty_card_unique",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_keys"], name="crm_client_search_keys"),
            models.Index(fields=["search_name"], name="crm_client_search_name"),
            models.Index(fields=["birth_date"], name="crm_client_birth_date"),
            models.Index(fields=["created_at"], name="crm_client_created_at"),
        ]
        permissions = [
            ("view_client_personal_data", _("Can view clients' personal data")),
            ("merge_client", _("Can merge and unmerge clients")),
            ("erase_client", _("Can erase a client's personal data (GDPR)")),
            ("import_clients", _("Can import clients")),
        ]

    def __str__(self) -> str:
        return self.display_name or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.name_prefix, self.family_name, self.given_names) if part)


class ContactKind(models.TextChoices):
    PRIVATE = "private", _("Private")
    WORK = "work", _("Work")
    MOBILE = "mobile", _("Mobile")
    LANDLINE = "landline", _("Landline")
    OTHER = "other", _("Other")


class _Channel(models.Model):
    """Fields every contact channel row has."""

    is_default = models.BooleanField(_("default"), default=False)
    validation_state = models.CharField(
        _("validation"), max_length=10, choices=ValidationState.choices, default=ValidationState.UNCHECKED
    )
    validation_note = models.CharField(_("validation note"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ClientEmail(_Channel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(_("email address"), max_length=254)  # as cleansed (email-validator)
    normalised = models.CharField(max_length=254, db_index=False)  # lowercased, for search and matching
    kind = models.CharField(_("type"), max_length=10, choices=ContactKind.choices, default=ContactKind.PRIVATE)

    class Meta:
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")
        ordering = ["-is_default", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(is_default=True), name="crm_one_default_email_per_client"
            ),
            models.UniqueConstraint(fields=["client", "normalised"], name="crm_email_once_per_client"),
        ]
        indexes = [
            models.Index(fields=["normalised"], name="crm_email_normalised", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.address


class ClientPhone(_Channel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone number"), max_length=20)  # E.164: +36301234567
    national = models.CharField(max_length=20)  # national significant number, for prefix search: 301234567
    raw = models.CharField(_("as entered"), max_length=50, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=ContactKind.choices, default=ContactKind.MOBILE)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["-is_default", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(is_default=True), name="crm_one_default_phone_per_client"
            ),
            models.UniqueConstraint(fields=["client", "number"], name="crm_phone_once_per_client"),
        ]
        indexes = [
            models.Index(fields=["national"], name="crm_phone_national", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["number"], name="crm_phone_number"),
        ]

    def __str__(self) -> str:
        return self.number


class AddressKind(models.TextChoices):
    PERMANENT = "permanent", _("Permanent address")
    TEMPORARY = "temporary", _("Temporary address")
    MAILING = "mailing", _("Mailing address")
    OTHER = "other", _("Other")


class ClientAddress(_Channel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("type"), max_length=10, choices=AddressKind.choices, default=AddressKind.PERMANENT)
    country = models.CharField(_("country"), max_length=2, default="HU")
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    settlement = models.CharField(_("settlement"), max_length=100, blank=True)  # "Budapest"
    district = models.PositiveSmallIntegerField(_("district"), null=True, blank=True)  # Budapest: 1..23
    street_name = models.CharField(_("street name"), max_length=150, blank=True)  # "Böszörményi"
    street_type = models.CharField(_("street type"), max_length=30, blank=True)  # "út"
    house_number = models.CharField(_("house number"), max_length=30, blank=True)  # "12/B"
    extra = models.CharField(_("building, floor, door"), max_length=100, blank=True)  # "2. em. 5."
    street_key = models.CharField(max_length=180, blank=True)  # folded "boszormenyi ut", for search

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(is_default=True), name="crm_one_default_address_per_client"
            ),
        ]
        indexes = [
            # pattern ops: equality and `starts_with` (LIKE 'x%') both use them
            models.Index(fields=["postcode"], name="crm_address_postcode", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["street_key"], name="crm_address_street", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["district", "client"], name="crm_address_district"),
        ]

    def __str__(self) -> str:
        return self.one_line

    @property
    def one_line(self) -> str:
        street = " ".join(p for p in (self.street_name, self.street_type, self.house_number) if p)
        if self.extra:
            street = f"{street} {self.extra}".strip()
        place = " ".join(p for p in (self.postcode, self.settlement) if p)
        if self.district and self.settlement.casefold() == "budapest":
            place = f"{place} {roman(self.district)}."
        return ", ".join(p for p in (place, street) if p)


def roman(number: int) -> str:
    """Budapest districts are written in Roman numerals: 12 -> 'XII'."""
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for value, letters in numerals:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


class IdentifierKind(models.TextChoices):
    REGISTRY_PERSON = "registry_person", _("Personal data registry id")
    TAX = "tax", _("Tax identification number")
    TAJ = "taj", _("Social security number (TAJ)")
    OTHER = "other", _("Other")


class ClientIdentifier(models.Model):
    """An identifier of the client in an outside registry (`nyilvántartási azonosító`)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(_("value"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registry identifier")
        verbose_name_plural = _("registry identifiers")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="crm_identifier_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ConsentChannel(models.TextChoices):
    NEWSLETTER = "newsletter", _("Newsletter")
    SMS = "sms", _("SMS")


class ClientConsent(models.Model):
    """The client's current answer for one channel, with where and when it was given; earlier
    answers are in the client's history."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=20, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=100)  # "newsletter sign-up form", "phone call", ...
    given_at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [models.UniqueConstraint(fields=["client", "channel"], name="crm_one_consent_per_channel")]
        indexes = [models.Index(fields=["channel", "granted", "client"], name="crm_consent_search")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.granted}"


class ClientNote(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:50]


class ClientChange(models.Model):
    """One change of a client record: which fields, from what to what, by whom, when."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=40)  # "created", "updated", "email_added", "merged", ...
    changes = models.JSONField(default=dict)  # {"family_name": ["Kovacs", "Kovács"], ...}
    source = models.CharField(max_length=20, choices=ClientSource.choices, default=ClientSource.STAFF)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("client change")
        verbose_name_plural = _("client changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="crm_change_client_at")]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientTag(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="client_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="client_tags")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "tag"], name="crm_tag_once_per_client")]
        indexes = [models.Index(fields=["tag", "client"], name="crm_clienttag_tag")]


class ClientGroup(models.Model):
    """A static group of clients (`csoport`); membership has validity dates."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client group")
        verbose_name_plural = _("client groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(ClientGroup, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="group_memberships")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [models.UniqueConstraint(fields=["group", "client"], name="crm_membership_once")]
        indexes = [models.Index(fields=["group", "client"], name="crm_membership_group")]


class SavedSearch(models.Model):
    """A named complex search (a JSON expression), evaluated anew whenever it is used."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    expression = models.JSONField(_("expression"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CleanupState(models.TextChoices):
    OPEN = "open", _("To check")
    FIXED = "fixed", _("Fixed")
    DISMISSED = "dismissed", _("Dismissed")


class CleanupItem(models.Model):
    """A data problem found on entry that could not be fixed automatically (`adattisztítás`)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="cleanup_items")
    field = models.CharField(_("field"), max_length=40)  # "email", "phone", "address", "gender", ...
    code = models.CharField(_("problem"), max_length=40)  # a stable code: "email_invalid", ...
    message = models.CharField(_("reason"), max_length=300)
    value = models.CharField(_("value"), max_length=300, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)  # the channel row it is about
    state = models.CharField(
        _("state"), max_length=10, choices=CleanupState.choices, default=CleanupState.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cleanup item")
        verbose_name_plural = _("cleanup queue")
        ordering = ["-created_at"]
        constraints = [
            # the same open problem is not queued twice
            models.UniqueConstraint(
                fields=["client", "field", "code", "value"],
                condition=Q(state="open"),
                name="crm_cleanup_open_once",
            )
        ]


class GivenName(models.Model):
    """A first name with its gender (`utónév`), for inferring a client's gender."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        BOTH = "both", _("Either")

    class Source(models.TextChoices):
        BUILTIN = "builtin", _("Built-in list")
        OFFICIAL = "official", _("Official list of registrable names")
        STAFF = "staff", _("Corrected by staff")

    name = models.CharField(_("name"), max_length=60)  # as written: "Zsófia"
    key = models.CharField(max_length=60, unique=True)  # folded: "zsofia"
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.BUILTIN)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("given name")
        verbose_name_plural = _("given names")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A public place of a Budapest district (`közterület`): the reference list addresses are
    checked against. Bundled for the district, editable by staff."""

    district = models.PositiveSmallIntegerField(_("district"))
    postcode = models.CharField(_("postcode"), max_length=4)
    name = models.CharField(_("name"), max_length=150)  # "Böszörményi"
    type = models.CharField(_("type"), max_length=30)  # "út"
    key = models.CharField(max_length=180)  # folded "boszormenyi ut"
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["district", "key", "postcode"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key", "postcode"], name="crm_street_unique"),
        ]
        indexes = [models.Index(fields=["district", "key"], name="crm_street_key")]

    def __str__(self) -> str:
        return f"{self.name} {self.type}"


class TimelineEntry(models.Model):
    """One event in a client's history, written by any app through `crm.timeline.timeline_record`
    (cases, payments, identification, newsletters, the contact centre). `key` makes a repeated
    write (a retried job) a no-op."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=60)  # "case.submitted", "payment.captured", ...
    title = models.CharField(_("title"), max_length=300)
    data = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)  # the staff page of the object, if any
    key = models.CharField(max_length=120, unique=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-at"], name="crm_timeline_client_at"),
            models.Index(fields=["client", "kind", "at"], name="crm_timeline_client_kind_at"),
        ]

    def __str__(self) -> str:
        return self.title
