import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { authOutcome } from "@/features/auth/lib/auth-flow";
import { useSession } from "@/lib/auth";

/** Landing page after the Facebook redirect flow: read the session, then continue. */
export function ProviderCallbackRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const session = useSession();
  const error = params.get("error");
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (error) {
      setProblem(error === "cancelled" ? t("auth.callback.cancelled") : t("auth.callback.error"));
      return;
    }
    if (session.isPending) return;
    // Always re-read the session after the redirect.
    if (!session.isFetchedAfterMount) {
      void session.refetch();
      return;
    }
    const outcome = authOutcome(session.data);
    if (outcome.kind === "authenticated") navigate("/profile", { replace: true });
    else if (outcome.kind === "verify_email") navigate("/account/verify-email", { replace: true });
    else if (outcome.kind === "provider_signup") setProblem(t("auth.callback.signupPending"));
    else setProblem(t("auth.callback.error"));
  }, [error, session.isPending, session.isFetchedAfterMount, session.data, session, navigate, t]);

  return (
    <div className="narrow">
      <PageHeading>{problem ? t("auth.callback.errorTitle") : t("auth.callback.title")}</PageHeading>
      {problem ? (
        <>
          <Alert kind="error">{problem}</Alert>
          <p>
            <Link to="/account/login">{t("auth.callback.backToLogin")}</Link>
          </p>
        </>
      ) : (
        <Loading label={t("auth.callback.working")} />
      )}
    </div>
  );
}
