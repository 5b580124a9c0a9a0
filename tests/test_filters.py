"""Every out-of-range value of a list's filters is refused (400 with `fields` on the API, a form error
on the page and its CSV export), never a 500: every filter of every FilterSet is bounded by the shared
layer's filters (handover/filters.py), which this test holds for lists added later."""

import importlib
import pkgutil

import django_filters
import pytest

import handover
from handover.filters import LAST_DAY, DayFilter, FilterSet, TextFilter, YesNoFilter


def _filtersets() -> list[type[FilterSet]]:
    for module in pkgutil.walk_packages(handover.__path__, "handover."):
        if module.name.endswith(".filters"):
            importlib.import_module(module.name)
    return FilterSet.__subclasses__()


def test_every_filter_of_every_list_is_bounded():
    filtersets = _filtersets()
    assert {f.__name__ for f in filtersets} >= {"AuditFilter", "ProductFilter", "TransferFilter"}
    for filterset in filtersets:
        for name, filter_ in filterset.base_filters.items():
            where = f"{filterset.__name__}.{name}"
            bounded = (DayFilter, TextFilter, YesNoFilter, django_filters.ChoiceFilter)
            assert isinstance(filter_, bounded), f"{where}: use a bounded filter of handover.filters"
            if isinstance(filter_, TextFilter):
                assert filter_.field.max_length, where
            if isinstance(filter_, DayFilter):
                assert any(getattr(v, "limit_value", None) == LAST_DAY for v in filter_.field.validators), (
                    where
                )


@pytest.mark.parametrize("day", ["9999-12-31", "10000-01-01", "0000-01-01", "2026-02-30"])
def test_an_out_of_range_day_is_a_400_naming_the_field(api, owner, org, client, day):
    response = api(owner).get(f"/organizations/{org.id}/audit-events", {"until": day})
    assert response.status_code == 400 and set(response.json()["fields"]) == {"until"}
    client.force_login(owner)
    page = client.get(f"/o/{org.id}/audit/", {"until": day})
    export = client.get(f"/o/{org.id}/audit/export.csv", {"until": day})
    assert "until" in page.context["filters"].form.errors
    assert export.status_code == 400
