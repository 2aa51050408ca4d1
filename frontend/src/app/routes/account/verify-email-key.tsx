import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { Alert, PageHeading } from "@/components/ui/misc";
import { VerifyEmailConfirm } from "@/features/auth/components/verify-email-confirm";
import { authOutcome } from "@/features/auth/lib/auth-flow";
import type { AuthResponse } from "@/lib/allauth";

export function VerifyEmailKeyRoute() {
  const { t } = useTranslation();
  const { key = "" } = useParams();
  const navigate = useNavigate();
  const [confirmedNeedsLogin, setConfirmedNeedsLogin] = useState(false);

  const onDone = (res: AuthResponse) => {
    if (authOutcome(res).kind === "authenticated") navigate("/profile", { replace: true, state: { flash: "emailConfirmed" } });
    else setConfirmedNeedsLogin(true);
  };

  return (
    <div className="narrow">
      <PageHeading>{t("auth.verify.confirmTitle")}</PageHeading>
      {confirmedNeedsLogin ? (
        <>
          <Alert kind="success">{t("auth.verify.confirmedLogin")}</Alert>
          <p>
            <Link to="/account/login" className="button button--primary">
              {t("auth.login.submit")}
            </Link>
          </p>
        </>
      ) : (
        <VerifyEmailConfirm verificationKey={key} onDone={onDone} />
      )}
    </div>
  );
}
