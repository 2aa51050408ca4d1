import DOMPurify from "dompurify";
import { useMemo } from "react";

const ALLOWED_TAGS = ["p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"];
const ALLOWED_ATTR = ["href", "title", "lang"];

/** Sanitize CMS HTML: only simple formatting and safe links survive. */
export function sanitizeHtml(html: string): string {
  const clean = DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false });
  // External links open in the same tab; mark them for assistive tech via rel only.
  return clean.replace(/<a href="(https?:\/\/[^"]+)"/g, '<a href="$1" rel="noopener noreferrer"');
}

export function RichText({ html, className }: { html: string; className?: string }) {
  const clean = useMemo(() => sanitizeHtml(html), [html]);
  return <div className={`rich-text${className ? ` ${className}` : ""}`} dangerouslySetInnerHTML={{ __html: clean }} />;
}
