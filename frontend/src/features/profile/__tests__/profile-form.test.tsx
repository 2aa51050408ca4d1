import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Profile } from "@/lib/api/types";
import { jsonResponse, mockFetch, renderWithProviders } from "@/testing/test-utils";
import { ProfileForm } from "../components/profile-form";
import { valuesToUpdate, profileToValues } from "../lib/profile-form";

const address = {
  postcode: "1123",
  settlement: "Budapest",
  district: "XII",
  street_name: "Városmajor",
  street_type: "utca",
  house_number: "12",
  building: "",
  floor: "",
  door: "",
};

const profile: Profile = {
  email: "kiss.anna@example.hu",
  family_name: "Kiss",
  given_names: "Anna",
  birth_name: "Kiss Anna",
  mother_birth_name: "Nagy Mária",
  birth_date: "1985-04-12",
  birth_place: "Budapest",
  phone: "+36301234567",
  permanent_address: address,
  mailing_address: null,
  mailing_same_as_permanent: true,
  identification_status: "unverified",
};

describe("ProfileForm", () => {
  it("shows server field errors inline and in the focused error summary", async () => {
    const { calls } = mockFetch(() =>
      jsonResponse(400, {
        code: "invalid",
        message: "Hibás adatok.",
        fields: {
          phone: ["Érvénytelen telefonszám."],
          permanent_address: { postcode: ["Ez az irányítószám nem létezik."] },
        },
      }),
    );
    renderWithProviders(<ProfileForm profile={profile} />);

    await userEvent.click(screen.getByRole("button", { name: "Mentés" }));

    const summary = await screen.findByTestId("error-summary");
    await waitFor(() => expect(summary).toHaveFocus());
    expect(calls[0]!.method).toBe("PATCH");
    expect(calls[0]!.url).toMatch(/\/api\/v1\/me\/profile\/$/);
    expect(calls[0]!.headers.get("X-CSRFToken")).toBe("test-csrf-token");

    const phone = screen.getByLabelText(/Telefonszám/);
    expect(phone).toHaveAttribute("aria-invalid", "true");
    expect(phone).toHaveAccessibleDescription(/Érvénytelen telefonszám\./);
    const postcode = screen.getByLabelText(/Irányítószám/);
    expect(postcode).toHaveAttribute("aria-invalid", "true");
    expect(postcode).toHaveAttribute("inputmode", "numeric");
    expect(postcode).toHaveAccessibleDescription(/Ez az irányítószám nem létezik\./);
    expect(screen.getByRole("link", { name: "Ez az irányítószám nem létezik." })).toHaveAttribute(
      "href",
      "#field-permanent_address-postcode",
    );
  });

  it("validates on the client before sending", async () => {
    const { calls } = mockFetch(() => jsonResponse(200, profile));
    renderWithProviders(<ProfileForm profile={{ ...profile, family_name: "" }} />);
    await userEvent.click(screen.getByRole("button", { name: "Mentés" }));
    expect(await screen.findByTestId("error-summary")).toHaveFocus();
    expect(screen.getByLabelText(/Családi név/)).toHaveAttribute("aria-invalid", "true");
    expect(calls).toHaveLength(0);
  });

  it("shows identity data read-only when verified and does not send it", async () => {
    const { calls } = mockFetch(() => jsonResponse(200, { ...profile, identification_status: "verified" }));
    renderWithProviders(<ProfileForm profile={{ ...profile, identification_status: "verified" }} />);
    expect(screen.queryByLabelText(/Családi név/)).toBeNull();
    expect(screen.getByText(/nem módosíthatók/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Mentés" }));
    expect(await screen.findByText("Adatait elmentettük.")).toBeInTheDocument();
    expect(calls[0]!.body).not.toHaveProperty("family_name");
    expect(calls[0]!.body).not.toHaveProperty("permanent_address");
    expect(calls[0]!.body).toHaveProperty("phone", "+36301234567");
  });

  it("uses autocomplete attributes", () => {
    mockFetch(() => jsonResponse(200, profile));
    renderWithProviders(<ProfileForm profile={profile} />);
    expect(screen.getByLabelText(/Családi név/)).toHaveAttribute("autocomplete", "family-name");
    expect(screen.getByLabelText(/Utónév/)).toHaveAttribute("autocomplete", "given-name");
    expect(screen.getByLabelText(/Születési idő/)).toHaveAttribute("autocomplete", "bday");
    expect(screen.getByLabelText(/Telefonszám/)).toHaveAttribute("autocomplete", "tel");
    expect(screen.getByLabelText(/Irányítószám/).getAttribute("autocomplete")).toContain("postal-code");
    expect(screen.getByLabelText(/^Település/).getAttribute("autocomplete")).toContain("address-level2");
  });
});

describe("profile payload", () => {
  it("sends null for an empty address and for the mailing address when same as permanent", () => {
    const values = profileToValues({ ...profile, permanent_address: null });
    const body = valuesToUpdate(values, false);
    expect(body.permanent_address).toBeNull();
    expect(body.mailing_address).toBeNull();
    expect(body.birth_date).toBe("1985-04-12");
  });
});
