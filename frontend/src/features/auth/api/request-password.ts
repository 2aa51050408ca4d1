import { useMutation } from "@tanstack/react-query";
import { allauthRequest } from "@/lib/allauth";
import { ensureCsrfCookie } from "@/lib/csrf";

export async function requestPassword(email: string): Promise<void> {
  await ensureCsrfCookie();
  await allauthRequest("/auth/password/request", { method: "POST", body: { email } });
}

export function useRequestPassword() {
  return useMutation({ mutationFn: requestPassword });
}
