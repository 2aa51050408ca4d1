import { queryOptions, useQuery } from "@tanstack/react-query";
import type { CmsPage } from "../types";
import { getCmsPages } from "./get-pages";

/** One standard page by slug in the given locale, or null when not found. */
export async function getStandardPage(slug: string, locale: string): Promise<CmsPage | null> {
  const listing = await getCmsPages({ type: "cms.StandardPage", slug, locale, fields: "intro,body" });
  return listing.items[0] ?? null;
}

export const standardPageQueryOptions = (slug: string, locale: string) =>
  queryOptions({
    queryKey: ["cms", "standard-page", slug, locale],
    queryFn: () => getStandardPage(slug, locale),
    staleTime: 5 * 60_000,
  });

export function useStandardPage(slug: string, locale: string) {
  return useQuery(standardPageQueryOptions(slug, locale));
}
