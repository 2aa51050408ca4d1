import { request, type RequestOptions } from "@/lib/api-client";
import { parseAllauthError } from "@/lib/errors";

/** django-allauth headless, browser client (session cookie + CSRF). */
export const ALLAUTH_BASE = "/_allauth/browser/v1";

export type FlowId =
  | "login"
  | "login_by_code"
  | "mfa_authenticate"
  | "mfa_reauthenticate"
  | "provider_redirect"
  | "provider_signup"
  | "provider_token"
  | "reauthenticate"
  | "signup"
  | "verify_email"
  | "verify_phone";

export interface Flow {
  id: FlowId;
  is_pending?: boolean;
  providers?: string[];
}

export interface AllauthUser {
  id: number | string;
  display?: string;
  email?: string;
  username?: string;
  has_usable_password?: boolean;
}

export interface AuthenticatedResponse {
  status: 200;
  data: { user: AllauthUser; methods?: unknown[] };
  meta: { is_authenticated: true };
}

export interface UnauthenticatedResponse {
  status: 401;
  data: { flows: Flow[]; user?: AllauthUser };
  meta: { is_authenticated: boolean };
}

export interface SessionGoneResponse {
  status: 410;
  data: Record<string, never>;
  meta: { is_authenticated: false };
}

export type AuthResponse = AuthenticatedResponse | UnauthenticatedResponse | SessionGoneResponse;

export interface StatusOkResponse {
  status: 200;
}

export interface EmailAddress {
  email: string;
  primary: boolean;
  verified: boolean;
}

export interface EmailAddressesResponse {
  status: 200;
  data: EmailAddress[];
}

export interface ConfigResponse {
  status: 200;
  data: {
    account?: Record<string, unknown>;
    socialaccount?: { providers: { id: string; name: string; flows?: string[] }[] };
  };
}

export function allauthRequest<T>(path: string, options: RequestOptions = {}) {
  return request<T>(`${ALLAUTH_BASE}${path}`, { errorParser: parseAllauthError, ...options });
}

/** Statuses on which allauth returns an authentication-state payload rather than an error. */
export const AUTH_STATUSES = [401, 410];

export function isAuthenticated(res: AuthResponse | undefined | null): res is AuthenticatedResponse {
  return !!res && res.status === 200 && res.meta?.is_authenticated === true;
}

export function pendingFlow(res: AuthResponse | undefined | null): Flow | undefined {
  if (!res || res.status !== 401) return undefined;
  return res.data?.flows?.find((flow) => flow.is_pending);
}

export function requiresReauthentication(res: AuthResponse | undefined | null): boolean {
  return !!res && res.status === 401 && res.meta?.is_authenticated === true;
}
