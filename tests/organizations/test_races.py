"""At least one legal representative, whatever the timing: proven on PostgreSQL with real
concurrent connections (SQLite's immediate transactions serialize writers anyway)."""

from collections import Counter
from functools import partial

import pytest

from handover.errors import NotFound
from handover.organizations.errors import LastLegalRepresentative
from handover.organizations.models import Membership, Role
from handover.organizations.services import change_member_role, leave_organization, remove_member
from tests.support import factories
from tests.support.racing import FIGURES, TRIALS, describe, race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def two_legal_representatives():
    first, second = factories.make_user(), factories.make_user()
    organization = factories.make_org(owner=first)
    factories.add_member(organization, second, role=Role.LEGAL_REPRESENTATIVE)
    return organization, first, second


def membership(user, organization):
    return Membership.objects.get(user=user, organization=organization)


@pytest.mark.parametrize(
    "way",
    ["both_step_down", "both_leave", "each_removes_the_other"],
)
def test_two_legal_representatives_withdrawing_at_once_leave_one(way):
    tally: Counter[str] = Counter()
    for _ in range(TRIALS):
        organization, first, second = two_legal_representatives()
        calls = {
            "both_step_down": [
                partial(
                    change_member_role,
                    actor=user,
                    membership=membership(user, organization),
                    role=Role.ADMINISTRATOR,
                )
                for user in (first, second)
            ],
            "both_leave": [
                partial(leave_organization, actor=user, organization=organization) for user in (first, second)
            ],
            "each_removes_the_other": [
                partial(remove_member, actor=first, membership=membership(second, organization)),
                partial(remove_member, actor=second, membership=membership(first, organization)),
            ],
        }[way]
        outcomes = race(*calls)
        tally[describe(outcomes)] += 1
        assert sum(o.ok for o in outcomes) == 1, describe(outcomes)
        [refused] = [o.error for o in outcomes if not o.ok]
        # The loser counted what the winner left; or, removing the other, found itself removed.
        assert isinstance(refused, NotFound if way == "each_removes_the_other" else LastLegalRepresentative)
        assert (
            Membership.objects.filter(organization=organization, role=Role.LEGAL_REPRESENTATIVE).count() == 1
        )
    FIGURES.append(f"legal representatives, {way}: {dict(tally)}")
