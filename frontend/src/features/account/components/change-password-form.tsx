import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { Alert, Button } from "@/components/ui/misc";
import { NotAuthenticatedError } from "@/lib/errors";
import { summaryItems, toFormErrors, useFormErrors } from "@/lib/form";
import { useChangePassword } from "../api/change-password";

const FIELDS = ["current_password", "new_password", "new_password2"];

export function ChangePasswordForm({ hasUsablePassword = true }: { hasUsablePassword?: boolean }) {
  const { t } = useTranslation();
  const change = useChangePassword();
  const [values, setValues] = useState({ current_password: "", new_password: "", new_password2: "" });
  const [done, setDone] = useState(false);
  const { errors, setErrors, clear, attempt } = useFormErrors();

  const set = (name: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    const fieldErrors: Record<string, string[]> = {};
    if (hasUsablePassword && !values.current_password)
      fieldErrors.current_password = [t("errors.required", { field: t("auth.currentPassword").toLowerCase() })];
    if (!values.new_password) fieldErrors.new_password = [t("errors.required", { field: t("auth.newPassword").toLowerCase() })];
    else if (values.new_password.length < 8) fieldErrors.new_password = [t("errors.passwordTooShort")];
    if (values.new_password && values.new_password2 !== values.new_password) fieldErrors.new_password2 = [t("errors.passwordMismatch")];
    if (Object.keys(fieldErrors).length) return setErrors({ fieldErrors, formErrors: [] });
    clear();
    change.mutate(
      hasUsablePassword
        ? { current_password: values.current_password, new_password: values.new_password }
        : { new_password: values.new_password },
      {
        onSuccess: () => {
          setDone(true);
          setValues({ current_password: "", new_password: "", new_password2: "" });
        },
        onError: (error) =>
          setErrors(
            error instanceof NotAuthenticatedError ? { fieldErrors: {}, formErrors: [t("account.reauth")] } : toFormErrors(t, error),
          ),
      },
    );
  };

  return (
    <>
      <div aria-live="polite">{done ? <Alert kind="success" live={false}>{t("account.passwordChanged")}</Alert> : null}</div>
      {!hasUsablePassword ? <p>{t("account.passwordNoUsable")}</p> : null}
      <form onSubmit={onSubmit} noValidate className="form">
        <ErrorSummary items={summaryItems(errors, FIELDS)} focusKey={attempt} />
        {hasUsablePassword ? (
          <TextField
            name="current_password"
            type="password"
            label={t("auth.currentPassword")}
            autoComplete="current-password"
            required
            value={values.current_password}
            onChange={set("current_password")}
            errors={errors.fieldErrors.current_password}
          />
        ) : null}
        <TextField
          name="new_password"
          type="password"
          label={t("auth.newPassword")}
          hint={t("auth.passwordHint")}
          autoComplete="new-password"
          required
          value={values.new_password}
          onChange={set("new_password")}
          errors={errors.fieldErrors.new_password}
        />
        <TextField
          name="new_password2"
          type="password"
          label={t("auth.confirmPassword")}
          autoComplete="new-password"
          required
          value={values.new_password2}
          onChange={set("new_password2")}
          errors={errors.fieldErrors.new_password2}
        />
        <Button type="submit" busy={change.isPending}>
          {change.isPending ? t("account.passwordSubmitting") : t("account.passwordSubmit")}
        </Button>
      </form>
    </>
  );
}
