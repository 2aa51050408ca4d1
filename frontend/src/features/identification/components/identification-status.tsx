import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Identification, IdentificationStatus } from "@/lib/api/types";
import { POLLING_STATUSES } from "../api/get-identification";

const KNOWN: IdentificationStatus[] = ["unverified", "pending", "checking", "needs_review", "verified", "rejected"];

const TONE: Record<string, "neutral" | "progress" | "success" | "warning" | "error"> = {
  unverified: "neutral",
  pending: "progress",
  checking: "progress",
  needs_review: "warning",
  verified: "success",
  rejected: "error",
  unknown: "neutral",
};

function formatDateTime(iso: string, lang: string) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "hu-HU", { dateStyle: "long", timeStyle: "short" }).format(d);
}

/** Status panel, what to bring and office details. All strings from the backend are already localized. */
export function IdentificationStatusView({ data }: { data: Identification }) {
  const { t, i18n } = useTranslation();
  const status = KNOWN.includes(data.status) ? data.status : "unknown";
  const polling = POLLING_STATUSES.includes(data.status);
  const tone = TONE[status];

  return (
    <div className="stack">
      <section className={`status-panel status-panel--${tone}`} aria-labelledby="status-title">
        <h2 id="status-title" className="status-panel__heading">
          {t("identification.currentStatus")}
        </h2>
        <div aria-live="polite" aria-atomic="true">
          <p className="status-panel__label">
            <span className={`status-dot status-dot--${tone}`} aria-hidden="true" />
            {t(`identification.status.${status}.label`)}
          </p>
          <p className="status-panel__text">{t(`identification.status.${status}.text`)}</p>
          {data.verified_at && status === "verified" ? (
            <p>{t("identification.verifiedAt", { date: formatDateTime(data.verified_at, i18n.language) })}</p>
          ) : null}
          {data.message ? <p className="status-panel__message">{data.message}</p> : null}
        </div>
        <h3 className="status-panel__subheading">{t("identification.nextSteps")}</h3>
        <p>{t(`identification.status.${status}.next`)}</p>
        {polling ? (
          <p className="status-panel__refresh">
            <span className="loading__spinner" aria-hidden="true" /> {t("identification.autoRefresh")}
          </p>
        ) : null}
        {status !== "verified" ? (
          <p>
            {t("identification.profileHint")} <Link to="/profile">{t("identification.profileLink")}</Link>
          </p>
        ) : null}
      </section>

      {data.what_to_bring?.length && status !== "verified" ? (
        <section className="panel" aria-labelledby="bring-title">
          <h2 id="bring-title">{t("identification.whatToBring")}</h2>
          <ul className="check-list">
            {data.what_to_bring.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {data.office ? (
        <section className="panel" aria-labelledby="office-title">
          <h2 id="office-title">{t("identification.office")}</h2>
          <p className="office__name">{data.office.name}</p>
          <dl className="summary-list">
            <div className="summary-list__row">
              <dt>{t("identification.address")}</dt>
              <dd>{data.office.address}</dd>
            </div>
            {data.office.opening_hours?.length ? (
              <div className="summary-list__row">
                <dt>{t("identification.openingHours")}</dt>
                <dd>
                  <ul className="plain-list">
                    {data.office.opening_hours.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
            {data.office.phone ? (
              <div className="summary-list__row">
                <dt>{t("identification.phone")}</dt>
                <dd>
                  <a href={`tel:${data.office.phone.replace(/[^+\d]/g, "")}`}>{data.office.phone}</a>
                </dd>
              </div>
            ) : null}
          </dl>
        </section>
      ) : null}
    </div>
  );
}
