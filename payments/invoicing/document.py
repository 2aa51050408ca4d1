"""The invoice document: Typst → PDF/A-3b (tagged) → Factur-X (EN 16931 XML attached) → PAdES seal.

1. `invoice_view` turns the invoice's snapshot into what `payments/invoice.typ` prints
   (Hungarian texts, amounts as `12 000 Ft`, dates as `2026. március 15.`);
2. Typst renders it as PDF/A-3b and PDF/UA-1 with the bundled Liberation fonts, the same way
   decisions are rendered (eservices/documents/render.py);
3. `factur-x` (`generate_from_binary`, flavor factur-x, level en16931) checks the CII XML against
   the XSD and attaches it as `factur-x.xml` (AFRelationship /Data) with the Factur-X XMP
   extension. The library writes its own XMP, which drops the PDF/UA identification and Typst's
   document data; `_merge_xmp` puts Typst's XMP back and adds the Factur-X parts to it, and the
   document information dictionary is rewritten to match (PDF/A requires both to agree);
4. `sign_pdf` seals it (PAdES B-LTA with an RFC 3161 timestamp). The seal is an incremental
   update: the attachment and the XMP are inside the signed bytes, so `get_xml_from_pdf` still
   finds the XML and any change to it breaks the signature.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from facturx import generate_from_binary
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, IndirectObject, NameObject, TextStringObject

from eservices.documents.render import hu_date
from eservices.documents.signing import SignedDocument, sign_pdf
from payments.invoicing.cii import cii_check, cii_xml
from payments.invoicing.vat import vat_treatment
from payments.models import Invoice, PaymentMethod

TEMPLATE = Path(__file__).resolve().parent.parent / "invoice.typ"
SIGN_REASON = "Elektronikus számla hitelesítése"
SIGN_LOCATION = "Budapest"
NBSP = "\u00a0"

PAYMENT_METHODS_HU = {
    PaymentMethod.CARD: "Bankkártya",
    PaymentMethod.TRANSFER: "Banki átutalás",
    PaymentMethod.CASH: "Készpénz",
}
UNITS_HU = {"db": "db"}

AUTHENTICATION_NOTE = (
    "A számla elektronikus, hitelesítve elektronikus bélyegzővel és időbélyeggel. "
    "A papíralapú kinyomat csak tájékoztató jellegű; a hiteles példány az elektronikus dokumentum."
)
MACHINE_READABLE_NOTE = (
    "A számla adatait gépi feldolgozásra (EN 16931 szabvány, Factur-X / ZUGFeRD) a PDF "
    "factur-x.xml nevű melléklete tartalmazza. A számla adatait a kibocsátó a NAV Online Számla "
    "rendszerébe bejelenti."
)


def huf(value: int) -> str:
    """12000 → `12 000 Ft` (no-break spaces, so an amount never wraps); negatives with a minus."""
    digits = f"{abs(value):,}".replace(",", NBSP)
    return f"{'-' if value < 0 else ''}{digits}{NBSP}Ft"


def invoice_view(invoice: Invoice) -> dict[str, Any]:
    storno = invoice.is_storno
    title = "SZTORNÓ SZÁMLA" if storno else "SZÁMLA"
    groups: dict[str, dict[str, int]] = {}
    for item in invoice.items:
        group = groups.setdefault(item["vat_treatment"], {"net": 0, "vat": 0, "gross": 0})
        for key in group:
            group[key] += item[key]
    notes = [vat_treatment(code).note for code in groups]
    order = invoice.order
    subject = ""
    case = getattr(order, "case", None)
    if case is not None:
        subject = f"{case.reference}"
    return {
        "title": title,
        "subtitle": "ELEKTRONIKUS SZÁMLA",
        "number": invoice.number,
        "document_title": f"{title.capitalize()} {invoice.number}",
        "description": f"{title} {invoice.number} – {invoice.seller_name} – {hu_date(invoice.issue_date)}",
        "keywords": ["számla", "elektronikus számla", invoice.number],
        "seller": {
            "name": invoice.seller_name,
            "address": invoice.seller_address,
            "tax_number": invoice.seller_tax_number,
            "bank_account": invoice.seller_bank_account,
        },
        "buyer": {
            "name": invoice.buyer_name,
            "address": invoice.buyer_address or "—",
            "private_person": invoice.buyer_private_person,
        },
        "issue_date": hu_date(invoice.issue_date),
        "fulfilment_date": hu_date(invoice.fulfilment_date),
        "payment_date": hu_date(invoice.payment_date),
        "payment_method": PAYMENT_METHODS_HU.get(invoice.payment_method, invoice.payment_method),
        "payment_reference": _reference_format(invoice.payment_reference),
        "currency": f"{invoice.currency} (magyar forint)" if invoice.currency == "HUF" else invoice.currency,
        "subject": subject,
        "items": [
            {
                "description": item["description"],
                "quantity": str(item["quantity"]),
                "unit": UNITS_HU.get(item["unit"], item["unit"]),
                "unit_price": huf(item["unit_price"]),
                "net": huf(item["net"]),
                "vat_treatment": vat_treatment(item["vat_treatment"]).printed,
                "gross": huf(item["gross"]),
            }
            for item in invoice.items
        ],
        "vat_summary": [
            {
                "treatment": vat_treatment(code).printed,
                "net": huf(sums["net"]),
                "vat": huf(sums["vat"]),
                "gross": huf(sums["gross"]),
            }
            for code, sums in groups.items()
        ],
        "vat_notes": notes,
        "totals": {"net": huf(invoice.net_total), "vat": huf(invoice.vat_total), "gross": huf(invoice.gross_total)},
        "paid_note": (
            f"A sztornó számla a(z) {invoice.cancels.number} számla teljes összegét érvényteleníti."
            if storno
            else f"A számla ellenértékét {hu_date(invoice.payment_date)} napján kiegyenlítették."
        ),
        "storno": (
            {
                "original_number": invoice.cancels.number,
                "original_issue_date": hu_date(invoice.cancels.issue_date),
                "reason": invoice.cancel_reason,
            }
            if storno and invoice.cancels_id
            else None
        ),
        "authentication_note": AUTHENTICATION_NOTE,
        "machine_readable_note": MACHINE_READABLE_NOTE,
    }


def _reference_format(reference: str) -> str:
    if not reference:
        return ""
    from payments.references import reference_format

    return reference_format(reference)


# --- rendering -----------------------------------------------------------------------------------
def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF/A-3b + PDF/UA-1, before the XML is attached. Same invoice, same bytes."""
    from eservices.documents.typeset import typeset

    return typeset(TEMPLATE, invoice_view(invoice), created_at=_issued_at(invoice))


