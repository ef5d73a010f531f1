"""Demo agencies, created idempotently by code (called by the demo command)."""

from lms.places.models import CURRENT_EDITION, AdministrativeUnit

from .models import Agency
from .services import agency_create

DEMO_AGENCIES = [
    # code, name, parent code, unit (province code) or None
    ("DEMO-HN-SNV", "Sở Nội vụ Thành phố Hà Nội", None, "01"),
    ("DEMO-HN-SNV-VP", "Văn phòng Sở Nội vụ Thành phố Hà Nội", "DEMO-HN-SNV", "01"),
    ("DEMO-HN-SNV-CCVC", "Phòng Công chức, viên chức", "DEMO-HN-SNV", "01"),
    # Mandatory training demo (courses.training.demo): more divisions of the Sở and two ward
    # People's Committees whose staff training the Sở Nội vụ manages (simplified: placed
    # under the Sở so its training manager sees them).
    ("DEMO-HN-SNV-TCBC", "Phòng Tổ chức, biên chế", "DEMO-HN-SNV", "01"),
    ("DEMO-HN-SNV-CCHC", "Phòng Cải cách hành chính", "DEMO-HN-SNV", "01"),
    ("DEMO-HN-UBND-BADINH", "Ủy ban nhân dân phường Ba Đình", "DEMO-HN-SNV", "01"),
    ("DEMO-HN-UBND-HOANKIEM", "Ủy ban nhân dân phường Hoàn Kiếm", "DEMO-HN-SNV", "01"),
    ("DEMO-DN-SNV", "Sở Nội vụ Thành phố Đà Nẵng", None, "48"),
]


def demo_agencies_create() -> list[Agency]:
    """Create (or find, by code) a few agencies: a provincial Sở Nội vụ with child units."""
    result: dict[str, Agency] = {}
    for code, name, parent_code, unit_code in DEMO_AGENCIES:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            unit = AdministrativeUnit.objects.filter(
                edition=CURRENT_EDITION, level="province", code=unit_code
            ).first()
            agency = agency_create(
                code=code, name=name, parent=result.get(parent_code) if parent_code else None, unit=unit
            )
        result[code] = agency
    return list(result.values())
