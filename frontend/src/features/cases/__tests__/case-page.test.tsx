import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { routes } from "@/app/router";
import type { Case, CaseDetail, CaseEvent } from "@/lib/api/types";
import { jsonResponse, mockFetch, renderRoutes } from "@/testing/test-utils";

const session = {
  status: 200,
  data: { user: { id: 1, display: "Kiss Anna", email: "kiss.anna@example.hu", has_usable_password: true }, methods: [] },
  meta: { is_authenticated: true },
};

const service = { code: "parking_permit", name: "Lakossági várakozási hozzájárulás", fee_huf: 0, validity_days: 365 };

const event = (step: CaseEvent["step"], step_label: string, message: string, kind: CaseEvent["kind"] = "step_done", at = "2026-11-02T10:00:01+01:00"): CaseEvent => ({
  at,
  kind,
  step,
  step_label,
  message,
});

const submittedEvent = event("register_arrival", "Kérelem érkeztetése", "Kérelem benyújtva.", "note", "2026-11-02T10:00:00+01:00");
const arrivalDone = event("register_arrival", "Kérelem érkeztetése", "Iktatva: HV/123-1/2026.", "step_done", "2026-11-02T10:00:01+01:00");
const checksDone = event("registry_checks", "Nyilvántartások lekérdezése", "Adatok lekérdezve.", "step_done", "2026-11-02T10:00:02+01:00");
const notifyDone = event("notify", "Értesítés", "Értesítés elküldve.", "step_done", "2026-11-02T10:00:05+01:00");

const base: CaseDetail = {
  reference: "VH-2026-000042",
  service,
  status: "processing",
  status_label: "Feldolgozás alatt",
  step: "registry_checks",
  step_label: "Nyilvántartások lekérdezése",
  plate: "ABC-123",
  submitted_at: "2026-11-02T10:00:00+01:00",
  decided_at: null,
  filing_number: "HV/123-1/2026",
  permit_number: "",
  permit_valid_from: null,
  permit_valid_until: null,
  decision_ready: false,
  delivered_at: null,
  reasons: [],
  events: [submittedEvent, arrivalDone],
};

const granted: CaseDetail = {
  ...base,
  status: "granted",
  status_label: "Megadva",
  step: "done",
  step_label: "Befejezve",
  decided_at: "2026-11-02T10:00:03+01:00",
  permit_number: "HEGY-2026-00077",
  permit_valid_from: "2026-11-02",
  permit_valid_until: "2027-11-01",
  decision_ready: true,
  reasons: [{ code: "first_vehicle_only", passed: true, explanation: "Az első jármű." }],
  events: [submittedEvent, arrivalDone, checksDone, notifyDone],
};

