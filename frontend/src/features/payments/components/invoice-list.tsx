import { useTranslation } from "react-i18next";
import type { Order } from "@/lib/api/types";
import { INVOICE_WAIT_MS, invoiceFilename, useInvoices } from "../api/get-invoices";

/** The paid order's invoices, each a plain download link to its signed PDF (best on phones). */
export function InvoiceList({ order }: { order: Order }) {
  const { t } = useTranslation();
  const query = useInvoices(order.reference, order.paid_at);
  if (query.isPending) return null;
  if (query.isError) return <p className="muted">{t("payments.invoicesError")}</p>;
  const invoices = query.data;
  if (!invoices.length) {
    const recent = order.paid_at !== null && Date.now() - Date.parse(order.paid_at) < INVOICE_WAIT_MS;
    return recent ? <p className="muted">{t("payments.invoicePending")}</p> : null;
  }
  return (
    <section aria-labelledby="invoices-title" className="order-panel__invoices">
      <h3 id="invoices-title">{t("payments.invoicesTitle")}</h3>
      <ul className="plain-list order-panel__invoice-list">
        {invoices.map((invoice) => (
          <li key={invoice.number}>
            <a href={invoice.download_url} download={invoiceFilename(invoice)} className="button button--secondary">
              <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M11 3h2v10.2l3.6-3.6 1.4 1.4-6 6-6-6 1.4-1.4 3.6 3.6V3ZM4 19h16v2H4v-2Z" />
              </svg>
              {t(invoice.kind === "storno" ? "payments.downloadStorno" : "payments.downloadInvoice", { number: invoice.number })}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
