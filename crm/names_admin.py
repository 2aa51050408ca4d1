"""Staff area: the first-name database (list, search, add, correct) and its audit-log action.

Importing this module registers the log action; the viewset is registered by the CRM menu.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from crm.models import GivenName
from crm.names import given_name_clean, given_name_set_gender
from crm.normalise import fold


class GivenNameForm(WagtailAdminModelForm):
    class Meta:
        model = GivenName
        fields = ["name", "gender"]

    def clean_name(self):
        name = given_name_clean(self.cleaned_data.get("name", ""))
        key = fold(name)
        # the folded key is the name's identity: a new spelling of an existing name would
        # silently correct that entry, and a renamed entry would become another name
        if self.instance.pk is None:
            existing = GivenName.objects.filter(key=key).first()
            if existing is not None:
                raise ValidationError(
                    _("“%(name)s” is already in the list as “%(existing)s”; correct that entry instead."),
                    code="exists",
                    params={"name": name, "existing": existing.name},
                )
        elif key != self.instance.key:
            raise ValidationError(
                _("Only the spelling (accents, capitals) can change here; add a different name as a new entry."),
                code="other_name",
            )
        return name


class _SavedAsCorrection:
    """Saves through the service: source "staff", who and when, the audit entry."""

    def save_instance(self):
        return given_name_set_gender(
            name=self.form.cleaned_data["name"], gender=self.form.cleaned_data["gender"], user=self.request.user
        )


class GivenNameCreateView(_SavedAsCorrection, CreateView):
    pass


class GivenNameEditView(_SavedAsCorrection, EditView):
    pass


class GivenNameIndexView(IndexView):
    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        # "Zsofia" and "zsófia" both find "Zsófia"
        query = self.search_query.strip()
        return queryset.filter(Q(name__icontains=query) | Q(key__contains=fold(query)))


class GivenNameViewSet(ModelViewSet):
    model = GivenName
    icon = "user"
    menu_label = _("Given names")
    url_prefix = "crm-given-names"
    name = "crm_given_names"
    index_view_class = GivenNameIndexView
    add_view_class = GivenNameCreateView
    edit_view_class = GivenNameEditView
    list_display = ["name", "gender", "source", "updated_by", "updated_at"]
    list_filter = ["gender", "source"]
    search_fields = ["name", "key"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return GivenNameForm

    def get_queryset(self, request):
        return GivenName.objects.select_related("updated_by")


@hooks.register("register_log_actions")
def register_given_name_log_actions(actions):
    actions.register_action(
        "crm.given_name_corrected", _("Correct given name"), _("Given name's gender corrected by staff")
    )