function mockCase(sequence: CaseDetail[], extra?: (path: string) => Response | undefined) {
  let index = 0;
  const mock = mockFetch(({ url }) => {
    const path = new URL(url, "http://localhost").pathname;
    if (path.includes("/auth/session")) return jsonResponse(200, session);
    const more = extra?.(path);
    if (more) return more;
    if (path === "/api/v1/cases/VH-2026-000042/") {
      const data = sequence[Math.min(index, sequence.length - 1)]!;
      index += 1;
      return jsonResponse(200, data);
    }
    return jsonResponse(404, { code: "not_found", message: "Nem található.", fields: {} });
  });
  const caseCalls = () => mock.calls.filter((c) => c.url.endsWith("/api/v1/cases/VH-2026-000042/")).length;
  return { ...mock, caseCalls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("case page", () => {
  it("shows the reference and the timeline, polls every 1.5 s until the decision is ready, then offers the download", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const processing2 = { ...base, step: "decide" as const, step_label: "Döntéshozatal", events: [submittedEvent, arrivalDone, checksDone] };
    const { caseCalls } = mockCase([base, processing2, granted]);
    renderRoutes(routes, "/cases/VH-2026-000042");

    expect(await screen.findByRole("heading", { level: 1, name: /VH-2026-000042/ })).toBeInTheDocument();
    const timeline = await screen.findByTestId("timeline");
    expect(within(timeline).getAllByRole("listitem")).toHaveLength(3); // 2 events + the running step
    expect(within(timeline).getByText("Folyamatban: Nyilvántartások lekérdezése")).toBeInTheDocument();
    expect(within(timeline).getByText("Iktatva: HV/123-1/2026.")).toBeInTheDocument();
    // the submission is a note: it says what happened, not the name of the step after it
    const [submitted, arrived] = within(timeline).getAllByRole("listitem");
    expect(submitted.querySelector(".timeline__title")).toHaveTextContent("Kérelem benyújtva.");
    expect(submitted).not.toHaveTextContent("Kérelem érkeztetése");
    expect(arrived.querySelector(".timeline__title")).toHaveTextContent("Kérelem érkeztetése");
    const times = timeline.querySelectorAll("time");
    expect(times[0]).toHaveAttribute("datetime", "2026-11-02T10:00:00+01:00");
    expect(screen.getByText("Feldolgozás alatt")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /Határozat letöltése/ })).toBeNull();
    expect(screen.getByTestId("case-announcer")).toHaveTextContent("");
    expect(caseCalls()).toBe(1);

    await act(() => vi.advanceTimersByTimeAsync(1_500));
    await waitFor(() => expect(caseCalls()).toBe(2));
    expect(await within(timeline).findByText("Adatok lekérdezve.")).toBeInTheDocument();
    expect(screen.getByTestId("case-announcer")).toHaveTextContent("Elkészült lépés: Nyilvántartások lekérdezése");

    await act(() => vi.advanceTimersByTimeAsync(1_500));
    await waitFor(() => expect(caseCalls()).toBe(3));
    expect(await screen.findByRole("heading", { name: /A hozzájárulást megadtuk/ })).toBeInTheDocument();
    expect(screen.getByText("HEGY-2026-00077")).toBeInTheDocument();
    expect(screen.getByText("2027. november 1.")).toBeInTheDocument();
    expect(screen.getByTestId("case-announcer")).toHaveTextContent("Elkészült a döntés: Megadva");
    expect(screen.getAllByText("Megadva").length).toBeGreaterThan(0);

    const download = screen.getByRole("link", { name: "Határozat letöltése (PDF)" });
    expect(download).toHaveAttribute("href", "/api/v1/cases/VH-2026-000042/decision/");
    expect(download).toHaveAttribute("download", "hatarozat-VH-2026-000042.pdf");
    expect(download).toHaveAccessibleDescription(/kézbesítettnek tekintjük/);
    expect(screen.queryByText(/Folyamatban:/)).toBeNull();

    // no more polling once the decision is ready
    await act(() => vi.advanceTimersByTimeAsync(6_000));
    expect(caseCalls()).toBe(3);
  });

  it("refetches after the download and shows when the decision was received", async () => {
    const delivered = { ...granted, delivered_at: "2026-11-02T10:05:00+01:00" };
    const { caseCalls } = mockCase([granted, delivered]);
    renderRoutes(routes, "/cases/VH-2026-000042");
    const download = await screen.findByRole("link", { name: "Határozat letöltése (PDF)" });
    expect(screen.queryByText(/Átvéve/)).toBeNull();
    // jsdom cannot download: keep the click, drop the navigation
    const stop = (e: Event) => e.preventDefault();
    document.addEventListener("click", stop);
    await userEvent.click(download);
    document.removeEventListener("click", stop);
    expect(await screen.findByText(/Átvéve: 2026\. november 2\./, {}, { timeout: 4000 })).toBeInTheDocument();
    expect(caseCalls()).toBe(2);
  });

  it("shows the unmet conditions when refused", async () => {
    mockCase([
      {
        ...granted,
        status: "refused",
        status_label: "Elutasítva",
        permit_number: "",
        permit_valid_from: null,
        permit_valid_until: null,
        reasons: [
          { code: "permanent_address_in_district", passed: true, explanation: "A lakcím a XII. kerületben van." },
          { code: "first_vehicle_only", passed: false, explanation: "Hozzájárulás csak az első járműre adható." },
        ],
      },
    ]);
    renderRoutes(routes, "/cases/VH-2026-000042");
    expect(await screen.findByRole("heading", { name: "A kérelmet elutasítottuk" })).toBeInTheDocument();
    expect(screen.getByText("Hozzájárulás csak az első járműre adható.")).toBeInTheDocument();
    expect(screen.queryByText("A lakcím a XII. kerületben van.")).toBeNull();
    expect(screen.getByRole("link", { name: "Határozat letöltése (PDF)" })).toBeInTheDocument();
  });

  it("explains a failed case and stops polling", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const failed: CaseDetail = {
      ...base,
      status: "failed",
      status_label: "Hibával megállt",
      events: [submittedEvent, arrivalDone, event("registry_checks", "Nyilvántartások lekérdezése", "HTTP 503 from registry", "step_failed")],
    };
    const { caseCalls } = mockCase([failed]);
    renderRoutes(routes, "/cases/VH-2026-000042");
    expect(await screen.findByText("Ügyét ügyintézőnk viszi tovább")).toBeInTheDocument();
    expect(screen.getByText("Ügyintézőnél")).toBeInTheDocument();
    expect(screen.getByText("A lépés nem sikerült; az ügyet ügyintézőnk folytatja.")).toBeInTheDocument();
    expect(screen.queryByText("HTTP 503 from registry")).toBeNull();
    expect(screen.queryByRole("link", { name: /Határozat letöltése/ })).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(6_000));
    expect(caseCalls()).toBe(1);
  });

  it("says when the case does not exist", async () => {
    mockCase([], (path) => (path.endsWith("/VH-2026-000042/") ? jsonResponse(404, { code: "not_found", message: "Nincs.", fields: {} }) : undefined));
    renderRoutes(routes, "/cases/VH-2026-000042");
    expect(await screen.findByText("Ez az ügy nem található, vagy nem az Ön ügye.")).toBeInTheDocument();
  });
});

