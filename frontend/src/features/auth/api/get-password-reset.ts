import { queryOptions, useQuery } from "@tanstack/react-query";
import { allauthRequest } from "@/lib/allauth";

export interface PasswordResetInfo {
  status: 200;
  data: { user: { id: number | string; display?: string; email?: string } };
}

export async function getPasswordReset(key: string): Promise<PasswordResetInfo> {
  const res = await allauthRequest<PasswordResetInfo>("/auth/password/reset", {
    headers: { "X-Password-Reset-Key": key },
  });
  return res.data;
}

export const passwordResetQueryOptions = (key: string) =>
  queryOptions({
    queryKey: ["auth", "password-reset", key],
    queryFn: () => getPasswordReset(key),
    staleTime: Infinity,
  });

export function usePasswordReset(key: string) {
  return useQuery(passwordResetQueryOptions(key));
}
