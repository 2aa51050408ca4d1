import { useTranslation } from "react-i18next";
import type { Profile } from "@/lib/api/types";
import { formatAddress, formatDate } from "../lib/format";

/** Read-only view of verified identity data. */
export function LockedIdentity({ profile }: { profile: Profile }) {
  const { t, i18n } = useTranslation();
  const none = <span className="muted">{t("profile.notProvided")}</span>;
  const rows: [string, React.ReactNode][] = [
    [t("profile.fields.family_name"), profile.family_name || none],
    [t("profile.fields.given_names"), profile.given_names || none],
    [t("profile.fields.birth_name"), profile.birth_name || none],
    [t("profile.fields.mother_birth_name"), profile.mother_birth_name || none],
    [t("profile.fields.birth_date"), profile.birth_date ? formatDate(profile.birth_date, i18n.language) : none],
    [t("profile.fields.birth_place"), profile.birth_place || none],
    [t("profile.permanentTitle"), profile.permanent_address ? formatAddress(profile.permanent_address) : none],
  ];
  return (
    <section className="panel panel--locked" aria-labelledby="locked-title">
      <h2 id="locked-title">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" className="icon">
          <path fill="currentColor" d="M12 1a5 5 0 0 0-5 5v4H5v13h14V10h-2V6a5 5 0 0 0-5-5Zm-3 5a3 3 0 1 1 6 0v4H9V6Z" />
        </svg>{" "}
        {t("profile.lockedTitle")}
      </h2>
      <p>{t("profile.lockedText")}</p>
      <dl className="summary-list">
        {rows.map(([label, value]) => (
          <div className="summary-list__row" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="field__hint">{t("profile.protectedNote")}</p>
    </section>
  );
}
