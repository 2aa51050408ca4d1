"""What a parking-permit decision says, built from the case (its facts, rules, fee and permit)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from eservices.cases.models import Case
from eservices.servicetypes import parking_permit, rules_for


def _date_hu(value) -> str:
    return f"{value.year}. {value.month:02d}. {value.day:02d}."


def decision_data(case: Case):
    from eservices.documents.render import Authority, DecisionData, EligibilityCheck, Permit, Resident

    rules = rules_for(case.service_type)
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
            f"gépjárműre {rules.OBJECT_HU} adok a(z) {rules.ZONE} várakozási "
            f"övezetre, {_date_hu(case.permit_valid_from)} napjától {_date_hu(case.permit_valid_until)} "
            f"napjáig. A hozzájárulás száma: {case.permit_number}.",
            "A hozzájárulás a parkolási rendszerben rögzítésre került; külön matrica vagy igazolás "
            "kihelyezése nem szükséges.",
            _fee_sentence(case),
        ]
    else:
        operative = [
            f"{name} ({address}) {rules.SUBJECT_HU} iránti kérelmét a(z) {plate} forgalmi "
            "rendszámú gépjárműre elutasítom.",
            "Az eljárás illeték- és díjmentes.",
        ]
    reasoning = [
        f"A kérelmező {timezone.localtime(case.submitted_at):%Y. %m. %d. %H:%M} órakor elektronikus úton "
        f"kérelmet nyújtott be {rules.SUBJECT_HU} iránt a(z) {plate} forgalmi rendszámú "
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
            zone=rules.ZONE,
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
        subject=rules.SUBJECT_HU,
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
        legal_basis=rules.LEGAL_BASIS_HU,
        remedy=rules.REMEDY_HU,
        permit=permit,
        decided_at=case.decided_at,
        place="Budapest",
        verification_url=settings.PUBLIC_URL + reverse("decision-verification", args=[case.verification_token]),
        checks=[
            EligibilityCheck(
                rule=rules.RULE_NAMES_HU.get(result["code"], result["code"]),
                fact=result["explanation_hu"],
                met=result["passed"],
            )
            for result in results
        ],
    )


def _fee_sentence(case: Case) -> str:
    from payments.selectors import order_paid_for_case

    order = order_paid_for_case(case_id=case.pk)
    if order is None:
        return "Az eljárás illeték- és díjmentes."
    paid = timezone.localtime(order.paid_at) if order.paid_at else None
    when = f" {_date_hu(paid)} napján" if paid else ""
    amount = f"{order.amount:,}".replace(",", "\u00a0")  # 24 000 Ft, never broken across lines
    return (
        f"A hozzájárulás {amount}\u00a0Ft díját a kérelmező{when} megfizette (fizetési azonosító: {order.reference})."
    )
