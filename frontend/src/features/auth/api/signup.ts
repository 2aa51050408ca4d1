import { useMutation } from "@tanstack/react-query";
import { AUTH_STATUSES, type AuthResponse, allauthRequest } from "@/lib/allauth";
import { useSetSession } from "@/lib/auth";
import { ensureCsrfCookie } from "@/lib/csrf";

export interface SignupInput {
  email: string;
  password: string;
}

export async function signup(input: SignupInput): Promise<AuthResponse> {
  await ensureCsrfCookie();
  const res = await allauthRequest<AuthResponse>("/auth/signup", {
    method: "POST",
    body: input,
    acceptStatuses: AUTH_STATUSES,
  });
  return res.data;
}

export function useSignup() {
  const setSession = useSetSession();
  return useMutation({ mutationFn: signup, onSuccess: setSession });
}
