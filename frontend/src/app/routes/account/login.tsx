import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { PageHeading } from "@/components/ui/misc";
import { FacebookButton } from "@/features/auth/components/facebook-button";
import { LoginForm } from "@/features/auth/components/login-form";
import { authOutcome } from "@/features/auth/lib/auth-flow";
import type { AuthResponse } from "@/lib/allauth";
import { safeNext, useSession } from "@/lib/auth";

export function LoginRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const session = useSession();
  const next = safeNext(params.get("next"));

  if (session.isAuthenticated) return <Navigate to={next} replace />;

  const onDone = (res: AuthResponse | null) => {
    const outcome = authOutcome(res);
    if (res === null || outcome.kind === "authenticated") navigate(next, { replace: true });
    else if (outcome.kind === "verify_email") navigate("/account/verify-email");
  };

  return (
    <div className="narrow">
      <PageHeading>{t("auth.login.title")}</PageHeading>
      <p className="lead">{t("auth.login.intro")}</p>
      <LoginForm onDone={onDone} />
      <p>
        <Link to="/account/password/reset">{t("auth.login.forgot")}</Link>
      </p>
      <div className="divider" role="separator">
        <span>{t("auth.or")}</span>
      </div>
      <FacebookButton />
      <p className="muted-block">
        {t("auth.login.noAccount")} <Link to="/account/signup">{t("auth.login.signupLink")}</Link>
      </p>
    </div>
  );
}
