"""The periodic report's workbook (services/gateway/pages/report_xlsx.py) opened with openpyxl
and read cell by cell against the hand-computed month of tests/unit/test_periodic_report.py:
Vietnamese headers from the catalogue, numbers as numbers, days as dates, rates shown as
percentages, and no formula even where a name starts with ``=``."""
import datetime as dt
import io

from openpyxl import load_workbook

from services.gateway.pages import report_xlsx
from tests.unit.test_periodic_report import month_figures


def job(**result_changes):
    return {"job_id": "j1", "committee_unit_id": "bx", "committee_name": "Huyện ủy Bình Xuyên",
            "period": "2026-11", "status": "done",
            # 18:00 UTC on 1 December is the 2nd in Vietnam: the day it was made there
            "generated_at": "2026-12-01T18:00:00+00:00",
            "result": {**month_figures(), **result_changes}}


def opened(data):
    return load_workbook(io.BytesIO(data))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_summary_sheet_holds_the_heading_and_the_months_figures():
    book = opened(report_xlsx.workbook(job(), "vi"))
    assert book.sheetnames == ["Tổng hợp", "Chi bộ", "Đơn vị trực thuộc", "Theo tháng",
                               "Kiến nghị"]
    summary = book["Tổng hợp"]
    assert rows(summary) == [
        ["Chỉ tiêu", "Giá trị"],
        ["Cấp ủy", "Huyện ủy Bình Xuyên"], ["Kỳ báo cáo", "2026-11"],
        ["Từ ngày", dt.datetime(2026, 11, 1)], ["Đến ngày", dt.datetime(2026, 11, 30)],
        ["Ngày lập", dt.datetime(2026, 12, 2)],
        ["Số buổi sinh hoạt", 4], ["Số buổi có cấp ủy viên dự", 3],
        ["Đảng viên có mặt", 41], ["Đảng viên phải dự", 44], ["Tỷ lệ dự", 0.932],
        ["Tính lãnh đạo (điểm bình quân)", 4], ["Tính giáo dục (điểm bình quân)", 4],
        ["Tính chiến đấu (điểm bình quân)", 3],
        ["Buổi có kế hoạch dự", 3], ["Đã dự theo kế hoạch", 1],
        ["Có kế hoạch nhưng không dự", 2], ["Dự ngoài kế hoạch", 2]]
    assert summary["B4"].is_date and summary["B4"].number_format == report_xlsx.DAY
    assert summary["B11"].number_format == report_xlsx.PERCENT
    assert summary["B7"].data_type == "n"


def test_one_row_per_branch_and_per_topic_under_named_headers():
    book = opened(report_xlsx.workbook(job(), "vi"))
    branches = rows(book["Chi bộ"])
    assert branches[0] == ["Chi bộ", "Mã đơn vị", "Thuộc", "Số buổi sinh hoạt",
                           "Số buổi có cấp ủy viên dự", "Đảng viên có mặt",
                           "Đảng viên phải dự", "Tỷ lệ dự", "Tính lãnh đạo (điểm bình quân)",
                           "Tính giáo dục (điểm bình quân)", "Tính chiến đấu (điểm bình quân)"]
    assert branches[1:] == [
        ["Chi bộ thôn Lạc Sơn", "ls", "Chi bộ thôn Lạc Sơn", 0, 0, 0, 0, None, None, None,
         None],
        ["Chi bộ thôn Nam Tiến", "nt", "Đảng bộ xã Tam Hợp", 2, 1, 22, 24, 0.917, 3.5, 4, 2.5],
        ["Chi bộ thôn Nội Phật", "np", "Đảng bộ xã Tam Hợp", 2, 2, 19, 20, 0.95, 5, 4, 4]]
    assert book["Chi bộ"]["H3"].number_format == report_xlsx.PERCENT
    assert rows(book["Đơn vị trực thuộc"])[1:] == [
        ["Chi bộ thôn Lạc Sơn", "ls", 1, 0, 0, 0, 0, None, None, None, None],
        ["Đảng bộ xã Tam Hợp", "th", 2, 4, 3, 41, 44, 0.932, 4, 4, 3]]
    month = book["Theo tháng"]
    assert rows(month) == [
        ["Tháng", "Số buổi sinh hoạt", "Số buổi có cấp ủy viên dự", "Đảng viên có mặt",
         "Đảng viên phải dự", "Tỷ lệ dự", "Tính lãnh đạo (điểm bình quân)",
         "Tính giáo dục (điểm bình quân)", "Tính chiến đấu (điểm bình quân)"],
        [dt.datetime(2026, 11, 1), 4, 3, 41, 44, 0.932, 4, 4, 3]]
    assert (month["A2"].number_format, month["F2"].number_format) == (
        report_xlsx.MONTH, report_xlsx.PERCENT)
    assert rows(book["Kiến nghị"]) == [
        ["Lĩnh vực", "Số kiến nghị", "Trả lời đúng hạn", "Trả lời trễ hạn", "Mở lại",
         "Chưa giải quyết xong cuối kỳ", "Rút lại"],
        ["Hạ tầng", 3, 1, 0, 0, 2, 1],
        ["Đất đai", 3, 1, 1, 1, 2, 0]]


def test_no_cell_is_a_formula_and_english_is_asked_for_by_name():
    named = {**month_figures()["branches"][0], "name": "=HYPERLINK(\"http://x\")"}
    book = opened(report_xlsx.workbook(job(branches=[named]), "en"))
    cell = book["Branches"]["A2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\")", "s")
    assert book["Summary"]["A2"].value == "Committee"
