import { useTranslation } from "react-i18next";
import { isRouteErrorResponse, useRouteError } from "react-router";
import { NotFoundRoute } from "./not-found";

export function RouteErrorBoundary() {
  const { t } = useTranslation();
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundRoute />;
  return (
    <div className="container site-main">
      <h1 className="page-title">{t("routeError.title")}</h1>
      <p>{t("routeError.text")}</p>
      <p>
        <a href="/">{t("common.backHome")}</a>
      </p>
    </div>
  );
}
