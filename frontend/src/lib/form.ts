import type { TFunction } from "i18next";
import { useCallback, useState } from "react";
import {
  ApiError,
  ConflictError,
  NetworkError,
  NotAuthenticatedError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  type FieldErrors,
} from "@/lib/errors";

/** DOM id of the input for a (dotted) field name, e.g. "permanent_address.postcode". */
export function fieldId(name: string): string {
  return `field-${name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}

export interface SummaryItem {
  field?: string;
  message: string;
}

export interface FormErrors {
  fieldErrors: FieldErrors;
  formErrors: string[];
}

export const noErrors: FormErrors = { fieldErrors: {}, formErrors: [] };

/** Human-readable message for a non-field error. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (error instanceof NetworkError) return t("errors.network");
  if (error instanceof RateLimitError) return t("errors.rateLimited");
  if (error instanceof ServerError) return t("errors.server");
  if (error instanceof NotAuthenticatedError) return t("errors.notAuthenticated");
  if (error instanceof PermissionDeniedError) return error.formErrors[0] ?? t("errors.permissionDenied");
  if (error instanceof NotFoundError) return t("errors.notFound");
  if (error instanceof ConflictError) return t("errors.conflict");
  if (error instanceof ApiError) return error.formErrors[0] ?? (error.status === 400 && error.message ? error.message : t("errors.generic"));
  return t("errors.generic");
}

/** Convert any thrown error into field + form errors for display. */
export function toFormErrors(t: TFunction, error: unknown): FormErrors {
  if (error instanceof ApiError && (error.hasFieldErrors || error.formErrors.length > 0)) {
    return { fieldErrors: error.fieldErrors, formErrors: error.formErrors };
  }
  return { fieldErrors: {}, formErrors: [errorMessage(t, error)] };
}

/** Summary items: form-level errors first, then field errors in the given field order. */
export function summaryItems(errors: FormErrors, fieldOrder: string[] = []): SummaryItem[] {
  const items: SummaryItem[] = errors.formErrors.map((message) => ({ message }));
  const keys = Object.keys(errors.fieldErrors).sort((a, b) => {
    const ia = fieldOrder.indexOf(a);
    const ib = fieldOrder.indexOf(b);
    return (ia === -1 ? Number.MAX_SAFE_INTEGER : ia) - (ib === -1 ? Number.MAX_SAFE_INTEGER : ib);
  });
  for (const key of keys) {
    const known = fieldOrder.length === 0 || fieldOrder.includes(key);
    for (const message of errors.fieldErrors[key] ?? []) {
      items.push(known ? { field: key, message } : { message });
    }
  }
  return items;
}

/** Small state holder: errors + a counter that re-focuses the summary on each failed submit. */
export function useFormErrors() {
  const [errors, setErrorsState] = useState<FormErrors>(noErrors);
  const [attempt, setAttempt] = useState(0);
  const setErrors = useCallback((next: FormErrors) => {
    setErrorsState(next);
    if (next.formErrors.length || Object.keys(next.fieldErrors).length) setAttempt((n) => n + 1);
  }, []);
  const clear = useCallback(() => setErrorsState(noErrors), []);
  const hasErrors = errors.formErrors.length > 0 || Object.keys(errors.fieldErrors).length > 0;
  return { errors, setErrors, clear, attempt, hasErrors };
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const POSTCODE_RE = /^\d{4}$/;
/** Accepts +36…, 06…, with spaces, dashes, slashes or parentheses. */
export const PHONE_RE = /^\+?[0-9][0-9 ()/-]{6,18}[0-9]$/;
