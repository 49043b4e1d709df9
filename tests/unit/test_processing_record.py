"""The processing record (Law 91/2025/QH15) is generated from the services' declarations, and
the declarations cannot fall behind the code: every collection a service's modules reach (read
from the source, as tests/unit/test_service_template.py reads it) or its store declares indexes
or an outbox for is declared, as holding personal data or not, and nothing else is."""
import ast
import csv
import importlib
import io
import pathlib

import pytest
from pymongo.database import Database

from docstore import Database as EmbeddedDatabase
from shared import data_subjects, retention
from shared.config import defaults
from shared.processing_record import (
    HEADERS,
    KEPT_BY_EVERY_STORE,
    NoPersonalData,
    PersonalData,
    kept_by,
    rows,
)
from shared.services import BACKEND_SERVICES
from tooling import processing_record

ROOT = pathlib.Path(__file__).resolve().parents[2]
# every Store keeps the events each subscription handled and what shared/ keeps in each
EVERY_STORE = {"processed_events", *KEPT_BY_EVERY_STORE}


def _is_db(node):
    return (isinstance(node, ast.Name) and node.id == "db") or (
        isinstance(node, ast.Attribute) and node.attr == "db")


def reached(source, module):
    """The collections ``source`` reaches: ``db.<name>`` (not a method of the database) and
    ``db[NAME]`` with NAME a string constant of ``module`` (or a literal)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _is_db(node.value) \
                and not hasattr(Database, node.attr):
            found.add(node.attr)
        elif isinstance(node, ast.Subscript) and _is_db(node.value):
            key = node.slice
            if isinstance(key, ast.Constant):
                found.add(key.value)
            elif isinstance(key, ast.Name) and isinstance(getattr(module, key.id, None), str):
                found.add(getattr(module, key.id))
    return found


def collections_of(service):
    """What ``service`` keeps: the collections its modules reach, its store's indexes and
    outboxes, and what every store keeps."""
    found = set(EVERY_STORE)
    for path in (ROOT / "services" / service).rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if "tests" in path.parts or name.endswith(".processing"):
            continue
        module = importlib.import_module(name)
        found |= reached(path.read_text(encoding="utf-8"), module)
    store = importlib.import_module(f"services.{service}.store")
    found |= set(getattr(store, "INDEXES", {})) | set(getattr(store, "OUTBOX_COLLECTIONS", ()))
    return found


def declared(service):
    return kept_by(importlib.import_module(f"services.{service}.processing").PROCESSING)


@pytest.mark.parametrize("service", BACKEND_SERVICES)
def test_every_collection_a_service_keeps_is_declared_and_nothing_else(service):
    kept, said = collections_of(service), set(declared(service))
    assert not kept - said, f"{service}: declare in services/{service}/processing.py " \
                            f"what these hold: {sorted(kept - said)}"
    assert not said - kept, f"{service}: declared but never kept: {sorted(said - kept)}"
    for collection, declaration in declared(service).items():
        assert isinstance(declaration, (PersonalData, NoPersonalData)), collection


def test_a_new_collection_is_found_in_the_source():
    source = 'KEPT = "raiser_notes"\n' \
             'def keep(db, note):\n    db.raiser_photos.insert_one(note)\n' \
             '    db[KEPT].insert_one(note)\n    db.command("ping")\n'
    module = type("Module", (), {"KEPT": "raiser_notes"})
    assert reached(source, module) == {"raiser_photos", "raiser_notes"}


def test_the_record_lists_every_collection_holding_personal_data_with_what_the_law_asks():
    settings = defaults()
    record = processing_record.record(settings)
    listed = {(row["service"], row["collection"]) for row in record}
    expected = {(service, collection) for service in BACKEND_SERVICES
                for collection, declaration in declared(service).items()
                if isinstance(declaration, PersonalData)}
    assert listed == expected
    assert {("visits", "visits"), ("escalations", "cases"), ("assignments", "cadres"),
            ("accounts", "users"), ("notifications", "notifications"),
            ("monitor", "audit_trail"), ("imports", "import_rows")} <= listed
    for row in record:
        assert all(str(row[key]).strip() for key in HEADERS), row
    [raisers] = [row for row in record if (row["service"], row["collection"]) ==
                 ("visits", "visits")]
    assert raisers["sensitive"] == "có"
    assert f"{settings['RETENTION_RAISER_DAYS']} ngày" in raisers["retention"]


def test_every_retention_setting_named_is_in_the_configuration():
    written = defaults()
    for service in BACKEND_SERVICES:
        for collection, declaration in declared(service).items():
            key = getattr(declaration, "retention_key", None)
            assert key is None or key in written, f"{service}.{collection}: {key}"


def test_the_record_prints_as_csv_with_vietnamese_headers(capsys):
    processing_record.main(["--format", "csv"])
    printed = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert printed[0] == list(HEADERS.values())
    assert len(printed) - 1 == len(processing_record.record(defaults()))
    processing_record.main(["--format", "markdown"])
    assert capsys.readouterr().out.startswith("| Dịch vụ | Tập dữ liệu |")


def test_rows_leave_out_what_holds_no_personal_data():
    found = rows({"units": NoPersonalData("Cây tổ chức")}, "assignments", {})
    assert found == []


def test_what_shared_code_keeps_in_every_store_is_declared():
    """The collections shared/ writes in every service's store, read from its source as the
    services' are: one added there without a declaration fails here."""
    found = set()
    for path in (ROOT / "shared").glob("*.py"):
        module = importlib.import_module(f"shared.{path.stem}")
        found |= reached(path.read_text(encoding="utf-8"), module)
    found = {name for name in found if not hasattr(EmbeddedDatabase, name)}  # its methods
    # a retention sweep touches only the stores listing it (checked per service below)
    found -= {retention.ACCESS_LOG.collection}
    # answers to requests from the people concerned: kept by the services that answer (each
    # names it among its outbox collections, so its own declaration is checked above)
    found -= {data_subjects.ANSWERS}
    assert found - {"processed_events"} <= set(KEPT_BY_EVERY_STORE), \
        sorted(found - {"processed_events"} - set(KEPT_BY_EVERY_STORE))


