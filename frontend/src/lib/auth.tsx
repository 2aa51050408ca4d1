import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation } from "react-router";
import {
  AUTH_STATUSES,
  type AuthResponse,
  allauthRequest,
  isAuthenticated,
} from "@/lib/allauth";
import { ensureCsrfCookie } from "@/lib/csrf";

/** Session state shared by the whole app (GET /_allauth/browser/v1/auth/session). */
export const sessionQueryKey = ["auth", "session"] as const;

export async function getSession(): Promise<AuthResponse> {
  const res = await allauthRequest<AuthResponse>("/auth/session", { acceptStatuses: AUTH_STATUSES });
  return res.data;
}

export const sessionQueryOptions = () =>
  queryOptions({
    queryKey: sessionQueryKey,
    queryFn: getSession,
    staleTime: 60_000,
  });

export function useSession() {
  const query = useQuery(sessionQueryOptions());
  const user = isAuthenticated(query.data) ? query.data.data.user : null;
  return { ...query, user, isAuthenticated: !!user };
}

/** Update the cached session with an allauth auth response (200/401/410 payloads). */
export function useSetSession() {
  const queryClient = useQueryClient();
  return (res: AuthResponse) => {
    queryClient.setQueryData(sessionQueryKey, res);
  };
}

export async function logout(): Promise<AuthResponse> {
  await ensureCsrfCookie();
  const res = await allauthRequest<AuthResponse>("/auth/session", {
    method: "DELETE",
    acceptStatuses: AUTH_STATUSES,
  });
  return res.data;
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSuccess: (res) => {
      // Drop all personal data from the cache, keep the new anonymous session.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "cms" });
      queryClient.setQueryData(sessionQueryKey, res);
    },
  });
}

export function loginPath(next?: string) {
  return next ? `/account/login?next=${encodeURIComponent(next)}` : "/account/login";
}

/** Only allow same-origin relative redirect targets. */
export function safeNext(next: string | null | undefined, fallback = "/profile"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

/** Route guard: renders children only for authenticated users, otherwise redirects to login with ?next=. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const location = useLocation();
  const session = useSession();
  if (session.isPending) {
    return (
      <p className="loading" role="status">
        {t("common.loading")}
      </p>
    );
  }
  if (!session.isAuthenticated) {
    return <Navigate to={loginPath(`${location.pathname}${location.search}`)} replace />;
  }
  return <>{children}</>;
}
