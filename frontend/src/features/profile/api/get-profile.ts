import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Profile } from "@/lib/api/types";

export const profileQueryKey = ["me", "profile"] as const;

export function getProfile(): Promise<Profile> {
  return unwrap(api.GET("/api/v1/me/profile/"));
}

export const profileQueryOptions = () => queryOptions({ queryKey: profileQueryKey, queryFn: getProfile });

export function useProfile() {
  return useQuery(profileQueryOptions());
}
