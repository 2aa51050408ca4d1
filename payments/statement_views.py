"""Staff screens of bank statement reconciliation (finance clerks, `payments.reconcile_payments`):
upload with a progress bar, a statement's lines, the review queue, one line with the clerk's
actions, and the daily summary. Views validate and delegate to `payments.reconciliation`,
which checks the permission again."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import IndexView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import ModelLogEntry
from wagtail.permission_policies.base import BasePermissionPolicy

from payments import reconciliation
from payments.errors import PaymentsError
from payments.models import Allocation, BankStatement, Order, OrderStatus, StatementLine
from payments.reconciliation import selectors
from payments.reconciliation.booking import orders_by_id
from payments.reconciliation.common import PERMISSION
from payments.reconciliation.importing import PARSE_UNTIL, STORE_UNTIL
from payments.reconciliation.texts import money, reason_text
from payments.references import reference_format, reference_normalise
from payments.statements import MAX_STATEMENT_BYTES, normalise_iban

State = StatementLine.MatchState
NS = "bank_statements"


class ReconcilePermissionPolicy(BasePermissionPolicy):
    """Statements are only viewed (uploads and matching have their own views and services), by
    whoever may reconcile payments."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.has_perm(PERMISSION)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")

    def users_with_any_permission(self, actions):
        users = get_user_model().objects
        return users.with_perm(PERMISSION) if "view" in actions else users.none()


class ReconcilerRequired:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReconcilerPage(ReconcilerRequired, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse(f"{NS}:index"), "label": _("Bank statements")}]
        return [*items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_view_orders"] = self.request.user.has_perm("payments.view_order")
        return context


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- the statements list (declared as a viewset in wagtail_hooks) ------------------------------


class StatementIndexView(IndexView):
    def get_edit_url(self, instance):
        return reverse(f"{NS}:detail", args=[instance.pk])

    def get_list_more_buttons(self, instance):
        return []  # a statement is never edited; its name already links to its page

    @property
    def header_buttons(self):
        return [HeaderButton(_("Upload a statement"), url=reverse(f"{NS}:upload"), icon_name="upload")]


def statement_period(statement: BankStatement) -> str:
    if not statement.period_start:
        return "—"
    start, end = statement.period_start, statement.period_end or statement.period_start
    return start.strftime("%Y.%m.%d.") if start == end else f"{start:%Y.%m.%d.} – {end:%Y.%m.%d.}"


def statement_counts_text(statement: BankStatement) -> str:
    return _("%(total)d read, %(new)d new, %(duplicate)d already stored") % {
        "total": statement.lines_total,
        "new": statement.lines_new,
        "duplicate": statement.lines_duplicate,
    }


# --- upload and progress ---------------------------------------------------------------------


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Statement file"),
        help_text=format_lazy(
            gettext_lazy("The bank's camt.053 XML, MT940 or CSV export, at most {limit} MB."),
            limit=MAX_STATEMENT_BYTES // (1024 * 1024),
        ),
        widget=forms.FileInput(attrs={"accept": ".xml,.053,.sta,.mt940,.940,.txt,.csv"}),
    )
    account_iban = forms.CharField(
        label=gettext_lazy("Account (IBAN)"),
        required=False,
        max_length=42,
        help_text=gettext_lazy("Only needed when the file does not name its account, as some CSV exports do not."),
    )

    def clean_account_iban(self):
        value = self.cleaned_data["account_iban"].strip()
        if not value:
            return ""
        iban = normalise_iban(value)
        rearranged = iban[4:] + iban[:4]
        if not (iban[:2].isalpha() and iban[2:4].isdigit() and 15 <= len(iban) <= 34 and iban.isalnum()) or (
            int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 != 1
        ):
            raise forms.ValidationError(_("This is not a valid IBAN or Hungarian account number."))
        return iban


