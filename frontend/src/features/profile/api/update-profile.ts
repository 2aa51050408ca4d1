import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Profile, ProfileUpdate } from "@/lib/api/types";
import { ensureCsrfCookie } from "@/lib/csrf";
import { profileQueryKey } from "./get-profile";

export async function updateProfile(body: ProfileUpdate): Promise<Profile> {
  await ensureCsrfCookie();
  return unwrap(api.PATCH("/api/v1/me/profile/", { body }));
}

export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateProfile,
    onSuccess: (profile) => queryClient.setQueryData(profileQueryKey, profile),
  });
}
