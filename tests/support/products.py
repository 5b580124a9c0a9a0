"""Two products of the source Organization `org`: a web hosting and a domain."""

import pytest

from tests.support import factories


@pytest.fixture
def hosting(org):
    return factories.make_product(org, "web_hosting", name="shop.example")


@pytest.fixture
def domain(org):
    return factories.make_product(org, "domain", name="example.ch")
