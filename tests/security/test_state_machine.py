"""Random sequences of everything that can happen to transfers, checked against a model after each step
(SPEC §5 "Bad input" and "Races" in time rather than in threads; ASVS 5.0 2.3.x business-logic flow).

Hypothesis drives the services: start, rotate, send, cancel, receive (with the current link or a
replaced one), decline, complete directly, time passing, the expiry sweep, the initiator's demotion
and promotion, products suspended and reactivated. A plain model predicts whether each step succeeds
and what it changes; every refusal must be a domain error that changes nothing. After every step the
database must match the model and keep the invariants of tests/support/invariants.py: each product
in one Organization, at most one pending transfer per product, a completed transfer's products in
its destination (until moved again), no right of a user outside their Organizations, audit entries
on both sides and one email task for every completion.

HANDOVER_HYPOTHESIS_EXAMPLES sets the number of examples (30 by default).
"""

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from handover.errors import DomainError
from handover.organizations.models import Membership, Role
from handover.organizations.services import change_member_role
from handover.products.models import AccessLevel, Product, ProductStatus
from handover.products.services import set_product_status
from handover.transfers import links, services
from handover.transfers.models import Transfer
from tests.support import factories
from tests.support.invariants import violations
from tests.support.racing import FIGURES
from tests.support.world import snapshot

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("HANDOVER_HYPOTHESIS_EXAMPLES", "30"))
STEPS = 20
PEOPLE = ["lr_a", "adm_a", "col_a", "lr_b", "lr_c", "outsider"]
ORGS = ["A", "B", "C"]
# Who receives into which Organization: mostly admins of it, sometimes not (refused), or the source.
STARTERS = [("lr_a", "A"), ("adm_a", "A"), ("lr_b", "B"), ("lr_a", "B"), ("col_a", "A"), ("lr_b", "A")]
RECIPIENTS = [
    ("lr_b", "B"),
    ("lr_c", "C"),
    ("lr_a", "B"),
    ("lr_b", "B"),
    ("lr_c", "C"),
    ("col_a", "A"),
    ("outsider", "C"),
    ("lr_a", "A"),
    ("lr_b", "C"),
]
STATS: Counter[str] = Counter()


@dataclass
class ModelTransfer:
    id: object
    source: str
    products: list[object]
    created_by: str
    expires_at: datetime
    token: str
    issued_by: str  # whoever issued the current link: it dies with their right to manage transfers
    old_tokens: list[str] = field(default_factory=list)
    link_alive: bool = True
    state: str = "pending"
    bound_email: str = ""
    received_by: str | None = None
    destination: str | None = None

    def repeated_by(self, actor: str, destination: str) -> bool:
        """A receive that repeats the completing one (same person, same destination) gets it back."""
        return self.state == "completed" and (self.received_by, self.destination) == (actor, destination)


class TransferMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.traveller = time_machine.travel(timezone.now(), tick=False)
        self.clock = self.traveller.start()
        self.now = timezone.now()
        self._build_world()

    def _build_world(self):
        factories.make_terms()
        self.users = {name: factories.make_user(f"{name}@example.com", name=name) for name in PEOPLE}
        u = self.users
        self.orgs = {
            "A": factories.make_org("Alpha", owner=u["lr_a"]),
            "B": factories.make_org("Beta", owner=u["lr_b"]),
            "C": factories.make_org("Gamma", owner=u["lr_c"]),
        }
        factories.add_member(self.orgs["A"], u["adm_a"], Role.ADMINISTRATOR)
        factories.add_member(self.orgs["A"], u["col_a"], Role.COLLABORATOR)
        factories.add_member(self.orgs["B"], u["lr_a"], Role.ADMINISTRATOR)  # can complete A → B directly
        team = factories.make_team(self.orgs["A"], u["col_a"])
        a_products = [
            factories.make_product(self.orgs["A"], kind, name=f"a{i}-{kind}")
            for i, kind in enumerate(
                ["web_hosting", "domain", "mail_service", "web_hosting", "kdrive", "ksuite"]
            )
        ]
        factories.grant(a_products[0], u["col_a"])
        factories.grant(a_products[1], team)
        factories.grant(a_products[4], u["col_a"], AccessLevel.MANAGE)
        b_products = [factories.make_product(self.orgs["B"], "domain", name=f"b{i}") for i in range(2)]
        self.products = {p.id: p for p in [*a_products, *b_products]}
        self.owner = {p.id: org for p, org in [(p, "A") for p in a_products] + [(p, "B") for p in b_products]}
        self.status = {pid: ProductStatus.ACTIVE for pid in self.products}
        self.admins = {("lr_a", "A"), ("adm_a", "A"), ("lr_a", "B"), ("lr_b", "B"), ("lr_c", "C")}
        self.transfers: list[ModelTransfer] = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.traveller.stop()

    # Helpers ------------------------------------------------------------------------------------

    def _pending(self, t: ModelTransfer) -> bool:
        """Pending and usable: not past its expiry, whether or not the sweep has run."""
        return t.state == "pending" and self.now < t.expires_at

    def _name(self, pid) -> str:
        return self.products[pid].name

    def _pending_products(self) -> set:
        """The products a transfer holds: one past its expiry frees them, swept or not (SPEC §6.2)."""
        return {pid for t in self.transfers if self._pending(t) for pid in t.products}

    def _run(self, name: str, expected: bool, call):
        """Run `call`; it must succeed exactly when `expected`, and a refusal must change nothing."""
        before = snapshot()
        try:
            result = call()
        except DomainError as exc:
            refusal = exc
        else:
            assert expected, f"{name} succeeded but the model says it must be refused"
            STATS[f"{name}: done"] += 1
            return result
        assert not expected, f"{name} refused unexpectedly: {refusal.code} {refusal.detail}"
        assert snapshot() == before, f"{name} was refused ({refusal.code}) but changed something"
        STATS[f"{name}: refused ({refusal.code})"] += 1
        return None

    def _transfer(self, index: int) -> ModelTransfer:
        return self.transfers[index % len(self.transfers)]

    def _token(self, t: ModelTransfer, which: str) -> str:
        if which == "current":
            return t.token
        return t.old_tokens[-1] if t.old_tokens else links.link_secret(t.id, links.new_nonce())

    def _finish_move(self, t: ModelTransfer, actor: str, destination: str) -> None:
        t.state, t.received_by, t.destination = "completed", actor, destination
        for pid in t.products:
            self.owner[pid] = destination

    # Rules --------------------------------------------------------------------------------------

    @initialize(picks=st.sets(st.integers(0, 7), min_size=1, max_size=3))
    def a_first_transfer(self, picks):
        self.start(("lr_a", "A"), picks)

    @rule(starter=st.sampled_from(STARTERS), picks=st.sets(st.integers(0, 7), min_size=1, max_size=4))
    def start(self, starter, picks):
        actor, org = starter
        # Ordered by name, not by id: ids are random, and a replayed example must pick the same products.
        held = sorted((pid for pid, owner in self.owner.items() if owner == org), key=self._name)
        if not held:
            return
        chosen = sorted({held[i % len(held)] for i in picks}, key=self._name)
        pending = self._pending_products()
        expected = (actor, org) in self.admins and all(
            self.products[pid].product_type.transferable
            and self.status[pid] == ProductStatus.ACTIVE
            and pid not in pending
            for pid in chosen
        )
        started = self._run(
            "start",
            expected,
            lambda: services.start_transfer(
                actor=self.users[actor],
                organization=self.orgs[org],
                product_ids=chosen,
                accept_terms=True,
                acknowledge_warnings=True,
            ),
        )
        if started is not None:
            self.transfers.append(
                ModelTransfer(
                    id=started.transfer.id,
                    source=org,
                    products=chosen,
                    created_by=actor,
                    expires_at=started.transfer.expires_at,
                    token=started.token,
                    issued_by=actor,
                )
            )

    @precondition(lambda self: self.transfers)
    @rule(index=st.integers(0, 100), actor=st.sampled_from(["lr_a", "adm_a", "lr_b"]))
    def rotate(self, index, actor):
        t = self._transfer(index)
        expected = (actor, t.source) in self.admins and self._pending(t)
        transfer = Transfer.objects.get(pk=t.id)
        started = self._run(
            "rotate",
            expected,
            lambda: services.rotate_transfer_link(actor=self.users[actor], transfer=transfer),
        )
        if started is not None:
            t.old_tokens.append(t.token)
            t.token, t.issued_by, t.link_alive = started.token, actor, True

    @precondition(lambda self: self.transfers)
    @rule(index=st.integers(0, 100), actor=st.sampled_from(["lr_a", "adm_a", "lr_b"]), bind=st.booleans())
    def send(self, index, actor, bind):
        t = self._transfer(index)
        expected = (actor, t.source) in self.admins and self._pending(t)
        transfer = Transfer.objects.get(pk=t.id)
        sent = self._run(
            "send",
            expected,
            lambda: services.send_transfer_link(
                actor=self.users[actor], transfer=transfer, email="lr_b@example.com", bind_to_email=bind
            ),
        )
        if sent is not None:
            t.old_tokens.append(t.token)
            t.token, t.issued_by, t.link_alive = links.link_secret(t.id, sent.link_nonce), actor, True
            t.bound_email = "lr_b@example.com" if bind else ""

    @precondition(lambda self: self.transfers)
    @rule(index=st.integers(0, 100), actor=st.sampled_from(["lr_a", "adm_a", "lr_b"]))
    def cancel(self, index, actor):
        t = self._transfer(index)
        expected = (actor, t.source) in self.admins and self._pending(t)
        transfer = Transfer.objects.get(pk=t.id)
        if self._run(
            "cancel", expected, lambda: services.cancel_transfer(actor=self.users[actor], transfer=transfer)
        ):
            t.state = "cancelled"

    def _move_expected(self, t: ModelTransfer, actor: str, destination: str) -> bool:
        return (
            self._pending(t)
            and (actor, destination) in self.admins
            and destination != t.source
            and all(self.status[pid] == ProductStatus.ACTIVE for pid in t.products)
        )

    @precondition(lambda self: self.transfers)
    @rule(
        index=st.integers(0, 100),
        which=st.sampled_from(["current", "current", "replaced"]),
        recipient=st.sampled_from(RECIPIENTS),
    )
    def receive(self, index, which, recipient):
        actor, destination = recipient
        t = self._transfer(index)
        token = self._token(t, which)
        again = t.repeated_by(actor, destination)
        bound_ok = not t.bound_email or t.bound_email == f"{actor}@example.com"
        expected = (
            which == "current"
            and t.link_alive
            and (again or (bound_ok and self._move_expected(t, actor, destination)))
        )
        done = self._run(
            "receive",
            expected,
            lambda: services.receive_transfer(
                actor=self.users[actor], token=token, destination=self.orgs[destination], accept_terms=True
            ),
        )
        if done is not None and not again:
            self._finish_move(t, actor, destination)

    @precondition(lambda self: self.transfers)
    @rule(
        index=st.integers(0, 100),
        which=st.sampled_from(["current", "current", "replaced"]),
        actor=st.sampled_from(PEOPLE),
    )
    def decline(self, index, which, actor):
        t = self._transfer(index)
        token = self._token(t, which)
        bound_ok = not t.bound_email or t.bound_email == f"{actor}@example.com"
        expected = which == "current" and t.link_alive and bound_ok and self._pending(t)
        if self._run(
            "decline", expected, lambda: services.decline_transfer(actor=self.users[actor], token=token)
        ):
            t.state = "declined"

    @precondition(lambda self: self.transfers)
    @rule(index=st.integers(0, 100), destination=st.sampled_from(ORGS))
    def complete_directly(self, index, destination):
        t = self._transfer(index)
        actor = "lr_a"
        again = t.repeated_by(actor, destination)
        expected = (actor, t.source) in self.admins and (again or self._move_expected(t, actor, destination))
        transfer = Transfer.objects.get(pk=t.id)
        done = self._run(
            "complete",
            expected,
            lambda: services.complete_transfer(
                actor=self.users[actor],
                transfer=transfer,
                destination=self.orgs[destination],
                accept_terms=True,
            ),
        )
        if done is not None and not again:
            self._finish_move(t, actor, destination)

    @rule(hours=st.sampled_from([1, 1, 23, 24 * 7]), sweep=st.booleans())
    def time_passes(self, hours, sweep):
        """Time passes (past some expiries, perhaps), then maybe the expiry sweep runs."""
        self.clock.shift(timedelta(hours=hours))
        self.now = timezone.now()
        STATS["time passes"] += 1
        if not sweep:
            return
        expired = services.expire_due_transfers()
        due = [t for t in self.transfers if t.state == "pending" and t.expires_at <= self.now]
        assert expired == len(due)
        for t in due:
            t.state = "expired"
        STATS["sweep"] += 1

    @rule(role=st.sampled_from([Role.ADMINISTRATOR, Role.COLLABORATOR]))
    def initiator_role_changes(self, role):
        membership = Membership.objects.get(user=self.users["adm_a"], organization=self.orgs["A"])
        change_member_role(actor=self.users["lr_a"], membership=membership, role=role)
        if role == Role.COLLABORATOR:
            self.admins.discard(("adm_a", "A"))
            for t in self.transfers:
                if t.source != "A" or t.state != "pending":
                    continue
                if t.created_by == "adm_a":
                    t.state = "cancelled"
                elif t.issued_by == "adm_a":  # the link they renewed or sent for someone else's transfer
                    t.link_alive, t.bound_email = False, ""
        else:
            self.admins.add(("adm_a", "A"))
        STATS[f"initiator becomes {role}"] += 1

    @rule(pick=st.integers(0, 100), status=st.sampled_from([ProductStatus.ACTIVE, ProductStatus.SUSPENDED]))
    def product_status_changes(self, pick, status):
        pid = sorted(self.products, key=self._name)[pick % len(self.products)]
        set_product_status(actor=None, product=Product.objects.get(pk=pid), status=status)
        self.status[pid] = status
        STATS["product status changes"] += 1

    # Invariants ---------------------------------------------------------------------------------

    @invariant()
    def the_database_matches_the_model_and_keeps_every_invariant(self):
        assert violations() == []
        owners = {org: key for key, org in ((k, o.id) for k, o in self.orgs.items())}
        assert {
            pid: owners[oid] for pid, oid in Product.objects.values_list("id", "organization_id")
        } == self.owner
        assert dict(Transfer.objects.values_list("id", "state")) == {t.id: t.state for t in self.transfers}


@pytest.mark.django_db
def test_random_sequences_of_transfer_operations_keep_every_invariant(settings):
    settings.HANDOVER_LINK_ATTEMPT_LIMIT = (
        10_000  # replaced links are tried on purpose; limits are tested apart
    )
    settings.HANDOVER_RATE_LIMITS = {
        **settings.HANDOVER_RATE_LIMITS,
        "send_link": {"user": 10_000, "organization": 10_000},
    }
    STATS.clear()
    run_state_machine_as_test(
        TransferMachine,
        settings=hypothesis_settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    steps = sum(STATS.values())
    FIGURES.append(
        f"hypothesis state machine: {EXAMPLES} examples of up to {STEPS} steps, {steps} steps run: "
        + ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()))
    )
    assert STATS["start: done"]
