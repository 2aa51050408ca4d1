import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { useCase } from "@/features/cases/api/get-case";
import { CaseDetailView } from "@/features/cases/components/case-detail";
import { OrderPanel } from "@/features/payments/components/order-panel";
import { NotFoundError } from "@/lib/errors";
import { errorMessage } from "@/lib/form";
import { currentLanguage } from "@/lib/i18n";

/**
 * /cases/:reference – progress (polled while processing and while the fee is unpaid), the fee
 * and how to pay it, outcome and the decision download. The card gateway sends the browser back
 * here with `?payment=…`; the fee panel then checks the order with the server.
 */
export function CaseDetailRoute() {
  const { t } = useTranslation();
  const { reference = "" } = useParams();
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  const query = useCase(reference, currentLanguage());
  const data = query.data;
  const { refetch } = query;
  const onPaid = useCallback(() => void refetch(), [refetch]);

  return (
    <>
      <PageHeading title={`${reference} – ${t("cases.title")}`}>
        <span className="page-title__caption">{data?.service.name ?? t("cases.reference")}</span>{" "}
        <span className="visually-hidden">{t("cases.reference")}: </span>
        <span className="page-title__reference">{reference}</span>
      </PageHeading>
      {flash === "submitted" ? <Alert kind="success" title={t("cases.submittedFlash")} /> : null}
      {query.isPending ? <Loading /> : null}
      {query.isError && !data ? (
        <Alert kind="error" title={query.error instanceof NotFoundError ? t("cases.notFound") : t("cases.caseLoadError")}>
          {query.error instanceof NotFoundError ? null : errorMessage(t, query.error)}
        </Alert>
      ) : null}
      {data ? (
        <CaseDetailView
          data={data}
          awaitingReceipt={query.awaitingReceipt}
          onDecisionDownload={query.expectReceipt}
          onRefresh={() => void query.refetch()}
          refreshing={query.isFetching}
          payment={<OrderPanel caseReference={data.reference} caseStatus={data.status} onPaid={onPaid} />}
        />
      ) : null}
      <p className="muted-block">
        <Link to="/cases">{t("cases.backToList")}</Link>
      </p>
    </>
  );
}
