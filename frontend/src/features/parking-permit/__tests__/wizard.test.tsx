import { act, screen, waitFor, within } from "@testing-library/react";
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

const services = [{ code: "parking_permit", name: "Lakossági várakozási hozzájárulás", fee_huf: 0, validity_days: 365 }];

const eligible: Eligibility = {
  eligible: true,
  rules_version: "2026-11-01",
  results: [
    { code: "natural_person_identified", passed: true, explanation: "A kérelmező személyazonosságát ellenőriztük." },
    { code: "first_vehicle_only", passed: true, explanation: "A kérelem az első járműre vonatkozik." },
  ],
};

const refused: Eligibility = {
  eligible: false,
  rules_version: "2026-11-01",
  results: [
    { code: "natural_person_identified", passed: true, explanation: "A kérelmező személyazonosságát ellenőriztük." },
    { code: "first_vehicle_only", passed: false, explanation: "Hozzájárulás csak az első járműre (ABC-123) adható." },
  ],
};

interface Api {
  profile?: Profile;
  vehicles?: () => Response;
  eligibility?: (plate: string) => Response;
  submit?: () => Response;
}

function mockApi(overrides: Api = {}) {
  return mockFetch(({ url, method, body }) => {
    const path = new URL(url, "http://localhost").pathname;
    if (path.includes("/auth/session")) return jsonResponse(200, session);
    if (path === "/api/v1/me/profile/") return jsonResponse(200, overrides.profile ?? profile);
    if (path === "/api/v1/services/") return jsonResponse(200, services);
    if (path === "/api/v1/services/parking_permit/vehicles/") return overrides.vehicles?.() ?? jsonResponse(200, vehicles);
    if (path === "/api/v1/services/parking_permit/eligibility/" && method === "POST") {
      const plate = (body as { plate: string }).plate;
      return overrides.eligibility?.(plate) ?? jsonResponse(200, plate === "ABC-123" ? eligible : refused);
    }
    if (path === "/api/v1/cases/" && method === "POST") return overrides.submit?.() ?? jsonResponse(201, { reference: "VH-2026-000042" });
    return jsonResponse(404, { code: "not_found", message: "Nem található.", fields: {} });
  });
}

