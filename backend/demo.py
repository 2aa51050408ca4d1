"""Demo data for `make run`: staff for every role, a few residents, the home page in both
languages. Loaded once; running it again changes nothing."""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from wagtail.models import Locale, Page, Site

from backend.demo_accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, RESIDENTS, STAFF
from backend.roles import roles_sync
from cms.models import HomePage, ServicePage, StandardPage
from eservices import services
from eservices.models import IdentificationStatus, User


def _user(email: str, *, family_name: str, given_names: str, staff: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=given_names, last_name=family_name, is_staff=staff
        )
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _home_pages() -> None:
    if HomePage.objects.exists():
        return
    root = Page.get_first_root_node()
    hu = Locale.objects.get_or_create(language_code="hu")[0]
    Locale.objects.get_or_create(language_code="en")
    # Wagtail's install creates a "Welcome" page; the portal's home replaces it
    for page in Page.objects.filter(depth=2, content_type__model="page"):
        page.delete()
    home = HomePage(
        title="Hegyvidék e-Portál",
        slug="home",
        locale=hu,
        intro=(
            "Intézze ügyeit otthonról, a nap 24 órájában: kérelmek, fizetés és elektronikusan "
            "aláírt döntés néhány kattintással, telefonon is."
        ),
        body=[
            ("heading", "Hogyan kezdjem?"),
            (
                "paragraph",
                "<ol><li>Regisztráljon e-mail-címmel vagy Facebook-fiókkal.</li>"
                "<li>Egyszer jöjjön be az ügyfélszolgálatra személyazonosításra.</li>"
                "<li>Ezután minden e-ügyintézési szolgáltatás elérhető online.</li></ol>",
            ),
            (
                "notice",
                {
                    "title": "Ügyfélfogadás",
                    "text": "Hétfő 13:30–18:00, kedd–csütörtök 8:00–16:30, "
                    "péntek 8:00–11:30. 1126 Budapest, Böszörményi út 23–25.",
                },
            ),
        ],
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    about = StandardPage(
        title="Az e-ügyintézésről",
        slug="e-ugyintezes",
        locale=hu,
        intro="Mit intézhet online, és mire van szükség hozzá.",
        body=[
            (
                "paragraph",
                "<p>Az első szolgáltatás a lakossági várakozási hozzájárulás. "
                "A kérelmet a rendszer emberi közreműködés nélkül, percek alatt bírálja el, "
                "a döntést elektronikusan aláírva kapja meg.</p>",
            )
        ],
    )
    home.add_child(instance=about)
    about.save_revision().publish()

    service = ServicePage(
        title="Lakossági várakozási hozzájárulás",
        slug="lakossagi-varakozasi-hozzajarulas",
        locale=hu,
        service_code="parking_permit",
        intro="A kerületben állandó lakcímmel rendelkező lakosok első gépjárművükre díjmentes várakozási "
        "hozzájárulást igényelhetnek. A kérelemről a rendszer percek alatt, automatikusan dönt.",
        who_can_apply="<ul><li>természetes személy, akinek állandó lakcíme a XII. kerületben van;</li>"
        "<li>a gépjármű az ő tulajdonában vagy üzemeltetésében áll;</li>"
        "<li>több gépjármű esetén csak az elsőre (a legrégebben a nevén állóra).</li></ul>",
        procedure=[
            (
                "paragraph",
                "<ol><li>Jelentkezzen be, és egyszer azonosítsa magát az ügyfélszolgálaton.</li>"
                "<li>Válassza ki járművét: a járműnyilvántartás adatait mi kérdezzük le.</li>"
                "<li>A feltételek ellenőrzése után nyújtsa be a kérelmet.</li>"
                "<li>A hitelesített határozatot perceken belül letöltheti.</li></ol>",
            ),
        ],
        documents_needed="<p>Online igényléshez nem kell iratot feltöltenie: az adatokat a hatóság a "
        "nyilvántartásokból veszi át.</p>",
        deadlines="<p>Az automatikus döntés általában néhány percen belül megszületik. A hozzájárulás a "
        "döntéstől számított egy évig érvényes.</p>",
        fee="Díjmentes",
        legal_basis="<ul><li>az általános közigazgatási rendtartásról szóló 2016. évi CL. törvény</li>"
        "<li>Budapest Főváros Közgyűlésének 30/2010. (VI. 4.) Főv. Kgy. rendelete</li></ul>",
    )
    home.add_child(instance=service)
    service.save_revision().publish()

    further = ServicePage(
        title="Lakossági várakozási hozzájárulás további gépjárműre",
        slug="varakozasi-hozzajarulas-tovabbi-gepjarmure",
        locale=hu,
        service_code="parking_permit_additional",
        intro="Akinek érvényes lakossági várakozási hozzájárulása van az első gépjárművére, egy további, "
        "a nevén álló gépjárművére díj ellenében kérhet hozzájárulást. A kérelemről a rendszer automatikusan "
        "dönt; a díjat bankkártyával vagy átutalással fizetheti meg.",
        who_can_apply="<ul><li>a XII. kerületben állandó lakcímmel rendelkező természetes személy;</li>"
        "<li>akinek érvényes lakossági várakozási hozzájárulása van az első gépjárművére;</li>"
        "<li>a további gépjármű az ő tulajdonában vagy üzemeltetésében áll.</li></ul>",
        procedure=[
            (
                "paragraph",
                "<ol><li>Jelentkezzen be, és válassza ki a további gépjárművét.</li>"
                "<li>A feltételek ellenőrzése után nyújtsa be a kérelmet.</li>"
                "<li>Ha a feltételek teljesülnek, fizesse meg a díjat bankkártyával vagy átutalással "
                "(a közleményben a fizetési azonosítóval).</li>"
                "<li>A befizetés után a hitelesített határozatot és a számlát letöltheti.</li></ol>",
            ),
        ],
        documents_needed="<p>Nem kell iratot feltöltenie: az adatokat a hatóság a nyilvántartásokból veszi át.</p>",
        deadlines="<p>A díjat a kérelem elbírálásától számított 8 napon belül kell megfizetni. A hozzájárulás a "
        "döntéstől számított egy évig érvényes.</p>",
        fee="24 000 Ft / év",
        legal_basis="<ul><li>az általános közigazgatási rendtartásról szóló 2016. évi CL. törvény</li>"
        "<li>Budapest Főváros Közgyűlésének 30/2010. (VI. 4.) Főv. Kgy. rendelete</li></ul>",
    )
    home.add_child(instance=further)
    further.save_revision().publish()

    en = Locale.objects.get(language_code="en")

    home_en = home.copy_for_translation(en)
    home_en.title = "Hegyvidék e-Portal"
    home_en.intro = (
        "Handle your municipal matters from home, around the clock: applications, payment and an "
        "electronically signed decision in a few clicks, on your phone too."
    )
    home_en.body = [
        ("heading", "How do I start?"),
        (
            "paragraph",
            "<ol><li>Sign up with your email address or your Facebook account.</li>"
            "<li>Visit the customer service office once to be identified.</li>"
            "<li>After that every e-service is available online.</li></ol>",
        ),
        (
            "notice",
            {
                "title": "Office hours",
                "text": "Monday 13:30–18:00, Tuesday–Thursday 8:00–16:30, "
                "Friday 8:00–11:30. 1126 Budapest, Böszörményi út 23–25.",
            },
        ),
    ]
    home_en.save_revision().publish()
    about_en = about.copy_for_translation(en)
    about_en.title = "About e-administration"
    about_en.intro = "What you can do online, and what you need for it."
    about_en.body = [
        (
            "paragraph",
            "<p>The first service is the residential parking permit. Applications are "
            "decided automatically within minutes, and you receive an electronically "
            "signed decision.</p>",
        )
    ]
    about_en.save_revision().publish()

    service_en = service.copy_for_translation(en)
    service_en.title = "Residential parking permit"
    service_en.intro = (
        "Residents with a permanent address in the district can get a free parking permit for their first "
        "vehicle. The application is decided automatically within minutes."
    )
    service_en.who_can_apply = (
        "<ul><li>a natural person with a permanent address in District XII;</li>"
        "<li>the vehicle is owned or operated by them;</li>"
        "<li>with several vehicles, only the first one (registered to them longest).</li></ul>"
    )
    service_en.procedure = [
        (
            "paragraph",
            "<ol><li>Sign in and get identified once at the customer service office.</li>"
            "<li>Choose your vehicle: we look it up in the vehicle registry.</li>"
            "<li>Check the conditions and submit the application.</li>"
            "<li>Download the signed decision within minutes.</li></ol>",
        ),
    ]
    service_en.documents_needed = "<p>Nothing to upload: the authority takes the data from the registries.</p>"
    service_en.deadlines = (
        "<p>The automatic decision usually arrives within a few minutes. The permit is valid for one year.</p>"
    )
    service_en.fee = "Free of charge"
    service_en.save_revision().publish()

    further_en = further.copy_for_translation(en)
    further_en.title = "Residential parking permit for a further vehicle"
    further_en.intro = (
        "Residents who hold a valid residential permit for their first vehicle can get one for a further "
        "vehicle registered to them, for a fee. The application is decided automatically; pay the fee by card "
        "or bank transfer."
    )
    further_en.who_can_apply = (
        "<ul><li>a natural person with a permanent address in District XII;</li>"
        "<li>who holds a valid residential permit for their first vehicle;</li>"
        "<li>the further vehicle is owned or operated by them.</li></ul>"
    )
    further_en.procedure = [
        (
            "paragraph",
            "<ol><li>Sign in and choose your further vehicle.</li>"
            "<li>Check the conditions and submit the application.</li>"
            "<li>If the conditions are met, pay the fee by card or by transfer (with the payment reference).</li>"
            "<li>Once paid, download the signed decision and the invoice.</li></ol>",
        ),
    ]
    further_en.documents_needed = "<p>Nothing to upload: the authority takes the data from the registries.</p>"
    further_en.deadlines = (
        "<p>Pay the fee within 8 days of the decision on the conditions. The permit is valid for one year.</p>"
    )
    further_en.fee = "HUF 24,000 a year"
    further_en.save_revision().publish()

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="Hegyvidék e-Portál")
    else:
        site.root_page = home
        site.site_name = "Hegyvidék e-Portál"
        site.save()


