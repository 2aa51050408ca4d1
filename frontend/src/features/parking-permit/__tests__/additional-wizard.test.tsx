import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { routes } from "@/app/router";
import type { Eligibility, Profile, Vehicle } from "@/lib/api/types";
import { jsonResponse, mockFetch, renderRoutes } from "@/testing/test-utils";

const session = {
  status: 200,
  data: { user: { id: 1, display: "Kiss Anna", email: "kiss.anna@example.hu", has_usable_password: true }, methods: [] },
  meta: { is_authenticated: true },
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
  permanent_address: {
    postcode: "1123",
    settlement: "Budapest",
    district: "XII",
    street_name: "Városmajor",
    street_type: "utca",
    house_number: "12",
    building: "",
    floor: "",
    door: "",
  },
  mailing_address: null,
  mailing_same_as_permanent: true,
  identification_status: "verified",
};

const vehicles: Vehicle[] = [
  { plate: "ABC-123", make: "Suzuki", model: "Swift", owner_since: "2015-03-02", is_first: true },
  { plate: "AA-BC-123", make: "Škoda", model: "Octavia", owner_since: "2023-06-20", is_first: false },
];

const services = [
  { code: "parking_permit", name: "Lakossági várakozási hozzájárulás", fee_huf: 0, validity_days: 365 },
  { code: "parking_permit_additional", name: "Lakossági várakozási hozzájárulás további gépjárműre", fee_huf: 24000, validity_days: 365 },
];

const eligible: Eligibility = {
  eligible: true,
  rules_version: "2026-11-01",
  results: [
    { code: "natural_person_identified", passed: true, explanation: "A kérelmező személyazonosságát ellenőriztük." },
    { code: "holds_first_vehicle_permit", passed: true, explanation: "Az első járművére (ABC-123) érvényes hozzájárulása van." },
  ],
};

const refused: Eligibility = {
  eligible: false,
  rules_version: "2026-11-01",
  results: [
    { code: "natural_person_identified", passed: true, explanation: "A kérelmező személyazonosságát ellenőriztük." },
    { code: "further_vehicle_only", passed: false, explanation: "Az első járműre (ABC-123) díjmentes hozzájárulás jár." },
  ],
};

function mockApi({ profileOverride }: { profileOverride?: Profile } = {}) {
  return mockFetch(({ url, method, body }) => {
    const path = new URL(url, "http://localhost").pathname;
    if (path.includes("/auth/session")) return jsonResponse(200, session);
    if (path === "/api/v1/me/profile/") return jsonResponse(200, profileOverride ?? profile);
    if (path === "/api/v1/services/") return jsonResponse(200, services);
    if (path === "/api/v1/services/parking_permit/vehicles/") return jsonResponse(200, vehicles);
    if (path === "/api/v1/services/parking_permit_additional/eligibility/" && method === "POST") {
      const plate = (body as { plate: string }).plate;
      return jsonResponse(200, plate === "AA-BC-123" ? eligible : refused);
    }
    if (path === "/api/v1/cases/" && method === "POST") return jsonResponse(201, { reference: "VH-2026-000043" });
    return jsonResponse(404, { code: "not_found", message: "Nem található.", fields: {} });
  });
}

