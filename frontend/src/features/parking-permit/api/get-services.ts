import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ServiceType } from "@/lib/api/types";

export const PARKING_PERMIT = "parking_permit";
/** The permit for a further vehicle, for a fee. */
export const ADDITIONAL_VEHICLE_PERMIT = "parking_permit_additional";
export type ParkingService = typeof PARKING_PERMIT | typeof ADDITIONAL_VEHICLE_PERMIT;

export function getServices(): Promise<ServiceType[]> {
  return unwrap(api.GET("/api/v1/services/"));
}

export const servicesQueryOptions = (lang: string) =>
  queryOptions({
    // Language is part of the key: the backend localizes the service names.
    queryKey: ["services", lang],
    queryFn: getServices,
    staleTime: 5 * 60_000,
  });

export function useServices(lang: string) {
  return useQuery(servicesQueryOptions(lang));
}

/** A parking service's catalogue entry (name, fee, validity), if the service is active. */
export function useParkingPermitService(lang: string, code: ParkingService = PARKING_PERMIT) {
  const query = useServices(lang);
  return { ...query, service: query.data?.find((s) => s.code === code) };
}
