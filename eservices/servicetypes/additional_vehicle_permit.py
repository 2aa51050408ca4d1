"""Residential parking permit for a further vehicle ("lakossági várakozási hozzájárulás
további gépjárműre"), for a fee.

The free residential permit is for a resident's first vehicle only. A resident who holds a
valid one may get a permit for one further vehicle registered to them, for the yearly fee of
the service type (`ServiceType.fee_huf`). The rules are the residential permit's, except the
two about other vehicles and other permits; the fee is paid after the rules grant the
application and before the permit is created (the case waits at `await_payment`).
"""

from __future__ import annotations

from eservices.servicetypes import parking_permit
from eservices.servicetypes.parking_permit import (  # noqa: F401 - part of this module's interface
    DISTRICT,
    LEGAL_BASIS_HU,
    REMEDY_HU,
    ZONE,
    Facts,
    RuleResult,
    granted,
    permit_dates,
)

CODE = "parking_permit_additional"
RULES_VERSION = "2026-11-21"
SUBJECT_HU = "lakossági várakozási hozzájárulás további gépjárműre"
OBJECT_HU = "további gépjárműre szóló lakossági várakozási hozzájárulást"

RULE_NAMES_HU = {
    **parking_permit.RULE_NAMES_HU,
    "further_vehicle": "A kérelmező további (nem első) járműve",
    "first_vehicle_permit_valid": "Érvényes hozzájárulás az első járműre",
    "no_other_further_permit": "Nincs másik hozzájárulás további járműre",
}


def evaluate(facts: Facts) -> list[RuleResult]:
    """The residential permit's rules, with its two rules about other vehicles and permits
    replaced by this service's three. Pure: no I/O."""
    results = []
    for result in parking_permit.evaluate(facts):
        if result.code == "first_vehicle_only":
            results.append(_further_vehicle(facts, result.facts))
        elif result.code == "no_other_valid_permit":
            results.extend(_permits(facts))
        else:
            results.append(result)
    return results


def _further_vehicle(facts: Facts, vehicle_facts: dict) -> RuleResult:
    first_plate = vehicle_facts.get("first_plate", "")
    active = vehicle_facts.get("active_vehicles", [])
    further = facts.plate in active and facts.plate != first_plate
    return RuleResult(
        "further_vehicle",
        further,
        (
            f"A kérelmező nevén {len(active)} forgalomban lévő jármű áll; az első ({first_plate or '—'}) "
            + (
                f"díjmentes hozzájárulást kaphat, a(z) {facts.plate} további járműre díj ellenében adható."
                if further
                else f"a(z) {facts.plate} nem további forgalomban lévő jármű a nevén, ezért erre ez a "
                "hozzájárulás nem adható."
            )
        ),
        (
            f"The applicant has {len(active)} active vehicle(s); the first ({first_plate or '—'}) gets the free "
            + (
                f"permit, {facts.plate} as a further vehicle can get this one for a fee."
                if further
                else f"permit, and {facts.plate} is not a further active vehicle of theirs."
            )
        ),
        vehicle_facts,
    )


def _permits(facts: Facts) -> list[RuleResult]:
    has_first = bool(facts.other_valid_permit)
    other_further = facts.other_additional_permit
    return [
        RuleResult(
            "first_vehicle_permit_valid",
            has_first,
            f"A kérelmezőnek érvényes lakossági várakozási hozzájárulása van ({facts.other_valid_permit})."
            if has_first
            else "A kérelmezőnek nincs érvényes lakossági várakozási hozzájárulása az első járművére; előbb "
            "azt kell igényelnie.",
            f"The applicant holds a valid residential permit ({facts.other_valid_permit})."
            if has_first
            else "The applicant holds no valid residential permit for their first vehicle; that comes first.",
            {"other_valid_permit": facts.other_valid_permit},
        ),
        RuleResult(
            "no_other_further_permit",
            not other_further,
            "A kérelmezőnek nincs másik érvényes hozzájárulása további járműre."
            if not other_further
            else f"A kérelmezőnek már van érvényes hozzájárulása további járműre ({other_further}).",
            "The applicant has no other valid permit for a further vehicle."
            if not other_further
            else f"The applicant already has a valid permit for a further vehicle ({other_further}).",
            {"other_additional_permit": other_further},
        ),
    ]
