import { useMutation } from "@tanstack/react-query";
import { AUTH_STATUSES, type AuthResponse, allauthRequest } from "@/lib/allauth";
import { useSetSession } from "@/lib/auth";
import { ensureCsrfCookie } from "@/lib/csrf";

/** POST /auth/email/verify — 200: verified and logged in; 401: verified, not logged in. */
export async function verifyEmail(key: string): Promise<AuthResponse> {
  await ensureCsrfCookie();
  const res = await allauthRequest<AuthResponse>("/auth/email/verify", {
    method: "POST",
    body: { key },
    acceptStatuses: AUTH_STATUSES,
  });
  return res.data;
}

export function useVerifyEmail() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: verifyEmail, onSuccess: setSession });
}
