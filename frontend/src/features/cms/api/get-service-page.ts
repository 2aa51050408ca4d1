import { queryOptions, useQuery } from "@tanstack/react-query";
import type { CmsListing, CmsServicePage } from "../types";
import { getCmsPages } from "./get-pages";

export const SERVICE_PAGE_FIELDS = "service_code,intro,who_can_apply,procedure,documents_needed,deadlines,fee,legal_basis";

/** One service page by slug in the given locale, or null when not found. */
export async function getServicePage(slug: string, locale: string): Promise<CmsServicePage | null> {
  const listing = (await getCmsPages({
    type: "cms.ServicePage",
    slug,
    locale,
    fields: SERVICE_PAGE_FIELDS,
  })) as CmsListing<CmsServicePage>;
  return listing.items[0] ?? null;
}

export const servicePageQueryOptions = (slug: string, locale: string) =>
  queryOptions({
    queryKey: ["cms", "service-page", slug, locale],
    queryFn: () => getServicePage(slug, locale),
    staleTime: 5 * 60_000,
  });

export function useServicePage(slug: string, locale: string) {
  return useQuery(servicePageQueryOptions(slug, locale));
}
