"""What is ticked on the Transfer products page (SPEC §6.1), held in the session between its pages.

The page shows 50 products at a time, searched and filtered; what is ticked must survive paging,
searching and the warnings step, so it lives on the server, per Organization: either the ids ticked
one by one, or, after "Select all N matching", the filter itself (with the N the user saw), resolved
by the service when the transfer starts, as the API's `filter` start is. The few fields of the form
(the note, the acceptance of the conditions) ride along so that paging does not lose them either.
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from handover.transfers.selectors import ProductFilter


def _key(organization_id: Any) -> str:
    return f"transfers:picked:{organization_id}"


@dataclass
class Picked:
    """The ticked products: `ids` in the order ticked, or every transferable product matching
    `filter` (`{"type": …, "q": …}`), of which there were `count` when chosen."""

    ids: list[str] = field(default_factory=list)
    filter: dict[str, str] | None = None
    count: int = 0
    note: str = ""
    accepted: bool = False

    @property
    def size(self) -> int:
        return self.count if self.filter is not None else len(self.ids)

    @property
    def is_filter(self) -> bool:
        return self.filter is not None

    def selection(self) -> dict[str, Any]:
        """The services' selection arguments (see selectors.select_products)."""
        if self.filter is not None:
            return {"filter": ProductFilter(transferable=True, **self.filter)}
        return {"product_ids": self.ids}

    def choose_all(self, *, type: str, q: str, count: int) -> None:
        """ "Select all N matching": the filter stands for the selection."""
        self.ids, self.filter, self.count = [], {"type": type, "q": q}, count

    def choose(self, ids: Iterable[Any]) -> None:
        self.ids, self.filter, self.count = list(dict.fromkeys(str(i) for i in ids)), None, 0

    def clear(self) -> None:
        self.choose([])

    def tick(self, *, shown: Iterable[Any], ticked: Iterable[Any], resolve: Callable[[], list[Any]]) -> None:
        """The boxes of one page: those `shown` are now exactly those `ticked`. Unticking one of a
        filter's products turns the filter into its ids (`resolve`), less the unticked."""
        shown_set, ticked_set = {str(i) for i in shown}, {str(i) for i in ticked}
        if self.filter is not None:
            unticked = shown_set - ticked_set
            if not unticked:
                return
            self.choose(str(i) for i in resolve())
        self.choose([*(i for i in self.ids if i not in shown_set or i in ticked_set), *ticked_set])


def load(session: SessionBase, organization_id: Any) -> Picked:
    stored = session.get(_key(organization_id))
    if not isinstance(stored, dict):
        return Picked()
    try:
        return Picked(**stored)
    except TypeError:  # a shape from an older version
        return Picked()


def save(session: SessionBase, organization_id: Any, picked: Picked) -> None:
    session[_key(organization_id)] = asdict(picked)


def forget(session: SessionBase, organization_id: Any) -> None:
    session.pop(_key(organization_id), None)
