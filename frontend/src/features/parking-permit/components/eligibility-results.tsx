import { useTranslation } from "react-i18next";
import { Alert } from "@/components/ui/misc";
import type { Eligibility } from "@/lib/api/types";

/** The verdict first, then each rule with ✓/✗ and the backend's plain-language explanation. */
export function EligibilityResults({ eligibility }: { eligibility: Eligibility }) {
  const { t } = useTranslation();
  return (
    <>
      {eligibility.eligible ? (
        <Alert kind="success" title={t("parkingPermit.check.eligibleTitle")}>
          {t("parkingPermit.check.eligibleText")}
        </Alert>
      ) : (
        <Alert kind="warning" title={t("parkingPermit.check.notEligibleTitle")}>
          {t("parkingPermit.check.notEligibleText")}
        </Alert>
      )}
      <ul className="rule-list" data-testid="rule-list">
        {eligibility.results.map((rule) => (
          <li key={rule.code} className={`rule-list__item rule-list__item--${rule.passed ? "passed" : "failed"}`} data-rule={rule.code}>
            <span className="rule-list__icon" aria-hidden="true">
              {rule.passed ? "✓" : "✗"}
            </span>
            <span className="rule-list__text">
              <strong className="rule-list__verdict">{rule.passed ? t("parkingPermit.check.passed") : t("parkingPermit.check.failed")}</strong>
              <span className="visually-hidden">: </span>
              <span className="rule-list__explanation">{rule.explanation}</span>
            </span>
          </li>
        ))}
      </ul>
      <p className="field__hint">{t("parkingPermit.check.rulesVersion", { version: eligibility.rules_version })}</p>
    </>
  );
}
