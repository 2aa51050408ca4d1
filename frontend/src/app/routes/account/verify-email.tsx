import { useTranslation } from "react-i18next";
import { useLocation } from "react-router";
import { PageHeading } from "@/components/ui/misc";
import { VerifyEmailPending } from "@/features/auth/components/verify-email-pending";

export function VerifyEmailRoute() {
  const { t } = useTranslation();
  const location = useLocation();
  const email = (location.state as { email?: string } | null)?.email;
  return (
    <div className="narrow">
      <PageHeading>{t("auth.verify.checkTitle")}</PageHeading>
      <VerifyEmailPending email={email} />
    </div>
  );
}
