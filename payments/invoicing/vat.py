"""VAT treatments an invoice line can have, and which one a service's fee gets.

An administrative fee of the municipality (`igazgatási szolgáltatási díj`) is paid for an act of
public authority, which is outside the scope of VAT (ÁFA tv. 2. § and 6. § (4): a body acting
as a public authority is not a taxable person for it). NAV reports it as `vatOutOfScope`, case
ATK; EN 16931 as category O ("not subject to VAT"). The treatment is configured per service in
INVOICE_VAT_TREATMENTS (service code → code below), INVOICE_VAT_TREATMENT_DEFAULT otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class VatTreatment:
    code: str  # our code, stored on the invoice line
    printed: str  # what the invoice says in its VAT column
    nav_kind: str  # NAV lineVatRate choice: vatOutOfScope | vatExemption
    nav_case: str  # its case code
    cii_category: str  # EN 16931 VAT category code (UNCL 5305)
    cii_exemption_code: str  # VATEX code (BT-121)
    note: str  # the legal explanation printed under the VAT summary


TREATMENTS: dict[str, VatTreatment] = {
    "ATK": VatTreatment(
        code="ATK",
        printed="ÁFA tv. hatályán kívüli",
        nav_kind="vatOutOfScope",
        nav_case="ATK",
        cii_category="O",
        cii_exemption_code="VATEX-EU-O",
        note="A díj hatósági tevékenység ellenértéke, az általános forgalmi adóról szóló 2007. évi CXXVII. "
        "törvény (ÁFA tv.) hatályán kívül esik; áfát nem tartalmaz.",
    ),
    "AAM": VatTreatment(
        code="AAM",
        printed="Tárgyi adómentes",
        nav_kind="vatExemption",
        nav_case="AAM",
        cii_category="E",
        cii_exemption_code="",
        note="Az ÁFA tv. szerint tárgyi adómentes szolgáltatás; áfát nem tartalmaz.",
    ),
}


def vat_treatment(code: str) -> VatTreatment:
    try:
        return TREATMENTS[code]
    except KeyError:
        raise ValueError(f"unknown VAT treatment {code!r}; known: {', '.join(TREATMENTS)}") from None


def vat_treatment_for_service(service_code: str) -> VatTreatment:
    """The treatment configured for a service (INVOICE_VAT_TREATMENTS), else the default (ATK)."""
    configured = getattr(settings, "INVOICE_VAT_TREATMENTS", {}) or {}
    return vat_treatment(configured.get(service_code) or settings.INVOICE_VAT_TREATMENT_DEFAULT)
