import { queryOptions, useQuery } from "@tanstack/react-query";
import type { CmsSlugPage } from "../types";
import { getServicePage } from "./get-service-page";
import { getStandardPage } from "./get-standard-page";

/** The page at /pages/:slug in the given locale: a service page if one has this slug,
 * otherwise a standard page; null when neither exists (or has no translation). */
export async function getPageBySlug(slug: string, locale: string): Promise<CmsSlugPage | null> {
  const service = await getServicePage(slug, locale);
  if (service) return { kind: "service", page: service };
  const standard = await getStandardPage(slug, locale);
  return standard ? { kind: "standard", page: standard } : null;
}

export const pageBySlugQueryOptions = (slug: string, locale: string) =>
  queryOptions({
    queryKey: ["cms", "page-by-slug", slug, locale],
    queryFn: () => getPageBySlug(slug, locale),
    staleTime: 5 * 60_000,
  });

export function usePageBySlug(slug: string, locale: string) {
  return useQuery(pageBySlugQueryOptions(slug, locale));
}
