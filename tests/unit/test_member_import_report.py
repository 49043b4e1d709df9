"""An import job's row report says what became of each members row (issue 29; docs/members.md):
the members service's outcome (joined, unchanged, moved, ended, renamed) or the refusal with
its reason, on the import page and in its CSV download, in Vietnamese; a window applied just
before a crash and applied again reads ``unchanged``. The job runs on a real store against the
members service's own roll (``roster``), its RPC answered in-process, on the embedded store
(mongomock lacks the bulk writes the import uses)."""
import base64
import datetime as dt

import pytest

from services.gateway.pages import render
from services.gateway.pages.import_report import row_report_csv
from services.imports import jobs
from services.imports.registry_calls import RegistryCalls, TransientFailure
from services.imports.settings import limits
from services.members import roster
from tests.english import english_in
from tests.stores import open_store

HEAD = "Mã đảng viên,Mã tổ chức đảng,Họ và tên,Ngày vào chi bộ,Tình trạng,Ngày thôi sinh hoạt"
FIRST = [HEAD, "000811,0101.003,Nguyễn Văn Tám,2020-01-01,,",
         "000812,0101.003,Lê Thị Chín,2020-01-01,,", "000813,9999.999,Trần Văn Mười,,,"]
THEN = [HEAD, "000811,0101.004,Nguyễn Văn Tám,2026-06-01,,",
        "000812,0101.003,Lê Thị Chín,2020-01-01,Từ trần,2026-10-01",
        "000814,0101.003,Đỗ Văn Mới,2026-01-01,,", "000814,0101.004,Đỗ Văn Mới,,,"]
UNITS = {"0101.003": "np", "0101.004": "nt"}


class MembersInProcess(RegistryCalls):
    """``members.import_members`` answered by the members service's own rules on ``roll``;
    ``lose_answers``: windows whose answer is lost after the roll was written (a crash)."""

    def __init__(self, roll, lose_answers=0):
        super().__init__({})
        self.roll, self.lose_answers = roll, lose_answers

    def many(self, service, method, argument_lists, window=None):
        if service != "members":
            return [[] for _ in argument_lists]  # no registry lookup for a members sheet
        answers = [{"results": roster.import_rows(self.roll, batch["items"], UNITS,
                                                  dt.date(2026, 12, 7))}
                   for batch, _ in argument_lists]
        if self.lose_answers:
            self.lose_answers -= 1
            raise TransientFailure("the answer never came back")
        return answers


@pytest.fixture
def stores(tmp_path):
    """The imports service's store and the members service's, both embedded."""
    client, imports = open_store(f"embedded:{tmp_path / 'data'}", "imports")
    _, roll = open_store(f"embedded:{tmp_path / 'data'}", "members")
    yield imports, roll
    client.close()


def imported(database, lines, calls, runs=1):
    sheet = ("\n".join(lines) + "\n").encode()
    job = jobs.accept_upload(database, {
        "filename": "dang-vien.csv", "kind": None, "format": None, "accept_valid_rows": True,
        "content_base64": base64.b64encode(sheet).decode()}, None, limits({}))
    runner = jobs.JobRunner(database, calls, "me", 60, limits({}), bulk_rows=2)
    for _ in range(runs):
        runner.work()
    return database.imports.find_one({"_id": job["_id"]})


def outcomes(job):
    return [(row["line"], row["outcome"]) for row in job["outcomes"]]


def test_each_members_row_says_its_outcome_and_a_refused_one_its_reason(stores):
    database, roll = stores
    calls = MembersInProcess(roll)
    first = imported(database, FIRST, calls)
    assert first["state"] == "done_with_errors"
    assert outcomes(first) == [(2, "joined"), (3, "joined")]
    [refused] = first["failures"]
    assert (refused["line"], refused["because"]["code"]) == (4, "unknown_organisation_code")
    then = imported(database, THEN, calls)
    assert outcomes(then) == [(2, "moved"), (3, "ended"), (4, "joined")]
    [twice] = then["rejections"]  # 000814 again, read as a repeated row: never applied
    assert (twice["line"], twice["because"]["code"]) == (5, "repeated_key")
    again = imported(database, THEN[:3], calls)
    assert outcomes(again) == [(2, "unchanged"), (3, "unchanged")]
    # the page and its download word each outcome and reason from the catalogue
    job = {**first, "import_id": first["_id"]}
    page = render.render("admin_import.html", "vi", user={"role": "administrator"}, csrf="",
                         menu=(), here="/app/admin/imports/i1", job=job, running=False,
                         refresh=2)
    assert "Vào chi bộ" in page and "/report.csv" in page
    assert not english_in(page.split("<main", 1)[1])
    lines = row_report_csv(then, "vi").decode("utf-8-sig").splitlines()
    assert lines[0] == "Trang,Dòng,Kết quả,Cột,Lý do"
    assert lines[1:4] == ["dang-vien.csv,2,Chuyển chi bộ,,", "dang-vien.csv,3,Thôi sinh hoạt,,",
                          "dang-vien.csv,4,Vào chi bộ,,"]
    assert lines[4].startswith("dang-vien.csv,5,Bị từ chối,Mã đảng viên,")
    refusal = row_report_csv(first, "vi").decode("utf-8-sig").splitlines()[3]
    assert refusal == ("dang-vien.csv,4,Không ghi được,Mã tổ chức đảng,Không có đơn vị nào "
                       "trong sổ đăng ký mang mã tổ chức đảng 9999.999.")
    lines.append(refusal)
    assert not english_in("\n".join(lines[1:]))


def test_a_window_applied_just_before_a_crash_reads_unchanged_when_applied_again(stores):
    database, roll = stores
    job = imported(database, FIRST[:3] + ["000815,0101.003,Phan Văn Năm,,,"],
                   MembersInProcess(roll, lose_answers=1), runs=2)
    # the first window (lines 2, 3) was written, its answer lost; the job tried it again
    assert outcomes(job) == [(2, "unchanged"), (3, "unchanged"), (4, "joined")]
    assert job["state"] == "done" and job["progress"]["applied"] == 3
