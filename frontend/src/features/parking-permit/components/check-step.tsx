import { useEffect, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useSearchParams } from "react-router";
import { ErrorSummary } from "@/components/ui/error-summary";
import { Alert, Button, Loading } from "@/components/ui/misc";
import { NumberPlate } from "@/components/ui/number-plate";
import type { Case } from "@/lib/api/types";
import { ConflictError } from "@/lib/errors";
import { errorMessage, useFormErrors } from "@/lib/form";
import { formatAddress, formatHuf } from "@/lib/format";
import { currentLanguage } from "@/lib/i18n";
import { useEligibility } from "../api/check-eligibility";
import { useParkingPermitService } from "../api/get-services";
import { useVehicles } from "../api/get-vehicles";
import { useSubmitApplication } from "../api/submit-application";
import { fullName, isNotIdentifiedError, serviceTextKey, submitErrorItems, useWizard, useWizardPaths } from "../lib/wizard";
import { EligibilityResults } from "./eligibility-results";
import { WizardHeading } from "./wizard-heading";

/** Step 3: what will be submitted, the rules run now, and submit (also when a refusal is expected). */
export function CheckStep({ onSubmitted }: { onSubmitted: (created: Case) => void }) {
  const [searchParams] = useSearchParams();
  const { plate: chosen, setPlate } = useWizard();
  const wizardPath = useWizardPaths();
  const plate = searchParams.get("plate") ?? chosen;

  useEffect(() => {
    if (plate && plate !== chosen) setPlate(plate);
  }, [plate, chosen, setPlate]);

  if (!plate) return <Navigate to={wizardPath.vehicle()} replace />;
  return <CheckStepContent plate={plate} onSubmitted={onSubmitted} />;
}

function CheckStepContent({ plate, onSubmitted }: { plate: string; onSubmitted: (created: Case) => void }) {
  const { t, i18n } = useTranslation();
  const lang = currentLanguage();
  const { profile, service: code } = useWizard();
  const wizardPath = useWizardPaths();
  const eligibility = useEligibility(plate, lang, code);
  const { service } = useParkingPermitService(lang, code);
  const vehicle = useVehicles().data?.find((v) => v.plate === plate);
  const submit = useSubmitApplication({ service: code, onSuccess: onSubmitted });
  const { errors, setErrors, clear, attempt } = useFormErrors();
  const items = errors.formErrors.map((message) => ({ message }));
  const submitError = submit.error;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    clear();
    submit.mutate(plate, {
      onError: (error) => setErrors({ fieldErrors: {}, formErrors: submitErrorItems(t, error).map((i) => i.message) }),
    });
  };

  const feeAmount = service && service.fee_huf > 0 ? formatHuf(service.fee_huf, i18n.language) : null;
  const fee =
    service === undefined ? null : feeAmount ? t("parkingPermit.check.feePerYear", { fee: feeAmount }) : t("parkingPermit.check.free");

  return (
    <div className="wizard">
      <WizardHeading step="check" />
      <ErrorSummary items={items} focusKey={attempt}>
        {submitError && isNotIdentifiedError(submitError) ? (
          <Link to="/identification">{t("parkingPermit.check.identificationLink")}</Link>
        ) : submitError instanceof ConflictError ? (
          <Link to="/cases">{t("parkingPermit.check.myCasesLink")}</Link>
        ) : null}
      </ErrorSummary>

      <section className="panel" aria-labelledby="application-title">
        <h2 id="application-title">{t("parkingPermit.check.summaryTitle")}</h2>
        <dl className="summary-list">
          <div className="summary-list__row">
            <dt>{t("parkingPermit.check.service")}</dt>
            <dd>{service?.name ?? t(serviceTextKey(code, "serviceName"))}</dd>
          </div>
          <div className="summary-list__row">
            <dt>{t("parkingPermit.check.applicant")}</dt>
            <dd>
              {fullName(profile)}
              {profile.permanent_address ? (
                <>
                  <br />
                  <span className="muted">{formatAddress(profile.permanent_address)}</span>
                </>
              ) : null}
            </dd>
          </div>
          <div className="summary-list__row summary-list__row--action">
            <dt>{t("parkingPermit.check.vehicle")}</dt>
            <dd>
              <NumberPlate plate={plate} size="small" />
              {vehicle ? <span className="summary-list__sub">{[vehicle.make, vehicle.model].filter(Boolean).join(" ")}</span> : null}
            </dd>
            <dd className="summary-list__action">
              <Link to={wizardPath.vehicle()}>
                {t("parkingPermit.check.change")}
                <span className="visually-hidden"> – {t("parkingPermit.check.changeVehicle")}</span>
              </Link>
            </dd>
          </div>
          {fee ? (
            <div className="summary-list__row">
              <dt>{t("parkingPermit.check.fee")}</dt>
              <dd>
                <strong>{fee}</strong>
              </dd>
            </div>
          ) : null}
          {service ? (
            <div className="summary-list__row">
              <dt>{t("parkingPermit.check.validity")}</dt>
              <dd>{t("parkingPermit.check.validityDays", { days: service.validity_days })}</dd>
            </div>
          ) : null}
        </dl>
        {feeAmount ? (
          <Alert kind="info" live={false}>
            <p data-testid="fee-notice">{t("parkingPermit.check.feeNotice", { fee: feeAmount })}</p>
          </Alert>
        ) : null}
      </section>

      <section aria-labelledby="rules-title" className="rules">
        <h2 id="rules-title">{t("parkingPermit.check.rulesTitle")}</h2>
        <p>{t("parkingPermit.check.rulesIntro")}</p>
        {eligibility.isPending ? <Loading label={t("parkingPermit.check.rulesLoading")} /> : null}
        {eligibility.isError ? (
          <>
            <Alert kind="error" title={t("parkingPermit.check.rulesError")}>
              {submitErrorItems(t, eligibility.error)[0]?.message ?? errorMessage(t, eligibility.error)}
            </Alert>
            <div className="button-row">
              <Button variant="secondary" onClick={() => void eligibility.refetch()} busy={eligibility.isFetching}>
                {t("common.retry")}
              </Button>
              <Link to={wizardPath.vehicle()} className="button button--secondary">
                {t("parkingPermit.back")}
              </Link>
            </div>
          </>
        ) : null}
        {eligibility.data ? <EligibilityResults eligibility={eligibility.data} /> : null}
      </section>

      {eligibility.data ? (
        <form onSubmit={onSubmit} noValidate className="form">
          <p>{t(serviceTextKey(code, "declaration"))}</p>
          <div className="button-row form-actions">
            <Button type="submit" variant={eligibility.data.eligible ? "primary" : "secondary"} busy={submit.isPending}>
              {submit.isPending
                ? t("parkingPermit.check.submitting")
                : eligibility.data.eligible
                  ? t("parkingPermit.check.submit")
                  : t("parkingPermit.check.submitAnyway")}
            </Button>
            <Link to={wizardPath.vehicle()} className="button button--secondary">
              {t("parkingPermit.back")}
            </Link>
          </div>
        </form>
      ) : null}
    </div>
  );
}
