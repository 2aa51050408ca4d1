import type { CaseStatus } from "@/lib/api/types";

export const KNOWN_STATUSES: CaseStatus[] = [
  "submitted",
  "processing",
  "awaiting_payment",
  "granted",
  "refused",
  "failed",
];

export type Tone = "progress" | "success" | "error" | "warning" | "neutral";

export const STATUS_TONE: Record<CaseStatus, Tone> = {
  submitted: "progress",
  processing: "progress",
  awaiting_payment: "warning",
  granted: "success",
  refused: "error",
  failed: "warning",
};

export interface Reason {
  code: string;
  passed: boolean;
  explanation: string;
}

/** `reasons` is typed loosely by the schema (objects); keep the well-formed rule results. */
export function toReasons(raw: Record<string, unknown>[]): Reason[] {
  return raw.flatMap((r) =>
    typeof r.code === "string" && typeof r.passed === "boolean"
      ? [{ code: r.code, passed: r.passed, explanation: typeof r.explanation === "string" ? r.explanation : "" }]
      : [],
  );
}
