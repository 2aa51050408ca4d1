/** Wagtail API v2 shapes used by the SPA (not part of the DRF OpenAPI schema). */
export type StreamBlock =
  | { type: "heading"; value: string; id: string }
  | { type: "paragraph"; value: string; id: string }
  | { type: "notice"; value: { title: string; text: string }; id: string }
  | { type: string; value: unknown; id: string };

export interface CmsPageMeta {
  type?: string;
  slug?: string;
  locale?: string;
  html_url?: string | null;
  detail_url?: string;
  first_published_at?: string | null;
  [key: string]: unknown;
}

export interface CmsPage {
  id: number;
  title: string;
  meta: CmsPageMeta;
  intro?: string;
  body?: StreamBlock[];
}

export interface CmsListing<T = CmsPage> {
  meta: { total_count: number };
  items: T[];
}

/** cms.ServicePage: what an e-service is (who can apply, procedure, documents, deadlines, fee, legal basis). */
export interface CmsServicePage extends CmsPage {
  service_code: string;
  who_can_apply?: string;
  procedure?: StreamBlock[];
  documents_needed?: string;
  deadlines?: string;
  fee?: string;
  legal_basis?: string;
}

/** What lives at /pages/:slug: a service page or a standard information page. */
export type CmsSlugPage = { kind: "service"; page: CmsServicePage } | { kind: "standard"; page: CmsPage };
