import { useTranslation } from "react-i18next";
import { formatDateTime } from "@/lib/format";
import { decisionFilename, decisionUrl } from "../api/get-decision";

interface DecisionDownloadProps {
  reference: string;
  deliveredAt: string | null;
  awaitingReceipt: boolean;
  onDownload: () => void;
}

/** A plain download link (best on phones), the receipt note, and "Received on …" once recorded. */
export function DecisionDownload({ reference, deliveredAt, awaitingReceipt, onDownload }: DecisionDownloadProps) {
  const { t, i18n } = useTranslation();
  return (
    <section className="panel decision" aria-labelledby="decision-title">
      <h2 id="decision-title">{t("cases.decisionTitle")}</h2>
      <p className="decision__note" id="decision-note">
        {t("cases.downloadNote")}
      </p>
      <a
        href={decisionUrl(reference)}
        download={decisionFilename(reference)}
        className="button button--primary"
        aria-describedby="decision-note"
        onClick={onDownload}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M11 3h2v10.2l3.6-3.6 1.4 1.4-6 6-6-6 1.4-1.4 3.6 3.6V3ZM4 19h16v2H4v-2Z" />
        </svg>
        {t("cases.download")}
      </a>
      <div aria-live="polite" aria-atomic="true" className="decision__receipt">
        {deliveredAt ? (
          <p className="decision__received">
            <span aria-hidden="true">✓ </span>
            {t("cases.receivedAt", { date: formatDateTime(deliveredAt, i18n.language) })}
          </p>
        ) : awaitingReceipt ? (
          <p className="muted">{t("cases.receiptPending")}</p>
        ) : null}
      </div>
    </section>
  );
}
