import { useTranslation } from "react-i18next";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { useIdentification } from "@/features/identification/api/get-identification";
import { IdentificationStatusView } from "@/features/identification/components/identification-status";
import { errorMessage } from "@/lib/form";
import { currentLanguage } from "@/lib/i18n";

export function IdentificationRoute() {
  const { t } = useTranslation();
  const identification = useIdentification(currentLanguage());
  return (
    <>
      <PageHeading>{t("identification.title")}</PageHeading>
      <p className="lead">{t("identification.intro")}</p>
      {identification.isPending ? <Loading /> : null}
      {identification.isError ? (
        <Alert kind="error" title={t("identification.loadError")}>
          {errorMessage(t, identification.error)}
        </Alert>
      ) : null}
      {identification.data ? <IdentificationStatusView data={identification.data} /> : null}
    </>
  );
}
