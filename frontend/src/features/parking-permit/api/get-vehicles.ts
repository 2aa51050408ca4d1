import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Vehicle } from "@/lib/api/types";

export const vehiclesQueryKey = ["parking-permit", "vehicles"] as const;

/** The resident's active vehicles per the national vehicle registry (403 not_identified before identification). */
export function getVehicles(): Promise<Vehicle[]> {
  return unwrap(api.GET("/api/v1/services/parking_permit/vehicles/"));
}

export const vehiclesQueryOptions = () =>
  queryOptions({ queryKey: vehiclesQueryKey, queryFn: getVehicles, staleTime: 60_000 });

export function useVehicles({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...vehiclesQueryOptions(), enabled });
}
