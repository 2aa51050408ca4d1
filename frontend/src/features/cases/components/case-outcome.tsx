import { useTranslation } from "react-i18next";
import { NumberPlate } from "@/components/ui/number-plate";
import type { CaseDetail } from "@/lib/api/types";
import { formatDate, formatDateTime } from "@/lib/format";
import { toReasons } from "../lib/status";

/** The decision: the permit's details when granted, the unmet conditions when refused. */
export function CaseOutcome({ data }: { data: CaseDetail }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (data.status === "granted") {
    return (
      <section className="status-panel status-panel--success outcome" aria-labelledby="outcome-title">
        <h2 id="outcome-title" className="outcome__title">
          <span aria-hidden="true">✓ </span>
          {t("cases.grantedTitle")}
        </h2>
        <p>{t("cases.grantedText", { plate: data.plate })}</p>
        <dl className="summary-list">
          <div className="summary-list__row">
            <dt>{t("cases.permitNumber")}</dt>
            <dd className="outcome__permit-number">{data.permit_number}</dd>
          </div>
          <div className="summary-list__row">
            <dt>{t("cases.plate")}</dt>
            <dd>
              <NumberPlate plate={data.plate} size="small" />
            </dd>
          </div>
          {data.permit_valid_from ? (
            <div className="summary-list__row">
              <dt>{t("cases.validFrom")}</dt>
              <dd>{formatDate(data.permit_valid_from, lang)}</dd>
            </div>
          ) : null}
          {data.permit_valid_until ? (
            <div className="summary-list__row">
              <dt>{t("cases.validUntil")}</dt>
              <dd>{formatDate(data.permit_valid_until, lang)}</dd>
            </div>
          ) : null}
          {data.decided_at ? (
            <div className="summary-list__row">
              <dt>{t("cases.decidedAt")}</dt>
              <dd>{formatDateTime(data.decided_at, lang)}</dd>
            </div>
          ) : null}
        </dl>
      </section>
    );
  }
  if (data.status === "refused") {
    const reasons = toReasons(data.reasons);
    const failed = reasons.filter((r) => !r.passed);
    return (
      <section className="status-panel status-panel--error outcome" aria-labelledby="outcome-title">
        <h2 id="outcome-title" className="outcome__title">
          {t("cases.refusedTitle")}
        </h2>
        {failed.length ? (
          <>
            <p>{t("cases.refusedText")}</p>
            <ul className="rule-list">
              {failed.map((r) => (
                <li key={r.code} className="rule-list__item rule-list__item--failed">
                  <span className="rule-list__icon" aria-hidden="true">
                    ✗
                  </span>
                  <span className="rule-list__text">{r.explanation}</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {data.decided_at ? (
          <p>
            {t("cases.decidedAt")}: {formatDateTime(data.decided_at, lang)}
          </p>
        ) : null}
        <p>{t("cases.refusedAppeal")}</p>
      </section>
    );
  }
  return null;
}
