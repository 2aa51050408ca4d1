import { useTranslation } from "react-i18next";
import { ALLAUTH_BASE } from "@/lib/allauth";
import { getCsrfToken } from "@/lib/csrf";
import { useAuthConfig, facebookEnabled } from "../api/get-config";

export const PROVIDER_CALLBACK_PATH = "/account/provider/callback";

/**
 * Provider login is a real (non-XHR) form POST: the backend answers with a
 * redirect to Facebook and later back to /account/provider/callback.
 */
export function FacebookButton() {
  const { t } = useTranslation();
  const config = useAuthConfig();
  if (config.isSuccess && !facebookEnabled(config.data)) return null;
  return (
    <form method="post" action={`${ALLAUTH_BASE}/auth/provider/redirect`} className="provider-form">
      <input type="hidden" name="provider" value="facebook" />
      <input type="hidden" name="callback_url" value={PROVIDER_CALLBACK_PATH} />
      <input type="hidden" name="process" value="login" />
      <input type="hidden" name="csrfmiddlewaretoken" value={getCsrfToken() ?? ""} />
      <button type="submit" className="button button--facebook" aria-describedby="facebook-hint">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M24 12.07C24 5.4 18.63 0 12 0S0 5.4 0 12.07C0 18.1 4.39 23.1 10.13 24v-8.44H7.08v-3.49h3.04V9.41c0-3.02 1.8-4.7 4.54-4.7 1.31 0 2.68.24 2.68.24v2.97h-1.5c-1.5 0-1.96.93-1.96 1.89v2.26h3.32l-.53 3.5h-2.8V24C19.62 23.1 24 18.1 24 12.07"
          />
        </svg>
        <span>{t("auth.facebook")}</span>
      </button>
      <p className="field__hint" id="facebook-hint">
        {t("auth.facebookHint")}
      </p>
    </form>
  );
}