describe("parking permit for a further vehicle", () => {
  it("is linked from the free permit's details step", async () => {
    mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit");
    const link = await screen.findByRole("link", { name: "Második autójára is kérhet hozzájárulást (díjköteles)" });
    expect(link).toHaveAttribute("href", "/services/parking-permit-additional");

    await userEvent.click(link);
    await screen.findByRole("heading", { level: 1, name: /1\/3\. lépés.*Lakossági várakozási hozzájárulás további gépjárműre.*Az Ön adatai/ });
    expect(router.state.location.pathname).toBe("/services/parking-permit-additional");
    expect(screen.getByText(/további gépjárművére is igényelhet hozzájárulást, évi díj ellenében/)).toBeInTheDocument();
    // No link to itself on its own details step.
    expect(screen.queryByRole("link", { name: /Második autójára/ })).toBeNull();
  });

  it("pre-selects a further vehicle, and hints that the first one gets the free permit", async () => {
    mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit-additional/vehicle");
    const group = await screen.findByRole("group", { name: "Melyik járművére kéri a hozzájárulást?" });
    const first = await within(group).findByRole("radio", { name: /ABC-123/ });
    const second = within(group).getByRole("radio", { name: /AA-BC-123/ });
    expect(second).toBeChecked();
    expect(first).not.toBeChecked();
    expect(first).toHaveAccessibleDescription(/erre a díjmentes hozzájárulás jár/);
    expect(first).not.toHaveAccessibleDescription(/Jogosult jármű/);
    expect(screen.queryByText("Erre a járműre nem adható hozzájárulás")).toBeNull();

    // The first car stays selectable; a hint points to the free permit.
    await userEvent.click(first);
    expect(first).toBeChecked();
    expect(screen.getByText("Erre a járműre a díjmentes hozzájárulás jár")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Díjmentes hozzájárulás igénylése az első járműre" })).toHaveAttribute(
      "href",
      "/services/parking-permit",
    );

    await userEvent.click(second);
    await userEvent.click(screen.getByRole("button", { name: "Tovább" }));
    await screen.findByRole("heading", { level: 1, name: /3\/3\. lépés/ });
    expect(router.state.location.pathname).toBe("/services/parking-permit-additional/check");
    expect(router.state.location.search).toBe("?plate=AA-BC-123");
  });

  it("shows the service and its fee on the check step, checks this service's rules and submits it", async () => {
    const { calls } = mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit-additional/check?plate=AA-BC-123");
    await screen.findByTestId("rule-list");
    expect(screen.getByText("Minden feltétel teljesül")).toBeInTheDocument();
    const summary = screen.getByRole("region", { name: "A kérelem adatai" });
    expect(within(summary).getByText("Lakossági várakozási hozzájárulás további gépjárműre")).toBeInTheDocument();
    expect(within(summary).getByText(/^24\s000\sFt \/ év$/)).toBeInTheDocument();
    expect(within(summary).queryByText("Díjmentes")).toBeNull();
    expect(screen.getByTestId("fee-notice")).toHaveTextContent(
      /^Díj: 24\s000\sFt \/ év — csak akkor kell fizetnie, ha a kérelmet a feltételek alapján megadjuk; a fizetés módját a kérelem oldalán választhatja ki\.$/,
    );
    expect(screen.getByText(/kiadását a fenti, további járműre/)).toBeInTheDocument();

    const eligibilityCall = calls.find((c) => c.url.includes("/eligibility/"))!;
    expect(new URL(eligibilityCall.url, "http://localhost").pathname).toBe("/api/v1/services/parking_permit_additional/eligibility/");
    expect(eligibilityCall.body).toEqual({ plate: "AA-BC-123" });

    await userEvent.click(screen.getByRole("button", { name: "Kérelem benyújtása" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/cases/VH-2026-000043"));
    const submitCall = calls.find((c) => c.url.endsWith("/api/v1/cases/") && c.method === "POST")!;
    expect(submitCall.body).toEqual({ service: "parking_permit_additional", plate: "AA-BC-123" });
  });

  it("lets the resident submit for the first car anyway, with the rules explaining the refusal", async () => {
    const { calls } = mockApi();
    renderRoutes(routes, "/services/parking-permit-additional/check?plate=ABC-123");
    const rules = await screen.findByTestId("rule-list");
    expect(within(rules).getAllByRole("listitem")[1]).toHaveTextContent("Nem teljesül: Az első járműre (ABC-123) díjmentes hozzájárulás jár.");
    await userEvent.click(screen.getByRole("button", { name: "Benyújtás így is (elutasító döntést kapok)" }));
    await waitFor(() => expect(calls.some((c) => c.url.endsWith("/api/v1/cases/") && c.method === "POST")).toBe(true));
    const submitCall = calls.find((c) => c.url.endsWith("/api/v1/cases/") && c.method === "POST")!;
    expect(submitCall.body).toEqual({ service: "parking_permit_additional", plate: "ABC-123" });
  });

  it("asks for identification first, under this service's title", async () => {
    mockApi({ profileOverride: { ...profile, identification_status: "pending" } });
    renderRoutes(routes, "/services/parking-permit-additional");
    expect(
      await screen.findByRole("heading", { level: 1, name: "Várakozási hozzájárulás igénylése további gépjárműre" }),
    ).toBeInTheDocument();
    expect(screen.getByText("Az igényléshez személyazonosítás szükséges")).toBeInTheDocument();
  });
});
