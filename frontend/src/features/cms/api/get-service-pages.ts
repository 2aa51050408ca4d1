import { queryOptions, useQuery } from "@tanstack/react-query";
import type { CmsListing, CmsServicePage } from "../types";
import { getCmsPages } from "./get-pages";

/** Published service (e-service description) pages in the given locale, for the home page cards.
 * Wagtail's API refuses (400) a limit above WAGTAILAPI_LIMIT_MAX, 20 by default. */
export async function getServicePages(locale: string): Promise<CmsServicePage[]> {
  const listing = (await getCmsPages({
    type: "cms.ServicePage",
    locale,
    fields: "service_code,intro",
    limit: 20,
  })) as CmsListing<CmsServicePage>;
  return listing.items.filter((page) => typeof page.meta?.slug === "string");
}

export const servicePagesQueryOptions = (locale: string) =>
  queryOptions({ queryKey: ["cms", "service-pages", locale], queryFn: () => getServicePages(locale), staleTime: 5 * 60_000 });

export function useServicePages(locale: string) {
  return useQuery(servicePagesQueryOptions(locale));
}
