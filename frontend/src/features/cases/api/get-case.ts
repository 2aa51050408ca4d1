import { queryOptions, useQuery } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import type { CaseDetail } from "@/lib/api/types";
import { casesQueryKey } from "./get-cases";

export const CASE_POLL_INTERVAL_MS = 1_500;
/**
 * While the fee is unpaid: a transfer usually arrives the next working day, so look less often;
 * the payment panel refetches the case at once when it sees the order paid.
 */
export const AWAITING_PAYMENT_POLL_INTERVAL_MS = 5_000;
/** After a decision download, how long to keep checking for the recorded receipt. */
export const RECEIPT_WAIT_MS = 30_000;

export function getCase(reference: string): Promise<CaseDetail> {
  return unwrap(api.GET("/api/v1/cases/{reference}/", { params: { path: { reference } } }));
}

/** The pipeline is still working: poll until the decision is ready, but not once a clerk has to step in. */
export function isCaseRunning(data: Pick<CaseDetail, "decision_ready" | "status">): boolean {
  return !data.decision_ready && data.status !== "failed";
}

/** Granted, but waiting for its fee: the case goes on by itself once the order is paid. */
export function isAwaitingPayment(data: Pick<CaseDetail, "status">): boolean {
  return data.status === "awaiting_payment";
}

export const caseQueryKey = (reference: string, lang: string) => [...casesQueryKey, "detail", reference, lang] as const;

export const caseQueryOptions = (reference: string, lang: string, receiptSince: number | null = null) =>
  queryOptions({
    // Language is part of the key: labels and explanations are localized by the backend.
    queryKey: caseQueryKey(reference, lang),
    queryFn: () => getCase(reference),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      if (isAwaitingPayment(data)) return AWAITING_PAYMENT_POLL_INTERVAL_MS;
      if (isCaseRunning(data)) return CASE_POLL_INTERVAL_MS;
      const awaitingReceipt = receiptSince !== null && !data.delivered_at && Date.now() - receiptSince < RECEIPT_WAIT_MS;
      return awaitingReceipt ? CASE_POLL_INTERVAL_MS : false;
    },
  });

/**
 * One case with its timeline, polled every 1.5 s while it is being processed (every 5 s while
 * it waits for its fee).
 * Call `expectReceipt()` when the decision download starts: the first download records the
 * delivery on the server, so the case is refetched until `delivered_at` shows up.
 */
export function useCase(reference: string, lang: string) {
  const [receiptSince, setReceiptSince] = useState<number | null>(null);
  const query = useQuery(caseQueryOptions(reference, lang, receiptSince));
  const { refetch } = query;
  const expectReceipt = useCallback(() => {
    setReceiptSince(Date.now());
    // Give the browser a moment to send the download request, then look.
    window.setTimeout(() => void refetch(), CASE_POLL_INTERVAL_MS);
  }, [refetch]);
  const awaitingReceipt =
    receiptSince !== null && !query.data?.delivered_at && Date.now() - receiptSince < RECEIPT_WAIT_MS;
  return { ...query, expectReceipt, awaitingReceipt };
}
