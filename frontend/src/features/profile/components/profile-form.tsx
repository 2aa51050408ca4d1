import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ErrorSummary } from "@/components/ui/error-summary";
import { CheckboxField, Fieldset, TextField } from "@/components/ui/fields";
import { Alert, Button } from "@/components/ui/misc";
import type { Profile } from "@/lib/api/types";
import { summaryItems, toFormErrors, useFormErrors } from "@/lib/form";
import { useUpdateProfile } from "../api/update-profile";
import {
  FIELD_ORDER,
  isIdentityLocked,
  profileToValues,
  validateProfile,
  valuesToUpdate,
  type AddressField,
  type AddressKey,
  type ProfileValues,
} from "../lib/profile-form";
import { AddressFields } from "./address-fields";
import { LockedIdentity } from "./locked-identity";

type TextKey = "family_name" | "given_names" | "birth_name" | "mother_birth_name" | "birth_date" | "birth_place" | "phone";

export function ProfileForm({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<ProfileValues>(() => profileToValues(profile));
  const [saved, setSaved] = useState(false);
  const { errors, setErrors, clear, attempt } = useFormErrors();
  const update = useUpdateProfile();
  const locked = isIdentityLocked(profile);
  const fe = errors.fieldErrors;

  const setText = (key: TextKey) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setSaved(false);
    setValues((v) => ({ ...v, [key]: e.target.value }));
  };
  const setAddress = (field: AddressField) => (key: AddressKey, value: string) => {
    setSaved(false);
    setValues((v) => ({ ...v, [field]: { ...v[field], [key]: value } }));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const clientErrors = validateProfile(values, locked, t);
    if (Object.keys(clientErrors.fieldErrors).length) return setErrors(clientErrors);
    clear();
    update.mutate(valuesToUpdate(values, locked), {
      onSuccess: (next) => {
        setValues(profileToValues(next));
        setSaved(true);
      },
      onError: (error) => setErrors(toFormErrors(t, error)),
    });
  };

  return (
    <form onSubmit={onSubmit} noValidate className="form profile-form">
      <ErrorSummary items={summaryItems(errors, FIELD_ORDER)} focusKey={attempt} />
      <div aria-live="polite" aria-atomic="true">
        {saved ? (
          <Alert kind="success" live={false}>
            {t("profile.saved")}
          </Alert>
        ) : null}
      </div>

      <section className="panel" aria-labelledby="email-title">
        <h2 id="email-title">{t("profile.emailTitle")}</h2>
        <p className="profile-email">
          <strong>{profile.email}</strong> <Link to="/account/email">{t("profile.emailChange")}</Link>
        </p>
      </section>

      {locked ? (
        <LockedIdentity profile={profile} />
      ) : (
        <Fieldset legend={t("profile.identityTitle")} hint={t("profile.identityHint")} id="identity-fieldset">
          <TextField name="family_name" label={t("profile.fields.family_name")} autoComplete="family-name" required value={values.family_name} onChange={setText("family_name")} errors={fe.family_name} />
          <TextField name="given_names" label={t("profile.fields.given_names")} autoComplete="given-name" required value={values.given_names} onChange={setText("given_names")} errors={fe.given_names} />
          <TextField name="birth_name" label={t("profile.fields.birth_name")} hint={t("profile.fields.birth_name_hint")} autoComplete="off" value={values.birth_name} onChange={setText("birth_name")} errors={fe.birth_name} />
          <div className="protected-group">
            <p className="protected-note" id="protected-note">
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" className="icon">
                <path fill="currentColor" d="M12 1a5 5 0 0 0-5 5v4H5v13h14V10h-2V6a5 5 0 0 0-5-5Zm-3 5a3 3 0 1 1 6 0v4H9V6Z" />
              </svg>{" "}
              {t("profile.protectedNote")}
            </p>
            <TextField name="mother_birth_name" label={t("profile.fields.mother_birth_name")} autoComplete="off" value={values.mother_birth_name} onChange={setText("mother_birth_name")} errors={fe.mother_birth_name} />
            <TextField name="birth_date" type="date" width="medium" label={t("profile.fields.birth_date")} autoComplete="bday" value={values.birth_date} onChange={setText("birth_date")} errors={fe.birth_date} />
            <TextField name="birth_place" label={t("profile.fields.birth_place")} autoComplete="off" width="medium" value={values.birth_place} onChange={setText("birth_place")} errors={fe.birth_place} />
          </div>
        </Fieldset>
      )}

      <Fieldset legend={t("profile.contactTitle")} id="contact-fieldset">
        <TextField name="phone" type="tel" width="medium" label={t("profile.fields.phone")} hint={t("profile.fields.phone_hint")} autoComplete="tel" value={values.phone} onChange={setText("phone")} errors={fe.phone} />
      </Fieldset>

      {!locked ? (
        <AddressFields
          prefix="permanent_address"
          legend={t("profile.permanentTitle")}
          hint={t("profile.permanentHint")}
          value={values.permanent_address}
          onChange={setAddress("permanent_address")}
          errors={fe}
        />
      ) : null}

      <CheckboxField
        name="mailing_same_as_permanent"
        label={t("profile.mailingSame")}
        checked={values.mailing_same_as_permanent}
        onChange={(e) => {
          setSaved(false);
          setValues((v) => ({ ...v, mailing_same_as_permanent: e.target.checked }));
        }}
        errors={fe.mailing_same_as_permanent}
      />

      {!values.mailing_same_as_permanent ? (
        <AddressFields
          prefix="mailing_address"
          legend={t("profile.mailingTitle")}
          value={values.mailing_address}
          onChange={setAddress("mailing_address")}
          errors={fe}
        />
      ) : null}

      <div className="form-actions">
        <Button type="submit" busy={update.isPending}>
          {update.isPending ? t("common.saving") : t("common.save")}
        </Button>
      </div>
    </form>
  );
}
