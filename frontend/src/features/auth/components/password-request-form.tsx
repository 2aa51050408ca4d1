import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { Alert, Button } from "@/components/ui/misc";
import { EMAIL_RE, summaryItems, toFormErrors, useFormErrors } from "@/lib/form";
import { useRequestPassword } from "../api/request-password";

export function PasswordRequestForm() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const { errors, setErrors, clear, attempt } = useFormErrors();
  const request = useRequestPassword();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const value = email.trim();
    if (!value) return setErrors({ fieldErrors: { email: [t("errors.required", { field: t("auth.email").toLowerCase() })] }, formErrors: [] });
    if (!EMAIL_RE.test(value)) return setErrors({ fieldErrors: { email: [t("errors.invalidEmail")] }, formErrors: [] });
    clear();
    request.mutate(value, {
      onSuccess: () => setSent(true),
      onError: (error) => setErrors(toFormErrors(t, error)),
    });
  };

  return (
    <>
      <div aria-live="polite">{sent ? <Alert kind="success" live={false}>{t("auth.reset.requestSent")}</Alert> : null}</div>
      <form onSubmit={onSubmit} noValidate className="form">
        <ErrorSummary items={summaryItems(errors, ["email"])} focusKey={attempt} />
        <TextField
          name="email"
          type="email"
          label={t("auth.email")}
          autoComplete="email"
          spellCheck={false}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          errors={errors.fieldErrors.email}
        />
        <Button type="submit" busy={request.isPending}>
          {request.isPending ? t("auth.reset.requestSubmitting") : t("auth.reset.requestSubmit")}
        </Button>
      </form>
    </>
  );
}
