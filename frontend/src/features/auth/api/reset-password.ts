import { useMutation } from "@tanstack/react-query";
import { AUTH_STATUSES, type AuthResponse, allauthRequest } from "@/lib/allauth";
import { useSetSession } from "@/lib/auth";
import { ensureCsrfCookie } from "@/lib/csrf";

export interface ResetPasswordInput {
  key: string;
  password: string;
}

/** 200: password reset and logged in; 401: reset done, user must log in. */
export async function resetPassword(input: ResetPasswordInput): Promise<AuthResponse> {
  await ensureCsrfCookie();
  const res = await allauthRequest<AuthResponse>("/auth/password/reset", {
    method: "POST",
    body: input,
    acceptStatuses: AUTH_STATUSES,
  });
  return res.data;
}

export function useResetPassword() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: resetPassword, onSuccess: setSession });
}
