"""Reading an uploaded client file: CSV (UTF-8, UTF-8 with BOM, Windows-1250 or Latin-2; `;`,
`,`, tab or `|` separated, as Hungarian Excel and other programs save it) or XLSX.

Every cell comes back as text: XLSX dates as ISO dates ("1980-05-17"), whole numbers without
".0" (a postcode 1123, a card number), so the mapping reads both formats the same way.
Empty rows are skipped; row numbers are the spreadsheet's (the header is row 1), so the report
points at the line the clerk sees in Excel.

XLSX is read by openpyxl in read-only mode, which parses the workbook's XML through defusedxml
when it is installed (it is: no entity expansion, no external references); the legacy binary
`.xls` and anything else are refused with a message saying what to do.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from crm.errors import CrmError, ErrorCode

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 1_000
PREVIEW_ROWS = 5

_DELIMITERS = ";,\t|"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy binary .xls (and .doc)
# bytes Windows-1250 leaves undefined: a file with them is Latin-2 (ISO 8859-2), whose
# 0x80-0x9F are control characters nobody types, so any other file reads as Windows-1250
_CP1250_UNDEFINED = frozenset(b"\x81\x83\x88\x90\x98")


@dataclass
class Table:
    format: str  # "csv", "xlsx"
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells), as many cells as headers
    encoding: str = ""
    delimiter: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def preview(self) -> list[list[str]]:
        return [cells for _number, cells in self.rows[:PREVIEW_ROWS]]


def file_error(message: str) -> CrmError:
    return CrmError(ErrorCode.IMPORT_FILE_INVALID, message, fields={"file": [message]})


def table_read(data: bytes, *, file_name: str = "") -> Table:
    """The header and data rows of an uploaded file; `CrmError(IMPORT_FILE_INVALID)` with a
    sentence for the clerk when it is not a file we can read."""
    if not data:
        raise file_error(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise file_error(
            _("The file is larger than %(limit)d MB. Split it into smaller files.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    name = (file_name or "").lower()
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise file_error(
            _("This is an old Excel (.xls) file. Open it in Excel and save it as .xlsx or as CSV, then upload that.")
        )
    if data.startswith(_ZIP_MAGIC):
        if name and not name.endswith((".xlsx", ".xlsm")):
            raise file_error(_("Only CSV and Excel (.xlsx) files can be imported."))
        table = _read_xlsx(data)
    else:
        if name.endswith((".xlsx", ".xlsm")):
            raise file_error(_("The file is not a valid Excel (.xlsx) file."))
        if name and not name.endswith((".csv", ".txt", ".tsv")):
            raise file_error(_("Only CSV and Excel (.xlsx) files can be imported."))
        table = _read_csv(data)
    if not table.headers:
        raise file_error(_("The file has no header row."))
    if not table.rows:
        raise file_error(_("The file has a header row but no data rows."))
    return table


# --- CSV ------------------------------------------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else Windows-1250 or Latin-2."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _CP1250_UNDEFINED.intersection(data):
        return data.decode("iso-8859-2"), "iso-8859-2"
    return data.decode("cp1250", errors="replace"), "cp1250"


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = text.split("\n", 1)[0]
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ";"


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_error(_("Only CSV and Excel (.xlsx) files can be imported."))
    text, encoding = decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table("csv", _numbered(reader), encoding=encoding, delimiter=delimiter)
    except csv.Error as exc:
        raise file_error(
            _("The CSV file could not be read at line %(line)d: %(reason)s") % {"line": reader.line_num, "reason": exc}
        ) from exc


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    for cells in reader:
        # a quoted cell with a line break spans lines: the row number is where the row starts
        yield reader.line_num - sum(cell.count("\n") for cell in cells), cells


# --- XLSX -----------------------------------------------------------------------------------------
def _read_xlsx(data: bytes) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise file_error(_("The file is not a valid Excel (.xlsx) file.")) from exc
    except Exception as exc:  # a hostile or broken XML part (defusedxml refuses it)
        raise file_error(_("The file is not a valid Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise file_error(_("The workbook has no sheet."))
        rows = (
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1)
        )
        return _table("xlsx", rows)
    except CrmError:
        raise
    except Exception as exc:
        raise file_error(_("The file is not a valid Excel (.xlsx) file.")) from exc
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- both -----------------------------------------------------------------------------------------
def _table(fmt: str, rows: Iterator[tuple[int, list[str]]], *, encoding: str = "", delimiter: str = "") -> Table:
    headers: list[str] = []
    body: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        cells = [_clean(c) for c in cells]
        if not any(cells):
            continue
        if not headers:
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise file_error(_("The file has more than %(limit)d columns.") % {"limit": MAX_COLUMNS})
            headers = cells
            continue
        if len(body) >= MAX_ROWS:
            raise file_error(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}".replace(",", " ")}
            )
        cells = [c[:MAX_CELL_CHARS] for c in cells[: len(headers)]]
        cells += [""] * (len(headers) - len(cells))
        body.append((number, cells))
    return Table(fmt, headers, body, encoding=encoding, delimiter=delimiter)


def _clean(cell) -> str:
    """Whitespace collapsed; the apostrophe a spreadsheet export puts before a cell that looks
    like a formula ("'+36301234567", our own file of failed rows does it) taken off."""
    text = " ".join(str(cell or "").replace("\u00a0", " ").split())
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    return text
