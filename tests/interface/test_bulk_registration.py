"""Registering many records in one call (``assignments.register_many``), and imports using it:
each item registered or refused as its own RPC would, in order, idempotent; an import of
hundreds of units makes a handful of bulk calls instead of one call per row (counted)."""
import collections
import contextlib
import time

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from docstore import Database
from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from services.imports.jobs import BULK_WINDOW
from services.imports.service import ImportsService
from shared.errors import InvalidInput, refusal_from_body
from shared.rpc import rpc
from tests.interface.helpers import drain, wait_for
from tests.interface.test_imports_service import ADMIN, finished, upload

CALLS = collections.Counter()  # the registering RPCs the assignments service answered


class CountedAssignments(AssignmentsService):
    @rpc
    def register_unit(self, unit, principal=None):
        CALLS["register_unit"] += 1
        return super().register_unit(unit, principal)

    @rpc
    def register_many(self, registrations, principal=None):
        CALLS["register_many"] += 1
        return super().register_many(registrations, principal)


PROVINCE = {"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc", "level": "province"}


def district(number):
    return {"unit_id": f"vp.d{number:03d}", "name": f"Huyện ủy số {number}",
            "level": "district", "parent_id": "vp"}


@pytest.fixture
def config(config):
    return {**config, "IMPORT_POLL_SECONDS": 0.05, "IMPORT_LEASE_SECONDS": 5}


@pytest.fixture
def assignments(container_factory, config):
    CALLS.clear()
    container_factory(CountedAssignments, config).start()
    with ServiceRpcProxy("assignments", config, timeout=30) as proxy:
        yield proxy


def test_each_item_is_registered_or_refused_in_its_place_and_again_changes_nothing(
        assignments, config):
    items = [PROVINCE, district(1), {**district(2), "parent_id": "no-such-unit"},
             {key: value for key, value in district(3).items() if key != "name"}, district(4)]
    answer = assignments.register_many({"kind": "units", "items": items}, ADMIN)
    results = answer["results"]
    assert [result.get("registered", {}).get("unit_id") for result in results] == [
        "vp", "vp.d001", None, None, "vp.d004"]
    assert results[2]["refused"]["error"] == "NOT_FOUND"
    assert results[2]["refused"]["fields"] == {"parent_id": ["no-such-unit"]}
    assert results[3]["refused"]["error"] == "INVALID_INPUT" and \
        "name" in results[3]["refused"]["fields"]
    # with the reason's code, which the import report words in Vietnamese (not the English)
    assert results[3]["refused"]["reasons"]["name"] == [{"code": "required"}]
    assert refusal_from_body(results[3]["refused"]).reasons["name"] == [{"code": "required"}]
    registered = []
    wait_for(lambda: registered.extend(body for body, _ in drain(
        config, "visits.unit_registered")) or len(registered) >= 3, what="unit_registered")
    assert sorted(e["payload"]["unit_id"] for e in registered) == ["vp", "vp.d001", "vp.d004"]

    again = assignments.register_many({"kind": "units", "items": items}, ADMIN)["results"]
    assert [r.get("registered") for r in again] == [r.get("registered") for r in results]
    assert no_event_after_a_while(config)


def test_one_bulk_call_is_one_store_transaction(assignments, config, monkeypatch):
    """The writes of a bulk call are committed together: the worker that answers it begins one
    transaction on the store, however many items it registers."""
    begun, opened = collections.Counter(), []
    write, transaction = Database.write, Database.transaction

    @contextlib.contextmanager
    def counted_write(self):
        if self._open is None and self.name == "assignments":
            begun[eventlet.getcurrent()] += 1
        with write(self) as txn:
            yield txn

    @contextlib.contextmanager
    def counted_transaction(self):
        opened.append(eventlet.getcurrent())
        with transaction(self) as txn:
            yield txn
    monkeypatch.setattr(Database, "write", counted_write)
    monkeypatch.setattr(Database, "transaction", counted_transaction)

    items = [PROVINCE, *(district(number) for number in range(1, 21))]
    results = assignments.register_many({"kind": "units", "items": items}, ADMIN)["results"]
    assert all("registered" in result for result in results)
    assert len(opened) == 1 and begun[opened[0]] == 1


def no_event_after_a_while(config, seconds=0.5):
    time.sleep(seconds)  # the relay publishes within milliseconds of a write
    return drain(config, "visits.unit_registered") == []


@pytest.mark.parametrize("registrations, field", [
    ({"kind": "authorities", "items": [PROVINCE]}, "kind"),
    ({"kind": "units", "items": []}, "items"),
    ({"kind": "units", "items": [PROVINCE] * 501}, "items"),
    ({"kind": "units", "items": ["vp"]}, "items"),
])
def test_a_bad_bulk_call_is_refused_naming_the_field_and_changes_nothing(
        assignments, config, registrations, field):
    with pytest.raises(InvalidInput) as refused:
        assignments.register_many(registrations, ADMIN)
    assert field in refused.value.fields
    assert no_event_after_a_while(config)


def test_an_import_of_hundreds_of_units_makes_a_bulk_call_per_window_not_a_call_per_row(
        assignments, container_factory, config):
    container_factory(EscalationsService, config).start()
    container_factory(ImportsService, config).start()
    rows = ["unit_id,name,level,parent_id", "vp,Tỉnh ủy Vĩnh Phúc,province,"] + [
        f"{d['unit_id']},{d['name']},district,vp" for d in map(district, range(1, 450))]
    with ServiceRpcProxy("imports", config, timeout=60) as imports:
        job = imports.start_import(upload("\n".join(rows).encode(), "don-vi.csv"), ADMIN)
        done = finished(imports, job, timeout=120)
    assert (done["state"], done["progress"]["applied"]) == ("done", 450)
    # the province (its own wave), then 449 districts in windows of BULK_WINDOW
    assert CALLS == {"register_many": 1 + -(-449 // BULK_WINDOW)}
