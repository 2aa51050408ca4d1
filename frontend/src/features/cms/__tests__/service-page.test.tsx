import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { routes } from "@/app/router";
import { i18n } from "@/lib/i18n";
import { jsonResponse, mockFetch, renderRoutes } from "@/testing/test-utils";

const SLUG = "lakossagi-varakozasi-hozzajarulas";

const signedIn = {
  status: 200,
  data: { user: { id: 1, display: "Kiss Anna", email: "kiss.anna@example.hu", has_usable_password: true }, methods: [] },
  meta: { is_authenticated: true },
};
const signedOut = { status: 401, data: { flows: [] }, meta: { is_authenticated: false } };

const servicePages = {
  hu: {
    id: 7,
    title: "Lakossági várakozási hozzájárulás",
    meta: { type: "cms.ServicePage", slug: SLUG, locale: "hu" },
    service_code: "parking_permit",
    intro: "Ingyenes várakozás a lakóhelye szerinti övezetben.",
    who_can_apply: "<ul><li>XII. kerületi állandó lakcímmel rendelkező lakos</li></ul>",
    procedure: [
      { type: "heading", value: "Online, néhány perc alatt", id: "b1" },
      { type: "paragraph", value: "<ol><li>Jelentkezzen be.</li></ol><script>alert(1)</script>", id: "b2" },
      { type: "notice", value: { title: "Figyelem", text: "Csak az első járműre." }, id: "b3" },
    ],
    documents_needed: "<p>Nem kell iratot feltöltenie.</p>",
    deadlines: "<p>A döntés azonnal megszületik.</p>",
    fee: "Díjmentes",
    legal_basis: '<p><a href="https://njt.hu/" onclick="steal()">30/2010. (VI. 28.) önkormányzati rendelet</a></p>',
  },
  en: {
    id: 8,
    title: "Residential parking permit",
    meta: { type: "cms.ServicePage", slug: SLUG, locale: "en" },
    service_code: "parking_permit",
    intro: "Free parking in the zone where you live.",
    who_can_apply: "<ul><li>Residents of District XII</li></ul>",
    procedure: [{ type: "paragraph", value: "<p>Sign in and apply.</p>", id: "b1" }],
    documents_needed: "<p>Nothing to upload.</p>",
    deadlines: "<p>Decided at once.</p>",
    fee: "Free of charge",
    legal_basis: "<p>Local decree 30/2010.</p>",
  },
} as const;

const standardPage = {
  id: 5,
  title: "Az e-ügyintézésről",
  meta: { type: "cms.StandardPage", slug: "e-ugyintezes", locale: "hu" },
  intro: "Tudnivalók",
  body: [{ type: "paragraph", value: "<p>Szöveg</p>", id: "s1" }],
};

function mockCms({ session = signedIn }: { session?: object } = {}) {
  return mockFetch(({ url }) => {
    const u = new URL(url, "http://localhost");
    if (u.pathname.includes("/auth/session")) return jsonResponse((session as { status: number }).status, session);
    if (u.pathname === "/api/cms/pages/") {
      const type = u.searchParams.get("type");
      const locale = (u.searchParams.get("locale") ?? "hu") as "hu" | "en";
      const slug = u.searchParams.get("slug");
      let items: object[] = [];
      if (type === "cms.ServicePage") items = [servicePages[locale]].filter((p) => !slug || p.meta.slug === slug);
      if (type === "cms.StandardPage") items = [standardPage].filter((p) => locale === "hu" && (!slug || p.meta.slug === slug));
      return jsonResponse(200, { meta: { total_count: items.length }, items });
    }
    return jsonResponse(404, { message: "Not found" });
  });
}

