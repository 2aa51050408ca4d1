import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useStandardPages } from "../api/get-standard-pages";

/** Links to the CMS information pages in the current language. */
export function PageLinks({ locale }: { locale: string }) {
  const { t } = useTranslation();
  const pages = useStandardPages(locale);
  if (!pages.data?.length) return null;
  return (
    <section className="page-links" aria-labelledby="page-links-title">
      <h2 id="page-links-title">{t("home.pagesTitle")}</h2>
      <ul className="link-list">
        {pages.data.map((page) => (
          <li key={page.id}>
            <Link to={`/pages/${encodeURIComponent(page.meta.slug as string)}`}>{page.title}</Link>
            {page.intro ? <p className="link-list__desc">{page.intro}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
