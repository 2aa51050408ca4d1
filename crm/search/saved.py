"""Reads of saved searches ("smart groups") for the CRM and other apps: a saved search is its
expression, evaluated anew on every use, so its clients are whoever matches today."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crm.errors import CrmError, ErrorCode
from crm.models import SavedSearch
from crm.search.expression import clients_matching


def _expression_of(saved_search_id: int):
    expression = SavedSearch.objects.filter(pk=saved_search_id).values_list("expression", flat=True).first()
    if expression is None:
        raise CrmError(ErrorCode.NOT_FOUND, _("There is no saved search with this id."))
    return expression


def saved_search_client_ids(*, saved_search_id: int) -> QuerySet:
    """The ids of the active clients the saved search finds, as a lazy `values_list`: usable as
    a subquery (`Client.objects.filter(pk__in=...)`, `recipient__client_id__in=...`) and
    evaluated when used. Reading the expression is one query now; a missing saved search is
    `CrmError(NOT_FOUND)`, a stored expression no longer valid `CrmError(INVALID_EXPRESSION)`."""
    return clients_matching(_expression_of(saved_search_id)).values_list("pk", flat=True)


def saved_search_count(*, saved_search_id: int) -> int:
    """How many active clients the saved search finds now."""
    return clients_matching(_expression_of(saved_search_id)).order_by().count()
