import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "@/components/ui/misc";

export function NotFoundRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeading>{t("notFound.title")}</PageHeading>
      <p>{t("notFound.text")}</p>
      <p>
        <Link to="/">{t("common.backHome")}</Link>
      </p>
    </>
  );
}
