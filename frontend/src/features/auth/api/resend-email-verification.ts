import { useMutation } from "@tanstack/react-query";
import { allauthRequest } from "@/lib/allauth";
import { ensureCsrfCookie } from "@/lib/csrf";

/**
 * POST /auth/email/verify/resend — resend during a pending verify_email flow.
 * Works only when the backend verifies by code; otherwise it answers 409.
 */
export async function resendEmailVerification(): Promise<void> {
  await ensureCsrfCookie();
  await allauthRequest("/auth/email/verify/resend", { method: "POST" });
}

export function useResendEmailVerification() {
  return useMutation({ mutationFn: resendEmailVerification });
}
