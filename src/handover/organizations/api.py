"""The Organization endpoints of /api/v1/: list mine, create one. The CLI's `--json` prints these
same shapes."""

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from handover.accounts.api import OrganizationRef, UserOut
from handover.organizations import selectors, services
from handover.organizations.models import Organization, Role
from handover.schemas import Input, Pagination, errors, single_line

router = Router()

ORGANIZATION_NAME_MAX = Organization._meta.get_field("name").max_length


class OrganizationOut(Schema):
    """An Organization as one of its members sees it, with that member's `role`."""

    id: UUID
    name: str
    country: str
    transfers_locked: bool
    created_at: datetime
    role: Role


class OrganizationIn(Input):
    name: single_line(ORGANIZATION_NAME_MAX, min_length=1)  # type: ignore[valid-type]
    country: str = Field("CH", pattern=r"^[A-Za-z]{2}$", description="Its two-letter code (ISO 3166-1).")


class MembershipOut(Schema):
    id: UUID
    organization: OrganizationRef
    user: UserOut
    role: Role
    created_at: datetime


@router.get(
    "/organizations",
    response={200: list[OrganizationOut], **errors(401)},
    summary="The Organizations I belong to, with my role in each",
)
@paginate(Pagination)
def list_organizations(request: HttpRequest) -> object:
    return selectors.organizations_for_user(user=request.user)  # type: ignore[arg-type]


@router.post(
    "/organizations",
    response={201: OrganizationOut, **errors(400, 401)},
    summary="Create an Organization; its creator becomes its legal representative",
)
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status:
    organization = services.create_organization(
        actor=request.user,  # type: ignore[arg-type]
        name=payload.name,
        country=payload.country,
    )
    organization.role = Role.LEGAL_REPRESENTATIVE  # type: ignore[attr-defined]
    return Status(201, organization)
