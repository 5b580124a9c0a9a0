"""Rows for a real `handover serve` process, written by `handover shell` into its own database.

`populate()` prints one JSON object: the API tokens of a source Organization's owner and of each
recipient (each the legal representative of an Organization of their own), and product ids in
batches, one batch per transfer a test will start.
"""

import json

from handover.accounts.services import create_api_token
from tests.support import factories


def populate(*, recipients: int, batches: int, per_batch: int) -> None:
    factories.make_terms()
    owner = factories.make_user()
    source = factories.make_org(owner=owner)
    products = factories.make_products(source, batches * per_batch)
    people = []
    for _ in range(recipients):
        user = factories.make_user()
        organization = factories.make_org(owner=user)
        people.append({"token": create_api_token(user=user, name="race")[1], "org": str(organization.id)})
    print(  # read by the test that ran this
        json.dumps(
            {
                "owner": create_api_token(user=owner, name="race")[1],
                "source": str(source.id),
                "batches": [
                    [str(p.id) for p in products[i * per_batch : (i + 1) * per_batch]] for i in range(batches)
                ],
                "recipients": people,
            }
        )
    )
