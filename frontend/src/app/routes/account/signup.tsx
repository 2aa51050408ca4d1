import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate } from "react-router";
import { PageHeading } from "@/components/ui/misc";
import { FacebookButton } from "@/features/auth/components/facebook-button";
import { SignupForm } from "@/features/auth/components/signup-form";
import { authOutcome } from "@/features/auth/lib/auth-flow";
import type { AuthResponse } from "@/lib/allauth";
import { useSession } from "@/lib/auth";

export function SignupRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const session = useSession();

  if (session.isAuthenticated) return <Navigate to="/profile" replace />;

  const onDone = (res: AuthResponse | null, email: string) => {
    const outcome = authOutcome(res);
    if (res === null || outcome.kind === "authenticated") navigate("/profile", { replace: true });
    else navigate("/account/verify-email", { state: { email } });
  };

  return (
    <div className="narrow">
      <PageHeading>{t("auth.signup.title")}</PageHeading>
      <p className="lead">{t("auth.signup.intro")}</p>
      <SignupForm onDone={onDone} />
      <div className="divider" role="separator">
        <span>{t("auth.or")}</span>
      </div>
      <FacebookButton />
      <p className="muted-block">
        {t("auth.signup.haveAccount")} <Link to="/account/login">{t("auth.signup.loginLink")}</Link>
      </p>
    </div>
  );
}
