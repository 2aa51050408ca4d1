import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { fieldId, type SummaryItem } from "@/lib/form";

interface ErrorSummaryProps {
  items: SummaryItem[];
  /** Changes on each failed submit so focus moves to the summary again. */
  focusKey?: number;
  /** Optional follow-up (e.g. a link to where the problem can be solved), shown below the list. */
  children?: ReactNode;
}

/** GOV.UK-style error summary: shown above the form, focused on submit failure, links to fields. */
export function ErrorSummary({ items, focusKey = 0, children }: ErrorSummaryProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (items.length > 0) ref.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusKey, items.length > 0]);

  if (items.length === 0) return null;

  const focusField = (event: React.MouseEvent<HTMLAnchorElement>, field: string) => {
    const el = document.getElementById(fieldId(field));
    if (!el) return;
    event.preventDefault();
    el.scrollIntoView?.({ block: "center" });
    el.focus();
  };

  return (
    <div
      className="error-summary"
      ref={ref}
      tabIndex={-1}
      role="alert"
      aria-labelledby="error-summary-title"
      data-testid="error-summary"
    >
      <h2 className="error-summary__title" id="error-summary-title">
        {t("errors.summaryTitle")}
      </h2>
      <ul className="error-summary__list">
        {items.map((item, index) =>
          item.field ? (
            <li key={`${item.field}-${index}`}>
              <a href={`#${fieldId(item.field)}`} onClick={(e) => focusField(e, item.field!)}>
                {item.message}
              </a>
            </li>
          ) : (
            <li key={`form-${index}`}>{item.message}</li>
          ),
        )}
      </ul>
      {children ? <div className="error-summary__more">{children}</div> : null}
    </div>
  );
}
