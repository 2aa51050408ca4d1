"""Staff screens for duplicates: the list of likely duplicate pairs, a pair side by side where
the clerk picks each field and merges (or says "not a duplicate"), and undoing a merge from
the client page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import services
from crm.admin_views import CrmPage
from crm.duplicates.merge import FIELDS, client_merge, client_unmerge, duplicate_pair_dismiss, merge_defaults
from crm.duplicates.rules import LABELS
from crm.errors import CrmError
from crm.models import Client, ClientMerge, ClientState, DuplicatePair, DuplicateState

MERGE = "crm.merge_client"

FIELD_LABELS = {
    "name_prefix": gettext_lazy("Name prefix"),
    "family_name": gettext_lazy("Family name"),
    "given_names": gettext_lazy("Given names"),
    "gender": gettext_lazy("Gender"),
    "birth_date": gettext_lazy("Date of birth"),
    "loyalty_card_number": gettext_lazy("Hegyvidék Kártya"),
}
STATE_FILTERS = (
    (DuplicateState.OPEN, gettext_lazy("To review")),
    (DuplicateState.NOT_DUPLICATE, gettext_lazy("Not duplicates")),
    (DuplicateState.MERGED, gettext_lazy("Merged")),
)


def _reason_labels(pair: DuplicatePair) -> list[str]:
    return [str(LABELS.get(r.get("code"), r.get("code"))) for r in pair.reasons if r.get("weight", 0) > 0]


def _shown(client: Client, name: str) -> str:
    if name == "gender":
        return client.get_gender_display() if client.gender else ""
    value = getattr(client, name)
    if name == "birth_date" and value:
        return value.strftime("%Y. %m. %d.")
    return value or ""


class DuplicateListView(CrmPage):
    template_name = "crm/admin/duplicates.html"
    permission = MERGE
    header_icon = "user"

    def get_page_title(self):
        return _("Possible duplicates")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", DuplicateState.OPEN)
        if state not in DuplicateState.values:
            state = DuplicateState.OPEN
        pairs = DuplicatePair.objects.filter(state=state).select_related("client_a", "client_b")
        if state == DuplicateState.OPEN:
            pairs = pairs.filter(client_a__state=ClientState.ACTIVE, client_b__state=ClientState.ACTIVE)
        page = Paginator(pairs.order_by("-score", "pk"), 50).get_page(self.request.GET.get("p"))
        for pair in page:
            pair.reason_labels = _reason_labels(pair)
        context.update({"page": page, "state": state, "states": STATE_FILTERS})
        return context

    def post(self, request, *args, **kwargs):
        """ "Check all clients now": the batch scan, in the worker."""
        from crm.tasks import crm_duplicates_scan

        crm_duplicates_scan.send()
        messages.success(request, _("All clients are being checked for duplicates; refresh this page in a minute."))
        return redirect("crm:duplicates")


class DuplicatePairView(CrmPage):
    """Both records side by side; a radio button per field says which value the merged record
    keeps, and which record survives (keeps its id, its account link and its history)."""

    template_name = "crm/admin/duplicate_pair.html"
    permission = MERGE
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.pair = get_object_or_404(DuplicatePair.objects.select_related("client_a", "client_b"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Possible duplicate")

    def _survivor(self, requested: str | None) -> tuple[Client, Client]:
        a, b = self.pair.client_a, self.pair.client_b
        if requested == str(b.pk):
            return b, a
        if requested == str(a.pk):
            return a, b
        # by default the record with the resident account, else the older one survives
        return (b, a) if (b.user_id and not a.user_id) else (a, b)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        a, b = self.pair.client_a, self.pair.client_b
        for client in (a, b):
            services.client_viewed(client=client, user=self.request.user, context="duplicate_pair")
        survivor, merged = self._survivor(self.request.POST.get("survivor") or self.request.GET.get("survivor"))
        defaults = merge_defaults(survivor, merged)
        chosen = {name: self.request.POST.get(f"field_{name}") or str(defaults[name]) for name in FIELDS}
        rows = [
            {
                "name": name,
                "label": FIELD_LABELS[name],
                "a": _shown(a, name),
                "b": _shown(b, name),
                "same": _shown(a, name) == _shown(b, name),
                "chosen": chosen[name],
            }
            for name in FIELDS
        ]
        context.update(
            {
                "pair": self.pair,
                "a": a,
                "b": b,
                "rows": rows,
                "survivor": survivor,
                "reason_labels": [
                    (str(LABELS.get(r.get("code"), r.get("code"))), r.get("weight", 0)) for r in self.pair.reasons
                ],
                "active": a.state == ClientState.ACTIVE and b.state == ClientState.ACTIVE,
                "errors": kwargs.get("errors", []),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "dismiss":
            try:
                duplicate_pair_dismiss(pair=self.pair, user=request.user)
            except CrmError as exc:
                messages.error(request, exc.message)
                return redirect("crm:duplicate", pk=self.pair.pk)
            messages.success(request, _("Marked as not a duplicate; later checks remember it."))
            return redirect("crm:duplicates")
        if action != "merge":
            return self.render_to_response(self.get_context_data(errors=[_("Choose Merge or Not a duplicate.")]))
        survivor, merged = self._survivor(request.POST.get("survivor"))
        choices = {}
        for name in FIELDS:
            value = request.POST.get(f"field_{name}", "")
            if value:
                choices[name] = int(value) if value.isdigit() else -1
        try:
            merge = client_merge(survivor=survivor, merged=merged, choices=choices, user=request.user, pair=self.pair)
        except CrmError as exc:
            return self.render_to_response(self.get_context_data(errors=[exc.message]), status=400)
        messages.success(
            request,
            _("%(merged)s was merged into %(survivor)s. The merge can be undone on this page.")
            % {"merged": merge.merged, "survivor": merge.survivor},
        )
        return redirect("crm:client", pk=merge.survivor.pk)


class UnmergeView(CrmPage):
    permission = MERGE

    def get(self, request, *args, **kwargs):
        raise Http404

    def post(self, request, pk: int, *args, **kwargs):
        merge = get_object_or_404(ClientMerge, pk=pk)
        try:
            merge = client_unmerge(merge=merge, user=request.user)
        except CrmError as exc:
            messages.error(request, exc.message)
            return redirect("crm:client", pk=merge.survivor_id)
        text = _("The merge is undone: %(merged)s is a client of its own again.") % {"merged": merge.merged}
        if merge.kept_fields:
            kept = ", ".join(str(FIELD_LABELS[name]) for name in merge.kept_fields)
            text += " " + _("Changed since the merge, so kept as they are now: %(fields)s.") % {"fields": kept}
        messages.success(request, text)
        return redirect("crm:client", pk=merge.merged_id)


def client_duplicates_context(client: Client, user) -> dict:
    """The client page's duplicates panel: open pairs and the merges it took part in."""
    if not user.has_perm(MERGE):
        return {}
    pairs = list(
        DuplicatePair.objects.filter(Q(client_a=client) | Q(client_b=client), state=DuplicateState.OPEN)
        .filter(client_a__state=ClientState.ACTIVE, client_b__state=ClientState.ACTIVE)
        .select_related("client_a", "client_b")[:10]
    )
    for pair in pairs:
        pair.other = pair.client_b if pair.client_a_id == client.pk else pair.client_a
        pair.reason_labels = _reason_labels(pair)
    merges = list(
        ClientMerge.objects.filter(Q(survivor=client) | Q(merged=client)).select_related(
            "survivor", "merged", "merged_by", "unmerged_by"
        )[:10]
    )
    return {"duplicate_pairs": pairs, "merges": merges, "can_merge": True}


def urlpatterns():
    return [
        path("duplicates/", DuplicateListView.as_view(), name="duplicates"),
        path("duplicates/<int:pk>/", DuplicatePairView.as_view(), name="duplicate"),
        path("merges/<int:pk>/unmerge/", UnmergeView.as_view(), name="unmerge"),
    ]


def menu_url() -> str:
    return reverse("crm:duplicates")
