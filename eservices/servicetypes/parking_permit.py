"""Residential parking permit ("lakossági várakozási hozzájárulás").

A natural person with a permanent address in the district may get one permit, for the first
vehicle registered to them, if the parking system's pre-check passes. Every rule is checked
against the registries (not only against what the resident typed), and its outcome with the
facts it used is stored on the case and printed in the decision's reasoning.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

CODE = "parking_permit"
RULES_VERSION = "2026-11-01"
DISTRICT = "XII"
DISTRICT_POSTCODES = ("1121", "1122", "1123", "1124", "1125", "1126")
ZONE = "HEGYVIDEK-1"

SUBJECT_HU = "lakossági várakozási hozzájárulás"
OBJECT_HU = "lakossági várakozási hozzájárulást"  # what a granted decision gives (accusative)
LEGAL_BASIS_HU = [
    "az általános közigazgatási rendtartásról szóló 2016. évi CL. törvény (Ákr.) 40. §-a (automatikus döntéshozatal)",
    "Budapest Főváros Közgyűlésének a járművel várakozás helyének és díjának egységes szabályozásáról szóló "
    "30/2010. (VI. 4.) Főv. Kgy. rendelete",
    "Budapest Főváros XII. kerület Hegyvidéki Önkormányzat Képviselő-testületének a várakozási "
    "hozzájárulásokról szóló rendelete",
]
REMEDY_HU = (
    "A döntés ellen a közléstől számított 15 napon belül a Budapest Főváros XII. kerület Hegyvidéki "
    "Önkormányzat Jegyzőjénél benyújtott, a Budapest Főváros Kormányhivatalának címzett fellebbezéssel "
    "lehet élni. Automatikus döntéshozatali eljárásban hozott döntés esetén az ügyfél kérheti, hogy "
    "ügyét a hatóság teljes eljárásban bírálja el (Ákr. 42. §)."
)


RULE_NAMES_HU = {
    "natural_person_identified": "Személyazonosított természetes személy",
    "permanent_address_in_district": "Állandó lakcím a XII. kerületben",
    "vehicle_registered_to_applicant": "A jármű a kérelmező nevén áll",
    "first_vehicle_only": "A kérelmező első járműve",
    "no_other_valid_permit": "Nincs másik érvényes hozzájárulás",
    "parking_system_precheck": "A parkolási rendszer előzetes ellenőrzése",
}


@dataclass(frozen=True)
class RuleResult:
    code: str
    passed: bool
    explanation_hu: str
    explanation_en: str
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What the registries and the parking system said, gathered before deciding."""

    identity_verified: bool
    person_id: str
    person_name: str
    permanent_address: dict
    plate: str
    vehicle: dict | None
    owned_vehicles: list[dict]
    other_valid_permit: str
    precheck_ok: bool
    precheck_reasons: list[dict]
    other_additional_permit: str = ""  # a valid permit for a further vehicle (facts gathered before it existed lack it)

    def as_json(self) -> dict:
        return asdict(self)


def _address_line(address: dict) -> str:
    if not address:
        return "—"
    district = f" {address.get('district')}. ker." if address.get("district") else ""
    return (
        f"{address.get('postcode', '')} {address.get('settlement', '')}{district}, "
        f"{address.get('street_name', '')} {address.get('street_type', '')} {address.get('house_number', '')}"
    ).strip()


