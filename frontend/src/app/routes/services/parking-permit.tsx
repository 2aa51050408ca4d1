import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { Alert, Loading, PageHeading } from "@/components/ui/misc";
import { casesQueryKey } from "@/features/cases/api/get-cases";
import { PARKING_PERMIT, type ParkingService } from "@/features/parking-permit/api/get-services";
import { CheckStep } from "@/features/parking-permit/components/check-step";
import { DetailsStep } from "@/features/parking-permit/components/details-step";
import { ParkingPermitWizard } from "@/features/parking-permit/components/parking-permit-wizard";
import { VehicleStep } from "@/features/parking-permit/components/vehicle-step";
import { serviceTextKey } from "@/features/parking-permit/lib/wizard";
import { useProfile } from "@/features/profile/api/get-profile";
import type { Case } from "@/lib/api/types";
import { errorMessage } from "@/lib/form";

/**
 * /services/parking-permit and /services/parking-permit-additional: the wizard's frame for the given
 * service; the steps are child routes (own URL, Back works) and read the service from the wizard.
 */
export function ParkingPermitRoute({ service = PARKING_PERMIT }: { service?: ParkingService }) {
  const { t } = useTranslation();
  const profile = useProfile();
  // No heading while loading: the step's <h1> then receives the navigation focus.
  if (profile.isPending) return <Loading />;
  if (profile.isError) {
    return (
      <>
        <PageHeading>{t(serviceTextKey(service, "title"))}</PageHeading>
        <Alert kind="error" title={t("parkingPermit.loadError")}>
          {errorMessage(t, profile.error)}
        </Alert>
      </>
    );
  }
  // Keyed by the service: moving between the two wizards starts afresh (no plate carried over).
  return <ParkingPermitWizard key={service} profile={profile.data} service={service} />;
}

export function ParkingPermitDetailsRoute() {
  return <DetailsStep />;
}

export function ParkingPermitVehicleRoute() {
  return <VehicleStep />;
}

export function ParkingPermitCheckRoute() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const onSubmitted = (created: Case) => {
    void queryClient.invalidateQueries({ queryKey: casesQueryKey });
    navigate(`/cases/${encodeURIComponent(created.reference)}`, { state: { flash: "submitted" } });
  };
  return <CheckStep onSubmitted={onSubmitted} />;
}
