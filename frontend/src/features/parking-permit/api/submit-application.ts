import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Case } from "@/lib/api/types";
import { ensureCsrfCookie } from "@/lib/csrf";
import type { ParkingService } from "./get-services";

/**
 * POST /api/v1/cases/ {service, plate} → 201 case.
 * 409 case_in_progress when an application is already open, 403 not_identified, 400 field errors.
 */
export async function submitApplication(service: ParkingService, plate: string): Promise<Case> {
  await ensureCsrfCookie();
  return unwrap(api.POST("/api/v1/cases/", { body: { service, plate } }));
}

export function useSubmitApplication({ service, onSuccess }: { service: ParkingService; onSuccess?: (created: Case) => void }) {
  return useMutation({ mutationFn: (plate: string) => submitApplication(service, plate), onSuccess });
}
