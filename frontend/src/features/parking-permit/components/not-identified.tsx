import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Alert, PageHeading } from "@/components/ui/misc";
import type { IdentificationStatus } from "@/lib/api/types";
import type { ParkingService } from "../api/get-services";
import { serviceTextKey } from "../lib/wizard";

const KNOWN = ["unverified", "pending", "checking", "needs_review", "verified", "rejected"];

/** Shown instead of the wizard when the resident has not been identified at the office yet. */
export function NotIdentified({ service, status }: { service: ParkingService; status?: IdentificationStatus }) {
  const { t } = useTranslation();
  const key = status && KNOWN.includes(status) ? status : "unknown";
  return (
    <>
      <PageHeading>{t(serviceTextKey(service, "title"))}</PageHeading>
      <Alert kind="warning" title={t("parkingPermit.notIdentified.title")}>
        <p>{t("parkingPermit.notIdentified.text")}</p>
        {status && status !== "verified" ? (
          <p>{t("parkingPermit.notIdentified.status", { status: t(`identification.status.${key}.label`) })}</p>
        ) : null}
      </Alert>
      <div className="button-row">
        <Link to="/identification" className="button button--primary">
          {t("parkingPermit.notIdentified.link")}
        </Link>
        <Link to="/" className="button button--secondary">
          {t("common.backHome")}
        </Link>
      </div>
    </>
  );
}