@transaction.atomic
def demo_data_load() -> bool:
    """Returns False when the demo data were there already."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if User.objects.filter(email=STAFF[0][0]).exists():
        return False
    _home_pages()
    groups = roles_sync()
    for email, family_name, given_names, role in STAFF:
        user = _user(email, family_name=family_name, given_names=given_names, staff=True)
        if role is None:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        else:
            user.groups.add(groups[role])
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
    for data in RESIDENTS:
        data = dict(data)
        verified = data.pop("verified", False)
        user = _user(data.pop("email"), family_name=data["family_name"], given_names=data["given_names"])
        profile = services.resident_profile_ensure(user=user)
        for key, value in data.items():
            if key != "registry_person_id":
                setattr(profile, key, value)
        if verified:
            profile.registry_person_id = data.get("registry_person_id", "")
            profile.identification_status = IdentificationStatus.VERIFIED
            profile.verified_at = datetime.datetime(2026, 1, 12, 10, 30, tzinfo=datetime.UTC)
        profile.save()
        services.client_sync_safely(user=user)
    demo_crm_load()
    return True


def demo_crm_load() -> int:
    """Clients entered at the desk, through the same cleansing as real entries. Once."""
    from backend.demo_accounts import CRM_CLIENTS
    from crm.models import Client, ClientSource
    from crm.services import AddressData, ClientData, ConsentData, EmailData, PhoneData, client_save

    if Client.objects.filter(source=ClientSource.STAFF).exists():
        return 0
    for title, family, given, born, email, phone, (postcode, street, street_type, number), card in CRM_CLIENTS:
        client_save(
            data=ClientData(
                name_prefix=title,
                family_name=family,
                given_names=given,
                birth_date=born,
                loyalty_card_number=card,
                emails=[EmailData(address=email)] if email else [],
                phones=[PhoneData(number=phone)] if phone else [],
                addresses=[
                    AddressData(
                        postcode=postcode,
                        settlement="Budapest",
                        street_name=street,
                        street_type=street_type,
                        house_number=number,
                    )
                ],
                consents={"newsletter": ConsentData(granted=bool(card), source="ügyfélszolgálat")},
            ),
            source=ClientSource.STAFF,
        )
    from crm.duplicates import duplicates_scan

    duplicates_scan()  # the demo's likely duplicates wait on Clients -> Possible duplicates
    return len(CRM_CLIENTS)


def demo_cases_load() -> list[str]:
    """A decided parking-permit case for the identified demo resident, processed through the
    running simulators exactly as a real application is. Only when there are no cases yet."""
    from eservices.cases import services as case_services
    from eservices.cases import tasks
    from eservices.cases.models import Case
    from eservices.models import ResidentProfile

    if Case.objects.exists():
        return []
    profile = ResidentProfile.objects.get(user__email="lakos@example.hu")
    case = case_services.case_submit(applicant=profile, service_code="parking_permit", data={"plate": "AB-SL-126"})
    tasks.case_process(case.pk)
    case.refresh_from_db()
    return [f"{case.reference}: {case.get_status_display()}"]
