import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";
import { useTranslation } from "react-i18next";
import { fieldId } from "@/lib/form";

interface FieldShellProps {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  required?: boolean;
  /** Show "(optional)" after the label for non-required fields (default true). */
  markOptional?: boolean;
  children: (props: { id: string; describedBy?: string; invalid: boolean }) => ReactNode;
  className?: string;
}

function FieldShell({ name, label, hint, errors, required, markOptional = true, children, className }: FieldShellProps) {
  const { t } = useTranslation();
  const id = fieldId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const invalid = !!errors?.length;
  return (
    <div className={`field${invalid ? " field--error" : ""}${className ? ` ${className}` : ""}`}>
      <label className="field__label" htmlFor={id}>
        {label}
        {required ? (
          <span className="field__marker"> {t("common.required")}</span>
        ) : markOptional ? (
          <span className="field__marker"> {t("common.optional")}</span>
        ) : null}
      </label>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {invalid ? (
        <p className="field__error" id={errorId}>
          {errors!.map((message, i) => (
            <span key={i} className="field__error-line">
              <span className="visually-hidden">{t("errors.summaryTitle")}: </span>
              {message}
            </span>
          ))}
        </p>
      ) : null}
      {children({ id, describedBy, invalid })}
    </div>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id"> & {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  markOptional?: boolean;
  width?: "full" | "short" | "medium";
};

export function TextField({ name, label, hint, errors, required, markOptional, width = "full", className, ...input }: TextFieldProps) {
  return (
    <FieldShell name={name} label={label} hint={hint} errors={errors} required={required} markOptional={markOptional} className={className}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          name={name}
          className={`input input--${width}`}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          aria-required={required || undefined}
          type="text"
          {...input}
        />
      )}
    </FieldShell>
  );
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "name" | "id"> & {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  options: { value: string; label: string }[];
};

export function SelectField({ name, label, hint, errors, required, options, ...select }: SelectFieldProps) {
  return (
    <FieldShell name={name} label={label} hint={hint} errors={errors} required={required}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          name={name}
          className="input input--medium"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          aria-required={required || undefined}
          {...select}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

type CheckboxFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id" | "type"> & {
  name: string;
  label: ReactNode;
  errors?: string[];
};

export function CheckboxField({ name, label, errors, ...input }: CheckboxFieldProps) {
  const id = fieldId(name);
  const errorId = errors?.length ? `${id}-error` : undefined;
  return (
    <div className={`checkbox${errors?.length ? " field--error" : ""}`}>
      {errors?.length ? (
        <p className="field__error" id={errorId}>
          {errors.join(" ")}
        </p>
      ) : null}
      <input id={id} name={name} type="checkbox" className="checkbox__input" aria-describedby={errorId} {...input} />
      <label className="checkbox__label" htmlFor={id}>
        {label}
      </label>
    </div>
  );
}

interface FieldsetProps {
  legend: ReactNode;
  hint?: ReactNode;
  children: ReactNode;
  id?: string;
}

export function Fieldset({ legend, hint, children, id }: FieldsetProps) {
  const hintId = hint && id ? `${id}-hint` : undefined;
  return (
    <fieldset className="fieldset" id={id} aria-describedby={hintId}>
      <legend className="fieldset__legend">{legend}</legend>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {children}
    </fieldset>
  );
}
