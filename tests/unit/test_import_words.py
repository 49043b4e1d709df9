"""An import's report reads in Vietnamese: a file with the template's Vietnamese headers is
taken, a missing column is named as the template names it, a row's reason and a job's state
are worded from the catalogue, never the English the services keep for the API."""
import pytest

from services.gateway.pages import i18n, render
from services.imports import parsing
from services.imports.kinds import KINDS
from services.imports.rows import check_sheet
from services.imports.settings import limits
from shared.words import say
from tests.english import english_in

LIMITS = limits({})
VIETNAMESE_UNITS = (
    "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Ngày thành lập,Lịch sinh hoạt\n"
    "vp,Tỉnh ủy Vĩnh Phúc,province,,01/01/1997,\n"
    "vp.bx,Huyện ủy Bình Xuyên,district,vp,31/02/2026,\n"
    "vp.bx.th,Đảng bộ xã Tam Hợp,grassroots,vp.bx,,mỗi khi rảnh\n"
    "vp.bx.th.np,Chi bộ thôn Nội Phật,,vp.bx.th,,\n"
).encode()


def sheet_of(data, name="don-vi.csv"):
    sheet, = parsing.read_file(data, name, None, LIMITS)
    return sheet


def test_a_file_with_the_templates_vietnamese_headers_is_taken_and_its_rows_worded():
    checked = check_sheet(KINDS["units"], sheet_of(VIETNAMESE_UNITS))
    assert [row.payload["unit_id"] for row in checked.rows] == ["vp"]
    found = {(r.line, r.to_dict()["header"]): i18n.reason_words(r.to_dict()["because"], "vi")
             for r in checked.rejections}
    assert found == {
        (3, "Ngày thành lập"): "“31/02/2026” không phải ngày (ngày/tháng/năm).",
        (4, "Lịch sinh hoạt"): "“mỗi khi rảnh” không phải lịch sinh hoạt (ví dụ: “hằng tháng, "
                               "ngày 5”).",
        (5, "Cấp"): "Bắt buộc nhập, nhưng ô đang trống.",
    }
    for worded in found.values():
        assert not english_in(worded), worded


def test_a_missing_column_is_refused_in_vietnamese_naming_the_templates_header():
    with pytest.raises(parsing.FileRefused) as refused:
        check_sheet(KINDS["units"], sheet_of("Mã đơn vị,Tên đơn vị\nvp,X\n".encode()))
    worded = i18n.reason_words(refused.value.because, "vi")
    assert worded == ("Trang “don-vi.csv” thiếu cột: Cấp. Dòng tiêu đề của tệp là: Mã đơn vị, "
                      "Tên đơn vị.")
    assert "lacks the column(s) level" in str(refused.value)  # the API's words stay


@pytest.mark.parametrize("data, name", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "don-vi.xls"),
    (b"", "don-vi.csv"),
    (b"PK\x03\x04 not really a zip", "don-vi.xlsx"),
    ("Mã đơn vị,Mã đơn vị\n".encode(), "don-vi.csv"),
])
def test_a_file_refused_whole_is_refused_in_vietnamese(data, name):
    with pytest.raises(parsing.FileRefused) as refused:
        parsing.read_file(data, name, None, LIMITS)
    assert refused.value.because["code"] != "invalid"
    worded = i18n.reason_words(refused.value.because, "vi")
    assert worded and not english_in(worded), worded


def test_the_import_page_shows_states_reasons_and_headers_in_vietnamese():
    checked = check_sheet(KINDS["units"], sheet_of(VIETNAMESE_UNITS))
    job = {"filename": "don-vi.csv", "state": "done_with_errors", "refusal": None,
           "progress": {"total": 4, "to_apply": 1, "applied": 1, "unchanged": 0,
                        "rejected": 3, "failed": 0},
           "rejections": [r.to_dict() for r in checked.rejections], "failures": []}
    page = render.render("admin_import.html", "vi", user={"role": "administrator"}, csrf="",
                         menu=(), here="/app/admin/imports/i1", job=job, running=False,
                         refresh=2)
    assert say("import_state.done_with_errors") in page
    assert "Ngày thành lập" in page and "không phải ngày" in page
    assert not english_in(page.split("<main", 1)[1]), english_in(page.split("<main", 1)[1])
