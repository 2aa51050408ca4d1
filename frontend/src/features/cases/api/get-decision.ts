/**
 * GET /api/v1/cases/{reference}/decision/ – the signed decision (PDF, `Content-Disposition: attachment`).
 * Used as a plain link (works best on phones, keeps the session cookie); the addressee's first
 * download records the delivery ("kézbesítés"), so refetch the case afterwards.
 */
export function decisionUrl(reference: string): string {
  return `/api/v1/cases/${encodeURIComponent(reference)}/decision/`;
}

export function decisionFilename(reference: string): string {
  return `hatarozat-${reference}.pdf`;
}
