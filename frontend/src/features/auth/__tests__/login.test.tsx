import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { routes } from "@/app/router";
import { jsonResponse, mockFetch, renderRoutes } from "@/testing/test-utils";

const anon = { status: 401, data: { flows: [{ id: "login" }] }, meta: { is_authenticated: false } };

describe("login and signup", () => {
  it("maps allauth 400 errors onto the form fields", async () => {
    const { calls } = mockFetch(({ url }) => {
      if (url.includes("/auth/session")) return jsonResponse(401, anon);
      if (url.includes("/config")) return jsonResponse(200, { status: 200, data: {} });
      if (url.includes("/auth/login"))
        return jsonResponse(400, {
          status: 400,
          errors: [{ message: "A megadott e-mail-cím és/vagy jelszó hibás.", code: "email_password_mismatch", param: "password" }],
        });
      return jsonResponse(404, {});
    });
    renderRoutes(routes, "/account/login");
    await userEvent.type(await screen.findByLabelText(/E-mail-cím/), "kiss.anna@example.hu");
    await userEvent.type(screen.getByLabelText(/^Jelszó/), "rossz-jelszo");
    await userEvent.click(screen.getByRole("button", { name: "Bejelentkezés" }));
    expect(await screen.findByTestId("error-summary")).toHaveFocus();
    expect(screen.getByLabelText(/^Jelszó/)).toHaveAccessibleDescription(/hibás/);
    const login = calls.find((c) => c.url.includes("/auth/login"))!;
    expect(login.body).toEqual({ email: "kiss.anna@example.hu", password: "rossz-jelszo" });
    expect(login.headers.get("X-CSRFToken")).toBe("test-csrf-token");
  });

  it("goes to next after a successful login", async () => {
    let loggedIn = false;
    mockFetch(({ url }) => {
      const authed = { status: 200, data: { user: { id: 1, email: "a@b.hu" }, methods: [] }, meta: { is_authenticated: true } };
      if (url.includes("/auth/session")) return jsonResponse(loggedIn ? 200 : 401, loggedIn ? authed : anon);
      if (url.includes("/auth/login")) {
        loggedIn = true;
        return jsonResponse(200, authed);
      }
      if (url.includes("/api/v1/me/identification/"))
        return jsonResponse(200, { status: "verified", verified_at: "2025-01-02T10:00:00Z", office: null, what_to_bring: [], message: "" });
      return jsonResponse(200, { status: 200, data: {} });
    });
    const { router } = renderRoutes(routes, "/account/login?next=%2Fidentification");
    await userEvent.type(await screen.findByLabelText(/E-mail-cím/), "a@b.hu");
    await userEvent.type(screen.getByLabelText(/^Jelszó/), "jelszo12345");
    await userEvent.click(screen.getByRole("button", { name: "Bejelentkezés" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/identification"));
    expect(await screen.findByRole("heading", { level: 1, name: "Személyazonosítás" })).toHaveFocus();
  });

  it("shows the check-your-inbox page after signup with a pending verify_email flow", async () => {
    mockFetch(({ url }) => {
      if (url.includes("/auth/session")) return jsonResponse(401, anon);
      if (url.includes("/auth/signup"))
        return jsonResponse(401, { status: 401, data: { flows: [{ id: "verify_email", is_pending: true }] }, meta: { is_authenticated: false } });
      return jsonResponse(200, { status: 200, data: {} });
    });
    const { router } = renderRoutes(routes, "/account/signup");
    await userEvent.type(await screen.findByLabelText(/E-mail-cím/), "uj@example.hu");
    await userEvent.type(screen.getByLabelText(/^Jelszó \(/), "hosszu-jelszo-1");
    await userEvent.type(screen.getByLabelText(/^Jelszó még egyszer/), "hosszu-jelszo-1");
    await userEvent.click(screen.getByRole("button", { name: "Fiók létrehozása" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/account/verify-email"));
    expect(await screen.findByText(/uj@example\.hu/)).toBeInTheDocument();
  });
});
