import { queryOptions, useQuery } from "@tanstack/react-query";
import type { CmsPage } from "../types";
import { getCmsPages } from "./get-pages";

/** Published standard (information) pages in the given locale, for the home page list.
 * Wagtail's API refuses (400) a limit above WAGTAILAPI_LIMIT_MAX, 20 by default. */
export async function getStandardPages(locale: string): Promise<CmsPage[]> {
  const listing = await getCmsPages({ type: "cms.StandardPage", locale, fields: "intro", limit: 20 });
  return listing.items.filter((page) => typeof page.meta?.slug === "string");
}

export const standardPagesQueryOptions = (locale: string) =>
  queryOptions({ queryKey: ["cms", "standard-pages", locale], queryFn: () => getStandardPages(locale), staleTime: 5 * 60_000 });

export function useStandardPages(locale: string) {
  return useQuery(standardPagesQueryOptions(locale));
}
