import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Case } from "@/lib/api/types";

/** Prefix of every case query (list and details): invalidate it after submitting an application. */
export const casesQueryKey = ["cases"] as const;

export function getCases(): Promise<Case[]> {
  return unwrap(api.GET("/api/v1/cases/"));
}

/** Newest first, whatever order the server used. */
export function sortNewestFirst(cases: Case[]): Case[] {
  return [...cases].sort((a, b) => Date.parse(b.submitted_at) - Date.parse(a.submitted_at));
}

export const casesQueryOptions = (lang: string) =>
  queryOptions({
    // Language is part of the key: service names and labels are localized by the backend.
    queryKey: [...casesQueryKey, "list", lang],
    queryFn: getCases,
    select: sortNewestFirst,
  });

export function useCases(lang: string) {
  return useQuery(casesQueryOptions(lang));
}
