"""The one exception every statement parser raises.

Callers (the upload view, the import task) catch exactly `StatementError` and show its
`message` to the finance clerk; `code` is stable for programs and tests, `line` points at
the offending line of the file (camt: the XML line of the element, MT940: the tag's line,
CSV: the physical line) when it is known.

Codes:
    empty, too_large, binary, encoding, unknown_format  -- the file as a whole
    xml_malformed, xml_forbidden, xml_not_camt, camt_wrong_message  -- XML / camt
    mt940_malformed, csv_no_header, csv_bad_row  -- MT940 / CSV structure
    missing_element, bad_amount, bad_date, bad_currency, bad_indicator  -- one entry's data
    multiple_accounts  -- one file holding statements of several accounts
    internal  -- an unexpected failure inside a parser (a bug, logged with its traceback)
"""

from __future__ import annotations

from django.utils.functional import Promise


class StatementError(Exception):
    """A statement file that cannot be read; `message` is a translatable sentence for the clerk."""

    def __init__(self, code: str, message: str | Promise, line: int | None = None) -> None:
        super().__init__(code, message, line)
        self.code = code
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.code}: {self.message}{where}"

    def __repr__(self) -> str:
        return f"StatementError({self.code!r}, {str(self.message)!r}, line={self.line!r})"
