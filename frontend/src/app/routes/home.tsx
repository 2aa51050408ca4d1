import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { useHomePage } from "@/features/cms/api/get-home-page";
import { PageLinks } from "@/features/cms/components/page-links";
import { ServiceLinks } from "@/features/cms/components/service-links";
import { StreamField } from "@/features/cms/components/stream-field";
import { useSession } from "@/lib/auth";
import { currentLanguage } from "@/lib/i18n";

export function HomeRoute() {
  const { t } = useTranslation();
  const lang = currentLanguage();
  const home = useHomePage(lang);
  const session = useSession();
  const page = home.data;

  return (
    <article className="home">
      <div className="hero">
        <PageHeading title={page?.title ?? t("home.fallbackTitle")}>{page?.title ?? t("home.fallbackTitle")}</PageHeading>
        <p className="lead">{page?.intro || t("home.fallbackIntro")}</p>
      </div>

      <section className="cta-panel" aria-labelledby="cta-title">
        <h2 id="cta-title">{t("home.ctaTitle")}</h2>
        {session.isAuthenticated ? (
          <>
            <p>{t("home.ctaAuthenticated")}</p>
            <div className="button-row">
              <Link to="/services/parking-permit" className="button button--primary">
                {t("home.ctaParkingPermit")}
              </Link>
              <Link to="/profile" className="button button--secondary">
                {t("home.ctaProfile")}
              </Link>
              <Link to="/identification" className="button button--secondary">
                {t("home.ctaIdentification")}
              </Link>
            </div>
          </>
        ) : (
          <>
            <p>{t("home.ctaAnonymous")}</p>
            <div className="button-row">
              <Link to="/account/signup" className="button button--primary">
                {t("home.ctaSignup")}
              </Link>
              <Link to="/account/login" className="button button--secondary">
                {t("home.ctaLogin")}
              </Link>
            </div>
          </>
        )}
      </section>

      {home.isPending ? <Loading /> : null}
      {home.isError ? <Alert kind="warning">{t("cms.loadError")}</Alert> : null}
      {home.isSuccess && !page ? <p className="muted">{t("home.noContent")}</p> : null}
      {page?.body?.length ? <StreamField blocks={page.body} /> : null}

      <ServiceLinks locale={lang} />
      <PageLinks locale={lang} />
    </article>
  );
}
