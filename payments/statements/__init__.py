"""Bank statements: parsing camt.053, MT940 and CSV exports into `ParsedStatement`.

from payments.statements import parse_statement
statement = parse_statement(data, filename="kivonat.xml")  # -> ParsedStatement
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from .camt import parse_camt
from .csv import parse_csv
from .detect import detect_format
from .errors import StatementError
from .mt940 import parse_mt940
from .types import ParsedStatement, StatementLine, normalise_iban
from .values import MAX_STATEMENT_BYTES, ProgressCallback

__all__ = [
    "MAX_STATEMENT_BYTES",
    "ParsedStatement",
    "StatementError",
    "StatementLine",
    "normalise_iban",
    "parse_statement",
]

logger = logging.getLogger(__name__)
_PARSERS = {"camt.053": parse_camt, "mt940": parse_mt940, "csv": parse_csv}


class _ProgressFailed(Exception):
    """Carries an exception of the caller's progress callback past the catch-all below."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(original)
        self.original = original


def parse_statement(data: bytes, *, filename: str = "", progress: ProgressCallback | None = None) -> ParsedStatement:
    """Read the booked entries of a bank statement file.

    The format (camt.053 XML of any .001.xx version, SWIFT MT940, or a Hungarian bank's CSV
    export) is detected from the content; `filename` is only used in log messages. The parser
    is pure: nothing is stored, nothing outside `data` is read.

    `progress(done, total)` is called every 1000 entries and once at the end, in *bytes of
    the uploaded file* (`total == len(data)`; for MT940 and CSV `done` is estimated from the
    position in the decoded text). An exception raised by `progress` (e.g. to cancel a
    parse whose upload was abandoned) stops parsing and reaches the caller unchanged.

    Every failure raises `StatementError(code, message, line)`; no library exception escapes.
    A camt.053 batch entry with several transactions (TxDtls) that add up to the entry gives
    one line per transaction.
    """
    guarded = None
    if progress is not None:

        def guarded(done: int, total: int) -> None:
            try:
                progress(done, total)
            except Exception as exc:
                raise _ProgressFailed(exc) from exc

    kind = ""
    try:
        kind = detect_format(data)
        return _PARSERS[kind](data, guarded)
    except StatementError:
        raise
    except _ProgressFailed as failed:
        raise failed.original from None
    except Exception as exc:  # a parser bug must still reach the clerk as a StatementError
        logger.exception("Unexpected failure reading %s statement %r", kind or "a", filename)
        raise StatementError(
            "internal",
            _("The statement could not be read because of an unexpected error. Please report it to the IT team."),
            None,
        ) from exc
