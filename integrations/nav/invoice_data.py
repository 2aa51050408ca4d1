"""The invoice as NAV wants it reported: `InvoiceData` of the v3.0 data schema, built with lxml.

`invoice_data_xml(NavInvoice(...))` gives the UTF-8 XML whose base64 goes into
`invoiceOperation/invoiceData`. A storno invoice (operation STORNO) carries `invoiceReference`
(the original's number, modificationIndex) and a `lineModificationReference` per line.

A private person buyer (`customerVatStatus` PRIVATE_PERSON) is reported without name and
address: the schema forbids them (data minimisation; the taxpayer keeps them on the invoice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lxml import etree

from integrations.nav.contract import BASE_NS, DATA_NS, split_tax_number

VAT_KINDS = ("vatOutOfScope", "vatExemption")
PAYMENT_METHODS = ("TRANSFER", "CASH", "CARD", "VOUCHER", "OTHER")


@dataclass(frozen=True)
class NavAddress:
    postal_code: str
    city: str
    detail: str  # street, house number…
    country_code: str = "HU"


@dataclass(frozen=True)
class NavLine:
    description: str
    quantity: int
    unit_price: int
    net: int
    vat: int
    gross: int
    vat_kind: str = "vatOutOfScope"  # or vatExemption
    vat_case: str = "ATK"
    vat_reason: str = "ÁFA tv. hatályán kívüli"
    unit: str = "PIECE"


@dataclass(frozen=True)
class NavInvoice:
    number: str
    issue_date: date
    delivery_date: date
    payment_date: date
    payment_method: str  # TRANSFER | CASH | CARD
    supplier_tax_number: str  # 15735715-2-43
    supplier_name: str
    supplier_address: NavAddress
    lines: Sequence[NavLine]
    supplier_bank_account: str = ""
    customer_private_person: bool = True
    customer_name: str = ""
    customer_address: NavAddress | None = None
    currency: str = "HUF"
    # a storno (or modification) refers to the invoice it changes
    original_number: str = ""
    modification_index: int = 0
    original_line_count: int = 0
    appearance: str = "ELECTRONIC"

    def __post_init__(self) -> None:
        if self.payment_method not in PAYMENT_METHODS:
            raise ValueError(f"payment_method must be one of {PAYMENT_METHODS}")
        if not self.lines:
            raise ValueError("an invoice has at least one line")
        for line in self.lines:
            if line.vat_kind not in VAT_KINDS:
                raise ValueError(f"vat_kind must be one of {VAT_KINDS}")
        if self.original_number and self.modification_index < 1:
            raise ValueError("a modifying invoice needs its modificationIndex (1, 2, …)")


def _el(parent: etree._Element, name: str, value: object = None, *, ns: str = DATA_NS) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if value is not None:
        element.text = str(value)
    return element


def _address(parent: etree._Element, name: str, address: NavAddress) -> None:
    simple = _el(_el(parent, name), "simpleAddress", ns=BASE_NS)
    _el(simple, "countryCode", address.country_code, ns=BASE_NS)
    _el(simple, "postalCode", address.postal_code or "0000", ns=BASE_NS)
    _el(simple, "city", address.city, ns=BASE_NS)
    _el(simple, "additionalAddressDetail", address.detail, ns=BASE_NS)


def _vat_rate(parent: etree._Element, name: str, line: NavLine) -> None:
    detailed = _el(_el(parent, name), line.vat_kind)
    _el(detailed, "case", line.vat_case)
    _el(detailed, "reason", line.vat_reason)


def invoice_data_xml(invoice: NavInvoice) -> bytes:
    taxpayer_id, vat_code, county_code = split_tax_number(invoice.supplier_tax_number)
    root = etree.Element(f"{{{DATA_NS}}}InvoiceData", nsmap={None: DATA_NS, "base": BASE_NS})
    _el(root, "invoiceNumber", invoice.number)
    _el(root, "invoiceIssueDate", invoice.issue_date.isoformat())
    _el(root, "completenessIndicator", "false")
    document = _el(_el(root, "invoiceMain"), "invoice")

    if invoice.original_number:
        reference = _el(document, "invoiceReference")
        _el(reference, "originalInvoiceNumber", invoice.original_number)
        _el(reference, "modifyWithoutMaster", "false")
        _el(reference, "modificationIndex", invoice.modification_index)

    head = _el(document, "invoiceHead")
    supplier = _el(head, "supplierInfo")
    tax_number = _el(supplier, "supplierTaxNumber")
    _el(tax_number, "taxpayerId", taxpayer_id, ns=BASE_NS)
    _el(tax_number, "vatCode", vat_code, ns=BASE_NS)
    _el(tax_number, "countyCode", county_code, ns=BASE_NS)
    _el(supplier, "supplierName", invoice.supplier_name)
    _address(supplier, "supplierAddress", invoice.supplier_address)
    if invoice.supplier_bank_account:
        _el(supplier, "supplierBankAccountNumber", invoice.supplier_bank_account)

    customer = _el(head, "customerInfo")
    if invoice.customer_private_person:
        # name and address of a private person are never reported
        _el(customer, "customerVatStatus", "PRIVATE_PERSON")
    else:
        _el(customer, "customerVatStatus", "OTHER")
        _el(customer, "customerName", invoice.customer_name)
        if invoice.customer_address is not None:
            _address(customer, "customerAddress", invoice.customer_address)

    detail = _el(head, "invoiceDetail")
    _el(detail, "invoiceCategory", "NORMAL")
    _el(detail, "invoiceDeliveryDate", invoice.delivery_date.isoformat())
    _el(detail, "currencyCode", invoice.currency)
    _el(detail, "exchangeRate", "1")
    _el(detail, "paymentMethod", invoice.payment_method)
    _el(detail, "paymentDate", invoice.payment_date.isoformat())
    _el(detail, "invoiceAppearance", invoice.appearance)

    lines = _el(document, "invoiceLines")
    _el(lines, "mergedItemIndicator", "false")
    for number, item in enumerate(invoice.lines, start=1):
        line = _el(lines, "line")
        _el(line, "lineNumber", number)
        if invoice.original_number:
            # a storno adds its lines after the original's (they "create" the reversing lines)
            modification = _el(line, "lineModificationReference")
            _el(modification, "lineNumberReference", invoice.original_line_count + number)
            _el(modification, "lineOperation", "CREATE")
        _el(line, "lineExpressionIndicator", "true")
        _el(line, "lineNatureIndicator", "SERVICE")
        _el(line, "lineDescription", item.description)
        _el(line, "quantity", item.quantity)
        _el(line, "unitOfMeasure", item.unit)
        _el(line, "unitPrice", item.unit_price)
        _el(line, "unitPriceHUF", item.unit_price)
        amounts = _el(line, "lineAmountsNormal")
        net = _el(amounts, "lineNetAmountData")
        _el(net, "lineNetAmount", item.net)
        _el(net, "lineNetAmountHUF", item.net)
        _vat_rate(amounts, "lineVatRate", item)
        gross = _el(amounts, "lineGrossAmountData")
        _el(gross, "lineGrossAmountNormal", item.gross)
        _el(gross, "lineGrossAmountNormalHUF", item.gross)

    summary = _el(_el(document, "invoiceSummary"), "summaryNormal")
    groups: dict[tuple[str, str, str], list[NavLine]] = {}
    for item in invoice.lines:
        groups.setdefault((item.vat_kind, item.vat_case, item.vat_reason), []).append(item)
    for group in groups.values():
        by_rate = _el(summary, "summaryByVatRate")
        _vat_rate(by_rate, "vatRate", group[0])
        for name, value in (
            ("vatRateNetData", sum(i.net for i in group)),
            ("vatRateVatData", sum(i.vat for i in group)),
            ("vatRateGrossData", sum(i.gross for i in group)),
        ):
            block = _el(by_rate, name)
            stem = name.removesuffix("Data")
            _el(block, f"{stem}Amount", value)
            _el(block, f"{stem}AmountHUF", value)
    net_total = sum(i.net for i in invoice.lines)
    vat_total = sum(i.vat for i in invoice.lines)
    _el(summary, "invoiceNetAmount", net_total)
    _el(summary, "invoiceNetAmountHUF", net_total)
    _el(summary, "invoiceVatAmount", vat_total)
    _el(summary, "invoiceVatAmountHUF", vat_total)
    gross_data = _el(summary.getparent(), "summaryGrossData")
    gross_total = sum(i.gross for i in invoice.lines)
    _el(gross_data, "invoiceGrossAmount", gross_total)
    _el(gross_data, "invoiceGrossAmountHUF", gross_total)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
