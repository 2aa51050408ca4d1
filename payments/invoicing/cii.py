"""The invoice as EN 16931 data: UN/CEFACT Cross Industry Invoice (CII D16B), Factur-X / ZUGFeRD
profile EN 16931, built with lxml and checked against the profile's XSD (the `factur-x` library).

Choices that follow from the rules of EN 16931 for a fee outside the scope of VAT (category O):
the seller has no VAT identifier on such an invoice (BR-O-02), so the Hungarian tax number goes
in as tax registration "FC" (BT-32) and the törzsszám as legal registration (BT-30, BR-CO-26);
lines carry no VAT rate (BR-O-05); the VAT breakdown gives the exemption reason (BR-O-10).
Paid invoices say so: prepaid = total, amount due 0. A storno invoice is a credit note
(type code 381) with positive amounts referring to the invoice it cancels (BT-25); the PDF
prints it the Hungarian way, with negative amounts.
"""

from __future__ import annotations

import re
from datetime import date

from facturx import xml_check_xsd
from lxml import etree

from payments.invoicing.vat import vat_treatment
from payments.models import Invoice, PaymentMethod

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
EN16931 = "urn:cen.eu:en16931:2017"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}

# UNTDID 4461 payment means
PAYMENT_MEANS = {PaymentMethod.CASH: "10", PaymentMethod.CARD: "48", PaymentMethod.TRANSFER: "30"}
_ADDRESS = re.compile(r"^\s*(\d{4})\s+([^,]+),\s*(.+?)\s*$")


def split_address(line: str) -> tuple[str, str, str]:
    """`1126 Budapest, Böszörményi út 23–25.` → ("1126", "Budapest", "Böszörményi út 23–25.");
    anything else → ("", "", line)."""
    match = _ADDRESS.match(line or "")
    if match is None:
        return "", "", (line or "").strip()
    return match.group(1), match.group(2).strip(), match.group(3)


def hu_iban(account: str) -> str:
    """A Hungarian account number (8-8 or 8-8-8 digits) as IBAN; an IBAN stays as it is."""
    compact = account.replace("-", "").replace(" ", "").upper()
    if compact[:2].isalpha():
        return compact
    bban = compact.ljust(24, "0")
    check = 98 - int(bban + "173000") % 97  # "HU" = 17 30, check digits 00
    return f"HU{check:02d}{bban}"


def _amount(value: int) -> str:
    return f"{value}.00"


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrib)
    if text is not None:
        element.text = text
    return element


def _address(parent: etree._Element, line: str) -> None:
    postcode, city, street = split_address(line)
    address = _el(parent, RAM, "PostalTradeAddress")
    if postcode:
        _el(address, RAM, "PostcodeCode", postcode)
    _el(address, RAM, "LineOne", street)
    if city:
        _el(address, RAM, "CityName", city)
    _el(address, RAM, "CountryID", "HU")