describe("parking permit wizard", () => {
  it("shows the verified details with the step indicator, and continues to the vehicle step", async () => {
    mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit");
    const heading = await screen.findByRole("heading", { level: 1, name: /1\/3\. lépés.*Az Ön adatai/ });
    expect(heading).toBeInTheDocument();
    expect(screen.getByText("Kiss Anna")).toBeInTheDocument();
    expect(screen.getByText(/1123 Budapest, XII\., Városmajor utca 12/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Adataim megtekintése" })).toHaveAttribute("href", "/profile");
    expect(screen.getByRole("link", { name: "Részletes tájékoztató a szolgáltatásról" })).toHaveAttribute(
      "href",
      "/pages/lakossagi-varakozasi-hozzajarulas",
    );
    expect(screen.getByRole("list", { name: "Az igénylés lépései" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("link", { name: "Tovább" }));
    const step2 = await screen.findByRole("heading", { level: 1, name: /2\/3\. lépés.*Jármű kiválasztása/ });
    await waitFor(() => expect(step2).toHaveFocus());
    expect(router.state.location.pathname).toBe("/services/parking-permit/vehicle");
  });

  it("pre-selects the first vehicle and warns before continuing with another one", async () => {
    mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit/vehicle");
    const group = await screen.findByRole("group", { name: "Melyik járművére kéri a hozzájárulást?" });
    const first = await within(group).findByRole("radio", { name: /ABC-123/ });
    const second = within(group).getByRole("radio", { name: /AA-BC-123/ });
    expect(first).toBeChecked();
    expect(second).not.toBeChecked();
    expect(first).toHaveAccessibleDescription(/Jogosult jármű/);
    expect(second).not.toHaveAccessibleDescription(/Jogosult jármű/);
    expect(first).toHaveAccessibleDescription(/2015\. március 2\. óta/);
    expect(screen.queryByText("Erre a járműre nem adható hozzájárulás")).toBeNull();

    await userEvent.click(second);
    expect(second).toBeChecked();
    expect(screen.getByText("Erre a járműre nem adható hozzájárulás")).toBeInTheDocument();
    expect(screen.getByText(/Az Ön esetében ez a\(z\) ABC-123 rendszámú jármű/)).toBeInTheDocument();

    await userEvent.click(first);
    expect(screen.queryByText("Erre a járműre nem adható hozzájárulás")).toBeNull();

    await userEvent.click(second);
    await userEvent.click(screen.getByRole("button", { name: "Tovább" }));
    await screen.findByRole("heading", { level: 1, name: /3\/3\. lépés/ });
    expect(router.state.location.pathname).toBe("/services/parking-permit/check");
    expect(router.state.location.search).toBe("?plate=AA-BC-123");

    // Back keeps the choice
    await act(() => router.navigate(-1));
    expect(await screen.findByRole("radio", { name: /AA-BC-123/ })).toBeChecked();
  });

  it("explains when the registry lists no vehicle", async () => {
    mockApi({ vehicles: () => jsonResponse(200, []) });
    renderRoutes(routes, "/services/parking-permit/vehicle");
    expect(await screen.findByText("Nincs az Ön nevén forgalomban lévő jármű")).toBeInTheDocument();
    expect(screen.queryByRole("radio")).toBeNull();
    expect(screen.queryByRole("button", { name: "Tovább" })).toBeNull();
  });

  it("shows an error with retry when the registry is down", async () => {
    mockApi({ vehicles: () => jsonResponse(503, { code: "unavailable", message: "Nem elérhető.", fields: {} }) });
    renderRoutes(routes, "/services/parking-permit/vehicle");
    expect(await screen.findByText("A járműnyilvántartás most nem érhető el.", {}, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Újrapróbálás" })).toBeInTheDocument();
  });

  it("renders each rule as met or not met and offers the primary submit when eligible", async () => {
    const { calls } = mockApi();
    renderRoutes(routes, "/services/parking-permit/check?plate=ABC-123");
    const rules = await screen.findByTestId("rule-list");
    const items = within(rules).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("Teljesül: A kérelmező személyazonosságát ellenőriztük.");
    expect(screen.getByText("Minden feltétel teljesül")).toBeInTheDocument();
    expect(screen.getByText("Díjmentes")).toBeInTheDocument();
    expect(screen.getByText("A döntéstől számított 365 nap")).toBeInTheDocument();
    const submit = screen.getByRole("button", { name: "Kérelem benyújtása" });
    expect(submit).toHaveClass("button--primary");
    const call = calls.find((c) => c.url.includes("/eligibility/"))!;
    expect(call.method).toBe("POST");
    expect(call.body).toEqual({ plate: "ABC-123" });
    expect(call.headers.get("Accept-Language")).toBe("hu");
    expect(call.headers.get("X-CSRFToken")).toBe("test-csrf-token");
  });

  it("says why the application would be refused but still allows submitting it", async () => {
    const { calls } = mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit/check?plate=AA-BC-123");
    const rules = await screen.findByTestId("rule-list");
    const failed = within(rules).getAllByRole("listitem")[1]!;
    expect(failed).toHaveTextContent("Nem teljesül: Hozzájárulás csak az első járműre (ABC-123) adható.");
    expect(failed).toHaveAttribute("data-rule", "first_vehicle_only");
    expect(screen.getByText("A kérelmet a jelenlegi adatok alapján el kellene utasítanunk")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Kérelem benyújtása" })).toBeNull();
    const anyway = screen.getByRole("button", { name: "Benyújtás így is (elutasító döntést kapok)" });
    expect(anyway).toHaveClass("button--secondary");

    await userEvent.click(anyway);
    await waitFor(() => expect(router.state.location.pathname).toBe("/cases/VH-2026-000042"));
    const submitCall = calls.find((c) => c.url.endsWith("/api/v1/cases/") && c.method === "POST")!;
    expect(submitCall.body).toEqual({ service: "parking_permit", plate: "AA-BC-123" });
  });

  it("shows the server's message in the focused error summary when a case is already in progress (409)", async () => {
    mockApi({
      submit: () =>
        jsonResponse(409, {
          code: "case_in_progress",
          message: "A(z) VH-2026-000041 számú kérelmét már feldolgozzuk.",
          fields: {},
        }),
    });
    const { router } = renderRoutes(routes, "/services/parking-permit/check?plate=ABC-123");
    await userEvent.click(await screen.findByRole("button", { name: "Kérelem benyújtása" }));
    const summary = await screen.findByTestId("error-summary");
    await waitFor(() => expect(summary).toHaveFocus());
    expect(summary).toHaveTextContent("A(z) VH-2026-000041 számú kérelmét már feldolgozzuk.");
    expect(within(summary).getByRole("link", { name: "Ügyeim megtekintése" })).toHaveAttribute("href", "/cases");
    expect(router.state.location.pathname).toBe("/services/parking-permit/check");
    // can try again
    expect(screen.getByRole("button", { name: "Kérelem benyújtása" })).toBeEnabled();
  });

  it("lists plate field errors from a 400 in the error summary", async () => {
    mockApi({
      submit: () => jsonResponse(400, { code: "invalid", message: "Hibás adatok.", fields: { plate: ["Adjon meg egy magyar rendszámot."] } }),
    });
    renderRoutes(routes, "/services/parking-permit/check?plate=ABC-123");
    await userEvent.click(await screen.findByRole("button", { name: "Kérelem benyújtása" }));
    expect(await screen.findByTestId("error-summary")).toHaveTextContent("Adjon meg egy magyar rendszámot.");
  });

  it("goes back to the vehicle step when the check step has no plate", async () => {
    mockApi();
    const { router } = renderRoutes(routes, "/services/parking-permit/check");
    await screen.findByRole("heading", { level: 1, name: /2\/3\. lépés/ });
    expect(router.state.location.pathname).toBe("/services/parking-permit/vehicle");
  });
});

describe("parking permit wizard – not identified", () => {
  it("explains and links to the identification page instead of the wizard", async () => {
    const { calls } = mockApi({ profile: { ...profile, identification_status: "pending" } });
    renderRoutes(routes, "/services/parking-permit/vehicle");
    expect(await screen.findByRole("heading", { level: 1, name: "Parkolási hozzájárulás igénylése" })).toBeInTheDocument();
    expect(screen.getByText("Az igényléshez személyazonosítás szükséges")).toBeInTheDocument();
    expect(screen.getByText(/jelenlegi állapota: Folyamatban\./)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "A személyazonosítás teendői" })).toHaveAttribute("href", "/identification");
    expect(screen.queryByRole("radio")).toBeNull();
    expect(calls.some((c) => c.url.includes("/vehicles/"))).toBe(false);
  });

  it("also when the vehicle registry call answers 403 not_identified", async () => {
    mockApi({
      vehicles: () => jsonResponse(403, { code: "not_identified", message: "Előbb azonosítania kell magát.", fields: {} }),
    });
    renderRoutes(routes, "/services/parking-permit");
    expect(await screen.findByText("Az igényléshez személyazonosítás szükséges")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "A személyazonosítás teendői" })).toHaveAttribute("href", "/identification");
    expect(screen.queryByRole("heading", { name: /1\/3/ })).toBeNull();
  });
});
