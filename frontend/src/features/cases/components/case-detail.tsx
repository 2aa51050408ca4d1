import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Alert, Button } from "@/components/ui/misc";
import { NumberPlate } from "@/components/ui/number-plate";
import type { CaseDetail } from "@/lib/api/types";
import { formatDateTime } from "@/lib/format";
import { isAwaitingPayment, isCaseRunning } from "../api/get-case";
import { CaseOutcome } from "./case-outcome";
import { CaseStatusBadge } from "./case-status-badge";
import { CaseTimeline } from "./case-timeline";
import { DecisionDownload } from "./decision-download";

interface CaseDetailViewProps {
  data: CaseDetail;
  awaitingReceipt: boolean;
  onDecisionDownload: () => void;
  onRefresh: () => void;
  refreshing: boolean;
  /** The fee panel (another feature's): shown near the top while there is something to pay, after the decision otherwise. */
  payment?: ReactNode;
}

/** Announces (politely) each newly completed step and the decision, never the initial state. */
function useProgressAnnouncement(data: CaseDetail) {
  const { t } = useTranslation();
  const [message, setMessage] = useState("");
  const previous = useRef<CaseDetail | null>(null);
  useEffect(() => {
    const before = previous.current;
    previous.current = data;
    if (!before || before.reference !== data.reference) return;
    if (!before.decision_ready && data.decision_ready) {
      setMessage(t("cases.announceDecision", { status: t(`cases.statuses.${data.status}`, { defaultValue: data.status_label }) }));
      return;
    }
    const done = data.events.filter((e) => e.kind === "step_done");
    const doneBefore = before.events.filter((e) => e.kind === "step_done").length;
    const latest = done[done.length - 1];
    if (done.length > doneBefore && latest) setMessage(t("cases.announceStep", { step: latest.step_label }));
  }, [data, t]);
  return message;
}

export function CaseDetailView({ data, awaitingReceipt, onDecisionDownload, onRefresh, refreshing, payment }: CaseDetailViewProps) {
  const { t, i18n } = useTranslation();
  const announcement = useProgressAnnouncement(data);
  const running = isCaseRunning(data);

  return (
    <div className="case-detail">
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="case-announcer">
        {announcement}
      </div>

      <p className="case-detail__status">
        <span className="case-detail__status-label">{t("cases.status")}:</span>{" "}
        <CaseStatusBadge status={data.status} label={data.status_label} />
      </p>

      {running && !isAwaitingPayment(data) ? (
        <Alert kind="info" live={false} title={t("cases.processingTitle")}>
          {t("cases.processingText")}
        </Alert>
      ) : null}

      {data.status === "failed" ? (
        <div className="status-panel status-panel--warning">
          <h2 className="outcome__title">{t("cases.failedTitle")}</h2>
          <p>{t("cases.failedText")}</p>
          <Button variant="secondary" onClick={onRefresh} busy={refreshing}>
            {t("cases.refresh")}
          </Button>
        </div>
      ) : null}

      {data.decision_ready ? null : payment}

      {data.decision_ready ? (
        <>
          <CaseOutcome data={data} />
          <DecisionDownload
            reference={data.reference}
            deliveredAt={data.delivered_at}
            awaitingReceipt={awaitingReceipt}
            onDownload={onDecisionDownload}
          />
          {payment}
        </>
      ) : null}

      <section aria-labelledby="details-title">
        <h2 id="details-title">{t("cases.detailsTitle")}</h2>
        <dl className="summary-list case-detail__summary">
          <div className="summary-list__row">
            <dt>{t("cases.plate")}</dt>
            <dd>
              <NumberPlate plate={data.plate} size="small" />
            </dd>
          </div>
          <div className="summary-list__row">
            <dt>{t("cases.submittedAt")}</dt>
            <dd>
              <time dateTime={data.submitted_at}>{formatDateTime(data.submitted_at, i18n.language)}</time>
            </dd>
          </div>
          {data.filing_number ? (
            <div className="summary-list__row">
              <dt>{t("cases.filingNumber")}</dt>
              <dd>{data.filing_number}</dd>
            </div>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="timeline-title" className="case-detail__timeline">
        <h2 id="timeline-title">{t("cases.timelineTitle")}</h2>
        <CaseTimeline data={data} />
      </section>
    </div>
  );
}