def cii_xml(invoice: Invoice) -> bytes:
    """The invoice's EN 16931 CII XML (UTF-8). Pure: the same invoice gives the same bytes."""
    sign = -1 if invoice.is_storno else 1  # stored negated on a storno; CII wants a positive credit note
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    _el(_el(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", EN16931)

    document = _el(root, RSM, "ExchangedDocument")
    _el(document, RAM, "ID", invoice.number)
    _el(document, RAM, "TypeCode", "381" if invoice.is_storno else "380")
    _el(_el(document, RAM, "IssueDateTime"), UDT, "DateTimeString", _date(invoice.issue_date), format="102")
    if invoice.is_storno and invoice.cancel_reason:
        _el(_el(document, RAM, "IncludedNote"), RAM, "Content", f"Sztornó: {invoice.cancel_reason}")

    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for number, item in enumerate(invoice.items, start=1):
        treatment = vat_treatment(item["vat_treatment"])
        line = _el(transaction, RAM, "IncludedSupplyChainTradeLineItem")
        _el(_el(line, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", str(number))
        _el(_el(line, RAM, "SpecifiedTradeProduct"), RAM, "Name", item["description"])
        agreement = _el(line, RAM, "SpecifiedLineTradeAgreement")
        _el(_el(agreement, RAM, "NetPriceProductTradePrice"), RAM, "ChargeAmount", _amount(item["unit_price"]))
        delivery = _el(line, RAM, "SpecifiedLineTradeDelivery")
        _el(delivery, RAM, "BilledQuantity", str(sign * item["quantity"]), unitCode="H87")  # H87: piece
        settlement = _el(line, RAM, "SpecifiedLineTradeSettlement")
        tax = _el(settlement, RAM, "ApplicableTradeTax")
        _el(tax, RAM, "TypeCode", "VAT")
        _el(tax, RAM, "CategoryCode", treatment.cii_category)
        if treatment.cii_category != "O":
            _el(tax, RAM, "RateApplicablePercent", "0")
        summation = _el(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
        _el(summation, RAM, "LineTotalAmount", _amount(sign * item["net"]))

    agreement = _el(transaction, RAM, "ApplicableHeaderTradeAgreement")
    seller = _el(agreement, RAM, "SellerTradeParty")
    _el(seller, RAM, "Name", invoice.seller_name)
    _el(_el(seller, RAM, "SpecifiedLegalOrganization"), RAM, "ID", invoice.seller_tax_number[:8])
    _address(seller, invoice.seller_address)
    _el(_el(seller, RAM, "SpecifiedTaxRegistration"), RAM, "ID", invoice.seller_tax_number, schemeID="FC")
    buyer = _el(agreement, RAM, "BuyerTradeParty")
    _el(buyer, RAM, "Name", invoice.buyer_name)
    _address(buyer, invoice.buyer_address)

    delivery = _el(transaction, RAM, "ApplicableHeaderTradeDelivery")
    event = _el(_el(delivery, RAM, "ActualDeliverySupplyChainEvent"), RAM, "OccurrenceDateTime")
    _el(event, UDT, "DateTimeString", _date(invoice.fulfilment_date), format="102")

    settlement = _el(transaction, RAM, "ApplicableHeaderTradeSettlement")
    if invoice.payment_reference:
        _el(settlement, RAM, "PaymentReference", invoice.payment_reference)
    _el(settlement, RAM, "InvoiceCurrencyCode", invoice.currency)
    means = _el(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    _el(means, RAM, "TypeCode", PAYMENT_MEANS.get(invoice.payment_method, "1"))
    if invoice.payment_method == PaymentMethod.TRANSFER:
        account = _el(means, RAM, "PayeePartyCreditorFinancialAccount")
        _el(account, RAM, "IBANID", hu_iban(invoice.seller_bank_account))
    groups: dict[str, list[dict]] = {}
    for item in invoice.items:
        groups.setdefault(item["vat_treatment"], []).append(item)
    for code, items in groups.items():
        treatment = vat_treatment(code)
        tax = _el(settlement, RAM, "ApplicableTradeTax")
        _el(tax, RAM, "CalculatedAmount", _amount(sign * sum(i["vat"] for i in items)))
        _el(tax, RAM, "TypeCode", "VAT")
        _el(tax, RAM, "ExemptionReason", treatment.printed)
        _el(tax, RAM, "BasisAmount", _amount(sign * sum(i["net"] for i in items)))
        _el(tax, RAM, "CategoryCode", treatment.cii_category)
        if treatment.cii_exemption_code:
            _el(tax, RAM, "ExemptionReasonCode", treatment.cii_exemption_code)
        if treatment.cii_category != "O":
            _el(tax, RAM, "RateApplicablePercent", "0")
    terms = _el(settlement, RAM, "SpecifiedTradePaymentTerms")
    _el(terms, RAM, "Description", f"Kiegyenlítve: {invoice.payment_date.isoformat()}")
    totals = _el(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, RAM, "LineTotalAmount", _amount(sign * invoice.net_total))
    _el(totals, RAM, "TaxBasisTotalAmount", _amount(sign * invoice.net_total))
    _el(totals, RAM, "TaxTotalAmount", _amount(sign * invoice.vat_total), currencyID=invoice.currency)
    _el(totals, RAM, "GrandTotalAmount", _amount(sign * invoice.gross_total))
    _el(totals, RAM, "TotalPrepaidAmount", _amount(sign * invoice.gross_total))
    _el(totals, RAM, "DuePayableAmount", _amount(0))
    if invoice.is_storno and invoice.cancels_id:
        original = invoice.cancels
        referenced = _el(settlement, RAM, "InvoiceReferencedDocument")
        _el(referenced, RAM, "IssuerAssignedID", original.number)
        issued = _el(referenced, RAM, "FormattedIssueDateTime")
        _el(issued, QDT, "DateTimeString", _date(original.issue_date), format="102")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def cii_check(xml: bytes) -> None:
    """Raise when the XML does not validate against the Factur-X EN 16931 XSD."""
    xml_check_xsd(xml, flavor="factur-x", level="en16931")
