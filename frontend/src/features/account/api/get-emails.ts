import { queryOptions, useQuery } from "@tanstack/react-query";
import { type EmailAddressesResponse, allauthRequest } from "@/lib/allauth";

export const emailsQueryKey = ["account", "emails"] as const;

export async function getEmails(): Promise<EmailAddressesResponse> {
  return (await allauthRequest<EmailAddressesResponse>("/account/email")).data;
}

export const emailsQueryOptions = () => queryOptions({ queryKey: emailsQueryKey, queryFn: getEmails });

export function useEmails() {
  return useQuery(emailsQueryOptions());
}