def _issued_at(invoice: Invoice) -> datetime:
    return invoice.created_at or datetime.now(UTC)


# --- Factur-X ------------------------------------------------------------------------------------
X = "adobe:ns:meta/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"

# pyHanko rewrites the XMP when it signs (lxml, with globally registered prefixes). Unregistered
# namespaces would come out as ns0:, ns3:…, while the PDF/A extension schema declares "fx"; the
# standard prefixes keep the Factur-X properties readable by validators that go by prefix.
for _prefix, _uri in (
    ("fx", FX),
    ("stEvt", "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"),
    ("xmpTPg", "http://ns.adobe.com/xap/1.0/t/pg/"),
):
    etree.register_namespace(_prefix, _uri)


def facturx_pdf(pdf: bytes, xml: bytes, invoice: Invoice) -> bytes:
    """Attach the CII XML as a Factur-X EN 16931 invoice; keep Typst's XMP (PDF/A-3b, PDF/UA-1)."""
    view_title = f"{'Sztornó számla' if invoice.is_storno else 'Számla'} {invoice.number}"
    embedded = generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=False,  # cii_check did it just before
        pdf_metadata={
            "author": invoice.seller_name,
            "title": view_title,
            "subject": view_title,
            "keywords": "számla, Factur-X",
        },
        lang="hu-HU",
        afrelationship="data",
        xmp_compression=False,  # signed afterwards: keep the XMP readable without inflating
    )
    return _merge_xmp(original=pdf, embedded=embedded)


def _xmp_bytes(reader: PdfReader) -> bytes:
    metadata = reader.trailer["/Root"].get("/Metadata")
    return metadata.get_object().get_data() if metadata is not None else b""


