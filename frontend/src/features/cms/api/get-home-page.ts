import { queryOptions, useQuery } from "@tanstack/react-query";
import type { CmsPage } from "../types";
import { getCmsPages } from "./get-pages";

/** Home page in the given locale, or null when it has no translation. */
export async function getHomePage(locale: string): Promise<CmsPage | null> {
  const listing = await getCmsPages({ type: "cms.HomePage", locale, fields: "intro,body", limit: 1 });
  return listing.items[0] ?? null;
}

export const homePageQueryOptions = (locale: string) =>
  queryOptions({ queryKey: ["cms", "home", locale], queryFn: () => getHomePage(locale), staleTime: 5 * 60_000 });

export function useHomePage(locale: string) {
  return useQuery(homePageQueryOptions(locale));
}
