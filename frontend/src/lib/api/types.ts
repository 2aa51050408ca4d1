import type { paths } from "./schema";

/**
 * Resident API types, derived from operations (not component names) so they
 * survive regeneration of schema.d.ts regardless of drf-spectacular naming.
 */
type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Profile = JsonOf<paths["/api/v1/me/profile/"]["get"]["responses"][200]>;
export type ProfileUpdate = JsonOf<NonNullable<paths["/api/v1/me/profile/"]["patch"]["requestBody"]>>;
export type Address = NonNullable<Profile["permanent_address"]>;
export type Identification = JsonOf<paths["/api/v1/me/identification/"]["get"]["responses"][200]>;
export type IdentificationStatus = Identification["status"];
export type Office = Identification["office"];

export type ServiceType = JsonOf<paths["/api/v1/services/"]["get"]["responses"][200]>[number];
export type Vehicle = JsonOf<paths["/api/v1/services/parking_permit/vehicles/"]["get"]["responses"][200]>[number];
export type PlateRequest = JsonOf<paths["/api/v1/services/{service}/eligibility/"]["post"]["requestBody"]>;
export type Eligibility = JsonOf<paths["/api/v1/services/{service}/eligibility/"]["post"]["responses"][200]>;
export type RuleResult = Eligibility["results"][number];
export type CaseSubmit = JsonOf<paths["/api/v1/cases/"]["post"]["requestBody"]>;
export type Case = JsonOf<paths["/api/v1/cases/"]["post"]["responses"][201]>;
export type CaseDetail = JsonOf<paths["/api/v1/cases/{reference}/"]["get"]["responses"][200]>;
export type CaseEvent = CaseDetail["events"][number];
export type CaseStatus = Case["status"];
export type CaseStep = Case["step"];
export type Order = JsonOf<paths["/api/v1/orders/{reference}/"]["get"]["responses"][200]>;
export type OrderStatus = Order["status"];
export type OrderPayment = Order["payments"][number];
export type OrderPaymentStatus = OrderPayment["status"];
export type BankTransfer = Order["transfer"];
export type CardPaymentRedirect = JsonOf<paths["/api/v1/orders/{reference}/card-payments/"]["post"]["responses"][201]>;
export type Invoice = JsonOf<paths["/api/v1/orders/{reference}/invoices/"]["get"]["responses"][200]>[number];
