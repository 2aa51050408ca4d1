import createClient, { type Middleware } from "openapi-fetch";
import { defaultHeaders } from "@/lib/api-client";
import { NetworkError, errorForStatus, parseDrfError } from "@/lib/errors";
import type { paths } from "./schema";

const headersMiddleware: Middleware = {
  onRequest({ request }) {
    for (const [key, value] of Object.entries(defaultHeaders(request.method))) {
      if (!request.headers.has(key)) request.headers.set(key, value);
    }
    return request;
  },
};

/** Typed client for the resident API (DRF). Late-binds fetch so tests can stub it. */
export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "",
  credentials: "same-origin",
  fetch: (input: Request) => globalThis.fetch(input),
});
api.use(headersMiddleware);

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Unwrap an openapi-fetch result: return data or throw a typed ApiError. */
export async function unwrap<T>(promise: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await promise;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new NetworkError(cause);
  }
  if (result.response.ok) return result.data as T;
  throw errorForStatus(result.response.status, parseDrfError(result.error));
}
