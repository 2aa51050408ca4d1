import { describe, expect, it } from "vitest";
import { request } from "@/lib/api-client";
import { getProfile } from "@/features/profile/api/get-profile";
import { NotAuthenticatedError, ValidationError } from "@/lib/errors";
import { i18n } from "@/lib/i18n";
import { jsonResponse, mockFetch } from "@/testing/test-utils";

describe("api client", () => {
  it("sends CSRF token on unsafe methods and the UI language on every request", async () => {
    const { calls } = mockFetch(() => jsonResponse(200, { ok: true }));
    await i18n.changeLanguage("en");
    await request("/x", { method: "POST", body: { a: 1 } });
    await request("/y");
    expect(calls[0]!.headers.get("X-CSRFToken")).toBe("test-csrf-token");
    expect(calls[0]!.headers.get("Accept-Language")).toBe("en");
    expect(calls[0]!.body).toEqual({ a: 1 });
    expect(calls[1]!.headers.get("X-CSRFToken")).toBeNull();
    expect(calls[1]!.headers.get("Accept-Language")).toBe("en");
  });

  it("throws typed errors for DRF responses (openapi-fetch client)", async () => {
    mockFetch(() => jsonResponse(401, { code: "not_authenticated", message: "Jelentkezzen be." }));
    await expect(getProfile()).rejects.toBeInstanceOf(NotAuthenticatedError);
  });

  it("keeps DRF field errors on 400", async () => {
    mockFetch(() => jsonResponse(400, { code: "invalid", message: "Hibás", fields: { phone: ["Rossz szám"] } }));
    const err = await request("/api/v1/me/profile/", { method: "PATCH", body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors).toEqual({ phone: ["Rossz szám"] });
  });
});
