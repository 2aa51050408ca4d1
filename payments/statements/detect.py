"""Tell the format of an uploaded statement from its content (the file name is not trusted)."""

from __future__ import annotations

import codecs
import re

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .errors import StatementError
from .values import MAX_STATEMENT_BYTES, looks_binary

_SNIFF_BYTES = 8192
# Files clerks pick by mistake: name the kind, so the message can say what to do instead.
_KNOWN_BINARIES = (
    (b"PK\x03\x04", "ZIP/XLSX"),
    (b"\xd0\xcf\x11\xe0", "XLS"),
    (b"%PDF", "PDF"),
    (b"\x1f\x8b", "GZIP"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)
_MT940_TAG = re.compile(r"(?m)^:(?:20|25|28C|60[FM]|61):")
_DELIMITED = re.compile(r"[;\t,|]")


def detect_format(data: bytes) -> str:
    """ "camt.053", "mt940" or "csv"; StatementError for anything that is none of them."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            "too_large",
            format_lazy(
                _("The file is larger than {limit} MB, which no bank statement is."),
                limit=MAX_STATEMENT_BYTES // (1024 * 1024),
            ),
            None,
        )
    if not data or data.isspace():  # isspace() stops at the first other byte; strip() would copy
        raise StatementError("empty", _("The file is empty."), None)
    for magic, kind in _KNOWN_BINARIES:
        if data.startswith(magic):
            raise StatementError(
                "unknown_format",
                format_lazy(
                    _(
                        "This is a {kind} file, not a bank statement. Please export the statement as camt.053 "
                        "XML, MT940 or CSV."
                    ),
                    kind=kind,
                ),
                None,
            )
    head = data[:_SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sample = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    elif b"\x00" in head:
        raise _binary()
    else:
        sample = head.decode("latin-1")  # only ASCII structure matters here
    sample = sample.lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if looks_binary(sample):
        raise _binary()
    if sample.startswith("<"):
        return "camt.053"
    sample = sample.replace("\r\n", "\n").replace("\r", "\n")
    if sample.startswith("{1:") or _MT940_TAG.search(sample):
        return "mt940"
    if _DELIMITED.search(sample):
        return "csv"
    raise StatementError(
        "unknown_format",
        _("The file is not a bank statement in a known format (camt.053 XML, MT940 or CSV)."),
        None,
    )


def _binary() -> StatementError:
    return StatementError(
        "binary",
        _("The file is binary data, not a bank statement in a known format (camt.053 XML, MT940 or CSV)."),
        None,
    )
