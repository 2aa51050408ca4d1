import { useMutation } from "@tanstack/react-query";
import { allauthRequest } from "@/lib/allauth";
import { ensureCsrfCookie } from "@/lib/csrf";

/** PUT /account/email — request (another) verification email for an address. */
export async function resendEmail(email: string): Promise<void> {
  await ensureCsrfCookie();
  await allauthRequest("/account/email", { method: "PUT", body: { email } });
}

export function useResendEmail() {
  return useMutation({ mutationFn: resendEmail });
}
