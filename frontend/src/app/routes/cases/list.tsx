import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { useCases } from "@/features/cases/api/get-cases";
import { CaseList } from "@/features/cases/components/case-list";
import { errorMessage } from "@/lib/form";
import { currentLanguage } from "@/lib/i18n";

const NEW_APPLICATION = "/services/parking-permit";

export function CasesRoute() {
  const { t } = useTranslation();
  const cases = useCases(currentLanguage());
  return (
    <>
      <PageHeading>{t("cases.title")}</PageHeading>
      <p className="lead">{t("cases.intro")}</p>
      {cases.isPending ? <Loading /> : null}
      {cases.isError ? (
        <Alert kind="error" title={t("cases.loadError")}>
          {errorMessage(t, cases.error)}
        </Alert>
      ) : null}
      {cases.data && cases.data.length === 0 ? (
        <section className="cta-panel" aria-labelledby="empty-title">
          <h2 id="empty-title">{t("cases.emptyTitle")}</h2>
          <p>{t("cases.emptyText")}</p>
          <Link to={NEW_APPLICATION} className="button button--primary">
            {t("cases.newApplication")}
          </Link>
        </section>
      ) : null}
      {cases.data && cases.data.length > 0 ? (
        <>
          <CaseList cases={cases.data} />
          <p>
            <Link to={NEW_APPLICATION} className="button button--secondary">
              {t("cases.newApplication")}
            </Link>
          </p>
        </>
      ) : null}
    </>
  );
}
