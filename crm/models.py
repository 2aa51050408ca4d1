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
            # complex search: age and gender of active clients without reading the wide rows
            models.Index(
                fields=["gender", "birth_date"],
                include=["id"],
                condition=Q(state="active"),
                name="crm_client_demography",
            ),
            # complex search: a client found through another table (an address, an event) is
            # checked for state, gender, age, source, creation and account from the index alone,
            # not from its wide row (a random heap read per candidate)
            models.Index(
                fields=["id"],
                include=["state", "gender", "birth_date", "source", "created_at", "user"],
                name="crm_client_facts",
            ),
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
            # the client id is included: complex search gets its clients from the index alone
            models.Index(
                fields=["postcode"], name="crm_address_postcode", opclasses=["varchar_pattern_ops"], include=["client"]
            ),
            models.Index(
                fields=["street_key"], name="crm_address_street", opclasses=["varchar_pattern_ops"], include=["client"]
            ),
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


class NameFrequency(models.Model):
    """How many active clients have a name: family name and first given name, folded
    ("kovacs janos"). Written by each duplicate scan; the duplicate rules weigh a shared name by
    it (two Nagy Máriás born on one day are more likely namesakes than two Angyal Kingas)."""

    key = models.CharField(max_length=120, primary_key=True)
    clients = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("name frequency")
        verbose_name_plural = _("name frequencies")

    def __str__(self) -> str:
        return f"{self.key}: {self.clients}"


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
            # complex search: who did this within a period
            models.Index(fields=["kind", "at"], include=["client"], name="crm_timeline_kind_at"),
        ]

    def __str__(self) -> str:
        return self.title


class DuplicateState(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class DuplicatePair(models.Model):
    """Two clients the duplicate rules think are one person (`duplikátum-gyanú`), with the score
    and the rules that matched. `client_a` has the lower id. A pair a clerk marked as not a
    duplicate keeps that answer: later scans do not reopen it."""

    client_a = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    client_b = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)  # [{"code": "email", "weight": 50}, ...]
    state = models.CharField(_("state"), max_length=15, choices=DuplicateState.choices, default=DuplicateState.OPEN)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("last checked"), auto_now=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client_a", "client_b"], name="crm_duplicate_pair_once"),
            models.CheckConstraint(condition=Q(client_a__lt=models.F("client_b")), name="crm_duplicate_pair_order"),
        ]
        indexes = [
            models.Index(fields=["state", "-score"], name="crm_duplicate_state_score"),
            models.Index(fields=["client_b"], name="crm_duplicate_client_b"),
        ]


class ClientMerge(models.Model):
    """One merge of `merged` into `survivor`: which record each field was taken from
    (provenance) and everything needed to undo it (`snapshot`)."""

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_given")
    pair = models.ForeignKey(DuplicatePair, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges")
    provenance = models.JSONField(_("field sources"), default=dict)  # {"family_name": {"from": id, "value": ...}}
    snapshot = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unmerged_at = models.DateTimeField(_("unmerged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client merge")
        verbose_name_plural = _("client merges")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            # a client is merged away once at a time
            models.UniqueConstraint(
                fields=["merged"], condition=Q(unmerged_at__isnull=True), name="crm_merge_once_at_a_time"
            ),
        ]


class ClientImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    CHECKING = "checking", _("Dry run in progress")
    CHECKED = "checked", _("Dry run done")
    IMPORTING = "importing", _("Import in progress")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ClientImportMatch(models.TextChoices):
    EMAIL_CARD = "email_card", _("Update the client with the same Hegyvidék Kártya number or email address")
    CREATE = "create", _("Always create a new client")


class ClientImport(models.Model):
    """A file of clients (CSV or XLSX) being imported (`ügyfélimport`): the upload, the clerk's
    column mapping, and the progress and counts of its dry run or real run. `processed` is the
    position of the current run, written in the same transaction as the rows it counts, so a
    job delivered again resumes where the last one stopped."""

    file = models.FileField(_("file"), upload_to="crm_imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField(default=0)
    format = models.CharField(_("format"), max_length=10)  # "csv", "xlsx"
    encoding = models.CharField(max_length=20, blank=True)  # CSV: "utf-8", "cp1250", ...
    delimiter = models.CharField(max_length=1, blank=True)  # CSV: ";" or ","
    headers = models.JSONField(default=list)  # the header row as read
    preview = models.JSONField(default=list)  # the first rows, for the mapping screen
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    mapping = models.JSONField(_("column mapping"), default=list)  # a target field per column
    match_by = models.CharField(
        _("existing clients"), max_length=20, choices=ClientImportMatch.choices, default=ClientImportMatch.EMAIL_CARD
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ClientImportState.choices, default=ClientImportState.UPLOADED
    )
    dry_run = models.BooleanField(_("dry run"), default=False)  # of the current (or last) run
    processed = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_flagged = models.PositiveIntegerField(_("flagged"), default=0)
    rows_failed = models.PositiveIntegerField(_("failed"), default=0)
    error_message = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)  # the clerk's, for the report's messages
    attempts = models.PositiveSmallIntegerField(default=0)  # runs of the job for the current run
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("client import")
        verbose_name_plural = _("client imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class ClientImportRow(models.Model):
    """What became of one row of an import's dry run or real run: created, updated or failed,
    flagged when it needs a look (a likely duplicate, a data problem queued), with the reasons.
    A failed row keeps its values, for the file of failed rows the clerk fixes and uploads."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        FAILED = "failed", _("Failed")

    client_import = models.ForeignKey(ClientImport, on_delete=models.CASCADE, related_name="rows")
    dry_run = models.BooleanField()
    row_number = models.PositiveIntegerField(_("row"))  # as the spreadsheet numbers it: the header is row 1
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    flagged = models.BooleanField(_("flagged"), default=False)
    messages = models.JSONField(_("messages"), default=list)
    values = models.JSONField(default=list, blank=True)
    client = models.ForeignKey(Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(fields=["client_import", "dry_run", "row_number"], name="crm_import_row_once"),
        ]
        indexes = [models.Index(fields=["client_import", "dry_run", "outcome"], name="crm_import_row_outcome")]
