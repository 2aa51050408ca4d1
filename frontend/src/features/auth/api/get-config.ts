import { queryOptions, useQuery } from "@tanstack/react-query";
import { type ConfigResponse, allauthRequest } from "@/lib/allauth";

export async function getConfig(): Promise<ConfigResponse> {
  return (await allauthRequest<ConfigResponse>("/config")).data;
}

export const configQueryOptions = () =>
  queryOptions({ queryKey: ["auth", "config"], queryFn: getConfig, staleTime: Infinity });

export function useAuthConfig() {
  return useQuery(configQueryOptions());
}

/** Facebook is offered unless the backend config explicitly lists providers without it. */
export function facebookEnabled(config: ConfigResponse | undefined): boolean {
  const providers = config?.data?.socialaccount?.providers;
  if (!providers) return true;
  return providers.some((p) => p.id === "facebook");
}
