import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { Alert, PageHeading } from "@/components/ui/misc";
import { PasswordResetForm } from "@/features/auth/components/password-reset-form";
import { authOutcome } from "@/features/auth/lib/auth-flow";
import type { AuthResponse } from "@/lib/allauth";

export function PasswordResetKeyRoute() {
  const { t } = useTranslation();
  const { key = "" } = useParams();
  const navigate = useNavigate();
  const [done, setDone] = useState(false);

  const onDone = (res: AuthResponse) => {
    if (authOutcome(res).kind === "authenticated") navigate("/profile", { replace: true });
    else setDone(true);
  };

  return (
    <div className="narrow">
      <PageHeading>{t("auth.reset.title")}</PageHeading>
      {done ? (
        <>
          <Alert kind="success">{t("auth.reset.done")}</Alert>
          <p>
            <Link to="/account/login" className="button button--primary">
              {t("auth.login.submit")}
            </Link>
          </p>
        </>
      ) : (
        <>
          <p className="lead">{t("auth.reset.intro")}</p>
          <PasswordResetForm resetKey={key} onDone={onDone} />
        </>
      )}
    </div>
  );
}
