import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { routes } from "@/app/router";
import type { CaseDetail, Invoice, Order, OrderPayment } from "@/lib/api/types";
import { jsonResponse, mockFetch, renderRoutes } from "@/testing/test-utils";

const session = {
  status: 200,
  data: { user: { id: 1, display: "Kiss Anna", email: "kiss.anna@example.hu", has_usable_password: true }, methods: [] },
  meta: { is_authenticated: true },
};

const CASE = "VH-2026-000042";
const CASE_PATH = `/api/v1/cases/${CASE}/`;
const ORDER = "RF93HV000123456";
const CARD_PATH = `/api/v1/orders/${ORDER}/card-payments/`;
const INVOICES_PATH = `/api/v1/orders/${ORDER}/invoices/`;

const awaitingPayment: CaseDetail = {
  reference: CASE,
  service: { code: "parking_permit", name: "Lakossági várakozási hozzájárulás", fee_huf: 24000, validity_days: 365 },
  status: "awaiting_payment",
  status_label: "Fizetésre vár",
  step: "await_payment",
  step_label: "Díjfizetésre vár",
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
  events: [],
};

const granted: CaseDetail = {
  ...awaitingPayment,
  status: "granted",
  status_label: "Megadva",
  step: "done",
  step_label: "Befejezve",
  decided_at: "2026-11-02T11:00:00+01:00",
  permit_number: "HEGY-2026-00077",
  permit_valid_from: "2026-11-02",
  permit_valid_until: "2027-11-01",
  decision_ready: true,
};

const open: Order = {
  reference: ORDER,
  reference_display: "RF93 HV00 0123 456",
  description: "Lakossági várakozási hozzájárulás díja",
  case_reference: CASE,
  amount: 24000,
  amount_paid: 0,
  balance: 24000,
  status: "open",
  status_label: "Fizetésre vár",
  due_date: "2026-11-10",
  created_at: "2026-11-02T10:00:03+01:00",
  paid_at: null,
  transfer: {
    account_name: "Hegyvidéki Önkormányzat",
    iban: "HU42117730161111101800000000",
    bic: "OTPVHUHB",
    amount: 24000,
    remittance: ORDER,
  },
  payments: [],
};

/** Another case's order: must not show up on this case's page. */
const otherCaseOrder: Order = {
  ...open,
  reference: "RF18HV000000007",
  reference_display: "RF18 HV00 0000 007",
  case_reference: "VH-2026-000007",
  amount: 99000,
  balance: 99000,
  transfer: { ...open.transfer, amount: 99000, remittance: "RF18HV000000007" },
};

const card = (status: OrderPayment["status"], created_at = "2026-11-02T10:05:00+01:00"): OrderPayment => ({
  method: "card",
  method_label: "Bankkártya",
  amount: 24000,
  status,
  status_label: status,
  created_at,
  captured_at: status === "captured" ? "2026-11-02T10:06:00+01:00" : null,
});

const paid: Order = {
  ...open,
  amount_paid: 24000,
  balance: 0,
  status: "paid",
  status_label: "Kifizetve",
  paid_at: "2026-11-02T10:06:00+01:00",
  transfer: { ...open.transfer, amount: 0 },
  payments: [card("captured")],
};

const invoice: Invoice = {
  number: "HV-2026-000123",
  kind: "normal",
  issue_date: "2026-11-02",
  fulfilment_date: "2026-11-02",
  gross_total: 24000,
  currency: "HUF",
  cancels: null,
  download_url: `/api/v1/orders/${ORDER}/invoices/HV-2026-000123/`,
};

interface Api {
  cases?: CaseDetail[];
  /** Successive answers of GET /api/v1/orders/ (the last one repeats). */
  orders?: Order[][];
  card?: () => Response | Promise<Response>;
  invoices?: Invoice[];
}

