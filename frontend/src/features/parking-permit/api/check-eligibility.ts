import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Eligibility } from "@/lib/api/types";
import { ensureCsrfCookie } from "@/lib/csrf";
import { PARKING_PERMIT, type ParkingService } from "./get-services";

/**
 * POST /api/v1/services/{service}/eligibility/ – the service's decision rules, run now.
 * A POST without side effects, so it is used as a query (cached per service, plate and language).
 */
export async function checkEligibility(plate: string, service: ParkingService = PARKING_PERMIT): Promise<Eligibility> {
  await ensureCsrfCookie();
  return unwrap(api.POST("/api/v1/services/{service}/eligibility/", { params: { path: { service } }, body: { plate } }));
}

export const eligibilityQueryOptions = (plate: string, lang: string, service: ParkingService = PARKING_PERMIT) =>
  queryOptions({
    // Language is part of the key: the explanations are localized by the backend.
    queryKey: ["parking-permit", "eligibility", service, plate, lang],
    queryFn: () => checkEligibility(plate, service),
    // Registry data can change; check again every time the step is opened.
    staleTime: 0,
    gcTime: 60_000,
  });

export function useEligibility(plate: string, lang: string, service: ParkingService = PARKING_PERMIT) {
  return useQuery(eligibilityQueryOptions(plate, lang, service));
}
