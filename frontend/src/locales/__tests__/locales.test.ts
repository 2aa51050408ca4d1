import { describe, expect, it } from "vitest";
import { en } from "../en";
import { hu } from "../hu";

function flatten(obj: object, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out[path] = value;
    else Object.assign(out, flatten(value as object, path));
  }
  return out;
}

describe("translations", () => {
  const huFlat = flatten(hu);
  const enFlat = flatten(en);

  it("Hungarian and English have exactly the same keys", () => {
    expect(Object.keys(enFlat).sort()).toEqual(Object.keys(huFlat).sort());
  });

  it("has no empty strings", () => {
    for (const [key, value] of [...Object.entries(huFlat), ...Object.entries(enFlat)]) {
      expect(value.trim(), key).not.toBe("");
    }
  });

  it("uses the same interpolation variables in both languages", () => {
    const vars = (s: string) => (s.match(/{{\s*\w+\s*}}/g) ?? []).sort();
    for (const key of Object.keys(huFlat)) {
      expect(vars(enFlat[key]!), key).toEqual(vars(huFlat[key]!));
    }
  });
});
