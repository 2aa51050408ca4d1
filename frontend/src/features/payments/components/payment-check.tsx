import { useTranslation } from "react-i18next";
import type { CheckOutcome } from "../lib/order";

/**
 * Back from the card page: one polite live region whose text moves from "checking" to the
 * outcome the server reports (the region exists first, so the change is read out).
 */
export function PaymentCheck({ outcome, slow }: { outcome: CheckOutcome; slow: boolean }) {
  const { t } = useTranslation();
  return (
    <div role="status" aria-live="polite" aria-atomic="true" className="order-panel__check" data-testid="payment-check">
      {outcome === "paid" ? (
        <div className="alert alert--success">
          <p className="alert__title">
            <span aria-hidden="true">✓ </span>
            {t("payments.checkPaid")}
          </p>
        </div>
      ) : outcome === "failed" ? (
        <div className="alert alert--error">
          <p className="alert__title">{t("payments.checkFailed")}</p>
        </div>
      ) : (
        <div className="alert">
          <p className="loading">
            <span className="loading__spinner" aria-hidden="true" />
            {t("payments.checking")}
          </p>
          {slow ? <p className="order-panel__slow">{t("payments.checkSlow")}</p> : null}
        </div>
      )}
    </div>
  );
}
