import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type EmailAddressesResponse, allauthRequest } from "@/lib/allauth";
import { ensureCsrfCookie } from "@/lib/csrf";
import { emailsQueryKey } from "./get-emails";

/** POST /account/email — add / change to a new address (a verification email is sent). */
export async function changeEmail(email: string): Promise<EmailAddressesResponse> {
  await ensureCsrfCookie();
  return (await allauthRequest<EmailAddressesResponse>("/account/email", { method: "POST", body: { email } })).data;
}

export function useChangeEmail() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: changeEmail,
    onSuccess: (res) => queryClient.setQueryData(emailsQueryKey, res),
  });
}