def _merge_xmp(*, original: bytes, embedded: bytes) -> bytes:
    typst_xmp = etree.fromstring(_xmp_bytes(PdfReader(io.BytesIO(original))))
    reader = PdfReader(io.BytesIO(embedded))
    facturx_xmp = etree.fromstring(_xmp_bytes(reader))
    target = typst_xmp.find(f"{{{RDF}}}RDF")
    source = facturx_xmp.find(f"{{{RDF}}}RDF")
    if target is None or source is None:
        raise ValueError("XMP without rdf:RDF")
    for description in source.iterfind(f"{{{RDF}}}Description"):
        if any(etree.QName(child).namespace == FX for child in description):
            target.append(description)  # fx:DocumentType, DocumentFileName, Version, ConformanceLevel
            continue
        schemas = description.find(f"{{{PDFA_EXTENSION}}}schemas")
        if schemas is None:
            continue
        existing = target.find(f"{{{RDF}}}Description/{{{PDFA_EXTENSION}}}schemas/{{{RDF}}}Bag")
        if existing is None:
            target.append(description)
        else:
            for item in schemas.iterfind(f"{{{RDF}}}Bag/{{{RDF}}}li"):
                existing.append(item)
    xmp = etree.tostring(typst_xmp, encoding="UTF-8")
    packet = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + xmp + b'\n<?xpacket end="w"?>'

    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = b"%PDF-1.7"  # what Typst wrote (tagged PDF, associated files); pypdf would say 1.3
    stream = DecodedStreamObject()
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    stream.set_data(packet)
    reference = writer._root_object.raw_get("/Metadata")
    if isinstance(reference, IndirectObject):
        writer._replace_object(reference, stream)
    else:
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    _info_from_xmp(writer, typst_xmp)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _info_from_xmp(writer: PdfWriter, xmp: etree._Element) -> None:
    """The document information dictionary, equal to the XMP (PDF/A: they must not disagree)."""
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "pdf": "http://ns.adobe.com/pdf/1.3/",
        "xmp": "http://ns.adobe.com/xap/1.0/",
        "rdf": RDF,
    }

    def first(path: str) -> str:
        found = xmp.find(f".//{path}", ns)
        return (found.text or "").strip() if found is not None else ""

    values = {
        "/Title": first("dc:title//rdf:li"),
        "/Author": first("dc:creator//rdf:li"),
        "/Subject": first("dc:description//rdf:li"),
        "/Keywords": first("pdf:Keywords"),
        "/Creator": first("xmp:CreatorTool"),
        "/Producer": first("pdf:Producer"),
        "/CreationDate": _pdf_date(first("xmp:CreateDate")),
        "/ModDate": _pdf_date(first("xmp:ModifyDate") or first("xmp:CreateDate")),
    }
    info = writer._info.get_object() if writer._info is not None else None  # type: ignore[union-attr]
    if info is None:
        return
    for key in list(info.keys()):
        del info[key]
    for key, value in values.items():
        if value:
            info[NameObject(key)] = TextStringObject(value)


def _pdf_date(value: str) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


# --- the whole document --------------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceDocument:
    pdf: bytes  # signed
    xml: bytes  # the CII XML attached in it
    signed: SignedDocument
    timings_ms: dict[str, float] = field(default_factory=dict)  # xml, render, embed, sign


def invoice_document_build(invoice: Invoice) -> InvoiceDocument:
    """Render, attach and seal. Raises `SigningUnavailable` (retry later) or `SigningError`."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    xml = cii_xml(invoice)
    cii_check(xml)
    timings["xml"] = (time.perf_counter() - started) * 1000
    mark = time.perf_counter()
    pdf = invoice_pdf(invoice)
    timings["render"] = (time.perf_counter() - mark) * 1000
    mark = time.perf_counter()
    embedded = facturx_pdf(pdf, xml, invoice)
    timings["embed"] = (time.perf_counter() - mark) * 1000
    mark = time.perf_counter()
    signed = sign_pdf(embedded, reason=SIGN_REASON, location=SIGN_LOCATION)
    timings["sign"] = (time.perf_counter() - mark) * 1000
    return InvoiceDocument(pdf=signed.pdf, xml=xml, signed=signed, timings_ms=timings)
