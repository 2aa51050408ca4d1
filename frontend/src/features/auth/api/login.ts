import { useMutation } from "@tanstack/react-query";
import { AUTH_STATUSES, type AuthResponse, allauthRequest } from "@/lib/allauth";
import { useSetSession } from "@/lib/auth";
import { ensureCsrfCookie } from "@/lib/csrf";

export interface LoginInput {
  email: string;
  password: string;
}

export async function login(input: LoginInput): Promise<AuthResponse> {
  await ensureCsrfCookie();
  const res = await allauthRequest<AuthResponse>("/auth/login", {
    method: "POST",
    body: input,
    acceptStatuses: AUTH_STATUSES,
  });
  return res.data;
}

export function useLogin() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: login, onSuccess: setSession });
}
