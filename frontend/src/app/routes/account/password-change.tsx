import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "@/components/ui/misc";
import { ChangePasswordForm } from "@/features/account/components/change-password-form";
import { useSession } from "@/lib/auth";

export function PasswordChangeRoute() {
  const { t } = useTranslation();
  const session = useSession();
  return (
    <div className="narrow">
      <PageHeading>{t("account.passwordTitle")}</PageHeading>
      <p className="lead">{t("account.passwordIntro")}</p>
      <ChangePasswordForm hasUsablePassword={session.user?.has_usable_password !== false} />
      <p>
        <Link to="/account/email">{t("account.backToAccount")}</Link>
      </p>
    </div>
  );
}
