import { useTranslation } from "react-i18next";
import { Fieldset, TextField } from "@/components/ui/fields";
import type { FieldErrors } from "@/lib/errors";
import { fieldId } from "@/lib/form";
import { ADDRESS_KEYS, REQUIRED_ADDRESS_KEYS, type AddressField, type AddressKey, type AddressValues } from "../lib/profile-form";

export const STREET_TYPES = [
  "utca", "út", "útja", "tér", "tere", "körút", "köz", "sétány", "lejtő", "lépcső", "park", "dűlő",
  "sor", "fasor", "liget", "sugárút", "rakpart", "udvar", "határút", "kert", "lakópark", "tanya",
];

const AUTOCOMPLETE: Partial<Record<AddressKey, string>> = {
  postcode: "postal-code",
  settlement: "address-level2",
  district: "address-level3",
  street_name: "address-line1",
};

const WIDTH: Record<AddressKey, "full" | "short" | "medium"> = {
  postcode: "short",
  settlement: "medium",
  district: "short",
  street_name: "full",
  street_type: "medium",
  house_number: "short",
  building: "short",
  floor: "short",
  door: "short",
};

interface AddressFieldsProps {
  prefix: AddressField;
  legend: string;
  hint?: string;
  value: AddressValues;
  onChange: (key: AddressKey, value: string) => void;
  errors: FieldErrors;
}

/** Hungarian address: postcode, settlement, district, street name + type, house number, building, floor, door. */
export function AddressFields({ prefix, legend, hint, value, onChange, errors }: AddressFieldsProps) {
  const { t } = useTranslation();
  const section = prefix === "permanent_address" ? "section-permanent" : "section-mailing";
  const listId = `${prefix}-street-types`;
  const anyFilled = ADDRESS_KEYS.some((k) => value[k].trim());
  return (
    <Fieldset legend={legend} hint={hint} id={`${prefix}-fieldset`}>
      {errors[prefix] ? (
        <p className="field__error" id={fieldId(prefix)} tabIndex={-1}>
          {errors[prefix].join(" ")}
        </p>
      ) : null}
      <div className="address-grid">
        {ADDRESS_KEYS.map((key) => {
          const name = `${prefix}.${key}`;
          const hintKey = key === "postcode" ? "postcode_hint" : key === "district" ? "district_hint" : key === "street_type" ? "street_type_hint" : null;
          const auto = AUTOCOMPLETE[key];
          return (
            <TextField
              key={key}
              className={`address-grid__${key}`}
              name={name}
              label={t(`profile.fields.${key}`)}
              hint={hintKey ? t(`profile.fields.${hintKey}`) : undefined}
              width={WIDTH[key]}
              required={anyFilled && REQUIRED_ADDRESS_KEYS.includes(key)}
              markOptional={!anyFilled || !REQUIRED_ADDRESS_KEYS.includes(key)}
              autoComplete={auto ? `${section} ${auto}` : "off"}
              inputMode={key === "postcode" ? "numeric" : undefined}
              pattern={key === "postcode" ? "[0-9]{4}" : undefined}
              maxLength={key === "postcode" ? 4 : undefined}
              list={key === "street_type" ? listId : undefined}
              value={value[key]}
              onChange={(e) => onChange(key, e.target.value)}
              errors={errors[name]}
            />
          );
        })}
      </div>
      <datalist id={listId}>
        {STREET_TYPES.map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
    </Fieldset>
  );
}