function mockApi({ cases = [awaitingPayment], orders = [[open, otherCaseOrder]], card, invoices = [] }: Api = {}) {
  let caseIndex = 0;
  let orderIndex = 0;
  const mock = mockFetch(({ url, method }) => {
    const path = new URL(url, "http://localhost").pathname;
    if (path.includes("/auth/session")) return jsonResponse(200, session);
    if (path === CASE_PATH) return jsonResponse(200, cases[Math.min(caseIndex++, cases.length - 1)]);
    if (path === "/api/v1/orders/") return jsonResponse(200, orders[Math.min(orderIndex++, orders.length - 1)]);
    if (path === CARD_PATH && method === "POST") {
      return card?.() ?? jsonResponse(201, { redirect_url: "https://card.example/pay/abc" });
    }
    if (path === INVOICES_PATH) return jsonResponse(200, invoices);
    return jsonResponse(404, { code: "not_found", message: "Nem található.", fields: {} });
  });
  const count = (path: string) => mock.calls.filter((c) => new URL(c.url, "http://localhost").pathname === path).length;
  return { ...mock, caseCalls: () => count(CASE_PATH), orderCalls: () => count("/api/v1/orders/") };
}

function stubAssign() {
  const assign = vi.fn();
  vi.stubGlobal("location", { ...window.location, assign });
  return assign;
}

