"""Hostile and damaged files through the imports service (S4), exports and reports that run no
code (S5), number cells read as the office sees them (S9): each bad file ends its job with a
reason, and the jobs after it run."""
import base64
import io
import re
import zipfile

import pytest

from services.imports.jobs import JobRunner
from shared.errors import InvalidInput
from tests.interface import test_imports_service as service_tests
from tests.interface.helpers import wait_for
from tests.interface.test_imports_service import ADMIN, upload
from tests.unit.test_import_limits import hostile_workbooks, workbook

ENDED = ("rejected", "refused", "done", "done_with_errors", "failed")
GOOD = ("unit_id,name,level\nvp,Tỉnh ủy Vĩnh Phúc,province\n").encode()


# the imports service beside the registry, as its own tests start them
config, registry, imports = service_tests.config, service_tests.registry, service_tests.imports


def ended(imports, job, timeout=60):
    return wait_for(lambda: (found := imports.get_import(job["import_id"], ADMIN))["state"]
                    in ENDED and found, timeout=timeout, what="the import to end")


def test_each_bad_workbook_ends_its_job_with_a_reason_and_the_next_job_runs(imports, registry):
    cases = [(name, data, why) for name, data, why in hostile_workbooks()
             if name not in ("zip-bomb", "packed-too-tightly", "too-many-rows")]
    jobs = [(name, why, imports.start_import(upload(data, f"{name}.xlsx"), ADMIN))
            for name, data, why in cases]
    good = imports.start_import(upload(GOOD, "units.csv"), ADMIN)
    for name, why, job in jobs:
        found = ended(imports, job)
        assert found["state"] == "refused", (name, found)
        assert found["refusal"] and re.search(why, found["refusal"]), found
    assert ended(imports, good)["state"] == "done"
    assert registry[0].get_unit("vp")["name"] == "Tỉnh ủy Vĩnh Phúc"


def test_a_zip_bomb_is_refused_at_once_and_nothing_is_stored(imports):
    for name, data, why in hostile_workbooks():
        if name in ("zip-bomb", "packed-too-tightly"):
            with pytest.raises(InvalidInput) as refused:
                imports.start_import(upload(data, "bomb.xlsx"), ADMIN)
            assert "nothing was imported" in refused.value.message
            assert re.search(why, refused.value.fields["content_base64"][0])
    assert imports.list_imports({}, ADMIN)["imports"] == []


def test_a_job_that_fails_on_an_error_ends_failed_and_the_next_job_runs(imports, registry,
                                                                      monkeypatch):
    plan = JobRunner.plan

    def poisoned(runner, job):
        if job["filename"] == "poison.csv":
            raise RuntimeError("a bug meets this file")
        return plan(runner, job)

    monkeypatch.setattr(JobRunner, "plan", poisoned)
    poison = imports.start_import(upload(GOOD, "poison.csv"), ADMIN)
    good = imports.start_import(upload(GOOD, "units.csv"), ADMIN)
    assert ended(imports, good)["state"] == "done"
    failed = ended(imports, poison)
    assert failed["state"] == "failed", failed
    assert "after 3 tries" in failed["refusal"] and "RuntimeError" in failed["refusal"]


def test_a_leading_zero_number_cell_is_the_id_the_office_sees(imports, registry):
    book = workbook([["unit_id", "name", "level"], [77, "Tỉnh ủy 0077", "province"],
                     [78.5, "Tỉnh ủy 78,5", "province"]], {(2, 1): "0000", (3, 1): "0.00"})
    job = ended(imports, imports.start_import(upload(book, "units.xlsx",
                                                     accept_valid_rows=True), ADMIN))
    assert job["state"] == "done" and job["progress"]["applied"] == 1, job
    assert registry[0].get_unit("0077")["name"] == "Tỉnh ủy 0077"
    rejection, = job["rejections"]
    assert (rejection["line"], rejection["column"]) == (3, "unit_id")
    assert "'0.00'" in rejection["reason"]


HOSTILE_NAME = '=HYPERLINK("http://evil.example","Tỉnh ủy")'


def test_exports_and_coverage_reports_write_no_formula(imports, registry):
    # a CSV cell is text whatever it starts with (a workbook's formula would be its result)
    names = f'unit_id,name,level,parent_id\nvp,"{HOSTILE_NAME.replace(chr(34), 2 * chr(34))}",' \
            'province,\nvp.bx,@SUM(A1),district,vp\n'
    job = ended(imports, imports.start_import(upload(names.encode(), "units.csv"), ADMIN))
    assert job["state"] == "done", job["rejections"]
    exported = base64.b64decode(imports.export_registry({"kind": "units", "format": "csv"},
                                                        ADMIN)["content_base64"]).decode()
    assert f"'{HOSTILE_NAME}".replace('"', '""') in exported and ",'@SUM(A1)," in exported
    book = base64.b64decode(imports.export_registry({"kind": "units", "format": "xlsx"},
                                                    ADMIN)["content_base64"])
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    for fmt, data in (("csv", exported.encode()), ("xlsx", book)):  # and back, unchanged
        again = ended(imports, imports.start_import(upload(data, f"units.{fmt}"), ADMIN))
        assert again["state"] == "done" and again["progress"]["unchanged"] == 2, again
    report = wait_for(lambda: (found := imports.unassigned_units(
        {"level": "district", "format": "csv"}, ADMIN))["count"] == 1 and found,
        what="the district in the read model")
    assert report["csv"].splitlines()[1] == "vp.bx,'@SUM(A1),district"
