import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "@/components/ui/misc";
import { EmailManager } from "@/features/account/components/email-manager";

export function AccountEmailRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeading>{t("account.title")}</PageHeading>
      <EmailManager />
      <p>
        <Link to="/account/password/change">{t("account.passwordLink")}</Link>
      </p>
    </>
  );
}
