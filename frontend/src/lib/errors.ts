/**
 * Typed errors for both backends:
 *  - allauth headless: 400 {status, errors: [{message, code, param}]}
 *  - DRF resident API: {code, message, fields: {name: [msg], nested: {name: [msg]}}}
 * Field keys are flattened with dots, e.g. "permanent_address.postcode".
 */
export type FieldErrors = Record<string, string[]>;

export interface ErrorPayload {
  code?: string;
  message?: string;
  fieldErrors?: FieldErrors;
  formErrors?: string[];
  body?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldErrors;
  readonly formErrors: string[];
  readonly body: unknown;

  constructor(status: number, payload: ErrorPayload = {}) {
    super(payload.message || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = payload.code ?? "error";
    this.fieldErrors = payload.fieldErrors ?? {};
    this.formErrors = payload.formErrors ?? [];
    this.body = payload.body;
  }

  get hasFieldErrors(): boolean {
    return Object.keys(this.fieldErrors).length > 0;
  }
}

export class ValidationError extends ApiError {
  override name = "ValidationError";
}
export class NotAuthenticatedError extends ApiError {
  override name = "NotAuthenticatedError";
}
export class PermissionDeniedError extends ApiError {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
export class GoneError extends ApiError {
  override name = "GoneError";
}
export class RateLimitError extends ApiError {
  override name = "RateLimitError";
}
export class ServerError extends ApiError {
  override name = "ServerError";
}
export class NetworkError extends ApiError {
  override name = "NetworkError";
  constructor(cause?: unknown) {
    super(0, { code: "network_error", message: "Network error" });
    this.cause = cause;
  }
}

/** Build the right ApiError subclass for a status code. */
export function errorForStatus(status: number, payload: ErrorPayload = {}): ApiError {
  if (status === 400 || status === 422) return new ValidationError(status, payload);
  if (status === 401) return new NotAuthenticatedError(status, payload);
  if (status === 403) return new PermissionDeniedError(status, payload);
  if (status === 404) return new NotFoundError(status, payload);
  if (status === 409) return new ConflictError(status, payload);
  if (status === 410) return new GoneError(status, payload);
  if (status === 429) return new RateLimitError(status, payload);
  if (status >= 500) return new ServerError(status, payload);
  return new ApiError(status, payload);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const NON_FIELD_KEYS = new Set(["non_field_errors", "__all__", "detail"]);

/** Flatten DRF-style nested field errors into dotted keys. */
export function flattenFieldErrors(fields: unknown, prefix = ""): { fieldErrors: FieldErrors; formErrors: string[] } {
  const fieldErrors: FieldErrors = {};
  const formErrors: string[] = [];
  if (!isRecord(fields)) return { fieldErrors, formErrors };
  for (const [key, value] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!prefix && NON_FIELD_KEYS.has(key)) {
      formErrors.push(...toMessages(value));
      continue;
    }
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      fieldErrors[path] = value as string[];
    } else if (typeof value === "string") {
      fieldErrors[path] = [value];
    } else if (isRecord(value)) {
      const nested = flattenFieldErrors(value, path);
      Object.assign(fieldErrors, nested.fieldErrors);
      formErrors.push(...nested.formErrors);
    } else if (Array.isArray(value)) {
      fieldErrors[path] = toMessages(value);
    }
  }
  return { fieldErrors, formErrors };
}

function toMessages(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(toMessages);
  if (isRecord(value)) return Object.values(value).flatMap(toMessages);
  return [];
}

/** DRF resident API error body → payload. */
export function parseDrfError(body: unknown): ErrorPayload {
  if (!isRecord(body)) return { body };
  const { fieldErrors, formErrors } = flattenFieldErrors(body.fields);
  if (!body.fields && typeof body.detail === "string") formErrors.push(body.detail);
  return {
    code: typeof body.code === "string" ? body.code : undefined,
    message: typeof body.message === "string" ? body.message : typeof body.detail === "string" ? body.detail : undefined,
    fieldErrors,
    formErrors,
    body,
  };
}

/** allauth headless error body → payload. */
export function parseAllauthError(body: unknown): ErrorPayload {
  if (!isRecord(body)) return { body };
  const fieldErrors: FieldErrors = {};
  const formErrors: string[] = [];
  let code: string | undefined;
  if (Array.isArray(body.errors)) {
    for (const err of body.errors) {
      if (!isRecord(err)) continue;
      const message = typeof err.message === "string" ? err.message : "";
      code ??= typeof err.code === "string" ? err.code : undefined;
      if (!message) continue;
      if (typeof err.param === "string" && err.param) {
        (fieldErrors[err.param] ??= []).push(message);
      } else {
        formErrors.push(message);
      }
    }
  }
  return {
    code,
    message: formErrors[0] ?? Object.values(fieldErrors)[0]?.[0],
    fieldErrors,
    formErrors,
    body,
  };
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
