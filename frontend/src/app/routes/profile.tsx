import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { useProfile } from "@/features/profile/api/get-profile";
import { ProfileForm } from "@/features/profile/components/profile-form";
import { errorMessage } from "@/lib/form";

export function ProfileRoute() {
  const { t } = useTranslation();
  const profile = useProfile();
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  return (
    <>
      <PageHeading>{t("profile.title")}</PageHeading>
      {flash === "emailConfirmed" ? <Alert kind="success" title={t("profile.emailConfirmed")} /> : null}
      <p className="lead">{t("profile.intro")}</p>
      {profile.isPending ? <Loading /> : null}
      {profile.isError ? (
        <Alert kind="error" title={t("profile.loadError")}>
          {errorMessage(t, profile.error)}
        </Alert>
      ) : null}
      {profile.data ? (
        <>
          <p className="status-line">
            {t("profile.statusLabel")}:{" "}
            <strong>{t(`identification.status.${statusKey(profile.data.identification_status)}.label`)}</strong>{" "}
            – <Link to="/identification">{t("profile.statusLink")}</Link>
          </p>
          <ProfileForm profile={profile.data} />
        </>
      ) : null}
    </>
  );
}

const KNOWN = ["unverified", "pending", "checking", "needs_review", "verified", "rejected"];
function statusKey(status: string) {
  return KNOWN.includes(status) ? status : "unknown";
}
