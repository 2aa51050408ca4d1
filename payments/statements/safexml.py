"""XML that is safe to read: defusedxml vets the prolog, lxml reads the body without DTDs.

defusedxml's parser (expat) refuses any DTD, entity declaration or external reference; it
only has to see the document up to its second element, because a DTD can only stand before
the root element. lxml then parses the body fast, itself told to load no DTD, resolve no
entity and use no network. With no DTD there is no entity to expand (billion laughs,
quadratic blow-up) and nothing external to fetch (XXE).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import StatementError

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4})\.(\d{3})\.\d{3}\.\d{2}")
_MESSAGE_ELEMENTS = {
    "BkToCstmrStmt": "camt.053",
    "BkToCstmrAcctRpt": "camt.052",
    "BkToCstmrDbtCdtNtfctn": "camt.054",
}
_PROBE_CHUNK = 64 * 1024


class _ProbeDone(Exception):
    """Raised from the probe target to stop defusedxml once the message type is known."""


class _Probe:
    """ElementTree parser target recording the first two start tags (Document, its child)."""

    def __init__(self) -> None:
        self.tags: list[str] = []

    def start(self, tag: str, attrib: dict) -> None:
        self.tags.append(tag)
        if len(self.tags) == 2:
            raise _ProbeDone

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def probe_xml(data: bytes) -> tuple[str, str]:
    """Check the prolog with defusedxml and tell the message type: (namespace, message) where
    message is e.g. "camt.053". Raises StatementError for DTDs/entities and malformed XML."""
    probe = _Probe()
    parser = DefusedXMLParser(target=probe, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        for offset in range(0, len(data), _PROBE_CHUNK):
            parser.feed(data[offset : offset + _PROBE_CHUNK])
        parser.close()
    except _ProbeDone:
        pass
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise StatementError(
            "xml_forbidden",
            _(
                "The XML file contains a document type declaration or entities. Bank statements never "
                "do, so the file is refused for safety."
            ),
            getattr(parser.parser, "CurrentLineNumber", None),
        ) from None
    except (ParseError, ValueError, LookupError) as exc:
        position = getattr(exc, "position", None)
        raise StatementError(
            "xml_malformed",
            _("The file is not well-formed XML (it may be truncated or damaged)."),
            position[0] if position else None,
        ) from None
    if not probe.tags:
        raise StatementError("xml_malformed", _("The XML file has no content."), None)
    namespace, root = _split(probe.tags[0])
    child = _split(probe.tags[1])[1] if len(probe.tags) > 1 else ""
    match = _NAMESPACE.fullmatch(namespace)
    message = f"{match.group(1)}.{match.group(2)}" if match else _MESSAGE_ELEMENTS.get(child, "")
    if root != "Document" or (match is None and namespace) or message != _MESSAGE_ELEMENTS.get(child, message):
        raise StatementError("xml_not_camt", _("The XML file is not an ISO 20022 bank statement (camt.053)."), None)
    if message in ("camt.052", "camt.054"):
        raise StatementError(
            "camt_wrong_message",
            format_lazy(
                _(
                    "This is a {message} message (an intraday report or a notification), not a camt.053 "
                    "account statement. Please export the booked statement (camt.053) from the bank."
                ),
                message=message,
            ),
            None,
        )
    if message != "camt.053":
        raise StatementError("xml_not_camt", _("The XML file is not an ISO 20022 bank statement (camt.053)."), None)
    if child != "BkToCstmrStmt":
        raise StatementError("missing_element", _("The mandatory element BkToCstmrStmt is missing."), None)
    return namespace, message


def secure_iterparse(stream, tags: tuple[str, ...]):
    """lxml's iterparse over `stream`, reporting the end of the given tags, with everything
    that could reach outside the document switched off."""
    return etree.iterparse(
        stream,
        events=("end",),
        tag=tags,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=False,  # keeps libxml2's limits on depth and text size
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
