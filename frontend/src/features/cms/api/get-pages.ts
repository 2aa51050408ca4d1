import { request } from "@/lib/api-client";
import type { CmsListing } from "../types";

export const CMS_PAGES_URL = "/api/cms/pages/";

/** GET /api/cms/pages/ with Wagtail API v2 query parameters. */
export async function getCmsPages(params: Record<string, string | number | undefined>): Promise<CmsListing> {
  return (await request<CmsListing>(CMS_PAGES_URL, { params })).data;
}
