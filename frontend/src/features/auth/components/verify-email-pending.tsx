import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Alert, Button } from "@/components/ui/misc";
import { ConflictError } from "@/lib/errors";
import { errorMessage } from "@/lib/form";
import { useResendEmailVerification } from "../api/resend-email-verification";

/** "Check your inbox" panel with a resend action for the pending verify_email flow. */
export function VerifyEmailPending({ email }: { email?: string }) {
  const { t } = useTranslation();
  const resend = useResendEmailVerification();
  const [status, setStatus] = useState<{ kind: "success" | "info" | "error"; text: string } | null>(null);

  const onResend = () => {
    setStatus(null);
    resend.mutate(undefined, {
      onSuccess: () => setStatus({ kind: "success", text: t("auth.verify.resent") }),
      onError: (error) =>
        setStatus(
          error instanceof ConflictError
            ? { kind: "info", text: t("auth.verify.resendLogin") }
            : { kind: "error", text: errorMessage(t, error) },
        ),
    });
  };

  return (
    <div className="stack">
      <div className="panel panel--highlight">
        <p className="lead">{email ? t("auth.verify.checkTextEmail", { email }) : t("auth.verify.checkText")}</p>
        <p>{t("auth.verify.checkHint")}</p>
      </div>
      <div aria-live="polite">{status ? <Alert kind={status.kind} live={false}>{status.text}</Alert> : null}</div>
      {status?.kind === "info" ? (
        <p>
          <Link to="/account/login">{t("auth.login.title")}</Link>
        </p>
      ) : null}
      <Button variant="secondary" onClick={onResend} busy={resend.isPending}>
        {resend.isPending ? t("auth.verify.resending") : t("auth.verify.resend")}
      </Button>
    </div>
  );
}
