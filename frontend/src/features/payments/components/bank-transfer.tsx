import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Order } from "@/lib/api/types";
import { formatHuf } from "@/lib/format";
import { domesticAccountNumber, groupsOfFour } from "../lib/order";
import { CopyRow } from "./copy-row";

async function copyToClipboard(value: string): Promise<boolean> {
  try {
    if (!navigator.clipboard) return false;
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    return false;
  }
}

/** How to pay by bank transfer: each detail with a copy button, confirmations read out politely. */
export function BankTransfer({ order }: { order: Order }) {
  const { t, i18n } = useTranslation();
  const { transfer } = order;
  const iban = transfer.iban.replace(/\s+/g, "");
  const domestic = domesticAccountNumber(iban);
  // The remittance is the payment reference: print it grouped like on paper, copy it compact.
  const remittanceDisplay = transfer.remittance === order.reference ? order.reference_display : transfer.remittance;
  const [copied, setCopied] = useState<string | null>(null);
  // A new key per copy makes the live region announce the same confirmation again.
  const [announcement, setAnnouncement] = useState({ text: "", n: 0 });

  async function onCopy(label: string, value: string) {
    const ok = await copyToClipboard(value);
    setCopied(ok ? label : null);
    setAnnouncement((a) => ({ text: ok ? t("payments.copiedAnnouncement", { what: label }) : t("payments.copyFailed"), n: a.n + 1 }));
  }

  const row = (label: string, display: string, value: string, code = false) => (
    <CopyRow key={label} label={label} display={display} value={value} code={code} copied={copied === label} onCopy={onCopy} />
  );

  return (
    <section className="order-panel__transfer" aria-labelledby="transfer-title">
      <h3 id="transfer-title">{t("payments.transferTitle")}</h3>
      <p>{t("payments.transferIntro")}</p>
      <dl className="summary-list">
        {row(t("payments.beneficiary"), transfer.account_name, transfer.account_name)}
        {row(t("payments.iban"), groupsOfFour(iban), iban, true)}
        {domestic ? row(t("payments.accountNumber"), domestic, domestic, true) : null}
        {row(t("payments.transferAmount"), formatHuf(transfer.amount, i18n.language), String(transfer.amount))}
        {row(t("payments.remittance"), remittanceDisplay, transfer.remittance, true)}
        {transfer.bic ? (
          <div className="summary-list__row">
            <dt>{t("payments.bic")}</dt>
            <dd className="copy-row__value copy-row__value--code">{transfer.bic}</dd>
          </div>
        ) : null}
      </dl>
      <figure className="order-panel__qr">
        {/* The transfer in the MNB QR format, for the resident's banking app; served by the API per order. */}
        <img
          src={`/api/v1/orders/${encodeURIComponent(order.reference)}/transfer-qr/?amount=${transfer.amount}`}
          alt={t("payments.qrAlt", { amount: formatHuf(transfer.amount, i18n.language), reference: remittanceDisplay })}
          width={176}
          height={176}
        />
        <figcaption>{t("payments.qrCaption")}</figcaption>
      </figure>
      <p className="order-panel__note">{t("payments.transferNote")}</p>
      {announcement.text && !copied ? <p className="order-panel__copy-failed">{announcement.text}</p> : null}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="copy-announcer">
        <span key={announcement.n}>{announcement.text}</span>
      </div>
    </section>
  );
}
