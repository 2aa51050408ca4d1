import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { Alert, Button, Loading } from "@/components/ui/misc";
import type { AuthResponse } from "@/lib/allauth";
import { ValidationError } from "@/lib/errors";
import { errorMessage, summaryItems, toFormErrors, useFormErrors } from "@/lib/form";
import { usePasswordReset } from "../api/get-password-reset";
import { useResetPassword } from "../api/reset-password";

const FIELDS = ["password", "password2"];

export function PasswordResetForm({ resetKey, onDone }: { resetKey: string; onDone: (res: AuthResponse) => void }) {
  const { t } = useTranslation();
  const info = usePasswordReset(resetKey);
  const reset = useResetPassword();
  const [values, setValues] = useState({ password: "", password2: "" });
  const { errors, setErrors, clear, attempt } = useFormErrors();

  if (info.isPending) return <Loading />;
  if (info.isError) {
    return (
      <div className="stack">
        <Alert kind="error">{info.error instanceof ValidationError ? t("auth.reset.invalidKey") : errorMessage(t, info.error)}</Alert>
        <p>
          <Link to="/account/password/reset">{t("auth.reset.requestNew")}</Link>
        </p>
      </div>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const fieldErrors: Record<string, string[]> = {};
    if (!values.password) fieldErrors.password = [t("errors.required", { field: t("auth.newPassword").toLowerCase() })];
    else if (values.password.length < 8) fieldErrors.password = [t("errors.passwordTooShort")];
    if (values.password && values.password2 !== values.password) fieldErrors.password2 = [t("errors.passwordMismatch")];
    if (Object.keys(fieldErrors).length) return setErrors({ fieldErrors, formErrors: [] });
    clear();
    reset.mutate(
      { key: resetKey, password: values.password },
      { onSuccess: onDone, onError: (error) => setErrors(toFormErrors(t, error)) },
    );
  };

  // A key error from the server is not a field on this form: show it in the summary.
  const { key: keyErrors, ...fieldErrors } = errors.fieldErrors;
  const shown = { fieldErrors, formErrors: [...errors.formErrors, ...(keyErrors ?? [])] };

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <ErrorSummary items={summaryItems(shown, FIELDS)} focusKey={attempt} />
      <input type="text" name="username" autoComplete="username" value={info.data?.data?.user?.email ?? ""} readOnly hidden />
      <TextField
        name="password"
        type="password"
        label={t("auth.newPassword")}
        hint={t("auth.passwordHint")}
        autoComplete="new-password"
        required
        value={values.password}
        onChange={(e) => setValues((v) => ({ ...v, password: e.target.value }))}
        errors={shown.fieldErrors.password}
      />
      <TextField
        name="password2"
        type="password"
        label={t("auth.confirmPassword")}
        autoComplete="new-password"
        required
        value={values.password2}
        onChange={(e) => setValues((v) => ({ ...v, password2: e.target.value }))}
        errors={shown.fieldErrors.password2}
      />
      <Button type="submit" busy={reset.isPending}>
        {reset.isPending ? t("auth.reset.submitting") : t("auth.reset.submit")}
      </Button>
    </form>
  );
}
