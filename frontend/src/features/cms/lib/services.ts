/** Where residents apply online for an e-service (the SPA route of its wizard), by the CMS service_code.
 * Plain paths, so the cms feature does not import the service features. */
const APPLY_PATHS: Record<string, string> = {
  parking_permit: "/services/parking-permit",
  parking_permit_additional: "/services/parking-permit-additional",
};

export function applyPath(serviceCode: string | undefined): string | null {
  return (serviceCode && APPLY_PATHS[serviceCode]) || null;
}
