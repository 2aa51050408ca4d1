import type { TFunction } from "i18next";
import type { Address, Profile, ProfileUpdate } from "@/lib/api/types";
import { PHONE_RE, POSTCODE_RE, type FormErrors } from "@/lib/form";

export const ADDRESS_KEYS = [
  "postcode",
  "settlement",
  "district",
  "street_name",
  "street_type",
  "house_number",
  "building",
  "floor",
  "door",
] as const;
export type AddressKey = (typeof ADDRESS_KEYS)[number];
export type AddressValues = Record<AddressKey, string>;
export const REQUIRED_ADDRESS_KEYS: AddressKey[] = ["postcode", "settlement", "street_name", "street_type", "house_number"];

export const IDENTITY_KEYS = ["family_name", "given_names", "birth_name", "mother_birth_name", "birth_date", "birth_place"] as const;
export type IdentityKey = (typeof IDENTITY_KEYS)[number];

export interface ProfileValues extends Record<IdentityKey, string> {
  phone: string;
  permanent_address: AddressValues;
  mailing_address: AddressValues;
  mailing_same_as_permanent: boolean;
}

export type AddressField = "permanent_address" | "mailing_address";

/** Field order (dotted names) used to sort the error summary like the form. */
export const FIELD_ORDER = [
  ...IDENTITY_KEYS,
  "phone",
  ...ADDRESS_KEYS.map((k) => `permanent_address.${k}`),
  "permanent_address",
  "mailing_same_as_permanent",
  ...ADDRESS_KEYS.map((k) => `mailing_address.${k}`),
  "mailing_address",
];

export function emptyAddress(): AddressValues {
  return Object.fromEntries(ADDRESS_KEYS.map((k) => [k, ""])) as AddressValues;
}

function addressToValues(address: Address | null | undefined): AddressValues {
  const values = emptyAddress();
  if (!address) return values;
  for (const key of ADDRESS_KEYS) values[key] = (address as Record<string, string | undefined>)[key] ?? "";
  return values;
}

export function profileToValues(profile: Profile): ProfileValues {
  return {
    family_name: profile.family_name ?? "",
    given_names: profile.given_names ?? "",
    birth_name: profile.birth_name ?? "",
    mother_birth_name: profile.mother_birth_name ?? "",
    birth_date: profile.birth_date ?? "",
    birth_place: profile.birth_place ?? "",
    phone: profile.phone ?? "",
    permanent_address: addressToValues(profile.permanent_address),
    mailing_address: addressToValues(profile.mailing_address),
    mailing_same_as_permanent: profile.mailing_same_as_permanent ?? true,
  };
}

export function isAddressEmpty(address: AddressValues): boolean {
  return ADDRESS_KEYS.every((k) => !address[k].trim());
}

function valuesToAddress(address: AddressValues): Address | null {
  if (isAddressEmpty(address)) return null;
  const out = {} as Record<AddressKey, string>;
  for (const key of ADDRESS_KEYS) out[key] = address[key].trim();
  return out as Address;
}

/** Identity fields become read-only once the resident is verified at the office. */
export function isIdentityLocked(profile: Pick<Profile, "identification_status">): boolean {
  return profile.identification_status === "verified";
}

/** Build the PATCH body. Locked identity fields are never sent. */
export function valuesToUpdate(values: ProfileValues, locked: boolean): ProfileUpdate {
  const body: ProfileUpdate = {
    phone: values.phone.trim(),
    mailing_same_as_permanent: values.mailing_same_as_permanent,
    mailing_address: values.mailing_same_as_permanent ? null : valuesToAddress(values.mailing_address),
  };
  if (!locked) {
    body.family_name = values.family_name.trim();
    body.given_names = values.given_names.trim();
    body.birth_name = values.birth_name.trim();
    body.mother_birth_name = values.mother_birth_name.trim();
    body.birth_date = values.birth_date || null;
    body.birth_place = values.birth_place.trim();
    body.permanent_address = valuesToAddress(values.permanent_address);
  }
  return body;
}

/** Client-side checks; the server remains the authority. */
export function validateProfile(values: ProfileValues, locked: boolean, t: TFunction): FormErrors {
  const fieldErrors: Record<string, string[]> = {};
  const requireField = (name: string, label: string, value: string) => {
    if (!value.trim()) fieldErrors[name] = [t("errors.required", { field: label.toLowerCase() })];
  };
  const checkAddress = (prefix: AddressField, address: AddressValues) => {
    if (isAddressEmpty(address)) return;
    for (const key of REQUIRED_ADDRESS_KEYS) requireField(`${prefix}.${key}`, t(`profile.fields.${key}`), address[key]);
    if (address.postcode.trim() && !POSTCODE_RE.test(address.postcode.trim())) fieldErrors[`${prefix}.postcode`] = [t("errors.invalidPostcode")];
  };
  if (!locked) {
    requireField("family_name", t("profile.fields.family_name"), values.family_name);
    requireField("given_names", t("profile.fields.given_names"), values.given_names);
    checkAddress("permanent_address", values.permanent_address);
  }
  if (values.phone.trim() && !PHONE_RE.test(values.phone.trim())) fieldErrors.phone = [t("errors.invalidPhone")];
  if (!values.mailing_same_as_permanent) checkAddress("mailing_address", values.mailing_address);
  return { fieldErrors, formErrors: [] };
}
