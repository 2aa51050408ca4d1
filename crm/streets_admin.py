"""Staff area: the district's street list (`közterületek`) that addresses are checked against.

Clerks add a street the bundled list lacks or correct one; the folded `key` is computed on save
and never shown, and every save clears the address check's cache so the next check sees it.
Registered by the CRM's admin hooks (`StreetViewSet()`), not here.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from crm.addresses import normalise_street_type, street_key, streets_cache_clear
from crm.models import Street, roman
from crm.normalise import fold


def _district_choices():
    districts = Street.objects.order_by("district").values_list("district", flat=True).distinct()
    return [(d, f"{roman(d)}.") for d in districts]


def _postcode_choices():
    postcodes = Street.objects.order_by("postcode").values_list("postcode", flat=True).distinct()
    return [(p, p) for p in postcodes]


class StreetFilterSet(WagtailFilterSet):
    district = django_filters.ChoiceFilter(label=_("District"), choices=_district_choices)
    postcode = django_filters.ChoiceFilter(label=_("Postcode"), choices=_postcode_choices)

    class Meta:
        model = Street
        fields = ["district", "postcode"]


class StreetForm(WagtailAdminModelForm):
    class Meta:
        model = Street
        fields = ["district", "postcode", "name", "type"]

    def clean_district(self):
        district = self.cleaned_data["district"]
        if not 1 <= district <= 23:
            raise forms.ValidationError(_("Budapest has districts 1 to 23."))
        return district

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if not re.fullmatch(r"1\d{3}", postcode):
            raise forms.ValidationError(_("A Budapest postcode has four digits and starts with 1."))
        return postcode

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_type(self):
        # "u." and "krt." are stored written out, as the address check writes them
        return normalise_street_type(self.cleaned_data["type"])

    def clean(self):
        cleaned = super().clean()
        district, postcode = cleaned.get("district"), cleaned.get("postcode")
        name, type_ = cleaned.get("name"), cleaned.get("type")
        if district and postcode and name and type_:
            if int(postcode[1:3]) != district:
                self.add_error(
                    "postcode",
                    _("Postcode %(postcode)s belongs to District %(expected)s., not District %(given)s.")
                    % {"postcode": postcode, "expected": roman(int(postcode[1:3])), "given": roman(district)},
                )
            key = street_key(name=name, street_type=type_)
            clash = Street.objects.filter(district=district, key=key, postcode=postcode)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    _("%(street)s with postcode %(postcode)s is already on the list.")
                    % {"street": f"{name} {type_}", "postcode": postcode}
                )
            self.instance.key = key
        return cleaned


class _ClearsCacheMixin:
    def save_instance(self):
        instance = super().save_instance()
        # the next address check must see the edit at once, not after the cache's timeout
        streets_cache_clear()
        return instance


class StreetCreateView(_ClearsCacheMixin, generic.CreateView):
    pass


class StreetEditView(_ClearsCacheMixin, generic.EditView):
    pass


class StreetIndexView(generic.IndexView):
    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        # the key is folded: "boszormenyi" finds "Böszörményi út"
        return queryset.filter(key__contains=fold(self.search_query))


class StreetViewSet(ModelViewSet):
    model = Street
    icon = "site"
    menu_label = _("Streets")
    url_prefix = "crm-streets"
    name = "crm_streets"
    index_view_class = StreetIndexView
    add_view_class = StreetCreateView
    edit_view_class = StreetEditView
    list_display = [
        "__str__",
        "postcode",
        Column("district", label=_("District"), accessor=lambda street: f"{roman(street.district)}."),
        "updated_at",
    ]
    filterset_class = StreetFilterSet
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return StreetForm