class StatementUploadView(ReconcilerPage):
    template_name = "payments/admin/statement_upload.html"
    header_icon = "upload"

    def get_page_title(self):
        return _("Upload a bank statement")

    def get_context_data(self, form=None, **kwargs):
        return {**super().get_context_data(**kwargs), "form": form or StatementUploadForm()}

    def post(self, request, *args, **kwargs):
        form = StatementUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                statement = reconciliation.statement_upload(
                    uploaded_file=form.cleaned_data["file"],
                    account_iban=form.cleaned_data["account_iban"],
                    user=request.user,
                )
            except PaymentsError as exc:
                _add_errors(form, exc)
            else:
                return redirect(f"{NS}:detail", pk=statement.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def progress_data(statement: BankStatement) -> dict[str, Any]:
    """What the progress bar shows; the same text is rendered into the page for non-JS readers."""
    counts = selectors.statement_counts(statement_id=statement.pk)
    if statement.state == BankStatement.State.FAILED:
        text = _("The statement could not be read: %(message)s") % {"message": statement.error_message}
    elif statement.state == BankStatement.State.DONE:
        text = _(
            "Done. %(counts)s. Matched automatically: %(auto)d; waiting for review: %(review)d; "
            "unmatched: %(unmatched)d; not payments: %(ignored)d."
        ) % {"counts": statement_counts_text(statement), **counts}
    elif statement.progress < PARSE_UNTIL:
        text = _("Reading the file: %(percent)d%%") % {"percent": statement.progress}
    elif statement.progress < STORE_UNTIL:
        text = _("Storing the entries: %(percent)d%%") % {"percent": statement.progress}
    else:
        text = _("Matching payments to orders: %(percent)d%%") % {"percent": statement.progress}
    return {
        "id": statement.pk,
        "state": statement.state,
        "state_label": statement.get_state_display(),
        "progress": statement.progress,
        "finished": statement.state != BankStatement.State.PROCESSING,
        "lines_total": statement.lines_total,
        "lines_new": statement.lines_new,
        "lines_duplicate": statement.lines_duplicate,
        "counts": counts,
        "error": {"code": statement.error_code, "message": statement.error_message}
        if statement.state == BankStatement.State.FAILED
        else None,
        "status_text": text,
    }


class StatementProgressView(ReconcilerRequired, View):
    def get(self, request, pk: int):
        statement = get_object_or_404(BankStatement, pk=pk)
        response = JsonResponse(progress_data(statement))
        response["Cache-Control"] = "no-store"
        return response


class StatementDetailView(ReconcilerPage):
    template_name = "payments/admin/statement_detail.html"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        self.statement = get_object_or_404(BankStatement.objects.select_related("uploaded_by"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Statement %(name)s") % {"name": self.statement.file_name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        lines = self.statement.lines.order_by("booking_date", "pk")
        if state in State.values:
            lines = lines.filter(match_state=state)
        page = Paginator(lines, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            {
                "statement": self.statement,
                "period": statement_period(self.statement),
                "progress": progress_data(self.statement),
                "earlier_uploads": selectors.same_file_uploads(self.statement),
                "state": state,
                "states": State.choices,
                "page": page,
                "rows": [_line_row(line) for line in page.object_list],
            }
        )
        return context


def _line_row(line: StatementLine) -> dict[str, Any]:
    return {"line": line, "amount": money(line.amount, line.currency)}


# --- the review queue and one line ------------------------------------------------------------


def present_suggestions(line: StatementLine, orders: dict) -> list[dict[str, Any]]:
    """The line's stored suggestions with their orders, score and reasons, ready to print."""
    presented = []
    for index, suggestion in enumerate(line.suggestions):
        found = [orders[order_id] for order_id in suggestion.get("order_ids", []) if order_id in orders]
        presented.append(
            {
                "index": index,
                "orders": [
                    {
                        "order": order,
                        "reference": reference_format(order.reference or ""),
                        "payer": order.resident.full_name,
                        "amount": money(order.amount),
                        "balance": money(order.balance),
                        "payable": order.status in (OrderStatus.OPEN, OrderStatus.PARTIALLY_PAID),
                    }
                    for order in found
                ],
                "score": round(float(suggestion.get("score") or 0) * 100),
                "reasons": [reason_text(reason) for reason in suggestion.get("reasons", [])],
                "complete": len(found) == len(suggestion.get("order_ids", [])),
            }
        )
    return presented


def _suggested_order_ids(lines) -> set[int]:
    return {order_id for line in lines for s in line.suggestions for order_id in s.get("order_ids", [])}


class ReviewQueueView(ReconcilerPage):
    template_name = "payments/admin/review_queue.html"
    header_icon = "tasks"
    paginate_by = 25

    def get_page_title(self):
        return _("Review queue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")
        page = Paginator(selectors.review_queue(state=state), self.paginate_by).get_page(self.request.GET.get("page"))
        lines = list(page.object_list)
        orders = orders_by_id(_suggested_order_ids(lines))
        context.update(
            {
                "state": state,
                "page": page,
                "here": self.request.get_full_path(),
                "items": [
                    {
                        "line": line,
                        "amount": money(line.amount, line.currency),
                        "suggestions": present_suggestions(line, orders),
                        "remarks": [reason_text(reason) for reason in line.reasons],
                    }
                    for line in lines
                ],
            }
        )
        return context


class ManualMatchForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Payment reference of the order"),
        max_length=40,
        help_text=gettext_lazy("As printed on the order, e.g. RF93 HV00 0123 456; spaces do not matter."),
    )
    note = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def clean_reference(self):
        # checked here too, so the clerk sees every mistake at once; the service checks it again
        reference = self.cleaned_data["reference"]
        if not Order.objects.filter(reference=reference_normalise(reference)).exists():
            raise forms.ValidationError(_("No order has this payment reference."))
        return reference


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ConfirmForm(forms.Form):
    suggestion = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class LineDetailView(ReconcilerPage):
    template_name = "payments/admin/statement_line.html"

    def dispatch(self, request, *args, **kwargs):
        self.line = get_object_or_404(StatementLine.objects.select_related("statement"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Bank entry of %(date)s, %(amount)s") % {
            "date": self.line.booking_date.strftime("%Y.%m.%d."),
            "amount": money(self.line.amount, self.line.currency),
        }

    def get_context_data(self, forms_=None, **kwargs):
        context = super().get_context_data(**kwargs)
        forms_ = forms_ or {}
        line = self.line
        allocations = list(
            line.allocations.select_related("order__resident", "payment", "created_by", "undone_by").order_by("pk")
        )
        is_open = line.match_state in (State.REVIEW, State.UNMATCHED) and line.amount > 0
        live = [allocation for allocation in allocations if allocation.undone_at is None]
        context.update(
            {
                "line": line,
                "amount": money(line.amount, line.currency),
                "remaining": money(line.amount - sum(a.amount for a in live), line.currency) if live else "",
                "allocations": [
                    {
                        "allocation": allocation,
                        "reference": reference_format(allocation.order.reference or ""),
                        "amount": money(allocation.amount),
                        "form": forms_.get(f"undo-{allocation.pk}") or NoteForm(prefix=f"undo-{allocation.pk}"),
                    }
                    for allocation in allocations
                ],
                "suggestions": present_suggestions(line, orders_by_id(_suggested_order_ids([line]))),
                "remarks": [reason_text(reason) for reason in line.reasons],
                "is_open": is_open,
                "confirm_form": forms_.get("confirm"),
                "manual_form": forms_.get("manual") or ManualMatchForm(prefix="manual"),
                "ignore_form": forms_.get("ignore") or NoteForm(prefix="ignore"),
                "error_form": next(iter(forms_.values()), None),
                "history": ModelLogEntry.objects.for_instance(line).select_related("user").order_by("timestamp"),
                "here": self.request.get_full_path(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        handlers = {"confirm": self._confirm, "manual": self._manual, "ignore": self._ignore, "undo": self._undo}
        if action not in handlers:
            return redirect(f"{NS}:line", pk=self.line.pk)
        form, key, call, done = handlers[action](request)
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except reconciliation.AlreadyDone as exc:
                messages.info(request, exc.message)
                return redirect(_safe_next(request, reverse(f"{NS}:line", args=[self.line.pk])))
            except PaymentsError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(_safe_next(request, reverse(f"{NS}:line", args=[self.line.pk])))
        self.line.refresh_from_db()
        return self.render_to_response(self.get_context_data(forms_={key: form}), status=400)

    def _confirm(self, request):
        def call(data):
            reconciliation.suggestion_confirm(line_id=self.line.pk, index=data["suggestion"], user=request.user)

        return ConfirmForm(request.POST), "confirm", call, _("The payment is matched to the suggested order.")

    def _manual(self, request):
        def call(data):
            reconciliation.line_match_manual(
                line_id=self.line.pk, reference=data["reference"], note=data["note"], user=request.user
            )

        return ManualMatchForm(request.POST, prefix="manual"), "manual", call, _("The payment is matched to the order.")

    def _ignore(self, request):
        def call(data):
            reconciliation.line_ignore(line_id=self.line.pk, note=data["note"], user=request.user)

        return NoteForm(request.POST, prefix="ignore"), "ignore", call, _("The line is marked as not a payment.")

    def _undo(self, request):
        allocation_id = request.POST.get("allocation", "")
        allocation = get_object_or_404(
            Allocation, pk=int(allocation_id) if allocation_id.isdigit() else 0, line=self.line
        )
        prefix = f"undo-{allocation.pk}"

        def call(data):
            reconciliation.allocation_undo(allocation_id=allocation.pk, note=data["note"], user=request.user)

        return (
            NoteForm(request.POST, prefix=prefix),
            prefix,
            call,
            _("The match is undone; the payment is reversed and the order shows its balance."),
        )


def _add_errors(form: forms.Form, exc: PaymentsError) -> None:
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)


# --- daily summary ----------------------------------------------------------------------------


def _date_input() -> forms.DateInput:
    # a date input holds an ISO date whatever the page's language; a localised value shows empty
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class DateRangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=_date_input())
    end = forms.DateField(label=gettext_lazy("To"), widget=_date_input())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the range must not be before its start."))
        elif start and end and (end - start).days > 366:
            self.add_error("end", _("Choose a range of at most a year."))
        return data


class DailySummaryView(ReconcilerPage):
    template_name = "payments/admin/daily_summary.html"
    header_icon = "table"

    def get_page_title(self):
        return _("Daily summary of incoming payments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        initial = {"start": today - datetime.timedelta(days=30), "end": today}
        has_range = "start" in self.request.GET or "end" in self.request.GET
        form = DateRangeForm(self.request.GET if has_range else None, initial=initial)
        rows: list[dict[str, Any]] = []
        if not has_range or form.is_valid():
            span = form.cleaned_data if has_range else initial
            rows = selectors.daily_summary(start=span["start"], end=span["end"])
        context.update({"form": form, "rows": [_money_row(row) for row in rows]})
        context["totals"] = [_money_row(row) for row in selectors.daily_totals(rows)]
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=400 if context["form"].errors else 200)


def _money_row(row: dict[str, Any]) -> dict[str, Any]:
    shown = dict(row)
    for key, value in row.items():
        if key.endswith("_amount"):
            shown[key] = money(value or 0, row["currency"])
    return shown
