"""Sample decisions of the residential parking permit service (texts as the case engine would pass them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from eservices.documents.render import Authority, DecisionData, EligibilityCheck, Permit, Resident

BUDAPEST = ZoneInfo("Europe/Budapest")

AUTHORITY = Authority(
    name="Budapest Főváros XII. kerület Hegyvidéki Önkormányzat Jegyzője",
    office="Budapest Főváros XII. kerület Hegyvidéki Polgármesteri Hivatal",
    address="1126 Budapest, Böszörményi út 23–25.",
    head_title="jegyző",
)

RESIDENT = Resident(
    name="Kovács Anna",
    birth_name="Szőke Anna Erzsébet",
    birth_date=date(1984, 3, 17),
    mother_name="Tóth Ilona",
    address="1124 Budapest, Csörsz utca 12. 3. em. 7.",
)

LEGAL_BASIS = (
    "az általános közigazgatási rendtartásról szóló 2016. évi CL. törvény (a továbbiakban: Ákr.) 40. §-a "
    "(automatikus döntéshozatal) és 80–81. §-a",
    "Budapest Főváros Közgyűlésének a járművel várakozás helyének és díjának egységes szabályozásáról szóló "
    "30/2010. (VI. 4.) Főv. Kgy. rendelete",
)

REMEDY = (
    "A döntés ellen a közlésétől számított 15 napon belül fellebbezésnek van helye, amelyet a döntést hozó "
    "hatóságnál elektronikus úton, az e-Portálon lehet előterjeszteni. Az automatikus döntéshozatali eljárásban "
    "hozott döntés közlésétől számított öt napon belül az ügyfél kérheti, hogy a hatóság az ügyet teljes "
    "eljárásban bírálja el."
)

CHECKS_GRANTED = (
    EligibilityCheck(
        rule="A kérelmező lakóhelye a XII. kerületben van.",
        fact="Személyi- és lakcímnyilvántartás: lakóhely 1124 Budapest, Csörsz utca 12.",
        met=True,
    ),
    EligibilityCheck(
        rule="A jármű a kérelmező tulajdonában vagy üzemben tartásában van.",
        fact="Járműnyilvántartás: ABC-123 üzemben tartója Kovács Anna.",
        met=True,
    ),
    EligibilityCheck(
        rule="A lakcím a „Hegyvidék 1” várakozási övezetben fekszik.",
        fact="Övezeti térkép: Csörsz utca 12. – Hegyvidék 1 övezet.",
        met=True,
    ),
    EligibilityCheck(
        rule="A kérelmezőnek nincs érvényes hozzájárulása más járműre.",
        fact="Parkolási rendszer: érvényes hozzájárulás nincs.",
        met=True,
    ),
)


def granted_decision(**overrides) -> DecisionData:
    data = DecisionData(
        authority=AUTHORITY,
        case_reference="EP-2026-000123",
        filing_number="XII/12345-2/2026",
        subject="lakossági várakozási hozzájárulás",
        kind="decision",
        resident=RESIDENT,
        outcome="granted",
        operative_part=[
            "Kovács Anna (születési név: Szőke Anna Erzsébet, születési idő: 1984. március 17., anyja neve: "
            "Tóth Ilona, lakcím: 1124 Budapest, Csörsz utca 12. 3. em. 7.) kérelmének helyt adok, és részére "
            "az ABC-123 forgalmi rendszámú személygépkocsira a „Hegyvidék 1” várakozási övezetben érvényes "
            "lakossági várakozási hozzájárulást adok 2026. december 1-jétől 2027. november 30-ig.",
            "A hozzájárulás az övezet díjfizetős várakozóhelyein díjmentes várakozásra jogosít; a kerület "
            "területén kívül és más övezetben nem érvényes. Az eljárás illetékmentes.",
        ],
        reasoning=[
            "Kérelmező 2026. november 21-én az e-Portálon elektronikus úton lakossági várakozási hozzájárulás "
            "kiadását kérte az ABC-123 forgalmi rendszámú járműre.",
            "A hatóság az Ákr. 40. §-a alapján automatikus döntéshozatali eljárásban, az ügyfél által megadott "
            "adatoknak a személyi- és lakcímnyilvántartásból, a járműnyilvántartásból és a parkolási rendszerből "
            "elektronikusan lekért adatokkal való összevetésével döntött. Az ügyben mérlegelésnek nem volt helye, "
            "ellenérdekű ügyfél nincs.",
            "A nyilvántartások szerint a jogosultság valamennyi feltétele teljesül, ezért a kérelemnek a "
            "rendelkező rész szerint helyt adtam.",
        ],
        checks=CHECKS_GRANTED,
        legal_basis=LEGAL_BASIS,
        remedy=REMEDY,
        permit=Permit(
            number="HV1-2026-004512",
            plate="ABC-123",
            zone="Hegyvidék 1",
            valid_from=date(2026, 12, 1),
            valid_until=date(2027, 11, 30),
        ),
        decided_at=datetime(2026, 11, 21, 14, 5, 32, tzinfo=BUDAPEST),
        place="Budapest",
        verification_url="https://e-portal.hegyvidek.hu/ellenorzes/7f3a9c2e-5b1d-4e8a-9c0f-2d6b8e4a1f37",
    )
    return replace(data, **overrides) if overrides else data


def refused_decision(**overrides) -> DecisionData:
    data = granted_decision(
        outcome="refused",
        kind="simplified_decision",
        permit=None,
        filing_number="XII/12399-2/2026",
        case_reference="EP-2026-000130",
        operative_part=[
            "Kovács Anna (születési név: Szőke Anna Erzsébet, születési idő: 1984. március 17., anyja neve: "
            "Tóth Ilona, lakcím: 1124 Budapest, Csörsz utca 12. 3. em. 7.) lakossági várakozási hozzájárulás "
            "kiadására irányuló kérelmét az ABC-123 forgalmi rendszámú járműre elutasítom.",
            "Az eljárás illetékmentes.",
        ],
        reasoning=[
            "Kérelmező 2026. november 21-én az e-Portálon lakossági várakozási hozzájárulás kiadását kérte az "
            "ABC-123 forgalmi rendszámú járműre. A hatóság az Ákr. 40. §-a alapján automatikus döntéshozatali "
            "eljárásban döntött.",
            "A járműnyilvántartás szerint az ABC-123 forgalmi rendszámú jármű üzemben tartója nem a kérelmező, "
            "ezért a jogosultság feltétele nem teljesül; a kérelmet a rendelkező rész szerint elutasítottam.",
        ],
        checks=(
            CHECKS_GRANTED[0],
            EligibilityCheck(
                rule="A jármű a kérelmező tulajdonában vagy üzemben tartásában van.",
                fact="Járműnyilvántartás: ABC-123 üzemben tartója nem a kérelmező.",
                met=False,
            ),
        ),
    )
    return replace(data, **overrides) if overrides else data
