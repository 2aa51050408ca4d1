import type { TFunction } from "i18next";
import { useOutletContext } from "react-router";
import type { Profile, Vehicle } from "@/lib/api/types";
import { ApiError, ConflictError, PermissionDeniedError } from "@/lib/errors";
import { errorMessage, type SummaryItem } from "@/lib/form";

export const WIZARD_BASE = "/services/parking-permit";
export const WIZARD_STEPS = ["details", "vehicle", "check"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const wizardPath = {
  details: () => WIZARD_BASE,
  vehicle: () => `${WIZARD_BASE}/vehicle`,
  check: (plate: string) => `${WIZARD_BASE}/check?plate=${encodeURIComponent(plate)}`,
};

/** What the wizard's parent route shares with its steps (kept while moving between steps). */
export interface WizardContext {
  profile: Profile;
  /** The chosen plate, or null before the resident has chosen (the first vehicle is then pre-selected). */
  plate: string | null;
  setPlate: (plate: string) => void;
}

export function useWizard() {
  return useOutletContext<WizardContext>();
}

export function isNotIdentifiedError(error: unknown): boolean {
  return error instanceof PermissionDeniedError && error.code === "not_identified";
}

/** The registry's first vehicle (the only one that can get a permit); the list's first as a fallback. */
export function firstVehicle(vehicles: Vehicle[]): Vehicle | undefined {
  return vehicles.find((v) => v.is_first) ?? vehicles[0];
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
