import type { TFunction } from "i18next";
import { useOutletContext } from "react-router";
import type { Profile, Vehicle } from "@/lib/api/types";
import { ApiError, ConflictError, PermissionDeniedError } from "@/lib/errors";
import { errorMessage, type SummaryItem } from "@/lib/form";
import { ADDITIONAL_VEHICLE_PERMIT, PARKING_PERMIT, type ParkingService } from "../api/get-services";

/** Where each service's wizard lives (same three steps, same child paths). */
export const WIZARD_BASES: Record<ParkingService, string> = {
  [PARKING_PERMIT]: "/services/parking-permit",
  [ADDITIONAL_VEHICLE_PERMIT]: "/services/parking-permit-additional",
};
export const WIZARD_STEPS = ["details", "vehicle", "check"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export function wizardPaths(service: ParkingService) {
  const base = WIZARD_BASES[service];
  return {
    details: () => base,
    vehicle: () => `${base}/vehicle`,
    check: (plate: string) => `${base}/check?plate=${encodeURIComponent(plate)}`,
  };
}

type ServiceTextKey = "title" | "serviceName" | "intro" | "declaration";

/** The i18n keys of the texts that differ between the services (the service name comes from the catalogue first). */
const SERVICE_TEXT_KEYS: Record<ParkingService, Record<ServiceTextKey, string>> = {
  [PARKING_PERMIT]: {
    title: "parkingPermit.title",
    serviceName: "parkingPermit.serviceName",
    intro: "parkingPermit.details.intro",
    declaration: "parkingPermit.check.declaration",
  },
  [ADDITIONAL_VEHICLE_PERMIT]: {
    title: "parkingPermit.additional.title",
    serviceName: "parkingPermit.additional.serviceName",
    intro: "parkingPermit.additional.intro",
    declaration: "parkingPermit.additional.declaration",
  },
};

export function serviceTextKey(service: ParkingService, key: ServiceTextKey): string {
  return SERVICE_TEXT_KEYS[service][key];
}

/** What the wizard's parent route shares with its steps (kept while moving between steps). */
export interface WizardContext {
  /** The service applied for (from the route). */
  service: ParkingService;
  profile: Profile;
  /** The chosen plate, or null before the resident has chosen (the first vehicle is then pre-selected). */
  plate: string | null;
  setPlate: (plate: string) => void;
}

export function useWizard() {
  return useOutletContext<WizardContext>();
}

/** The current wizard's step paths. */
export function useWizardPaths() {
  return wizardPaths(useWizard().service);
}

export function isNotIdentifiedError(error: unknown): boolean {
  return error instanceof PermissionDeniedError && error.code === "not_identified";
}

/** The registry's first vehicle (the only one that can get a free permit); the list's first as a fallback. */
export function firstVehicle(vehicles: Vehicle[]): Vehicle | undefined {
  return vehicles.find((v) => v.is_first) ?? vehicles[0];
}

/** The natural pre-selection: the first vehicle for the free permit, a further one for the additional permit. */
export function defaultVehicle(vehicles: Vehicle[], service: ParkingService): Vehicle | undefined {
  const first = firstVehicle(vehicles);
  if (service === ADDITIONAL_VEHICLE_PERMIT) return vehicles.find((v) => v.plate !== first?.plate) ?? first;
  return first;
}

export function fullName(profile: Profile): string {
  return [profile.family_name, profile.given_names].filter(Boolean).join(" ");
}

/**
 * Error summary items for a failed submission. The backend's own sentence is the best
 * explanation for the known business errors (409 case_in_progress, 403 not_identified);
 * field errors (plate) have no input on this page, so they are listed without links.
 */
export function submitErrorItems(t: TFunction, error: unknown): SummaryItem[] {
  if (error instanceof ApiError) {
    if ((error instanceof ConflictError || isNotIdentifiedError(error)) && error.message && error.message !== `HTTP ${error.status}`) {
      return [{ message: error.message }];
    }
    const messages = [...error.formErrors, ...Object.values(error.fieldErrors).flat()];
    if (messages.length) return messages.map((message) => ({ message }));
  }
  return [{ message: errorMessage(t, error) }];
}