describe("my cases", () => {
  const older: Case = { ...base, reference: "VH-2026-000007", status: "refused", status_label: "Elutasítva", submitted_at: "2026-10-01T09:00:00+02:00", plate: "AA-BC-123" };
  const newer: Case = { ...base, status: "granted", status_label: "Megadva", decision_ready: true };
  const { events: _events, reasons: _reasons, ...newerCase } = newer as CaseDetail;

  it("lists cases newest first with status, plate and date, and has the nav item", async () => {
    mockFetch(({ url }) => {
      if (url.includes("/auth/session")) return jsonResponse(200, session);
      if (url.endsWith("/api/v1/cases/")) return jsonResponse(200, [older, newerCase]);
      return jsonResponse(404, {});
    });
    renderRoutes(routes, "/cases");
    expect(await screen.findByRole("heading", { level: 1, name: "Ügyeim" })).toBeInTheDocument();
    const links = await screen.findAllByRole("link", { name: /VH-2026-0000/ });
    expect(links.map((l) => l.textContent)).toEqual(["Ügyszám: VH-2026-000042", "Ügyszám: VH-2026-000007"]);
    expect(links[0]).toHaveAttribute("href", "/cases/VH-2026-000042");
    const cards = screen.getAllByRole("listitem").filter((li) => li.classList.contains("case-card"));
    expect(cards[0]).toHaveTextContent("Megadva");
    expect(cards[1]).toHaveTextContent("Elutasítva");
    expect(cards[1]).toHaveTextContent("AA-BC-123");
    expect(cards[1]).toHaveTextContent("2026. október 1.");
    const nav = screen.getByRole("navigation", { name: "Fő navigáció" });
    expect(within(nav).getByRole("link", { name: "Ügyeim" })).toHaveAttribute("aria-current", "page");
  });

  it("has an empty state with a call to action", async () => {
    mockFetch(({ url }) => {
      if (url.includes("/auth/session")) return jsonResponse(200, session);
      if (url.endsWith("/api/v1/cases/")) return jsonResponse(200, []);
      return jsonResponse(404, {});
    });
    renderRoutes(routes, "/cases");
    expect(await screen.findByText("Még nincs elektronikusan benyújtott ügye")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Parkolási hozzájárulás igénylése" })).toHaveAttribute("href", "/services/parking-permit");
  });
});
