import { describe, expect, it } from "vitest";
import { i18n } from "@/lib/i18n";
import {
  ConflictError,
  NetworkError,
  NotAuthenticatedError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  ValidationError,
  errorForStatus,
  parseAllauthError,
  parseDrfError,
} from "@/lib/errors";
import { fieldId, summaryItems, toFormErrors } from "@/lib/form";

describe("allauth error mapping", () => {
  it("maps param to field and keeps param-less errors as form errors", () => {
    const payload = parseAllauthError({
      status: 400,
      errors: [
        { message: "Adjon meg egy érvényes e-mail-címet.", code: "invalid", param: "email" },
        { message: "Ez a jelszó túl gyakori.", code: "password_too_common", param: "password" },
        { message: "A jelszó túl rövid.", code: "password_too_short", param: "password" },
        { message: "Túl sok sikertelen próbálkozás.", code: "too_many_login_attempts" },
      ],
    });
    expect(payload.fieldErrors).toEqual({
      email: ["Adjon meg egy érvényes e-mail-címet."],
      password: ["Ez a jelszó túl gyakori.", "A jelszó túl rövid."],
    });
    expect(payload.formErrors).toEqual(["Túl sok sikertelen próbálkozás."]);
    expect(payload.code).toBe("invalid");
  });

  it("tolerates unexpected bodies", () => {
    expect(parseAllauthError("oops").fieldErrors ?? {}).toEqual({});
    expect(parseAllauthError({ status: 400 }).fieldErrors).toEqual({});
  });
});

describe("DRF error mapping", () => {
  it("flattens nested field errors with dotted keys", () => {
    const payload = parseDrfError({
      code: "invalid",
      message: "Érvénytelen adatok.",
      fields: {
        family_name: ["Kötelező mező."],
        permanent_address: { postcode: ["Az irányítószám 4 számjegy."], street_name: ["Kötelező mező."] },
        non_field_errors: ["Általános hiba."],
      },
    });
    expect(payload.code).toBe("invalid");
    expect(payload.message).toBe("Érvénytelen adatok.");
    expect(payload.fieldErrors).toEqual({
      family_name: ["Kötelező mező."],
      "permanent_address.postcode": ["Az irányítószám 4 számjegy."],
      "permanent_address.street_name": ["Kötelező mező."],
    });
    expect(payload.formErrors).toEqual(["Általános hiba."]);
  });

  it("field ids match dotted names", () => {
    expect(fieldId("permanent_address.postcode")).toBe("field-permanent_address-postcode");
  });
});

describe("status code → typed error", () => {
  it.each([
    [400, ValidationError],
    [401, NotAuthenticatedError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [429, RateLimitError],
    [500, ServerError],
    [503, ServerError],
  ])("%i", (status, cls) => {
    const err = errorForStatus(status, { code: "x" });
    expect(err).toBeInstanceOf(cls);
    expect(err.status).toBe(status);
  });

  it("turns non-field errors into a localized form error", () => {
    const t = i18n.getFixedT("hu");
    expect(toFormErrors(t, new NetworkError()).formErrors[0]).toMatch(/kapcsolódni/);
    expect(toFormErrors(t, errorForStatus(500)).formErrors[0]).toBe(t("errors.server"));
    const withFields = errorForStatus(400, parseDrfError({ code: "invalid", message: "m", fields: { phone: ["Hibás"] } }));
    expect(toFormErrors(t, withFields).fieldErrors).toEqual({ phone: ["Hibás"] });
  });

  it("orders summary items by field order and keeps unknown fields unlinked", () => {
    const items = summaryItems(
      { fieldErrors: { b: ["B"], a: ["A"], zzz: ["Z"] }, formErrors: ["F"] },
      ["a", "b"],
    );
    expect(items).toEqual([{ message: "F" }, { field: "a", message: "A" }, { field: "b", message: "B" }, { message: "Z" }]);
  });
});
