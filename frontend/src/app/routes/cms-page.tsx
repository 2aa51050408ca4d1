import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { usePageBySlug } from "@/features/cms/api/get-page-by-slug";
import { ServicePage } from "@/features/cms/components/service-page";
import { StreamField } from "@/features/cms/components/stream-field";
import { currentLanguage } from "@/lib/i18n";

export function CmsPageRoute() {
  const { t } = useTranslation();
  const { slug = "" } = useParams();
  const found = usePageBySlug(slug, currentLanguage());

  if (found.isPending) {
    return (
      <>
        <PageHeading title={t("common.loading")}>
          <span className="visually-hidden">{t("common.loading")}</span>
        </PageHeading>
        <Loading />
      </>
    );
  }
  if (found.isError || !found.data) {
    return (
      <>
        <PageHeading>{t("notFound.title")}</PageHeading>
        <Alert kind={found.isError ? "error" : "info"}>{found.isError ? t("cms.loadError") : t("cms.pageNotFound")}</Alert>
        <p>
          <Link to="/">{t("common.backHome")}</Link>
        </p>
      </>
    );
  }
  if (found.data.kind === "service") return <ServicePage page={found.data.page} />;
  const page = found.data.page;
  return (
    <article>
      <PageHeading>{page.title}</PageHeading>
      {page.intro ? <p className="lead">{page.intro}</p> : null}
      {page.body?.length ? <StreamField blocks={page.body} /> : null}
      <p>
        <Link to="/">{t("common.backHome")}</Link>
      </p>
    </article>
  );
}
