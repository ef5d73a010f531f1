"""Factories that build data through the same services production uses."""

import factory
from django.contrib.auth import get_user_model

from lms.organisations.services import agency_create
from lms.places.models import AdministrativeUnit
from lms.places.services import unit_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", "mật-khẩu-thử-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


_counter = iter(range(10_000_000, 99_999_999))


def make_province(name: str = "Tỉnh Thử Nghiệm", code: str | None = None) -> AdministrativeUnit:
    return unit_create(
        name=name, level="province", code=code or f"9{next(_counter) % 10}", division_type="tỉnh"
    )


def make_commune(
    province: AdministrativeUnit, name: str = "Xã Thử Nghiệm", code: str | None = None
) -> AdministrativeUnit:
    return unit_create(
        name=name,
        level="commune",
        parent=province,
        code=code or f"{next(_counter) % 100000:05d}",
        division_type="xã",
    )


def make_village(commune: AdministrativeUnit, name: str = "Thôn Một") -> AdministrativeUnit:
    return unit_create(name=name, level="village", parent=commune, division_type="thôn")


def make_agency(name: str = "Sở Thử Nghiệm", parent=None, code: str | None = None):
    return agency_create(code=code or f"AG{next(_counter)}", name=name, parent=parent)
