import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { Button } from "@/components/ui/misc";
import type { AuthResponse } from "@/lib/allauth";
import { ConflictError } from "@/lib/errors";
import { EMAIL_RE, summaryItems, toFormErrors, useFormErrors, type FormErrors } from "@/lib/form";
import { useLogin } from "../api/login";

const FIELDS = ["email", "password"];

export function LoginForm({ onDone }: { onDone: (res: AuthResponse | null) => void }) {
  const { t } = useTranslation();
  const [values, setValues] = useState({ email: "", password: "" });
  const { errors, setErrors, clear, attempt } = useFormErrors();
  const login = useLogin();

  const validate = (): FormErrors => {
    const fieldErrors: Record<string, string[]> = {};
    if (!values.email.trim()) fieldErrors.email = [t("errors.required", { field: t("auth.email").toLowerCase() })];
    else if (!EMAIL_RE.test(values.email.trim())) fieldErrors.email = [t("errors.invalidEmail")];
    if (!values.password) fieldErrors.password = [t("errors.required", { field: t("auth.password").toLowerCase() })];
    return { fieldErrors, formErrors: [] };
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const clientErrors = validate();
    if (Object.keys(clientErrors.fieldErrors).length) return setErrors(clientErrors);
    clear();
    login.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: (res) => onDone(res),
        onError: (error) => {
          // 409: already logged in — just continue.
          if (error instanceof ConflictError) return onDone(null);
          setErrors(toFormErrors(t, error));
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <ErrorSummary items={summaryItems(errors, FIELDS)} focusKey={attempt} />
      <TextField
        name="email"
        type="email"
        label={t("auth.email")}
        autoComplete="email"
        spellCheck={false}
        required
        value={values.email}
        onChange={(e) => setValues((v) => ({ ...v, email: e.target.value }))}
        errors={errors.fieldErrors.email}
      />
      <TextField
        name="password"
        type="password"
        label={t("auth.password")}
        autoComplete="current-password"
        required
        value={values.password}
        onChange={(e) => setValues((v) => ({ ...v, password: e.target.value }))}
        errors={errors.fieldErrors.password}
      />
      <Button type="submit" busy={login.isPending}>
        {login.isPending ? t("auth.login.submitting") : t("auth.login.submit")}
      </Button>
    </form>
  );
}
