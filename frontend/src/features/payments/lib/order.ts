import type { Order, OrderPayment, OrderPaymentStatus } from "@/lib/api/types";

/** A card attempt that ended without money: the resident may try again. */
const CARD_ENDED_UNPAID: OrderPaymentStatus[] = ["failed", "cancelled", "expired"];

/** The order of a case: the live one (one per case), newest first if the server ever sent more. */
export function orderForCase(orders: Order[] | undefined, caseReference: string): Order | undefined {
  return (orders ?? [])
    .filter((o) => o.case_reference === caseReference && o.status !== "cancelled")
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
}

/** Something is still to pay (open or partially paid, with a positive balance). */
export function isPayable(order: Order): boolean {
  return (order.status === "open" || order.status === "partially_paid") && order.balance > 0;
}

export function lastCardPayment(order: Order): OrderPayment | undefined {
  return order.payments
    .filter((p) => p.method === "card")
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
}

export type CheckOutcome = "paid" | "failed" | "pending";

/**
 * After the card page: the outcome comes from the order as the server sees it, never from the
 * return URL. Paid once the order is paid; failed once the latest card attempt ended unpaid.
 */
export function checkOutcome(order: Order | undefined): CheckOutcome {
  if (!order) return "pending";
  if (order.status === "paid") return "paid";
  const last = lastCardPayment(order);
  return last && CARD_ENDED_UNPAID.includes(last.status) ? "failed" : "pending";
}

/** "HU42117730161111101800000000" → "HU42 1177 3016 1111 1018 0000 0000". */
export function groupsOfFour(value: string): string {
  return value.replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");
}

/** A Hungarian IBAN's domestic account number (3×8 digits), which most Hungarian netbanks ask for. */
export function domesticAccountNumber(iban: string): string | null {
  const compact = iban.replace(/\s+/g, "").toUpperCase();
  if (!/^HU\d{26}$/.test(compact)) return null;
  const bban = compact.slice(4);
  return `${bban.slice(0, 8)}-${bban.slice(8, 16)}-${bban.slice(16)}`;
}

/** Back from the card page: look at the order this often… */
export const ORDER_CHECK_INTERVAL_MS = 2_000;
/** …then, if the gateway's confirmation takes longer than this, say so and look less often. */
export const ORDER_CHECK_SLOW_AFTER_MS = 2 * 60_000;
export const ORDER_CHECK_SLOW_INTERVAL_MS = 10_000;
