import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useServicePages } from "../api/get-service-pages";

/** Cards linking to the e-service description pages in the current language. */
export function ServiceLinks({ locale }: { locale: string }) {
  const { t } = useTranslation();
  const pages = useServicePages(locale);
  if (!pages.data?.length) return null;
  return (
    <section className="service-links" aria-labelledby="service-links-title">
      <h2 id="service-links-title">{t("home.servicesTitle")}</h2>
      <ul className="service-cards">
        {pages.data.map((page) => (
          <li key={page.id} className="service-card">
            <h3 className="service-card__title">
              <Link to={`/pages/${encodeURIComponent(page.meta.slug as string)}`} className="service-card__link">
                {page.title}
              </Link>
            </h3>
            {page.intro ? <p className="service-card__desc">{page.intro}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
