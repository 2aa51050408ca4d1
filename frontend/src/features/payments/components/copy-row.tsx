import { useTranslation } from "react-i18next";

interface CopyRowProps {
  label: string;
  /** What is shown (may be grouped for reading). */
  display: string;
  /** What goes to the clipboard (compact, as banks want it). */
  value: string;
  /** Codes (IBAN, reference) are set in a fixed-width font so groups line up. */
  code?: boolean;
  copied: boolean;
  onCopy: (label: string, value: string) => void;
}

/** One transfer detail with its copy button; the button's name says what it copies. */
export function CopyRow({ label, display, value, code, copied, onCopy }: CopyRowProps) {
  const { t } = useTranslation();
  return (
    <div className="summary-list__row summary-list__row--action copy-row">
      <dt>{label}</dt>
      <dd className={`copy-row__value${code ? " copy-row__value--code" : ""}`}>{display}</dd>
      <dd className="summary-list__action copy-row__action">
        <button type="button" className="button button--secondary copy-row__button" onClick={() => onCopy(label, value)}>
          {t("payments.copy")}
          <span className="visually-hidden">: {label}</span>
        </button>
        {copied ? (
          <span className="copy-row__done" aria-hidden="true">
            ✓ {t("payments.copied")}
          </span>
        ) : null}
      </dd>
    </div>
  );
}
