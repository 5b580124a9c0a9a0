"""The signed-in user's own endpoint of /api/v1/, and the shapes of users and tokens.

The CLI's `--json` prints these same shapes.
"""

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from handover.organizations.models import Role
from handover.organizations.selectors import memberships_for_user
from handover.schemas import OrganizationRef, errors

router = Router()


class UserOut(Schema):
    id: UUID
    email: str
    name: str
    language: str


class MyMembershipOut(Schema):
    organization: OrganizationRef
    role: Role


class MeOut(UserOut):
    """The signed-in user and, by Organization name, their memberships."""

    memberships: list[MyMembershipOut]


class TokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    """A new token with its secret, which is shown this once."""

    token: str


@router.get("/me", response={200: MeOut, **errors(401)}, summary="The signed-in user and their memberships")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    memberships = list(memberships_for_user(user=user))  # type: ignore[arg-type]
    return MeOut(
        **UserOut.from_orm(user).model_dump(),
        memberships=[MyMembershipOut.from_orm(membership) for membership in memberships],
    )
