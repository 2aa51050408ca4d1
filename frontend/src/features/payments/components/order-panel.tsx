import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { Alert, Button, Loading } from "@/components/ui/misc";
import type { CaseStatus, Order } from "@/lib/api/types";
import { ServerError } from "@/lib/errors";
import { formatDate, formatDay, formatHuf } from "@/lib/format";
import { errorMessage } from "@/lib/form";
import { currentLanguage } from "@/lib/i18n";
import { useCaseOrder } from "../api/get-orders";
import { useStartCardPayment } from "../api/start-card-payment";
import {
  ORDER_CHECK_INTERVAL_MS,
  ORDER_CHECK_SLOW_AFTER_MS,
  ORDER_CHECK_SLOW_INTERVAL_MS,
  checkOutcome,
  isPayable,
} from "../lib/order";
import { BankTransfer } from "./bank-transfer";
import { InvoiceList } from "./invoice-list";
import { PaymentCheck } from "./payment-check";
import "./order-panel.css";

interface OrderPanelProps {
  caseReference: string;
  /** The case's status: a change means the order may have changed too (and the fee is expected while awaiting payment). */
  caseStatus: CaseStatus;
  /** Called when the order is seen turning paid, so the case page can look at once. */
  onPaid?: () => void;
}

const STATUS_TONE: Record<Order["status"], "warning" | "success" | "neutral"> = {
  open: "warning",
  partially_paid: "warning",
  paid: "success",
  cancelled: "neutral",
};

/** True once the check has taken longer than ORDER_CHECK_SLOW_AFTER_MS (re-renders at that moment). */
function useSlow(active: boolean, since: number): boolean {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (!active) return;
    const timer = window.setTimeout(() => setSlow(true), Math.max(0, since + ORDER_CHECK_SLOW_AFTER_MS - Date.now()));
    return () => window.clearTimeout(timer);
  }, [active, since]);
  return active && slow;
}

/**
 * The fee of a case: amount, due date, status; pay by card (the gateway's page) or by transfer
 * (details with copy buttons). Back from the card page (`?payment=…`) it polls the order until the
 * server says paid or the card attempt ended unpaid; the URL's hint is never taken as the outcome.
 */
export function OrderPanel({ caseReference, caseStatus, onPaid }: OrderPanelProps) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [searchParams] = useSearchParams();
  const returnedFromCard = searchParams.has("payment");
  const [checkSince] = useState(() => Date.now());

  const query = useCaseOrder(caseReference, currentLanguage(), {
    pollEvery: (order) => {
      if (!returnedFromCard || checkOutcome(order) !== "pending") return false;
      return Date.now() - checkSince < ORDER_CHECK_SLOW_AFTER_MS ? ORDER_CHECK_INTERVAL_MS : ORDER_CHECK_SLOW_INTERVAL_MS;
    },
  });
  const order = query.data ?? undefined;
  const outcome = checkOutcome(order);
  const checking = returnedFromCard && outcome === "pending";
  const slow = useSlow(checking, checkSince);

  // The case moved on (e.g. a transfer arrived): the order changed too.
  const { refetch } = query;
  const seenCaseStatus = useRef(caseStatus);
  useEffect(() => {
    if (seenCaseStatus.current === caseStatus) return;
    seenCaseStatus.current = caseStatus;
    void refetch();
  }, [caseStatus, refetch]);

  // The order turned paid while the page was open: let the case page look at once.
  const seenOrderStatus = useRef(order?.status);
  useEffect(() => {
    const before = seenOrderStatus.current;
    seenOrderStatus.current = order?.status;
    if (before && before !== "paid" && order?.status === "paid") onPaid?.();
  }, [order?.status, onPaid]);

  const [redirecting, setRedirecting] = useState(false);
  const start = useStartCardPayment({
    onSuccess: ({ redirect_url }) => {
      setRedirecting(true);
      window.location.assign(redirect_url);
    },
  });

  const expected = caseStatus === "awaiting_payment" || returnedFromCard;
  if (!order) {
    if (!expected) return null;
    if (query.isError) {
      return (
        <Alert kind="error" title={t("payments.loadError")}>
          {errorMessage(t, query.error)}
        </Alert>
      );
    }
    return query.isPending ? <Loading label={returnedFromCard ? t("payments.checking") : t("payments.loading")} /> : null;
  }

  const payable = isPayable(order);
  const paid = order.status === "paid";
  const startError = start.error
    ? start.error instanceof ServerError
      ? t("payments.cardUnavailable")
      : errorMessage(t, start.error)
    : null;

  return (
    <section className={`panel order-panel${paid ? " order-panel--paid" : ""}`} aria-labelledby="order-title">
      <h2 id="order-title">{payable ? t("payments.titleToPay") : t("payments.titlePaid")}</h2>
      {returnedFromCard ? <PaymentCheck outcome={outcome} slow={slow} /> : null}
      {order.description ? <p>{order.description}</p> : null}

      <dl className="summary-list order-panel__summary">
        <div className="summary-list__row">
          <dt>{t("payments.amount")}</dt>
          <dd className="order-panel__amount">{formatHuf(order.amount, lang)}</dd>
        </div>
        {payable && order.amount_paid > 0 ? (
          <>
            <div className="summary-list__row">
              <dt>{t("payments.amountPaid")}</dt>
              <dd>{formatHuf(order.amount_paid, lang)}</dd>
            </div>
            <div className="summary-list__row">
              <dt>{t("payments.balance")}</dt>
              <dd className="order-panel__amount">{formatHuf(order.balance, lang)}</dd>
            </div>
          </>
        ) : null}
        <div className="summary-list__row">
          <dt>{t("payments.status")}</dt>
          <dd>
            <span className={`status-badge status-badge--${STATUS_TONE[order.status]}`}>
              <span className={`status-dot status-dot--${STATUS_TONE[order.status]}`} aria-hidden="true" />
              {t(`payments.statuses.${order.status}`, { defaultValue: order.status_label })}
            </span>
          </dd>
        </div>
        {payable ? (
          <div className="summary-list__row">
            <dt>{t("payments.dueDate")}</dt>
            <dd>
              <time dateTime={order.due_date}>{formatDate(order.due_date, lang)}</time>
            </dd>
          </div>
        ) : null}
        <div className="summary-list__row">
          <dt>{t("payments.reference")}</dt>
          <dd className="copy-row__value copy-row__value--code">{order.reference_display}</dd>
        </div>
      </dl>

      {payable && !checking ? (
        <>
          <div className="order-panel__card">
            <Button
              onClick={() => start.mutate({ orderReference: order.reference, language: currentLanguage() })}
              busy={start.isPending || redirecting}
              aria-describedby="card-hint"
            >
              {t("payments.payByCard")}
            </Button>
            <p className="muted order-panel__hint" id="card-hint">
              {t("payments.cardHint")}
            </p>
            {startError ? (
              <Alert kind="error" title={t("payments.cardErrorTitle")}>
                {startError}
              </Alert>
            ) : null}
          </div>
          <BankTransfer order={order} />
        </>
      ) : null}

      {paid ? (
        <>
          {order.paid_at ? (
            <p className="order-panel__paid">
              <span aria-hidden="true">✓ </span>
              {t("payments.paidOn", { date: formatDay(order.paid_at, lang) })}
            </p>
          ) : null}
          <InvoiceList order={order} />
        </>
      ) : null}
    </section>
  );
}
