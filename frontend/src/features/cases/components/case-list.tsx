import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { NumberPlate } from "@/components/ui/number-plate";
import type { Case } from "@/lib/api/types";
import { formatDateTime } from "@/lib/format";
import { CaseStatusBadge } from "./case-status-badge";

/** "My cases": one card per case, the reference is the link. */
export function CaseList({ cases }: { cases: Case[] }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="case-list">
      {cases.map((c) => (
        <li key={c.reference} className="case-card">
          <h2 className="case-card__title">
            <Link to={`/cases/${encodeURIComponent(c.reference)}`} className="case-card__link">
              <span className="visually-hidden">{t("cases.reference")}: </span>
              {c.reference}
            </Link>
          </h2>
          <p className="case-card__service">{c.service.name}</p>
          <dl className="case-card__meta">
            <div>
              <dt>{t("cases.status")}</dt>
              <dd>
                <CaseStatusBadge status={c.status} label={c.status_label} />
              </dd>
            </div>
            {c.plate ? (
              <div>
                <dt>{t("cases.plate")}</dt>
                <dd>
                  <NumberPlate plate={c.plate} size="small" />
                </dd>
              </div>
            ) : null}
            <div>
              <dt>{t("cases.submittedAt")}</dt>
              <dd>
                <time dateTime={c.submitted_at}>{formatDateTime(c.submitted_at, i18n.language)}</time>
              </dd>
            </div>
          </dl>
        </li>
      ))}
    </ul>
  );
}
