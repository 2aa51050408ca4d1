from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from eservices.models import ResidentProfile, User

PASSWORD = "Correct-Horse-Battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"lakos{n}@example.hu")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory)
    family_name = "Kovács"
    given_names = "Anna"
    birth_name = "Kovács Anna"
    mother_birth_name = "Szabó Mária"
    birth_date = datetime.date(1985, 3, 14)
    birth_place = "Budapest"
    phone = "+36301234567"
    permanent_address = factory.LazyFunction(
        lambda: {
            "postcode": "1122",
            "settlement": "Budapest",
            "district": "XII",
            "street_name": "Városmajor",
            "street_type": "utca",
            "house_number": "12",
            "building": "",
            "floor": "2",
            "door": "5",
        }
    )


def staff_user(*, role: str | None = None, **kwargs) -> User:
    from backend.roles import roles_sync

    user = UserFactory(is_staff=True, **kwargs)
    if role:
        groups = roles_sync()
        user.groups.add(groups[role] if role in groups else Group.objects.get(name=role))
    return user


def resident_as_typed(demo, **overrides) -> ResidentProfile:
    """A resident profile holding what a registry demo person typed into the portal."""
    typed = demo.typed
    address = typed.address
    fields = {
        "user": UserFactory(email=typed.email),
        "family_name": typed.family_name,
        "given_names": typed.given_names,
        "birth_name": typed.birth_name,
        "mother_birth_name": typed.mother_birth_name,
        "birth_date": typed.birth_date,
        "birth_place": typed.birth_place,
        "permanent_address": {
            "postcode": address.postcode,
            "settlement": address.settlement,
            "district": address.district,
            "street_name": address.street_name,
            "street_type": address.street_type,
            "house_number": address.house_number,
            "building": address.building,
            "floor": address.floor,
            "door": address.door,
        },
    }
    return ResidentProfileFactory(**{**fields, **overrides})