const panel = () => screen.getByRole("region", { name: /Fizetendő díj|Az ügy díja/ });

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("fee panel on the case page", () => {
  it("shows the amount, due date, status, reference and the transfer details with copy buttons", async () => {
    const user = userEvent.setup();
    mockApi();
    renderRoutes(routes, `/cases/${CASE}`);

    expect(await screen.findByRole("heading", { level: 2, name: "Fizetendő díj" })).toBeInTheDocument();
    const fee = panel();
    expect(within(fee).getByText("Lakossági várakozási hozzájárulás díja")).toBeInTheDocument();
    // Hungarian number format: "24 000 Ft" (with non-breaking spaces)
    expect(within(fee).getAllByText(/^24\s000\sFt$/)).toHaveLength(2); // amount + amount to transfer
    expect(within(fee).queryByText(/99\s000/)).toBeNull();
    expect(within(fee).getByText("2026. november 10.")).toBeInTheDocument();
    expect(within(fee).getByText("Fizetésre vár")).toBeInTheDocument();
    expect(within(fee).getAllByText("RF93 HV00 0123 456")).toHaveLength(2); // payment reference + remittance
    expect(screen.queryByText("Kérelmét feldolgozzuk")).toBeNull();

    expect(within(fee).getByRole("button", { name: "Fizetés bankkártyával" })).toBeEnabled();

    const transfer = within(fee).getByRole("region", { name: "Banki átutalás" });
    expect(within(transfer).getByRole("heading", { level: 3 })).toHaveTextContent("Banki átutalás");
    expect(within(transfer).getByText("Hegyvidéki Önkormányzat")).toBeInTheDocument();
    expect(within(transfer).getByText("HU42 1177 3016 1111 1018 0000 0000")).toBeInTheDocument();
    expect(within(transfer).getByText("11773016-11111018-00000000")).toBeInTheDocument();
    expect(within(transfer).getByText(/általában a következő munkanapon/)).toBeInTheDocument();
    // the transfer as a QR code for the banking app, described for screen readers
    const qr = within(transfer).getByRole("img", { name: /^QR-kód az átutaláshoz: 24\s000\sFt, közlemény: RF/ });
    expect(qr.getAttribute("src")).toMatch(new RegExp(`^/api/v1/orders/${ORDER}/transfer-qr/`));

    await user.click(within(transfer).getByRole("button", { name: "Másolás: Számlaszám (IBAN)" }));
    expect(await navigator.clipboard.readText()).toBe("HU42117730161111101800000000");
    expect(screen.getByTestId("copy-announcer")).toHaveTextContent("Vágólapra másolva: Számlaszám (IBAN)");

    await user.click(within(transfer).getByRole("button", { name: "Másolás: Közlemény" }));
    expect(await navigator.clipboard.readText()).toBe(ORDER);
    await user.click(within(transfer).getByRole("button", { name: "Másolás: Átutalandó összeg" }));
    expect(await navigator.clipboard.readText()).toBe("24000");
    await user.click(within(transfer).getByRole("button", { name: "Másolás: Kedvezményezett" }));
    expect(await navigator.clipboard.readText()).toBe("Hegyvidéki Önkormányzat");
    expect(screen.getByTestId("copy-announcer")).toHaveTextContent("Vágólapra másolva: Kedvezményezett");
  });

  it("starts a card payment and sends the browser to the card page", async () => {
    const assign = stubAssign();
    let answer: (r: Response) => void = () => {};
    const { calls } = mockApi({ card: () => new Promise<Response>((resolve) => (answer = resolve)) });
    renderRoutes(routes, `/cases/${CASE}`);

    const button = await screen.findByRole("button", { name: "Fizetés bankkártyával" });
    await userEvent.click(button);
    await waitFor(() => expect(button).toBeDisabled());
    const post = calls.find((c) => c.method === "POST");
    expect(new URL(post!.url).pathname).toBe(CARD_PATH);
    expect(post!.body).toEqual({ language: "hu" });
    expect(post!.headers.get("X-CSRFToken")).toBe("test-csrf-token");

    answer(jsonResponse(201, { redirect_url: "https://card.example/pay/abc" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://card.example/pay/abc"));
    expect(button).toBeDisabled();
  });

  it("says so when the card gateway is unavailable (503), and nothing else changes", async () => {
    const assign = stubAssign();
    mockApi({
      card: () => jsonResponse(503, { code: "gateway_unavailable", message: "A kártyás fizetés átmenetileg nem érhető el.", fields: {} }),
    });
    renderRoutes(routes, `/cases/${CASE}`);

    const button = await screen.findByRole("button", { name: "Fizetés bankkártyával" });
    await userEvent.click(button);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("A kártyás fizetést nem sikerült elindítani");
    expect(alert).toHaveTextContent("A kártyás fizetés most nem érhető el.");
    expect(assign).not.toHaveBeenCalled();
    expect(button).toBeEnabled();
    expect(screen.getByText("HU42 1177 3016 1111 1018 0000 0000")).toBeInTheDocument();
  });

  it("shows the server's reason when the order cannot be paid by card (400)", async () => {
    mockApi({ card: () => jsonResponse(400, { code: "order_not_payable", message: "Ez a díj már ki van fizetve.", fields: {} }) });
    renderRoutes(routes, `/cases/${CASE}`);
    await userEvent.click(await screen.findByRole("button", { name: "Fizetés bankkártyával" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Ez a díj már ki van fizetve.");
  });

  it("back from the card page, checks the order every 2 s until it is paid, then says so", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const pending = { ...open, payments: [card("pending")] };
    const { orderCalls, caseCalls } = mockApi({ orders: [[pending], [pending], [paid]] });
    renderRoutes(routes, `/cases/${CASE}?payment=ok`);

    const check = await screen.findByTestId("payment-check");
    expect(check).toHaveAttribute("role", "status");
    expect(check).toHaveTextContent("Fizetésének ellenőrzése…");
    // no second payment while the first one is being confirmed
    expect(screen.queryByRole("button", { name: "Fizetés bankkártyával" })).toBeNull();
    expect(orderCalls()).toBe(1);

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(orderCalls()).toBe(2));
    expect(check).toHaveTextContent("Fizetésének ellenőrzése…");

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(orderCalls()).toBe(3));
    await waitFor(() => expect(screen.getByTestId("payment-check")).toHaveTextContent("A befizetés megérkezett, ügye folytatódik."));
    expect(screen.getByText("Kifizetve: 2026. november 2.")).toBeInTheDocument();
    // the case is looked at at once, not at its next 5 s poll
    await waitFor(() => expect(caseCalls()).toBe(2));

    // stops checking once the outcome is known
    await act(() => vi.advanceTimersByTimeAsync(6_000));
    expect(orderCalls()).toBe(3);
  });

  it("shows the failure when the card payment failed, whatever the return URL said", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const earlierFailed = card("failed", "2026-11-02T09:00:00+01:00");
    const pending = { ...open, payments: [earlierFailed, card("pending")] };
    const failed = { ...open, payments: [earlierFailed, card("failed")] };
    const { orderCalls } = mockApi({ orders: [[pending], [failed]] });
    renderRoutes(routes, `/cases/${CASE}?payment=success`);

    // an earlier failed attempt is not this attempt's outcome
    expect(await screen.findByTestId("payment-check")).toHaveTextContent("Fizetésének ellenőrzése…");
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(screen.getByTestId("payment-check")).toHaveTextContent("A fizetés nem sikerült. Újra megpróbálhatja."));
    expect(screen.queryByText(/A befizetés megérkezett/)).toBeNull();
    // the resident can try again, by card or by transfer
    expect(screen.getByRole("button", { name: "Fizetés bankkártyával" })).toBeEnabled();
    expect(screen.getByRole("region", { name: "Banki átutalás" })).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(6_000));
    expect(orderCalls()).toBe(2);
  });

  it("when paid, shows the payment date and the invoice download after the decision", async () => {
    mockApi({ cases: [granted], orders: [[paid]], invoices: [invoice] });
    renderRoutes(routes, `/cases/${CASE}`);

    const link = await screen.findByRole("link", { name: "Számla letöltése (PDF): HV-2026-000123" });
    expect(link).toHaveAttribute("href", `/api/v1/orders/${ORDER}/invoices/HV-2026-000123/`);
    expect(link).toHaveAttribute("download", "szamla-HV-2026-000123.pdf");
    const fee = panel();
    expect(within(fee).getByRole("heading", { level: 2 })).toHaveTextContent("Az ügy díja");
    expect(within(fee).getByText("Kifizetve: 2026. november 2.")).toBeInTheDocument();
    expect(within(fee).getByText("Kifizetve", { selector: ".status-badge" })).toBeInTheDocument();
    expect(within(fee).queryByRole("button", { name: "Fizetés bankkártyával" })).toBeNull();
    expect(within(fee).queryByRole("region", { name: "Banki átutalás" })).toBeNull();
    // the decision comes first, the fee after it
    const decision = screen.getByRole("link", { name: "Határozat letöltése (PDF)" });
    expect(decision.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("keeps polling the case every 5 s while it awaits payment, and refreshes the fee when the case moves on", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const processing: CaseDetail = { ...awaitingPayment, status: "processing", status_label: "Feldolgozás alatt", step: "create_permit" };
    const { caseCalls, orderCalls } = mockApi({ cases: [awaitingPayment, awaitingPayment, processing], orders: [[open], [paid]] });
    renderRoutes(routes, `/cases/${CASE}`);

    expect(await screen.findByRole("heading", { level: 2, name: "Fizetendő díj" })).toBeInTheDocument();
    expect(caseCalls()).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(1_500));
    expect(caseCalls()).toBe(1); // not the 1.5 s pace of processing
    await act(() => vi.advanceTimersByTimeAsync(3_500));
    await waitFor(() => expect(caseCalls()).toBe(2));
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    await waitFor(() => expect(caseCalls()).toBeGreaterThanOrEqual(3));
    // the transfer arrived: the case moved on and the fee shows paid
    await waitFor(() => expect(orderCalls()).toBe(2));
    expect(await screen.findByText("Kifizetve: 2026. november 2.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Fizetés bankkártyával" })).toBeNull();
  });

  it("shows nothing for a case without a fee", async () => {
    mockApi({ cases: [granted], orders: [[otherCaseOrder]] });
    renderRoutes(routes, `/cases/${CASE}`);
    expect(await screen.findByRole("link", { name: "Határozat letöltése (PDF)" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: /Fizetendő díj|Az ügy díja/ })).toBeNull();
  });
});
