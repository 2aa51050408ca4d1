import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Identification } from "@/lib/api/types";

/** Statuses during which the page polls for changes. */
export const POLLING_STATUSES = ["pending", "checking"];
export const POLL_INTERVAL_MS = 10_000;

export function getIdentification(): Promise<Identification> {
  return unwrap(api.GET("/api/v1/me/identification/"));
}

export const identificationQueryOptions = (lang: string) =>
  queryOptions({
    // Language is part of the key: the backend localizes the strings.
    queryKey: ["me", "identification", lang],
    queryFn: getIdentification,
    refetchInterval: (query) =>
      query.state.data && POLLING_STATUSES.includes(query.state.data.status) ? POLL_INTERVAL_MS : false,
  });

export function useIdentification(lang: string) {
  return useQuery(identificationQueryOptions(lang));
}
