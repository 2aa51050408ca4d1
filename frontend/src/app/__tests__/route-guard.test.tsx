import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { routes } from "@/app/router";
import { jsonResponse, mockFetch, renderRoutes } from "@/testing/test-utils";

const unauthenticated = {
  status: 401,
  data: { flows: [{ id: "login" }, { id: "signup" }, { id: "provider_redirect", providers: ["facebook"] }] },
  meta: { is_authenticated: false },
};

const authenticated = {
  status: 200,
  data: { user: { id: 1, display: "Kiss Anna", email: "kiss.anna@example.hu", has_usable_password: true }, methods: [] },
  meta: { is_authenticated: true },
};

const identification = {
  status: "pending",
  verified_at: null,
  office: { name: "Hegyvidéki Ügyfélszolgálat", address: "1126 Budapest, Böszörményi út 23–25.", opening_hours: ["H: 8–18"], phone: "+36 1 224 5900" },
  what_to_bring: ["Személyi igazolvány", "Lakcímkártya"],
  message: "",
};

describe("route guard", () => {
  it("redirects anonymous users to login with next", async () => {
    mockFetch(({ url }) => {
      if (url.includes("/auth/session")) return jsonResponse(401, unauthenticated);
      if (url.includes("/config")) return jsonResponse(200, { status: 200, data: { socialaccount: { providers: [{ id: "facebook", name: "Facebook" }] } } });
      return jsonResponse(404, {});
    });
    const { router } = renderRoutes(routes, "/profile");
    expect(await screen.findByRole("heading", { level: 1, name: "Bejelentkezés" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/account/login");
    expect(new URLSearchParams(router.state.location.search).get("next")).toBe("/profile");
    expect(screen.getByRole("button", { name: /Bejelentkezés Facebookkal/ })).toBeInTheDocument();
  });

  it("renders protected pages for authenticated users", async () => {
    mockFetch(({ url }) => {
      if (url.includes("/auth/session")) return jsonResponse(200, authenticated);
      if (url.includes("/api/v1/me/identification/")) return jsonResponse(200, identification);
      return jsonResponse(404, {});
    });
    const { router } = renderRoutes(routes, "/identification");
    expect(await screen.findByRole("heading", { level: 1, name: "Személyazonosítás" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/identification");
    expect(await screen.findByText("Folyamatban")).toBeInTheDocument();
    expect(screen.getByText("Lakcímkártya")).toBeInTheDocument();
    expect(screen.getAllByRole("heading", { level: 1 })).toHaveLength(1);
  });

  it("shows the 404 page for unknown routes", async () => {
    mockFetch(() => jsonResponse(401, unauthenticated));
    renderRoutes(routes, "/nincs-ilyen");
    expect(await screen.findByRole("heading", { level: 1, name: "Az oldal nem található" })).toBeInTheDocument();
  });
});
