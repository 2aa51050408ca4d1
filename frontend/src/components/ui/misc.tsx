import { useContext, useEffect, useRef, type ButtonHTMLAttributes, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocation } from "react-router";
import { RouteFocusContext } from "./route-focus";

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "warning" | "link";
  busy?: boolean;
};

export function Button({ variant = "primary", busy, className, children, disabled, type = "button", ...rest }: ButtonProps) {
  return (
    <button
      type={type}
      className={`button button--${variant}${className ? ` ${className}` : ""}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
    </button>
  );
}

/** Status / notification box. `live` announces changes to screen readers. */
export function Alert({
  kind = "info",
  title,
  children,
  live = true,
}: {
  kind?: "info" | "success" | "error" | "warning";
  title?: ReactNode;
  children?: ReactNode;
  live?: boolean;
}) {
  const role = live ? (kind === "error" ? "alert" : "status") : undefined;
  return (
    <div className={`alert alert--${kind}`} role={role}>
      {title ? <p className="alert__title">{title}</p> : null}
      {children ? <div className="alert__body">{children}</div> : null}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      <span className="loading__spinner" aria-hidden="true" />
      {label ?? t("common.loading")}
    </p>
  );
}

/**
 * The page's single <h1>. Sets document.title and receives focus after
 * client-side navigation (not on the first page load).
 */
export function PageHeading({ children, title }: { children: ReactNode; title?: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  const location = useLocation();
  const focus = useContext(RouteFocusContext);
  const text = title ?? (typeof children === "string" ? children : undefined);

  useEffect(() => {
    if (text) document.title = t("common.pageTitle", { title: text });
  }, [text, t]);

  useEffect(() => {
    if (focus.shouldFocus(location.key)) ref.current?.focus({ preventScroll: false });
  }, [location.key, focus]);

  return (
    <h1 className="page-title" ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
