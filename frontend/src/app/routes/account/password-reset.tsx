import { useTranslation } from "react-i18next";
import { PageHeading } from "@/components/ui/misc";
import { PasswordRequestForm } from "@/features/auth/components/password-request-form";

export function PasswordResetRequestRoute() {
  const { t } = useTranslation();
  return (
    <div className="narrow">
      <PageHeading>{t("auth.reset.requestTitle")}</PageHeading>
      <p className="lead">{t("auth.reset.requestIntro")}</p>
      <PasswordRequestForm />
    </div>
  );
}
