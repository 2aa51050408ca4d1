"""What a parking-permit decision says, built from the case (its facts, rules and permit)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from eservices.cases.models import Case
from eservices.servicetypes import parking_permit


def _date_hu(value) -> str:
    return f"{value.year}. {value.month:02d}. {value.day:02d}."


def decision_data(case: Case):
    from eservices.documents.render import Authority, DecisionData, EligibilityCheck, Permit, Resident

    profile = case.applicant
    facts = case.facts
    results = case.eligibility.get("results", [])
    granted = bool(case.eligibility.get("granted"))
    name = facts.get("person_name") or profile.full_name
    address = parking_permit._address_line(facts.get("permanent_address") or profile.permanent_address or {})
    plate = case.data["plate"]
    if granted:
        operative = [
            f"{name} ({address}) kérelmének helyt adok, és részére a(z) {plate} forgalmi rendszámú "
            f"gépjárműre lakossági várakozási hozzájárulást adok a(z) {parking_permit.ZONE} várakozási "
            f"övezetre, {_date_hu(case.permit_valid_from)} napjától {_date_hu(case.permit_valid_until)} "
            f"napjáig. A hozzájárulás száma: {case.permit_number}.",
            "A hozzájárulás a parkolási rendszerben rögzítésre került; külön matrica vagy igazolás "
            "kihelyezése nem szükséges.",
            "Az eljárás illeték- és díjmentes.",
        ]
    else:
        operative = [
            f"{name} ({address}) lakossági várakozási hozzájárulás iránti kérelmét a(z) {plate} forgalmi "
            "rendszámú gépjárműre elutasítom.",
            "Az eljárás illeték- és díjmentes.",
        ]
    reasoning = [
        f"A kérelmező {timezone.localtime(case.submitted_at):%Y. %m. %d. %H:%M} órakor elektronikus úton "
        f"kérelmet nyújtott be lakossági várakozási hozzájárulás iránt a(z) {plate} forgalmi rendszámú "
        "gépjárműre. A kérelmet a hatóság automatikus döntéshozatali eljárásban, a személyi és "
        "lakcímnyilvántartás, a járműnyilvántartás és a parkolási rendszer adatai alapján bírálta el "
        f"(szabályverzió: {case.eligibility.get('rules_version', '')}). Az egyes feltételeket és a "
        "nyilvántartásokból megállapított tényeket az alábbi táblázat tartalmazza.",
        "A feltételek vizsgálata alapján a kérelemnek helyt kellett adni."
        if granted
        else "Mivel a táblázatban szereplő feltételek nem mindegyike teljesült, a kérelmet el kellett utasítani.",
    ]
    permit = (
        Permit(
            number=case.permit_number,
            plate=plate,
            zone=parking_permit.ZONE,
            valid_from=case.permit_valid_from,
            valid_until=case.permit_valid_until,
        )
        if granted and case.permit_number
        else None
    )
    return DecisionData(
        authority=Authority(
            name="Budapest Főváros XII. kerület Hegyvidéki Önkormányzat Jegyzője",
            address=settings.OFFICE_ADDRESS,
            head_title="jegyző",
            office="Budapest Főváros XII. kerület Hegyvidéki Önkormányzat Polgármesteri Hivatala",
            contact=settings.OFFICE_PHONE,
        ),
        case_reference=case.reference,
        filing_number=case.filing_number,
        subject=parking_permit.SUBJECT_HU,
        kind="decision",
        resident=Resident(
            name=name,
            birth_name=profile.birth_name,
            birth_date=profile.birth_date,
            mother_name=profile.mother_birth_name,
            address=address,
        ),
        outcome="granted" if granted else "refused",
        operative_part=operative,
        reasoning=reasoning,
        legal_basis=parking_permit.LEGAL_BASIS_HU,
        remedy=parking_permit.REMEDY_HU,
        permit=permit,
        decided_at=case.decided_at,
        place="Budapest",
        verification_url=settings.PUBLIC_URL + reverse("decision-verification", args=[case.verification_token]),
        checks=[
            EligibilityCheck(
                rule=parking_permit.RULE_NAMES_HU.get(result["code"], result["code"]),
                fact=result["explanation_hu"],
                met=result["passed"],
            )
            for result in results
        ],
    )
