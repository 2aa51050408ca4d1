import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { CardPaymentRedirect } from "@/lib/api/types";
import { ensureCsrfCookie } from "@/lib/csrf";

export interface StartCardPayment {
  orderReference: string;
  language: "hu" | "en";
}

/**
 * POST /api/v1/orders/{reference}/card-payments/ → 201 {redirect_url}: the card gateway's page.
 * 503 gateway_unavailable when the gateway cannot be reached, 400 when the order cannot be paid
 * (already paid, cancelled); either way nothing else changed.
 */
export async function startCardPayment({ orderReference, language }: StartCardPayment): Promise<CardPaymentRedirect> {
  await ensureCsrfCookie();
  return unwrap(
    api.POST("/api/v1/orders/{reference}/card-payments/", {
      params: { path: { reference: orderReference } },
      body: { language },
    }),
  );
}

export function useStartCardPayment({ onSuccess }: { onSuccess?: (redirect: CardPaymentRedirect) => void } = {}) {
  return useMutation({ mutationFn: startCardPayment, onSuccess });
}
