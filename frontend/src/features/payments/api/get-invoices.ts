import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Invoice } from "@/lib/api/types";
import { ordersQueryKey } from "./get-orders";

/** While a fresh payment's invoice is being issued (in the background), look again this often… */
export const INVOICE_POLL_INTERVAL_MS = 5_000;
/** …for at most this long after the payment. */
export const INVOICE_WAIT_MS = 10 * 60_000;

/** GET /api/v1/orders/{reference}/invoices/ – the order's invoices (once it is paid), each with its PDF's URL. */
export function getInvoices(orderReference: string): Promise<Invoice[]> {
  return unwrap(api.GET("/api/v1/orders/{reference}/invoices/", { params: { path: { reference: orderReference } } }));
}

export const invoicesQueryOptions = (orderReference: string, paidAt: string | null) =>
  queryOptions({
    queryKey: [...ordersQueryKey, "invoices", orderReference],
    queryFn: () => getInvoices(orderReference),
    refetchInterval: (query) => {
      const waiting = query.state.data?.length === 0 && paidAt !== null && Date.now() - Date.parse(paidAt) < INVOICE_WAIT_MS;
      return waiting ? INVOICE_POLL_INTERVAL_MS : false;
    },
  });

export function useInvoices(orderReference: string, paidAt: string | null, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...invoicesQueryOptions(orderReference, paidAt), enabled });
}

/** The PDF's file name when saved. */
export function invoiceFilename(invoice: Pick<Invoice, "number">): string {
  return `szamla-${invoice.number}.pdf`;
}
