import type { Address } from "@/lib/api/types";

function locale(lang: string) {
  return lang === "en" ? "en-GB" : "hu-HU";
}

/** "1123 Budapest, XII., Városmajor utca 12, B / 3 / 7" style single line. */
export function formatAddress(a: Address): string {
  const street = [a.street_name, a.street_type, a.house_number].filter(Boolean).join(" ");
  const rest = [a.building, a.floor, a.door].filter(Boolean).join(" / ");
  const settlement = [a.postcode, a.settlement].filter(Boolean).join(" ");
  return [settlement, a.district ? `${a.district}.` : "", street, rest].filter(Boolean).join(", ");
}

/** A calendar date (YYYY-MM-DD) in the UI language, e.g. "2026. november 1." */
export function formatDate(isoDate: string, lang: string): string {
  const d = new Date(`${isoDate}T00:00:00`);
  if (Number.isNaN(d.getTime())) return isoDate;
  return new Intl.DateTimeFormat(locale(lang), { year: "numeric", month: "long", day: "numeric" }).format(d);
}

/** A timestamp in the UI language, e.g. "2026. november 1. 14:05". */
export function formatDateTime(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "long", timeStyle: "short" }).format(d);
}

/** Time of day with seconds, for timelines, e.g. "14:05:09". */
export function formatTime(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(d);
}

/** Forint amount, e.g. "12 000 Ft". */
export function formatHuf(amount: number, lang: string): string {
  return new Intl.NumberFormat(locale(lang), { style: "currency", currency: "HUF", maximumFractionDigits: 0 }).format(amount);
}

/** The calendar day of a timestamp in the UI language, e.g. "2026. november 1." */
export function formatDay(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { year: "numeric", month: "long", day: "numeric" }).format(d);
}
