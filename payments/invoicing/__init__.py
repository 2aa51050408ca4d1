"""Electronic invoices for paid fees (docs/payments.md#invoices).

- `services`: numbering, issuing for a paid order, the signed document, storno, NAV reporting;
- `selectors`: what a resident may see;
- `document`: Typst rendering (`payments/invoice.typ`), Factur-X embedding, sealing;
- `cii`: the EN 16931 CII XML; `vat`: VAT treatments per service.

Jobs: `payments/invoice_tasks.py`. API: `payments/invoice_api.py`. Staff screens: `payments/invoice_views.py`.
"""
