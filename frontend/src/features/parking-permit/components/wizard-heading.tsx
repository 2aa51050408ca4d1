import { useTranslation } from "react-i18next";
import { PageHeading } from "@/components/ui/misc";
import { currentLanguage } from "@/lib/i18n";
import { useParkingPermitService } from "../api/get-services";
import { serviceTextKey, useWizard, WIZARD_STEPS, type WizardStep } from "../lib/wizard";

/**
 * The step's <h1> (focused after each step change) with "1/3" caption, and a progress list.
 * The caption is part of the heading, so a screen reader hears the position with the title.
 */
export function WizardHeading({ step }: { step: WizardStep }) {
  const { t } = useTranslation();
  const { service: code } = useWizard();
  // The catalogue's (localized) name of the service; the built-in text until it arrives.
  const { service } = useParkingPermitService(currentLanguage(), code);
  const serviceName = service?.name ?? t(serviceTextKey(code, "serviceName"));
  const index = WIZARD_STEPS.indexOf(step);
  const title = t(`parkingPermit.steps.${step}`);
  const position = t("parkingPermit.stepOf", { current: index + 1, total: WIZARD_STEPS.length });
  return (
    <>
      <PageHeading title={`${title} – ${t(serviceTextKey(code, "title"))}`}>
        <span className="page-title__caption">
          {position}
          <span className="visually-hidden">:</span> <span aria-hidden="true">·</span> {serviceName}
        </span>{" "}
        {title}
      </PageHeading>
      <ol className="wizard-steps" aria-label={t("parkingPermit.stepsLabel")}>
        {WIZARD_STEPS.map((s, i) => {
          const state = i < index ? "done" : i === index ? "current" : "upcoming";
          return (
            <li key={s} className={`wizard-steps__item wizard-steps__item--${state}`} aria-current={state === "current" ? "step" : undefined}>
              <span className="wizard-steps__number" aria-hidden="true">
                {state === "done" ? "✓" : i + 1}
              </span>
              <span className="wizard-steps__label">
                {t(`parkingPermit.steps.${s}`)}
                {state === "done" ? <span className="visually-hidden"> {t("parkingPermit.stepDone")}</span> : null}
                {state === "current" ? <span className="visually-hidden"> {t("parkingPermit.stepCurrent")}</span> : null}
              </span>
            </li>
          );
        })}
      </ol>
    </>
  );
}
