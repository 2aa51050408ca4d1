import { type AuthResponse, isAuthenticated, pendingFlow } from "@/lib/allauth";

export type AuthOutcome =
  | { kind: "authenticated" }
  | { kind: "verify_email" }
  | { kind: "provider_signup" }
  | { kind: "unauthenticated" }
  | { kind: "other"; flow: string };

/** Decide what to do after an allauth auth response. */
export function authOutcome(res: AuthResponse | undefined | null): AuthOutcome {
  if (isAuthenticated(res)) return { kind: "authenticated" };
  const flow = pendingFlow(res);
  if (!flow) return { kind: "unauthenticated" };
  if (flow.id === "verify_email") return { kind: "verify_email" };
  if (flow.id === "provider_signup") return { kind: "provider_signup" };
  return { kind: "other", flow: flow.id };
}
