import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Alert } from "@/components/ui/misc";
import { formatAddress } from "@/lib/format";
import { ADDITIONAL_VEHICLE_PERMIT, PARKING_PERMIT } from "../api/get-services";
import { fullName, serviceTextKey, useWizard, useWizardPaths, wizardPaths } from "../lib/wizard";
import { WizardHeading } from "./wizard-heading";

const SERVICE_PAGES: Record<string, string> = {
  [PARKING_PERMIT]: "/pages/lakossagi-varakozasi-hozzajarulas",
  [ADDITIONAL_VEHICLE_PERMIT]: "/pages/varakozasi-hozzajarulas-tovabbi-gepjarmure",
};

/** Step 1: the verified name and permanent address the application will be made with (read-only). */
export function DetailsStep() {
  const { t } = useTranslation();
  const { profile, service } = useWizard();
  const wizardPath = useWizardPaths();
  const address = profile.permanent_address;
  return (
    <div className="wizard">
      <WizardHeading step="details" />
      <p className="lead">{t(serviceTextKey(service, "intro"))}</p>
      <p>
        {/* The CMS page describing the service (same slug in every language). */}
        <Link to={SERVICE_PAGES[service]}>{t("parkingPermit.details.aboutService")}</Link>
      </p>
      {service === PARKING_PERMIT ? (
        <p>
          <Link to={wizardPaths(ADDITIONAL_VEHICLE_PERMIT).details()}>{t("parkingPermit.additional.link")}</Link>
        </p>
      ) : null}

      <section className="panel panel--locked" aria-labelledby="applicant-title">
        <h2 id="applicant-title">{t("parkingPermit.details.panelTitle")}</h2>
        <p>{t("parkingPermit.details.panelText")}</p>
        <dl className="summary-list">
          <div className="summary-list__row">
            <dt>{t("parkingPermit.details.name")}</dt>
            <dd>{fullName(profile) || <span className="muted">{t("profile.notProvided")}</span>}</dd>
          </div>
          <div className="summary-list__row">
            <dt>{t("parkingPermit.details.address")}</dt>
            <dd>{address ? formatAddress(address) : <span className="muted">{t("profile.notProvided")}</span>}</dd>
          </div>
        </dl>
        <p className="field__hint">
          {t("parkingPermit.details.changeHint")} <Link to="/profile">{t("parkingPermit.details.profileLink")}</Link>
        </p>
      </section>

      {!address ? <Alert kind="warning" live={false}>{t("parkingPermit.details.noAddress")}</Alert> : null}

      <div className="button-row form-actions">
        <Link to={wizardPath.vehicle()} className="button button--primary">
          {t("parkingPermit.continue")}
        </Link>
        <Link to="/" className="button button--secondary">
          {t("parkingPermit.cancel")}
        </Link>
      </div>
    </div>
  );
}
