import { useRef, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Alert, Button, Loading } from "@/components/ui/misc";
import type { AuthResponse } from "@/lib/allauth";
import { ValidationError } from "@/lib/errors";
import { errorMessage } from "@/lib/form";
import { useEmailVerification } from "../api/get-email-verification";
import { useVerifyEmail } from "../api/verify-email";

/** Shows whose address is being confirmed; confirming is an explicit POST (links may be prefetched by mail scanners). */
export function VerifyEmailConfirm({ verificationKey, onDone }: { verificationKey: string; onDone: (res: AuthResponse) => void }) {
  const { t } = useTranslation();
  const info = useEmailVerification(verificationKey);
  const verify = useVerifyEmail();
  const errorRef = useRef<HTMLDivElement>(null);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate(verificationKey, {
      onSuccess: onDone,
      onError: () => setTimeout(() => errorRef.current?.focus(), 0),
    });
  };

  if (info.isPending) return <Loading />;

  if (info.isError) {
    const invalid = info.error instanceof ValidationError;
    return (
      <div className="stack">
        <Alert kind="error">{invalid ? t("auth.verify.invalidKey") : errorMessage(t, info.error)}</Alert>
        <p>
          <Link to="/account/login">{t("auth.login.title")}</Link>
        </p>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} className="form stack">
      <p className="lead">
        {info.data?.data?.email ? t("auth.verify.confirmText", { email: info.data.data.email }) : t("auth.verify.confirmTextGeneric")}
      </p>
      {verify.isError ? (
        <div ref={errorRef} tabIndex={-1}>
          <Alert kind="error">
            {verify.error instanceof ValidationError ? t("auth.verify.invalidKey") : errorMessage(t, verify.error)}
          </Alert>
        </div>
      ) : null}
      <Button type="submit" busy={verify.isPending}>
        {verify.isPending ? t("auth.verify.confirming") : t("auth.verify.confirm")}
      </Button>
    </form>
  );
}
