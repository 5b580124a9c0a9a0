"""Which products may go into a new transfer, and the pending transfer holding each."""

import pytest

from handover.products.selectors import products_visible_to
from handover.transfers.models import TransferItem
from handover.transfers.selectors import prefetch_pending_transfers, with_pending_transfer
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_each_product_carries_its_pending_transfer(owner, org):
    moving = factories.make_product(org, name="moving.example")
    factories.make_product(org, name="staying.example")
    transfer = factories.make_pending_transfer(org, owner, moving)

    found = {
        p.name: p.pending_transfer_id
        for p in with_pending_transfer(products_visible_to(user=owner, organization=org))
    }

    assert found == {"moving.example": transfer.id, "staying.example": None}


def test_a_finished_transfer_is_no_longer_pending(owner, org):
    moved = factories.make_product(org, name="moving.example")
    factories.make_pending_transfer(org, owner, moved)
    TransferItem.objects.update(pending=False)

    [product] = with_pending_transfer(products_visible_to(user=owner, organization=org))
    assert product.pending_transfer_id is None


def test_products_already_read_get_their_pending_transfer_in_one_query(owner, org, django_assert_num_queries):
    moving = factories.make_product(org, name="moving.example")
    staying = factories.make_product(org, name="staying.example")
    transfer = factories.make_pending_transfer(org, owner, moving)

    with django_assert_num_queries(1):
        prefetch_pending_transfers([moving, staying])

    assert (moving.pending_transfer_id, staying.pending_transfer_id) == (transfer.id, None)
