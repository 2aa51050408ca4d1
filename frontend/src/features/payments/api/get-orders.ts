import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Order } from "@/lib/api/types";
import { orderForCase } from "../lib/order";

/** Prefix of every order query: invalidate it after a payment changes an order. */
export const ordersQueryKey = ["orders"] as const;

/** GET /api/v1/orders/ – the signed-in resident's orders (fees of their cases), newest first. */
export function getOrders(): Promise<Order[]> {
  return unwrap(api.GET("/api/v1/orders/"));
}

export const ordersQueryOptions = (lang: string) =>
  queryOptions({
    // Language is part of the key: status and method labels are localized by the backend.
    queryKey: [...ordersQueryKey, "list", lang],
    queryFn: getOrders,
  });

/**
 * The order of one case (filtered on the client). `pollEvery(order)` says how often to refetch
 * the order given its latest state (ms), or false to stop.
 */
export function useCaseOrder(
  caseReference: string,
  lang: string,
  { pollEvery }: { pollEvery?: (order: Order | undefined) => number | false } = {},
) {
  return useQuery({
    ...ordersQueryOptions(lang),
    select: (orders: Order[]) => orderForCase(orders, caseReference) ?? null,
    refetchInterval: (query) => (pollEvery ? pollEvery(orderForCase(query.state.data, caseReference)) : false),
  });
}
