"""JSON API for certificates: verify a code (public), the caller's own certificates,
the signed Open Badges credential (public). Mounted at /api/v1/certificates."""

import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from courses.certificates import badges
from courses.certificates.models import Certificate
from courses.certificates.selectors import (
    badge_url,
    certificate_by_code,
    certificates_of_learner,
    public_base_url,
    verification_url,
)

router = Router(tags=["certificates"])


class CertificateCompetenceOut(Schema):
    # Not "CompetenceOut": OpenAPI components are named by class, and the frameworks
    # API has its own CompetenceOut (one would silently replace the other).
    code: str
    title: str
    level: str


class VerificationOut(Schema):
    """Only what the public page shows: nothing more personal than the name."""

    code: str
    status: str  # valid, revoked
    valid: bool
    learner_name: str
    course_title: str
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    replaced_by: str | None
    competences: list[CertificateCompetenceOut]
    verification_url: str
    badge_url: str | None


class MyCertificateOut(Schema):
    code: str
    status: str
    course_title: str
    issued_at: datetime.datetime
    pdf_state: str  # pending, ready, failed
    download_url: str | None
    verification_url: str

    @staticmethod
    def resolve_download_url(obj: Certificate) -> str | None:
        if obj.pdf_state != Certificate.PdfState.READY:
            return None
        return public_base_url() + reverse("certificates:download", args=[obj.code])

    @staticmethod
    def resolve_verification_url(obj: Certificate) -> str:
        return verification_url(code=obj.code)


def _verification(certificate: Certificate) -> dict:
    replaced = getattr(certificate, "replaced_by", None) if not certificate.is_valid else None
    return {
        "code": certificate.code,
        "status": certificate.status,
        "valid": certificate.is_valid,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "issued_at": certificate.issued_at,
        "revoked_at": certificate.revoked_at,
        "replaced_by": replaced.code if replaced else None,
        "competences": [{"code": c.get("code", ""), "title": c.get("title", ""), "level": c.get("level", "")}
                        for c in certificate.competences],
        "verification_url": verification_url(code=certificate.code),
        "badge_url": badge_url(code=certificate.code) if certificate.is_valid else None,
    }


@router.get("/mine", response=list[MyCertificateOut], summary="Chứng nhận của tôi")
@paginate(PageNumberPagination, page_size=20)
def mine(request: HttpRequest):
    return certificates_of_learner(learner=request.user)


@router.get("/{code}", response=VerificationOut, auth=None, summary="Kiểm tra chứng nhận")
def verify(request: HttpRequest, code: str):
    certificate = certificate_by_code(code=code)
    if certificate is None:
        raise Http404
    return _verification(certificate)


@router.get("/{code}/badge", auth=None, summary="Huy hiệu Open Badges 3.0 có chữ ký")
def badge(request: HttpRequest, code: str):
    certificate = certificate_by_code(code=code)
    if certificate is None:
        raise Http404
    if not certificate.is_valid:
        raise HttpError(410, _("Chứng nhận này đã bị thu hồi."))
    return badges.certificate_credential(certificate=certificate)
