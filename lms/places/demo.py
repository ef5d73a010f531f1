"""Demo villages in two real communes (needs `manage.py load_units` first)."""

from .models import CURRENT_EDITION, AdministrativeUnit
from .selectors import villages_of
from .services import village_create

# (province code, commune name, [(village name, type)])
DEMO_VILLAGES = [
    ("01", "Phường Ba Đình", [("Tổ dân phố số 1", "tổ dân phố"), ("Tổ dân phố số 2", "tổ dân phố"),
                              ("Tổ dân phố số 3", "tổ dân phố")]),
    ("48", "Xã Hòa Vang", [("Thôn Phước Hưng", "thôn"), ("Thôn Dương Lâm", "thôn"),
                           ("Thôn An Châu", "thôn")]),
]


def demo_communes() -> list[AdministrativeUnit]:
    """The two demo communes, found by province code and name (codes change across editions)."""
    communes = []
    for province_code, name, _villages in DEMO_VILLAGES:
        commune = AdministrativeUnit.objects.filter(
            edition=CURRENT_EDITION, level="commune", parent__code=province_code,
            parent__edition=CURRENT_EDITION, name=name,
        ).first()
        if commune is None:
            raise LookupError(f"{name} ({province_code}) not found: run `manage.py load_units` first.")
        communes.append(commune)
    return communes


def demo_villages_create() -> list[AdministrativeUnit]:
    """Create (or find, by commune and name) a few villages in two demo communes."""
    result = []
    for commune, (_p, _n, villages) in zip(demo_communes(), DEMO_VILLAGES, strict=True):
        existing = {v.name: v for v in villages_of(commune=commune)}
        for name, kind in villages:
            village = existing.get(name) or village_create(commune=commune, name=name, division_type=kind)
            result.append(village)
    return result