def evaluate(facts: Facts) -> list[RuleResult]:
    """Every rule, in the order the decision explains them. Pure: no I/O."""
    results = [
        RuleResult(
            "natural_person_identified",
            facts.identity_verified and bool(facts.person_id),
            "A kérelmező természetes személy, személyazonosságát az ügyfélszolgálaton ellenőriztük."
            if facts.identity_verified
            else "A kérelmező személyazonosságát még nem ellenőriztük az ügyfélszolgálaton.",
            "The applicant is a natural person identified at the office."
            if facts.identity_verified
            else "The applicant has not been identified at the office yet.",
        )
    ]
    address = facts.permanent_address or {}
    in_district = address.get("district") == DISTRICT or address.get("postcode") in DISTRICT_POSTCODES
    results.append(
        RuleResult(
            "permanent_address_in_district",
            in_district,
            f"A személyi és lakcímnyilvántartás szerint a kérelmező állandó lakcíme: {_address_line(address)}; "
            + ("ez a XII. kerületben van." if in_district else "ez nem a XII. kerületben van."),
            f"Per the address registry the permanent address is {_address_line(address)}; "
            + ("it is in District XII." if in_district else "it is not in District XII."),
            {"permanent_address": address},
        )
    )
    vehicle = facts.vehicle or {}
    owned = (
        bool(vehicle)
        and bool(facts.person_id)
        and facts.person_id in (vehicle.get("owner_person_id"), vehicle.get("operator_person_id"))
    )
    active = vehicle.get("status") == "active"
    results.append(
        RuleResult(
            "vehicle_registered_to_applicant",
            owned and active,
            f"A járműnyilvántartás szerint a(z) {facts.plate} forgalmi rendszámú jármű "
            + (
                "a kérelmező tulajdonában vagy üzemeltetésében áll."
                if owned and active
                else "nem a kérelmező nevén áll, vagy forgalomból kivont."
            ),
            f"Per the vehicle registry the vehicle {facts.plate} "
            + (
                "is owned or operated by the applicant."
                if owned and active
                else "is not registered to the applicant, or is deregistered."
            ),
            {"vehicle": vehicle},
        )
    )
    active_owned = sorted(
        (v for v in facts.owned_vehicles if v.get("status") == "active"),
        key=lambda v: (v.get("owner_since") or "", v.get("plate") or ""),
    )
    first_plate = active_owned[0]["plate"] if active_owned else ""
    is_first = bool(first_plate) and first_plate == facts.plate
    results.append(
        RuleResult(
            "first_vehicle_only",
            is_first,
            (
                f"A kérelmező nevén {len(active_owned)} forgalomban lévő jármű áll; hozzájárulás csak az elsőként "
                f"nyilvántartásba vett járműre ({first_plate or '—'}) adható, "
                + ("a kérelem erre vonatkozik." if is_first else "a kérelem nem erre vonatkozik.")
            ),
            (
                f"The applicant has {len(active_owned)} active vehicle(s); a permit is only given for the first "
                f"one ({first_plate or '—'}); "
                + ("the application is for it." if is_first else "the application is for another one.")
            ),
            {"first_plate": first_plate, "active_vehicles": [v.get("plate") for v in active_owned]},
        )
    )
    results.append(
        RuleResult(
            "no_other_valid_permit",
            not facts.other_valid_permit,
            "A kérelmezőnek nincs másik érvényes lakossági várakozási hozzájárulása."
            if not facts.other_valid_permit
            else f"A kérelmezőnek már van érvényes lakossági várakozási hozzájárulása ({facts.other_valid_permit}).",
            "The applicant has no other valid residential permit."
            if not facts.other_valid_permit
            else f"The applicant already has a valid residential permit ({facts.other_valid_permit}).",
            {"other_valid_permit": facts.other_valid_permit},
        )
    )
    reasons_hu = "; ".join(r.get("message_hu", r.get("code", "")) for r in facts.precheck_reasons)
    reasons_en = "; ".join(r.get("message_en", r.get("code", "")) for r in facts.precheck_reasons)
    results.append(
        RuleResult(
            "parking_system_precheck",
            facts.precheck_ok,
            "A parkolási rendszer előzetes ellenőrzése nem talált akadályt."
            if facts.precheck_ok
            else f"A parkolási rendszer előzetes ellenőrzése akadályt talált: {reasons_hu}.",
            "The parking system's pre-check found no obstacle."
            if facts.precheck_ok
            else f"The parking system's pre-check found an obstacle: {reasons_en}.",
            {"reasons": facts.precheck_reasons},
        )
    )
    return results


def granted(results: list[RuleResult]) -> bool:
    return all(result.passed for result in results)


def permit_dates(decided_on: datetime.date, validity_days: int) -> tuple[datetime.date, datetime.date]:
    return decided_on, decided_on + datetime.timedelta(days=validity_days - 1)