describe("service page", () => {
  it("renders the title, intro, apply button and the sections, with sanitized HTML", async () => {
    const { calls } = mockCms();
    renderRoutes(routes, `/pages/${SLUG}`);

    expect(await screen.findByRole("heading", { level: 1, name: "Lakossági várakozási hozzájárulás" })).toBeInTheDocument();
    expect(screen.getByText("Ingyenes várakozás a lakóhelye szerinti övezetben.")).toHaveClass("lead");
    expect(await screen.findByRole("link", { name: "Igénylés online" })).toHaveAttribute("href", "/services/parking-permit");

    const sections = screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent);
    expect(sections).toEqual([
      "Ki igényelheti?",
      "Az ügyintézés menete",
      "Szükséges iratok",
      "Határidők",
      "Díj",
      "Jogszabályi háttér",
    ]);
    const who = screen.getByRole("region", { name: "Ki igényelheti?" });
    expect(within(who).getByText("XII. kerületi állandó lakcímmel rendelkező lakos")).toBeInTheDocument();
    const procedure = screen.getByRole("region", { name: "Az ügyintézés menete" });
    expect(within(procedure).getByRole("heading", { level: 3, name: "Online, néhány perc alatt" })).toBeInTheDocument();
    expect(within(procedure).getByRole("complementary", { name: "Figyelem" })).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Díj" })).getByText("Díjmentes")).toBeInTheDocument();

    expect(document.querySelector("script")).toBeNull();
    const legal = within(screen.getByRole("region", { name: "Jogszabályi háttér" })).getByRole("link");
    expect(legal).not.toHaveAttribute("onclick");
    expect(legal).toHaveAttribute("rel", "noopener noreferrer");

    const request = calls.find((c) => c.url.includes("type=cms.ServicePage"))!;
    const params = new URL(request.url, "http://localhost").searchParams;
    expect(params.get("slug")).toBe(SLUG);
    expect(params.get("locale")).toBe("hu");
    expect(params.get("fields")).toContain("legal_basis");
  });

  it("sends signed-out residents through the login page back to the wizard", async () => {
    mockCms({ session: signedOut });
    renderRoutes(routes, `/pages/${SLUG}`);
    const apply = await screen.findByRole("link", { name: "Igénylés online" });
    expect(apply).toHaveAttribute("href", "/account/login?next=%2Fservices%2Fparking-permit");
    expect(screen.getByText("Az online igényléshez be kell jelentkeznie.")).toBeInTheDocument();
  });

  it("renders in English", async () => {
    mockCms();
    await i18n.changeLanguage("en");
    renderRoutes(routes, `/pages/${SLUG}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Residential parking permit" })).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Apply online" })).toHaveAttribute("href", "/services/parking-permit");
    for (const name of ["Who can apply", "How it works", "Documents", "Deadlines", "Fee", "Legal basis"]) {
      expect(screen.getByRole("heading", { level: 2, name })).toBeInTheDocument();
    }
  });

  it("falls back to a standard page when no service page has the slug", async () => {
    mockCms();
    renderRoutes(routes, "/pages/e-ugyintezes");
    expect(await screen.findByRole("heading", { level: 1, name: "Az e-ügyintézésről" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Igénylés online" })).toBeNull();
  });

  it("says so when neither page type has the slug", async () => {
    mockCms();
    renderRoutes(routes, "/pages/nincs-ilyen");
    expect(await screen.findByText("Ez a tájékoztató nem található, vagy ezen a nyelven nem érhető el.")).toBeInTheDocument();
  });
});

describe("home page", () => {
  it("lists the e-services as cards linking to their pages", async () => {
    mockCms();
    renderRoutes(routes, "/");
    const section = await screen.findByRole("region", { name: "E-ügyintézési szolgáltatások" });
    const link = within(section).getByRole("link", { name: "Lakossági várakozási hozzájárulás" });
    expect(link).toHaveAttribute("href", `/pages/${SLUG}`);
    expect(within(section).getByText("Ingyenes várakozás a lakóhelye szerinti övezetben.")).toBeInTheDocument();
    // information pages stay in their own list
    expect(await screen.findByRole("link", { name: "Az e-ügyintézésről" })).toHaveAttribute("href", "/pages/e-ugyintezes");
  });
});
