import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { Button } from "@/components/ui/misc";
import type { AuthResponse } from "@/lib/allauth";
import { ConflictError, PermissionDeniedError } from "@/lib/errors";
import { EMAIL_RE, summaryItems, toFormErrors, useFormErrors, type FormErrors } from "@/lib/form";
import { useSignup } from "../api/signup";

const FIELDS = ["email", "password", "password2"];

export function SignupForm({ onDone }: { onDone: (res: AuthResponse | null, email: string) => void }) {
  const { t } = useTranslation();
  const [values, setValues] = useState({ email: "", password: "", password2: "" });
  const { errors, setErrors, clear, attempt } = useFormErrors();
  const signup = useSignup();

  const validate = (): FormErrors => {
    const fieldErrors: Record<string, string[]> = {};
    if (!values.email.trim()) fieldErrors.email = [t("errors.required", { field: t("auth.email").toLowerCase() })];
    else if (!EMAIL_RE.test(values.email.trim())) fieldErrors.email = [t("errors.invalidEmail")];
    if (!values.password) fieldErrors.password = [t("errors.required", { field: t("auth.password").toLowerCase() })];
    else if (values.password.length < 8) fieldErrors.password = [t("errors.passwordTooShort")];
    if (values.password && values.password2 !== values.password) fieldErrors.password2 = [t("errors.passwordMismatch")];
    return { fieldErrors, formErrors: [] };
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const clientErrors = validate();
    if (Object.keys(clientErrors.fieldErrors).length) return setErrors(clientErrors);
    clear();
    const email = values.email.trim();
    signup.mutate(
      { email, password: values.password },
      {
        onSuccess: (res) => onDone(res, email),
        onError: (error) => {
          if (error instanceof ConflictError) return onDone(null, email);
          if (error instanceof PermissionDeniedError) return setErrors({ fieldErrors: {}, formErrors: [t("auth.signup.closed")] });
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
        hint={t("auth.emailHint")}
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
        hint={t("auth.passwordHint")}
        autoComplete="new-password"
        required
        value={values.password}
        onChange={(e) => setValues((v) => ({ ...v, password: e.target.value }))}
        errors={errors.fieldErrors.password}
      />
      <TextField
        name="password2"
        type="password"
        label={t("auth.repeatPassword")}
        autoComplete="new-password"
        required
        value={values.password2}
        onChange={(e) => setValues((v) => ({ ...v, password2: e.target.value }))}
        errors={errors.fieldErrors.password2}
      />
      <Button type="submit" busy={signup.isPending}>
        {signup.isPending ? t("auth.signup.submitting") : t("auth.signup.submit")}
      </Button>
    </form>
  );
}
