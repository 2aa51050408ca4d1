import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { Alert, Button, Loading } from "@/components/ui/misc";
import { NotAuthenticatedError } from "@/lib/errors";
import { EMAIL_RE, errorMessage, summaryItems, toFormErrors, useFormErrors } from "@/lib/form";
import { useChangeEmail } from "../api/change-email";
import { useEmails } from "../api/get-emails";
import { useRemoveEmail } from "../api/remove-email";
import { useResendEmail } from "../api/resend-email";

type Status = { kind: "success" | "error" | "info"; text: string } | null;

export function EmailManager({ onReauthRequired }: { onReauthRequired?: () => void }) {
  const { t } = useTranslation();
  const emails = useEmails();
  const change = useChangeEmail();
  const resend = useResendEmail();
  const remove = useRemoveEmail();
  const [newEmail, setNewEmail] = useState("");
  const [status, setStatus] = useState<Status>(null);
  const [reauth, setReauth] = useState(false);
  const { errors, setErrors, clear, attempt } = useFormErrors();

  const handleError = (error: unknown) => {
    if (error instanceof NotAuthenticatedError) {
      setReauth(true);
      onReauthRequired?.();
      return;
    }
    setStatus({ kind: "error", text: errorMessage(t, error) });
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    const value = newEmail.trim();
    if (!value) return setErrors({ fieldErrors: { email: [t("errors.required", { field: t("account.newEmail").toLowerCase() })] }, formErrors: [] });
    if (!EMAIL_RE.test(value)) return setErrors({ fieldErrors: { email: [t("errors.invalidEmail")] }, formErrors: [] });
    clear();
    change.mutate(value, {
      onSuccess: () => {
        setNewEmail("");
        setStatus({ kind: "success", text: t("account.changeSent", { email: value }) });
      },
      onError: (error) => {
        if (error instanceof NotAuthenticatedError) return handleError(error);
        setErrors(toFormErrors(t, error));
      },
    });
  };

  const onResend = (email: string) => {
    setStatus(null);
    resend.mutate(email, {
      onSuccess: () => setStatus({ kind: "success", text: t("account.resent", { email }) }),
      onError: handleError,
    });
  };

  const onRemove = (email: string) => {
    setStatus(null);
    remove.mutate(email, {
      onSuccess: () => setStatus({ kind: "success", text: t("account.removed", { email }) }),
      onError: handleError,
    });
  };

  return (
    <div className="stack">
      <div aria-live="polite" aria-atomic="true">
        {status ? <Alert kind={status.kind} live={false}>{status.text}</Alert> : null}
        {reauth ? <Alert kind="warning" live={false}>{t("account.reauth")}</Alert> : null}
      </div>

      <section aria-labelledby="emails-title" className="panel">
        <h2 id="emails-title">{t("account.emailsTitle")}</h2>
        <p>{t("account.emailsIntro")}</p>
        {emails.isPending ? <Loading /> : null}
        {emails.isError ? <Alert kind="error">{errorMessage(t, emails.error)}</Alert> : null}
        {emails.data ? (
          <ul className="email-list">
            {emails.data.data.map((address) => (
              <li key={address.email} className="email-list__item">
                <span className="email-list__address">{address.email}</span>
                <span className="email-list__tags">
                  {address.primary ? <span className="tag">{t("account.primary")}</span> : null}
                  <span className={`tag ${address.verified ? "tag--success" : "tag--warning"}`}>
                    {address.verified ? t("account.verified") : t("account.unverified")}
                  </span>
                </span>
                <span className="email-list__actions">
                  {!address.verified ? (
                    <Button variant="link" onClick={() => onResend(address.email)} disabled={resend.isPending}>
                      {t("account.resend")}
                      <span className="visually-hidden"> ({address.email})</span>
                    </Button>
                  ) : null}
                  {!address.primary ? (
                    <Button variant="link" onClick={() => onRemove(address.email)} disabled={remove.isPending}>
                      {t("account.remove")}
                      <span className="visually-hidden"> ({address.email})</span>
                    </Button>
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <section aria-labelledby="change-email-title" className="panel">
        <h2 id="change-email-title">{t("account.changeTitle")}</h2>
        <p>{t("account.changeIntro")}</p>
        <form onSubmit={onSubmit} noValidate className="form">
          <ErrorSummary items={summaryItems(errors, ["email"])} focusKey={attempt} />
          <TextField
            name="email"
            type="email"
            label={t("account.newEmail")}
            autoComplete="email"
            spellCheck={false}
            required
            value={newEmail}
            onChange={(e) => setNewEmail(e.target.value)}
            errors={errors.fieldErrors.email}
          />
          <Button type="submit" busy={change.isPending}>
            {change.isPending ? t("account.changeSubmitting") : t("account.changeSubmit")}
          </Button>
        </form>
      </section>
    </div>
  );
}
