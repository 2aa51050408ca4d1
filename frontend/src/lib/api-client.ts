import { CSRF_HEADER, getCsrfToken, isUnsafeMethod } from "@/lib/csrf";
import {
  type ApiError,
  type ErrorPayload,
  NetworkError,
  errorForStatus,
  parseDrfError,
} from "@/lib/errors";
import { currentLanguage } from "@/lib/i18n";

/** Headers sent with every same-origin request. */
export function defaultHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: "application/json",
    "Accept-Language": currentLanguage(),
  };
  if (isUnsafeMethod(method)) {
    const token = getCsrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  return headers;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  params?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Non-2xx statuses that should resolve instead of throwing (e.g. allauth 401 flows). */
  acceptStatuses?: number[];
  errorParser?: (body: unknown) => ErrorPayload;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
}

export function buildUrl(path: string, params?: RequestOptions["params"]): string {
  if (!params) return path;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Low-level JSON request with CSRF, language and typed errors. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const method = (options.method ?? "GET").toUpperCase();
  const headers = { ...defaultHeaders(method), ...options.headers };
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.params), {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new NetworkError(cause);
  }
  const data = await parseBody(response);
  if (response.ok || options.acceptStatuses?.includes(response.status)) {
    return { status: response.status, data: data as T };
  }
  const parser = options.errorParser ?? parseDrfError;
  throw errorForStatus(response.status, parser(data));
}

export type { ApiError };
