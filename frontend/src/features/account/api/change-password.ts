import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AUTH_STATUSES, type AuthResponse, allauthRequest } from "@/lib/allauth";
import { sessionQueryKey } from "@/lib/auth";
import { ensureCsrfCookie } from "@/lib/csrf";

export interface ChangePasswordInput {
  current_password?: string;
  new_password: string;
}

/**
 * POST /account/password/change — answers with the authentication state:
 * 200 while still logged in, 401 if the backend logs out on password change.
 */
export async function changePassword(input: ChangePasswordInput): Promise<AuthResponse> {
  await ensureCsrfCookie();
  const res = await allauthRequest<AuthResponse>("/account/password/change", {
    method: "POST",
    body: input,
    acceptStatuses: AUTH_STATUSES,
  });
  return res.data;
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: changePassword,
    onSuccess: (res) => queryClient.setQueryData(sessionQueryKey, res),
  });
}
