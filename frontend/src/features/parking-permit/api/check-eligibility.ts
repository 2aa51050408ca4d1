import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Eligibility } from "@/lib/api/types";
import { ensureCsrfCookie } from "@/lib/csrf";

/**
 * POST /api/v1/services/parking_permit/eligibility/ – the decision rules, run now.
 * A POST without side effects, so it is used as a query (cached per plate and language).
 */
export async function checkEligibility(plate: string): Promise<Eligibility> {
  await ensureCsrfCookie();
  return unwrap(api.POST("/api/v1/services/parking_permit/eligibility/", { body: { plate } }));
}

export const eligibilityQueryOptions = (plate: string, lang: string) =>
  queryOptions({
    // Language is part of the key: the explanations are localized by the backend.
    queryKey: ["parking-permit", "eligibility", plate, lang],
    queryFn: () => checkEligibility(plate),
    // Registry data can change; check again every time the step is opened.
    staleTime: 0,
    gcTime: 60_000,
  });

export function useEligibility(plate: string, lang: string) {
  return useQuery(eligibilityQueryOptions(plate, lang));
}