def sweeps_of(service):
    """The retention sweeps ``service``'s store runs (shared.retention)."""
    module = importlib.import_module(f"services.{service}.service")
    [service_class] = [value for value in vars(module).values()
                       if isinstance(value, type) and getattr(value, "name", None) == service]
    return service_class.db.sweeps


@pytest.mark.parametrize("service", BACKEND_SERVICES)
def test_what_a_store_sweeps_is_declared_with_the_period_it_sweeps_by(service):
    declarations = declared(service)
    for sweep in sweeps_of(service):
        assert declarations[sweep.collection].retention_key == sweep.key, \
            f"{service}.{sweep.collection} is swept after {sweep.key}: the record must say so"


def test_the_access_logs_and_the_stored_mail_are_swept_and_the_record_states_their_periods():
    swept = {(service, sweep.collection) for service in BACKEND_SERVICES
             for sweep in sweeps_of(service)}
    assert {(service, "personal_data_reads") for service in BACKEND_SERVICES
            if "personal_data_reads" in collections_of(service)} <= swept
    assert ("notifications", "notifications") in swept
    settings = {**defaults(), "RETENTION_ACCESS_LOG_DAYS": 400, "RETENTION_MAIL_DAYS": 90}
    by_collection = {(row["service"], row["collection"]): row
                     for row in processing_record.record(settings)}
    assert "90 ngày, RETENTION_MAIL_DAYS" in by_collection[
        ("notifications", "notifications")]["retention"]
    for service in ("visits", "assignments", "notifications", "monitor"):
        assert "400 ngày, RETENTION_ACCESS_LOG_DAYS" in by_collection[
            (service, "personal_data_reads")]["retention"]
