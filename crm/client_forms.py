"""Staff screens that write a client record: "New client" and "Edit", the GDPR export download
and the erasure confirmation.

The form is person fields, repeating rows of emails, phones and addresses (Django formsets; one
empty row of each works without JavaScript, `crm/static/crm/client_form.js` only adds rows),
consents and a note. It is saved through `crm.services.client_save`, like every other write.
Before a new client is stored the likely duplicates are shown, and the clerk either opens the
existing client or ticks "this is a new person".
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import gdpr, selectors, services
from crm.admin_views import CrmPage
from crm.cleansing import email_key
from crm.errors import CrmError
from crm.models import AddressKind, Client, ClientNote, ClientSource, ClientState, ConsentChannel, ContactKind, Gender

MAX_ROWS = 20
CONSENT_CHOICES = [
    ("", gettext_lazy("Not asked")),
    ("granted", gettext_lazy("Granted")),
    ("refused", gettext_lazy("Refused")),
]


# --- forms ----------------------------------------------------------------------------------------
class PersonForm(forms.Form):
    name_prefix = forms.CharField(
        label=gettext_lazy("Title"), max_length=30, required=False, help_text=gettext_lazy("dr., ifj., özv. …")
    )
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=100, required=False)
    given_names = forms.CharField(label=gettext_lazy("Given names"), max_length=150, required=False)
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        choices=Gender.choices,
        required=False,
        help_text=gettext_lazy("Left unknown, it is inferred from the first given name."),
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y.%m.%d", "%Y. %m. %d.", "%Y.%m.%d."],
    )
    loyalty_card_number = forms.CharField(label=gettext_lazy("Hegyvidék Kártya number"), max_length=30, required=False)
    newsletter = forms.ChoiceField(
        label=gettext_lazy("Newsletter"), choices=CONSENT_CHOICES, required=False, widget=forms.RadioSelect
    )
    newsletter_source = forms.CharField(
        label=gettext_lazy("Where the newsletter answer was given"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("e.g. phone call, sign-up form at the desk"),
    )
    sms = forms.ChoiceField(
        label=gettext_lazy("SMS"), choices=CONSENT_CHOICES, required=False, widget=forms.RadioSelect
    )
    sms_source = forms.CharField(label=gettext_lazy("Where the SMS answer was given"), max_length=100, required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Added to the client's notes."),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=gettext_lazy("This is a new person, not one of the clients listed above."), required=False
    )

    def __init__(self, *args, stored_consents: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for channel in stored_consents:  # an answer given cannot be taken back to "not asked"
            self.fields[channel].choices = CONSENT_CHOICES[1:]

    def clean_birth_date(self):
        # the save checks these too; here they are shown with the form's other problems at once
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if value and value < services.OLDEST_BIRTH_DATE:
            raise forms.ValidationError(_("The date of birth is before 1900."))
        return value

    def clean(self):
        data = super().clean()
        for channel in ConsentChannel.values:
            if data.get(channel) and not (data.get(f"{channel}_source") or "").strip():
                self.add_error(f"{channel}_source", _("Say where the answer was given."))
        return data


class _RowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    is_default = forms.BooleanField(label=gettext_lazy("Default"), required=False)

    main_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("id") and not any((data.get(f) or "").strip() for f in self.main_fields)


class EmailForm(_RowForm):
    address = forms.CharField(
        label=gettext_lazy("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=[(k.value, k.label) for k in (ContactKind.PRIVATE, ContactKind.WORK, ContactKind.OTHER)],
        initial=ContactKind.PRIVATE,
    )
    main_fields = ("address",)
    field_order = ["id", "address", "kind", "is_default"]


class PhoneForm(_RowForm):
    number = forms.CharField(
        label=gettext_lazy("Phone number"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=[("", gettext_lazy("From the number")), *ContactKind.choices],
        required=False,
    )
    main_fields = ("number",)
    field_order = ["id", "number", "kind", "is_default"]


class AddressForm(_RowForm):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=AddressKind.choices, initial=AddressKind.PERMANENT)
    postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=10, required=False)
    settlement = forms.CharField(label=gettext_lazy("Settlement"), max_length=100, required=False)
    street_name = forms.CharField(label=gettext_lazy("Street name"), max_length=150, required=False)
    street_type = forms.CharField(
        label=gettext_lazy("Street type"), max_length=30, required=False, help_text=gettext_lazy("utca, út, tér …")
    )
    house_number = forms.CharField(label=gettext_lazy("House number"), max_length=30, required=False)
    extra = forms.CharField(label=gettext_lazy("Building, floor, door"), max_length=100, required=False)
    country = forms.CharField(max_length=2, required=False, widget=forms.HiddenInput, initial="HU")
    main_fields = ("postcode", "settlement", "street_name", "house_number")
    field_order = [
        "id",
        "kind",
        "postcode",
        "settlement",
        "street_name",
        "street_type",
        "house_number",
        "extra",
        "is_default",
        "country",
    ]


def _formset(form):
    return forms.formset_factory(
        form, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS + 5
    )


EmailFormSet = _formset(EmailForm)
PhoneFormSet = _formset(PhoneForm)
AddressFormSet = _formset(AddressForm)

ROW_SETS = (
    ("emails", EmailFormSet, gettext_lazy("Email addresses"), gettext_lazy("Add another email address")),
    ("phones", PhoneFormSet, gettext_lazy("Phone numbers"), gettext_lazy("Add another phone number")),
    ("addresses", AddressFormSet, gettext_lazy("Addresses"), gettext_lazy("Add another address")),
)
ROW_LABELS = {
    "emails": gettext_lazy("Email address"),
    "phones": gettext_lazy("Phone number"),
    "addresses": gettext_lazy("Address"),
}


@dataclass
class ErrorLink:
    """One line of the error summary: the message and the field it links to."""

    label: str
    message: str
    anchor: str


# --- the form page --------------------------------------------------------------------------------
class ClientFormView(CrmPage):
    """New client (no `pk`) and edit (with `pk`)."""

    template_name = "crm/admin/client_form.html"
    permission = "crm.add_client"
    header_icon = "user"
    client: Client | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        if "pk" in kwargs:
            try:
                self.client = selectors.client_for_staff(kwargs["pk"])
            except Client.DoesNotExist as exc:
                raise Http404 from exc
            if self.client.state != ClientState.ACTIVE:
                messages.error(request, _not_active_message(self.client))
                return redirect("crm:client", self.client.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Edit %(client)s") % {"client": self.client} if self.client else _("New client")

    # building the forms
    def _stored(self) -> services.ClientData | None:
        return services.client_data_of(self.client) if self.client else None

    def _forms(self, data=None) -> tuple[PersonForm, dict]:
        stored = self._stored()
        consents = {c.channel: c for c in self.client.consents.all()} if self.client else {}
        person_initial = {}
        if stored is not None:
            person_initial = {
                "name_prefix": stored.name_prefix,
                "family_name": stored.family_name,
                "given_names": stored.given_names,
                "gender": stored.gender,
                "birth_date": stored.birth_date,
                "loyalty_card_number": stored.loyalty_card_number,
            }
            for channel, consent in consents.items():
                person_initial[channel] = "granted" if consent.granted else "refused"
                person_initial[f"{channel}_source"] = consent.source
        person = PersonForm(data=data, initial=person_initial, stored_consents=set(consents))
        rows = {}
        for name, formset_class, _label, _add in ROW_SETS:
            initial = None
            if stored is not None:
                initial = [_row_initial(name, row) for row in getattr(stored, name)]
            rows[name] = formset_class(data=data, initial=initial, prefix=name)
        return person, rows

    def get(self, request, *args, **kwargs):
        if self.client is not None:  # the form shows the record: a read of personal data
            services.client_viewed(client=self.client, user=request.user, context="edit_form")
        person, rows = self._forms()
        return self.render_to_response(self.get_context_data(person=person, rows=rows))

    def post(self, request, *args, **kwargs):
        person, rows = self._forms(request.POST)
        valid = person.is_valid() & all([formset.is_valid() for formset in rows.values()])
        service_errors: dict[str, list[str]] = {}
        candidates = []
        if valid:
            data = self._data(person, rows)
            if self.client is None and not person.cleaned_data["confirm_not_duplicate"]:
                from crm.duplicates import duplicates_for_data

                candidates = duplicates_for_data(data=data)
                for candidate in candidates:
                    services.client_viewed(client=candidate.client, user=request.user, context="duplicate_check")
            if not candidates:
                try:
                    with transaction.atomic():
                        result = services.client_save(
                            client=self.client, data=data, user=request.user, source=ClientSource.STAFF
                        )
                        note = person.cleaned_data["note"].strip()
                        if note:
                            ClientNote.objects.create(client=result.client, text=note, author=request.user)
                except CrmError as exc:
                    service_errors = exc.fields or {"": [exc.message]}
                else:
                    self._success(result)
                    return redirect("crm:client", result.client.pk)
        context = self.get_context_data(person=person, rows=rows, service_errors=service_errors, candidates=candidates)
        return self.render_to_response(context, status=200 if candidates else 400)

    def _data(self, person: PersonForm, rows: dict) -> services.ClientData:
        values = person.cleaned_data
        stored = self._stored()
        data = services.ClientData(
            name_prefix=values["name_prefix"],
            family_name=values["family_name"],
            given_names=values["given_names"],
            gender=values["gender"],
            birth_date=values["birth_date"],
            loyalty_card_number=values["loyalty_card_number"],
            emails=[services.EmailData(**_row(f, "address", "kind")) for f in _kept(rows["emails"])],
            phones=[services.PhoneData(**_row(f, "number", "kind")) for f in _kept(rows["phones"])],
            addresses=[
                services.AddressData(
                    **_row(
                        f,
                        "kind",
                        "postcode",
                        "settlement",
                        "street_name",
                        "street_type",
                        "house_number",
                        "extra",
                    ),
                    country=f.cleaned_data.get("country") or "HU",
                )
                for f in _kept(rows["addresses"])
            ],
            consents={
                channel: services.ConsentData(
                    granted=values[channel] == "granted", source=values[f"{channel}_source"].strip()
                )
                for channel in ConsentChannel.values
                if values.get(channel)
            },
        )
        if stored is not None:
            # proven once, an address stays proven while it is sent back unchanged
            proven = {e.id: email_key(e.address) for e in stored.emails if e.verified}
            for email in data.emails:
                email.verified = email.id in proven and proven[email.id] == email_key(email.address)
        return data

    def _success(self, result: services.SaveResult) -> None:
        text = _("%(client)s is saved.") % {"client": result.client}
        if result.corrections:
            text += " " + _("Corrected on entry: %(list)s") % {"list": "; ".join(result.corrections)}
        if result.problems:
            text += " " + _("%(count)d problem(s) went to the cleanup queue.") % {"count": len(result.problems)}
        messages.success(self.request, text)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, rows = context["person"], context["rows"]
        service_errors = context.get("service_errors") or {}
        for key, texts in service_errors.items():
            if key in person.fields:
                for text in texts:
                    person.add_error(key, text)
        context.update(
            {
                "client": self.client,
                "row_sets": [
                    {
                        "name": name,
                        "label": label,
                        "row_label": ROW_LABELS[name],
                        "add_label": add,
                        "formset": rows[name],
                        "errors": service_errors.get(name, []),
                    }
                    for name, _cls, label, add in ROW_SETS
                ],
                "consent_errors": service_errors.get("consents", []),
                "other_errors": service_errors.get("", []),
                "error_links": _error_links(person, rows, service_errors),
                "candidates": [
                    {"candidate": c, **_candidate_contacts(c.client)} for c in context.get("candidates") or []
                ],
                "cancel_url": reverse("crm:client", args=[self.client.pk]) if self.client else reverse("crm:search"),
            }
        )
        return context


def _not_active_message(client: Client) -> str:
    if client.state == ClientState.MERGED:
        return _("This record was merged into another client and cannot be changed; change that client.")
    return _("This client's data were erased; the record cannot be changed.")


def _row_initial(name: str, row) -> dict:
    values = dict(vars(row))
    values.pop("verified", None)
    values.pop("district", None)
    return values


def _kept(formset) -> list[forms.Form]:
    deleted = set(map(id, formset.deleted_forms)) if formset.can_delete else set()
    return [f for f in formset.forms if id(f) not in deleted and not f.is_blank()]


def _row(form: forms.Form, *names: str) -> dict:
    data = form.cleaned_data
    return {
        **{n: (data.get(n) or "").strip() for n in names},
        "is_default": bool(data.get("is_default")),
        "id": data.get("id") or None,
    }


def _candidate_contacts(client: Client) -> dict:
    emails = list(client.emails.all())
    phones = list(client.phones.all())
    addresses = list(client.addresses.all())
    first = lambda rows: next((r for r in rows if r.is_default), rows[0] if rows else None)  # noqa: E731
    return {"email": first(emails), "phone": first(phones), "address": first(addresses)}


def _error_links(person: PersonForm, rows: dict, service_errors: dict) -> list[ErrorLink]:
    links = []
    for name, texts in person.errors.items():
        if name == "__all__":
            links += [ErrorLink("", text, "crm-person") for text in texts]
            continue
        field = person[name]
        links += [ErrorLink(str(field.label), text, field.id_for_label or field.auto_id) for text in texts]
    for name, _cls, label, _add in ROW_SETS:
        formset = rows[name]
        for text in formset.non_form_errors():
            links.append(ErrorLink(str(label), text, f"crm-{name}"))
        for text in service_errors.get(name, []):
            links.append(ErrorLink(str(label), text, f"crm-{name}"))
        for index, form in enumerate(formset.forms, start=1):
            for field_name, texts in form.errors.items():
                anchor = form[field_name].auto_id if field_name in form.fields else f"crm-{name}"
                field_label = form.fields[field_name].label if field_name in form.fields else ""
                row_label = f"{ROW_LABELS[name]} {index}" + (f", {field_label}" if field_label else "")
                links += [ErrorLink(row_label, text, anchor) for text in texts]
    links += [
        ErrorLink(str(gettext_lazy("Consents")), text, "crm-consents") for text in service_errors.get("consents", [])
    ]
    links += [ErrorLink("", text, "crm-person") for text in service_errors.get("", [])]
    return links


# --- GDPR -----------------------------------------------------------------------------------------
class ClientExportDownloadView(CrmPage):
    """The client's data as a JSON file (audited as crm.client_exported)."""

    permission = "crm.view_client_personal_data"

    def get(self, request, pk: int):
        if not request.user.has_perm("crm.view_client"):
            raise PermissionDenied
        client = Client.objects.filter(pk=pk).first()
        if client is None:
            raise Http404
        response = JsonResponse(
            gdpr.client_export(client=client, user=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        response["Content-Disposition"] = f'attachment; filename="client-{client.pk}.json"'
        return response


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Why the data are erased: the reference of the person's request or the legal ground. "
            "Do not write personal data here."
        ),
    )


class ClientEraseView(CrmPage):
    """Confirm, with the reason, that a client's personal data are to be erased."""

    template_name = "crm/admin/client_erase.html"
    permission = "crm.erase_client"
    header_icon = "bin"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.client = Client.objects.filter(pk=kwargs["pk"]).first()
        if self.client is None:
            raise Http404
        if self.client.state != ClientState.ACTIVE:
            messages.error(request, _not_active_message(self.client))
            return redirect("crm:client", self.client.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Erase %(client)s") % {"client": self.client}

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=EraseForm()))

    def post(self, request, *args, **kwargs):
        form = EraseForm(request.POST)
        if form.is_valid():
            try:
                gdpr.client_erase(client=self.client, user=request.user, reason=form.cleaned_data["reason"])
            except CrmError as exc:
                for text in (exc.fields or {}).get("reason", [exc.message]):
                    form.add_error("reason", text)
            else:
                messages.success(request, _("The client's personal data are erased."))
                return redirect("crm:client", self.client.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "client": self.client,
                "kept_timeline": self.client.timeline.filter(kind__startswith="case.").count()
                + self.client.timeline.filter(kind__startswith="payment.").count(),
            }
        )
        return context
