import { queryOptions, useQuery } from "@tanstack/react-query";
import { allauthRequest } from "@/lib/allauth";

export interface EmailVerificationInfo {
  status: 200;
  data: { email: string; user: { id: number | string; display?: string } };
  meta: { is_authenticating: boolean };
}

export async function getEmailVerification(key: string): Promise<EmailVerificationInfo> {
  const res = await allauthRequest<EmailVerificationInfo>("/auth/email/verify", {
    headers: { "X-Email-Verification-Key": key },
  });
  return res.data;
}

export const emailVerificationQueryOptions = (key: string) =>
  queryOptions({
    queryKey: ["auth", "email-verification", key],
    queryFn: () => getEmailVerification(key),
    staleTime: Infinity,
  });

export function useEmailVerification(key: string) {
  return useQuery(emailVerificationQueryOptions(key));
}
