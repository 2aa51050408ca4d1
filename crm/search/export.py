"""Export of clients (a search result) to CSV or XLSX.

One SQL query for the whole export, whatever its size: the default email, phone and address and
the tag list are correlated subqueries of the client query, and the rows are read with a
server-side cursor in chunks.

CSV is what Hungarian Excel opens by a double click: UTF-8 with a byte order mark (without it
Excel reads accented letters as Windows-1250), semicolon-separated (the Hungarian list separator:
the decimal separator is the comma), CRLF line ends. XLSX is written by openpyxl in write-only mode
(rows are streamed to the file, not kept as cell objects).

A text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return) would be read by a
spreadsheet as a formula, which can run commands or leak data; such cells get a leading
apostrophe in both formats (OWASP's CSV injection advice). Phone numbers in E.164 ("+3630…")
therefore show as '+3630…, which also keeps Excel from turning them into numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from crm.errors import CrmError, ErrorCode
from crm.models import ClientAddress, ClientEmail, ClientPhone, ClientTag, Gender
from crm.search.base import BUDAPEST

FORMATS = ("csv", "xlsx")
CSV_DELIMITER = ";"
#: Rows fetched from the database at a time, and CSV rows per yielded chunk.
CHUNK_SIZE = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ADDRESS_FIELDS = ("postcode", "settlement", "district", "street_name", "street_type", "house_number", "extra")
_COLUMN_WIDTHS = (10, 32, 10, 12, 32, 16, 48, 32, 12)


def clients_export(queryset: QuerySet, *, fmt: str) -> bytes:
    """The clients of `queryset` (a `Client` queryset, e.g. `clients_matching(...)`) as a CSV or
    XLSX file, in the queryset's order (id order if it has none)."""
    if fmt == "csv":
        return b"".join(clients_export_csv_chunks(queryset))
    if fmt == "xlsx":
        return _xlsx(queryset)
    raise CrmError(ErrorCode.INVALID, _("Unknown export format: use csv or xlsx."), fields={"format": list(FORMATS)})


def clients_export_headers() -> list[str]:
    return [
        _("Id"),
        _("Name"),
        _("Gender"),
        _("Date of birth"),
        _("Email"),
        _("Phone"),
        _("Address"),
        _("Tags"),
        _("Created"),
    ]


def clients_export_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    """One row per client, values typed (id int, dates as `date`), text cells made safe: one
    query, read in chunks; for a streaming response, see `clients_export_csv_chunks`."""
    first_of = ("-is_default", "pk")  # the default one, else the first entered
    email = ClientEmail.objects.filter(client=OuterRef("pk")).order_by(*first_of).values("address")[:1]
    phone = ClientPhone.objects.filter(client=OuterRef("pk")).order_by(*first_of).values("number")[:1]
    address = (
        ClientAddress.objects.filter(client=OuterRef("pk"))
        .order_by(*first_of)
        .values(parts=JSONObject(**{name: name for name in _ADDRESS_FIELDS}))[:1]
    )
    tags = (
        ClientTag.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(names=StringAgg("tag__name", ", ", order_by="tag__name"))
        .values("names")
    )
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    rows = queryset.annotate(
        export_email=Subquery(email),
        export_phone=Subquery(phone),
        export_address=Subquery(address),
        export_tags=Subquery(tags),
    ).values_list(
        "pk",
        "name_prefix",
        "family_name",
        "given_names",
        "gender",
        "birth_date",
        "export_email",
        "export_phone",
        "export_address",
        "export_tags",
        "created_at",
    )
    genders = dict(Gender.choices)
    for (
        pk,
        prefix,
        family,
        given,
        gender,
        birth_date,
        email_address,
        number,
        parts,
        tag_names,
        created,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [
            pk,
            _safe(" ".join(part for part in (prefix, family, given) if part)),
            str(genders.get(gender, "")) if gender else "",
            birth_date,
            _safe(email_address or ""),
            _safe(number or ""),
            _safe(ClientAddress(**parts).one_line if parts else ""),
            _safe(tag_names or ""),
            created.astimezone(BUDAPEST).date(),
        ]


def clients_export_csv_chunks(queryset: QuerySet) -> Iterator[bytes]:
    """The CSV file in pieces, for a `StreamingHttpResponse`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(clients_export_headers())
    for count, row in enumerate(clients_export_rows(queryset), start=1):
        writer.writerow([_csv_value(value) for value in row])
        if count % CHUNK_SIZE == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _csv_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _xlsx(queryset: QuerySet) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Clients")[:31])
    for position, width in enumerate(_COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + position)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(clients_export_headers())
    for row in clients_export_rows(queryset):
        # characters XML cannot hold would make openpyxl fail the whole export
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
