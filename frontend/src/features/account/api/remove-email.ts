import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type EmailAddressesResponse, allauthRequest } from "@/lib/allauth";
import { ensureCsrfCookie } from "@/lib/csrf";
import { emailsQueryKey } from "./get-emails";

/** DELETE /account/email — remove a (non-primary) address. */
export async function removeEmail(email: string): Promise<EmailAddressesResponse> {
  await ensureCsrfCookie();
  return (await allauthRequest<EmailAddressesResponse>("/account/email", { method: "DELETE", body: { email } })).data;
}

export function useRemoveEmail() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeEmail,
    onSuccess: (res) => queryClient.setQueryData(emailsQueryKey, res),
  });
}
