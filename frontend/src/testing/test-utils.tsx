import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { vi } from "vitest";
import { AppProvider } from "@/app/provider";

export function createTestQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
}

/** Render routes in a memory router with the app providers. */
export function renderRoutes(routes: RouteObject[], initialPath = "/") {
  const queryClient = createTestQueryClient();
  const router = createMemoryRouter(routes, { initialEntries: [initialPath] });
  const utils = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { ...utils, router, queryClient };
}

/** Render one element inside the providers and a router. */
export function renderWithProviders(ui: ReactElement, initialPath = "/") {
  return renderRoutes([{ path: "*", element: ui }], initialPath);
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

type Handler = (req: { url: string; method: string; headers: Headers; body: unknown }) => Response | Promise<Response>;

/** Stub global fetch with a simple handler; records calls. */
export function mockFetch(handler: Handler) {
  const calls: { url: string; method: string; headers: Headers; body: unknown }[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    let url: string;
    let method: string;
    let headers: Headers;
    let rawBody: string | null = null;
    if (input instanceof Request) {
      url = input.url;
      method = input.method;
      headers = input.headers;
      rawBody = input.body ? await input.text() : null;
    } else {
      url = String(input);
      method = (init?.method ?? "GET").toUpperCase();
      headers = new Headers(init?.headers);
      rawBody = typeof init?.body === "string" ? init.body : null;
    }
    const body = rawBody ? JSON.parse(rawBody) : undefined;
    const call = { url, method, headers, body };
    calls.push(call);
    return handler(call);
  });
  vi.stubGlobal("fetch", fn);
  return { fn, calls };
}
