import { useTranslation } from "react-i18next";

export function Footer() {
  const { t } = useTranslation();
  return (
    <footer className="site-footer">
      <div className="container site-footer__inner">
        <p className="site-footer__name">{t("common.municipality")}</p>
        <p>{t("layout.footerAddress")}</p>
        <p>{t("layout.footerContact")}</p>
        <p className="site-footer__note">{t("layout.footerNote")}</p>
      </div>
    </footer>
  );
}
