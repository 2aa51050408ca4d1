import { useState } from "react";
import { Outlet, useSearchParams } from "react-router";
import type { Profile } from "@/lib/api/types";
import { PARKING_PERMIT, type ParkingService } from "../api/get-services";
import { useVehicles } from "../api/get-vehicles";
import { isNotIdentifiedError, type WizardContext } from "../lib/wizard";
import { NotIdentified } from "./not-identified";

/**
 * Parent of the three step routes: checks that the resident is identified, starts the
 * vehicle registry lookup early, and keeps the chosen plate while the resident moves
 * between the steps (and back).
 */
export function ParkingPermitWizard({ profile, service = PARKING_PERMIT }: { profile: Profile; service?: ParkingService }) {
  const [searchParams] = useSearchParams();
  const [plate, setPlate] = useState<string | null>(() => searchParams.get("plate"));
  const verified = profile.identification_status === "verified";
  // Fetched here so that a 403 not_identified from the registry side also stops the wizard.
  const vehicles = useVehicles({ enabled: verified });

  if (!verified) return <NotIdentified service={service} status={profile.identification_status} />;
  if (vehicles.isError && isNotIdentifiedError(vehicles.error)) return <NotIdentified service={service} />;

  const context: WizardContext = { service, profile, plate, setPlate };
  return <Outlet context={context} />;
}
