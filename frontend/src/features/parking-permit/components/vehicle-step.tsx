import { type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ErrorSummary } from "@/components/ui/error-summary";
import { Alert, Button, Loading } from "@/components/ui/misc";
import { NumberPlate } from "@/components/ui/number-plate";
import type { Vehicle } from "@/lib/api/types";
import { errorMessage, fieldId, summaryItems, useFormErrors } from "@/lib/form";
import { formatDate } from "@/lib/format";
import { useVehicles } from "../api/get-vehicles";
import { ADDITIONAL_VEHICLE_PERMIT, PARKING_PERMIT } from "../api/get-services";
import { defaultVehicle, firstVehicle, useWizard, useWizardPaths, wizardPaths } from "../lib/wizard";
import { WizardHeading } from "./wizard-heading";

/**
 * Step 2: choose one of the registry's vehicles. For the free permit the first one (the only eligible one)
 * is pre-selected; for the additional permit a further one (the first gets the free permit instead).
 */
export function VehicleStep() {
  const { t } = useTranslation();
  const vehicles = useVehicles();
  return (
    <div className="wizard">
      <WizardHeading step="vehicle" />
      {vehicles.isPending ? <Loading label={t("parkingPermit.vehicle.loading")} /> : null}
      {vehicles.isError ? (
        <>
          <Alert kind="error" title={t("parkingPermit.vehicle.loadError")}>
            {errorMessage(t, vehicles.error)}
          </Alert>
          <div className="button-row">
            <Button variant="secondary" onClick={() => void vehicles.refetch()} busy={vehicles.isFetching}>
              {t("common.retry")}
            </Button>
            <BackLink />
          </div>
        </>
      ) : null}
      {vehicles.data && vehicles.data.length === 0 ? (
        <>
          <Alert kind="info" title={t("parkingPermit.vehicle.noneTitle")}>
            {t("parkingPermit.vehicle.noneText")}
          </Alert>
          <div className="button-row">
            <BackLink />
          </div>
        </>
      ) : null}
      {vehicles.data && vehicles.data.length > 0 ? <VehicleForm vehicles={vehicles.data} /> : null}
    </div>
  );
}

function BackLink() {
  const { t } = useTranslation();
  const wizardPath = useWizardPaths();
  return (
    <Link to={wizardPath.details()} className="button button--secondary">
      {t("parkingPermit.back")}
    </Link>
  );
}

function VehicleForm({ vehicles }: { vehicles: Vehicle[] }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { plate, setPlate, service } = useWizard();
  const wizardPath = useWizardPaths();
  const additional = service === ADDITIONAL_VEHICLE_PERMIT;
  const { errors, setErrors, attempt } = useFormErrors();
  const first = firstVehicle(vehicles);
  const selected = vehicles.find((v) => v.plate === plate) ?? defaultVehicle(vehicles, service);
  const notFirst = selected && first && selected.plate !== first.plate;
  // Additional permit: choosing the first vehicle is allowed (the rules explain the refusal), but hinted against.
  const firstChosen = selected && first && selected.plate === first.plate;
  const hintId = "vehicle-hint";
  const errorList = errors.fieldErrors.plate;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!selected) return setErrors({ fieldErrors: { plate: [t("parkingPermit.vehicle.required")] }, formErrors: [] });
    setPlate(selected.plate);
    navigate(wizardPath.check(selected.plate));
  };

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <ErrorSummary items={summaryItems(errors, ["plate"])} focusKey={attempt} />
      <fieldset className={`fieldset${errorList ? " field--error" : ""}`} aria-describedby={hintId}>
        <legend className="fieldset__legend">{t("parkingPermit.vehicle.legend")}</legend>
        <p className="field__hint" id={hintId}>
          {t("parkingPermit.vehicle.hint")}
        </p>
        {errorList ? <p className="field__error">{errorList.join(" ")}</p> : null}
        <div className="radio-cards">
          {vehicles.map((vehicle, index) => {
            // The error summary links to the first radio.
            const id = index === 0 ? fieldId("plate") : `${fieldId("plate")}-${index}`;
            const checked = vehicle.plate === selected?.plate;
            const isFirst = vehicle.plate === first?.plate;
            return (
              <div key={vehicle.plate} className={`radio-card${checked ? " radio-card--checked" : ""}`}>
                <input
                  type="radio"
                  className="radio-card__input"
                  id={id}
                  name="plate"
                  value={vehicle.plate}
                  checked={checked}
                  onChange={() => setPlate(vehicle.plate)}
                  aria-describedby={`${id}-desc`}
                />
                <label className="radio-card__label" htmlFor={id}>
                  <NumberPlate plate={vehicle.plate} />
                  <span className="radio-card__title">{[vehicle.make, vehicle.model].filter(Boolean).join(" ")}</span>
                </label>
                <p className="radio-card__desc" id={`${id}-desc`}>
                  <span>
                    {vehicle.owner_since
                      ? t("parkingPermit.vehicle.ownedSince", { date: formatDate(vehicle.owner_since, i18n.language) })
                      : t("parkingPermit.vehicle.ownedSinceUnknown")}
                  </span>
                  {isFirst && !additional ? <span className="tag tag--success">{t("parkingPermit.vehicle.eligible")}</span> : null}
                  {isFirst && additional ? <span className="tag">{t("parkingPermit.additional.firstVehicleTag")}</span> : null}
                </p>
              </div>
            );
          })}
        </div>
      </fieldset>

      <div aria-live="polite" aria-atomic="true">
        {!additional && notFirst ? (
          <Alert kind="warning" live={false} title={t("parkingPermit.vehicle.notFirstTitle")}>
            {t("parkingPermit.vehicle.notFirstText", { plate: first.plate, selected: selected.plate })}
          </Alert>
        ) : null}
        {additional && firstChosen ? (
          <Alert kind="warning" live={false} title={t("parkingPermit.additional.firstChosenTitle")}>
            <p>{t("parkingPermit.additional.firstChosenText", { plate: first.plate })}</p>
            <p>
              <Link to={wizardPaths(PARKING_PERMIT).details()}>{t("parkingPermit.additional.freePermitLink")}</Link>
            </p>
          </Alert>
        ) : null}
      </div>

      <div className="button-row form-actions">
        <Button type="submit">{t("parkingPermit.continue")}</Button>
        <BackLink />
      </div>
    </form>
  );
}
