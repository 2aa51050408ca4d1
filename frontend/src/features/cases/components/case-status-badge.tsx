import { useTranslation } from "react-i18next";
import type { CaseStatus } from "@/lib/api/types";
import { KNOWN_STATUSES, STATUS_TONE } from "../lib/status";

/** Status as text in a coloured badge (the colour never carries the meaning alone). */
export function CaseStatusBadge({ status, label }: { status: CaseStatus; label?: string }) {
  const { t } = useTranslation();
  const known = KNOWN_STATUSES.includes(status);
  const tone = known ? STATUS_TONE[status] : "neutral";
  return (
    <span className={`status-badge status-badge--${tone}`}>
      <span className={`status-dot status-dot--${tone}`} aria-hidden="true" />
      {known ? t(`cases.statuses.${status}`) : (label ?? status)}
    </span>
  );
}
