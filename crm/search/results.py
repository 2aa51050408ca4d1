"""A page of search results for the staff screens and API: the clients of one page with their
age, district, default email and tags, read in one query (correlated subqueries for the rest)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse, StreamingHttpResponse

from crm.models import Client, ClientAddress, ClientEmail, ClientTag, roman
from crm.search.export import clients_export, clients_export_csv_chunks
from crm.search.expression import search_today

PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass
class ResultRow:
    id: int
    name: str
    birth_date: datetime.date | None
    age: int | None
    district: int | None
    district_label: str
    email: str
    tags: list[str]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "age": self.age,
            "district": self.district,
            "email": self.email,
            "tags": self.tags,
        }


def age_on(birth_date: datetime.date | None, today: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def results_page(queryset: QuerySet[Client], *, page, per_page: int = PER_PAGE) -> tuple[Page, list[ResultRow]]:
    """The page (`page` as given by a request: not a number gives the first, out of range the
    last) and its rows. The count and the page's ids come from one query (`_count_and_ids`), the
    rows of those ids from another."""
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    total, ids = _count_and_ids(queryset, offset=(number - 1) * per_page, limit=per_page)
    paginator = Paginator(range(total), per_page)  # counts and numbers pages; the ids are ours
    if number > paginator.num_pages:  # past the end: the last page, as `Paginator.get_page` does
        number = paginator.num_pages
        total, ids = _count_and_ids(queryset, offset=(number - 1) * per_page, limit=per_page)
        paginator = Paginator(range(total), per_page)
    return Page(ids, number, paginator), result_rows(ids)


def _count_and_ids(queryset: QuerySet[Client], *, offset: int, limit: int) -> tuple[int, list[int]]:
    """How many clients the queryset finds, and the ids of one page of them in id order, from one
    evaluation of the search: the matching ids are found the way a count finds them (the planner
    sees the whole set, not "the first 50 in id order", a plan that walks the primary key and
    filters, fast for common matches and very slow for rare ones), counted by a window over them
    and sorted top-N. The `OFFSET 0` keeps PostgreSQL from merging the search into the outer
    query (see the PostgreSQL docs on subquery pull-up)."""
    try:
        inner, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a condition that can match no one, e.g. `pk__in=[]`
        return 0, []
    sql = (
        f"SELECT matched.pk, count(*) OVER () FROM ({inner} OFFSET 0) AS matched "  # noqa: S608 - Django's SQL
        "ORDER BY matched.pk LIMIT %s OFFSET %s"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    if rows:
        return rows[0][1], [pk for pk, _total in rows]
    if offset == 0:
        return 0, []
    return queryset.order_by().count(), []  # a page past the end: the count alone


def result_rows(client_ids: list[int]) -> list[ResultRow]:
    if not client_ids:
        return []
    first_of = ("-is_default", "pk")
    email = ClientEmail.objects.filter(client=OuterRef("pk")).order_by(*first_of).values("address")[:1]
    district = ClientAddress.objects.filter(client=OuterRef("pk")).order_by(*first_of).values("district")[:1]
    tags = (
        ClientTag.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(names=ArrayAgg("tag__name", order_by="tag__name"))
        .values("names")
    )
    rows = (
        Client.objects.filter(pk__in=client_ids)
        .order_by("pk")
        .annotate(row_email=Subquery(email), row_district=Subquery(district), row_tags=Subquery(tags))
        .values_list(
            "pk", "name_prefix", "family_name", "given_names", "birth_date", "row_email", "row_district", "row_tags"
        )
    )
    today = search_today()
    return [
        ResultRow(
            id=pk,
            name=" ".join(part for part in (prefix, family, given) if part) or f"#{pk}",
            birth_date=birth_date,
            age=age_on(birth_date, today),
            district=district_number,
            district_label=f"{roman(district_number)}." if district_number else "",
            email=email_address or "",
            tags=list(tag_names or []),
        )
        for pk, prefix, family, given, birth_date, email_address, district_number, tag_names in rows
    ]


def clients_export_response(queryset: QuerySet[Client], *, fmt: str, filename: str) -> HttpResponse:
    """The export as a download: CSV streamed (any size), XLSX built in memory."""
    if fmt == "csv":
        response = StreamingHttpResponse(clients_export_csv_chunks(queryset), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            clients_export(queryset, fmt="xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
