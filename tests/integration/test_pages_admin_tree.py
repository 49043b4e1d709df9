"""The administrator's organisation tree in a real browser (issue 24, part 2): a unit moved,
merged and split from its page, each from its day; its locality and meeting schedule; a
cadre's seat on a committee (a secretary) added and ended; each refused beside its field with
nothing changed, said when done, and recorded with who did it. And a province past 500 units:
any one found by search and by paging, and chosen in a form by typing its name, with the
page's suggestions or without scripts. One system and one browser for the module."""
import re

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from playwright.sync_api import expect

from services.gateway.pages.session import SESSION_COOKIE
from tests.integration import test_pages_admin
from tests.integration.browser import DESKTOP, screenshot
from tests.integration.fixtures import principal_of
from tests.integration.system import poll
from tests.integration.test_pages_admin import change_log, typed
from tests.integration.test_pages_phone import serious_violations

pytestmark = pytest.mark.integration

SYSTEM = test_pages_admin.SYSTEM  # the same running system as the module before
TAM_HOP = "vinh-phuc.binh-xuyen.tam-hop"
HUONG_CANH = "vinh-phuc.binh-xuyen.huong-canh"
PARK = "vinh-phuc.binh-xuyen.khu-cong-nghiep"  # its branches sort before Tam Hợp's
BRANCHES = 520
SLOW = 30_000  # ms: a reorganisation writes many documents on a busy machine
admin_page = test_pages_admin.admin_page  # the administrator signed in, one page per module


def api(system, path):
    answer = requests.get(f"{system.base_url}{path}", timeout=15,
                          headers=system.headers["admin"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def by_id(page, element_id):
    return page.locator(f'[id="{element_id}"]')


def changes_by(page, wanted):
    """The record's "who changed what" (``[(change, by)]``, newest first) once it shows
    ``wanted`` (the audit trail hears the events a moment after the change)."""
    def rows():
        page.reload()
        return [tuple(row.locator("td").all_inner_texts()[1:])
                for row in change_log(page).all()]
    return poll(rows, lambda found: wanted in found, timeout=30)


def test_a_unit_is_moved_merged_and_split_from_its_page_each_from_its_day(system, admin_page):
    page = admin_page
    thcs = f"{TAM_HOP}.truong-thcs"
    page.goto(f"{system.base_url}/app/admin/units/{thcs}")
    # no day: refused beside it; a branch under a district: refused beside the parent
    move = page.locator("#move-unit")
    typed(move.get_by_label("Trực thuộc đơn vị mới"), "Đảng bộ thị trấn Hương Canh")
    move.get_by_role("button", name="Chuyển đơn vị sang trực thuộc đơn vị khác").click()
    expect(page.locator("#move-effective_on-error")).to_have_text("Bắt buộc nhập.")
    move = page.locator("#move-unit")
    move.get_by_label("Có hiệu lực từ ngày").fill("2026-07-01")
    typed(move.get_by_label("Trực thuộc đơn vị mới"), "vinh-phuc.binh-xuyen")  # its code
    move.get_by_role("button", name="Chuyển đơn vị sang trực thuộc đơn vị khác").click()
    expect(page.locator("#move-parent_id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#unit-place")).to_contain_text("Đảng bộ xã Tam Hợp")
    move = page.locator("#move-unit")
    typed(move.get_by_label("Trực thuộc đơn vị mới"), "dang bo thi tran huong canh")
    move.get_by_label("Căn cứ (quyết định, lý do)").fill("Quyết định 12-QĐ/HU")
    move.get_by_role("button", name="Chuyển đơn vị sang trực thuộc đơn vị khác").click()
    expect(page.locator("#done")).to_contain_text("Đã chuyển đơn vị", timeout=SLOW)
    expect(page.locator("#unit-place")).to_contain_text("Đảng bộ thị trấn Hương Canh")
    expect(page.locator("#unit-history")).to_contain_text("Đảng bộ xã Tam Hợp")
    changes_by(page, ("Sắp xếp lại đơn vị", "admin"))

    # Yên Lan merged into Nội Phật: no successor chosen is refused; then its page ends
    page.goto(f"{system.base_url}/app/admin/units/{TAM_HOP}.yen-lan")
    merge = page.locator("#merge-unit")
    merge.get_by_label("Có hiệu lực từ ngày").fill("2026-08-01")
    merge.get_by_role("button", name="Hợp nhất đơn vị").click()
    expect(by_id(page, "merge-into.unit_id-error")).to_have_text("Bắt buộc nhập.")
    typed(page.locator("#merge-unit").get_by_label("Vào đơn vị đã có"), "Chi bộ thôn Nội Phật")
    page.locator("#merge-unit").get_by_role("button", name="Hợp nhất đơn vị").click()
    expect(page).to_have_url(re.compile(rf"/app/admin/units/{re.escape(TAM_HOP)}\.noi-phat\?"),
                             timeout=SLOW)
    expect(page.locator("#done")).to_have_text("Đã hợp nhất đơn vị.")
    changes_by(page, ("Sắp xếp lại đơn vị", "admin"))
    gone = requests.get(f"{system.base_url}/units/{TAM_HOP}.yen-lan", timeout=15,
                        headers=system.headers["admin"])
    assert gone.status_code == 404 and "2026-07-31" in gone.text

    # Hương Canh split: the new unit must take a child; then it takes tổ dân phố 1
    page.goto(f"{system.base_url}/app/admin/units/{HUONG_CANH}")
    split = page.locator("#split-unit")
    split.get_by_label("Có hiệu lực từ ngày").fill("2026-09-01")
    split.get_by_label("Mã đơn vị mới").fill(f"{HUONG_CANH}-2")
    split.get_by_label("Tên đơn vị mới").fill("Đảng bộ thị trấn Hương Canh 2")
    split.get_by_role("button", name="Tách đơn vị").click()
    expect(by_id(page, "split-parts.1.children-error")).to_have_text("Đánh dấu ít nhất một mục.")
    expect(by_id(page, "split-parts.1.name")).to_have_value("Đảng bộ thị trấn Hương Canh 2")
    split = page.locator("#split-unit")
    split.get_by_label("Chi bộ tổ dân phố 1, thị trấn Hương Canh").check()
    split.get_by_role("button", name="Tách đơn vị").click()
    expect(page.locator("#done")).to_have_text("Đã tách đơn vị.", timeout=SLOW)
    page.goto(f"{system.base_url}/app/admin/units/{HUONG_CANH}.to-dan-pho-1")
    expect(page.locator("#unit-place")).to_contain_text("Đảng bộ thị trấn Hương Canh 2")
    screenshot(page, "admin-unit-split")


def test_a_units_locality_and_meeting_schedule_change_with_who_changed_them(
        system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/units/vinh-phuc.vinh-yen")
    details = page.locator("#unit-details")
    details.get_by_label("Địa bàn (thôn, tổ dân phố)").fill("phường Liên Bảo")
    details.get_by_label("Sinh hoạt", exact=True).select_option(label="Hằng quý")
    details.get_by_label("Ngày trong tháng").fill("32")
    details.get_by_role("button", name="Lưu thay đổi").click()
    expect(by_id(page, "details-meeting_schedule.day_of_month-error")).to_have_text(
        "Phải từ 1 đến 31.")
    expect(by_id(page, "details-locality")).to_have_value("phường Liên Bảo")  # kept as typed
    expect(page.locator("#unit-locality")).to_have_text("—")  # nothing changed
    by_id(page, "details-meeting_schedule.day_of_month").fill("10")
    page.locator("#unit-details").get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#done")).to_have_text("Đã lưu địa bàn và lịch sinh hoạt.")
    expect(page.locator("#unit-schedule")).to_have_text("Hằng quý, ngày 10")
    expect(page.locator("#unit-locality")).to_have_text("phường Liên Bảo")
    assert api(system, "/units/vinh-phuc.vinh-yen")["meeting_schedule"]["day_of_month"] == 10
    # a contact person: a telephone that is none refused beside it, then added
    contact = page.locator("#add-contact")
    contact.get_by_label("Họ tên người liên hệ").fill("Nguyễn Thị Hoa")
    contact.get_by_label("Chức vụ (ví dụ: Bí thư chi bộ)").fill("Chánh Văn phòng")
    contact.get_by_label("Điện thoại").fill("số máy bàn")
    contact.get_by_role("button", name="Thêm người liên hệ").click()
    expect(by_id(page, "contact-contacts.0.phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#unit-contacts li")).to_have_count(0)
    by_id(page, "contact-contacts.0.phone").fill("0211 3862 555")
    page.locator("#add-contact").get_by_role("button", name="Thêm người liên hệ").click()
    expect(page.locator("#done")).to_have_text("Đã thêm người liên hệ.")
    expect(page.locator("#unit-contacts")).to_contain_text("Nguyễn Thị Hoa (Chánh Văn phòng)")
    details = ("Sửa thông tin đơn vị (địa bàn, lịch sinh hoạt, người liên hệ)", "admin")
    changes = poll(lambda: changes_by(page, details), lambda found: found[:2] == [details] * 2)
    assert changes[:2] == [details, details]


def test_a_cadre_takes_and_leaves_a_secretarys_seat_with_who_changed_it(system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/cadres/le-van-cuong")
    seat = page.locator("#add-membership")
    typed(seat.get_by_label("Cấp ủy của đơn vị"), "Đảng bộ xã Tam Hợp")
    seat.get_by_label("Chức vụ trong cấp ủy").select_option(label="Bí thư")
    seat.get_by_role("button", name="Thêm chức vụ trong cấp ủy").click()
    expect(by_id(page, "membership-memberships.0.starts_on-error")).to_have_text(
        "Bắt buộc nhập.")
    expect(page.locator(".membership")).to_have_count(0)
    by_id(page, "membership-memberships.0.starts_on").fill("2025-10-01")
    page.locator("#add-membership").get_by_role("button",
                                                 name="Thêm chức vụ trong cấp ủy").click()
    expect(page.locator("#done")).to_have_text("Đã thêm chức vụ trong cấp ủy.")
    expect(page.locator("#membership-0")).to_contain_text("Bí thư · Đảng bộ xã Tam Hợp")

    end = page.locator("#membership-0 .end-membership")
    end.get_by_label("Ngày cuối cùng giữ chức vụ").fill("2025-09-30")
    end.get_by_role("button", name="Kết thúc chức vụ").click()
    expect(by_id(page, "end-membership-memberships.0.ends_on-error")).to_have_text(
        "Không được trước ngày bắt đầu.")
    page.locator("#membership-0 .end-membership").get_by_label(
        "Ngày cuối cùng giữ chức vụ").fill("2026-06-30")
    page.locator("#membership-0 .end-membership").get_by_role(
        "button", name="Kết thúc chức vụ").click()
    expect(page.locator("#done")).to_have_text("Đã kết thúc chức vụ trong cấp ủy.")
    expect(page.locator("#membership-0")).to_contain_text("30/06/2026")
    [held] = api(system, "/cadres/le-van-cuong")["memberships"]
    assert held == {"unit_id": TAM_HOP, "role": "secretary", "starts_on": "2025-10-01",
                    "ends_on": "2026-06-30"}
    changes = poll(lambda: changes_by(page, ("Sửa thông tin cấp ủy viên", "admin")),
                   lambda found: len(found) >= 3)
    assert changes[:2] == [("Sửa thông tin cấp ủy viên", "admin")] * 2
    screenshot(page, "admin-cadre-membership")


@pytest.fixture(scope="module")
def many_units(system):
    """An industrial park's committee with 520 branches, registered in bulk by the registry
    (as the importer does), not one by one through the browser."""
    administrator = principal_of(system, "administrator")
    units = [{"unit_id": PARK, "name": "Đảng bộ Khu công nghiệp Bình Xuyên",
              "level": "grassroots", "parent_id": "vinh-phuc.binh-xuyen"}]
    units += [{"unit_id": f"{PARK}.px-{n:03}", "name": f"Chi bộ phân xưởng {n:03}",
               "level": "branch", "parent_id": PARK} for n in range(BRANCHES)]
    with ClusterRpcProxy(system.rpc_config, timeout=300) as cluster:
        for start in range(0, len(units), 500):
            results = cluster.assignments.register_many(
                {"kind": "units", "items": units[start:start + 500]}, administrator)["results"]
            assert all("registered" in result for result in results), results[:3]
    return units


def test_past_500_units_any_one_is_found_by_search_and_by_paging(system, admin_page,
                                                                  many_units):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/units?q=phan+xuong+517")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chi bộ phân xưởng 517")
    expect(rows.first).to_contain_text("Đảng bộ Khu công nghiệp Bình Xuyên")  # its place
    page.goto(f"{system.base_url}/app/admin/units?q=chi+bo+phan+xuong")
    expect(page.locator("p[role=status]:not(.visually-hidden)")).to_contain_text(
        "còn nữa ở trang sau")  # the search's words, not a picker's count

    # Nội Phật sorts after the park's 520 branches: page after page until it shows
    page.goto(f"{system.base_url}/app/admin/units")
    pages = 1
    while page.locator("table tbody tr", has_text="Chi bộ thôn Nội Phật").count() == 0:
        expect(page.locator("table tbody tr")).to_have_count(50)
        page.locator("#next-page").click()
        pages += 1
        assert pages < 20, "Nội Phật never came"
    assert pages * 50 > 500
    page.locator("table tbody tr", has_text="Chi bộ thôn Nội Phật").get_by_role("link").click()
    expect(page.locator("#unit-name")).to_have_text("Chi bộ thôn Nội Phật, xã Tam Hợp")
    # a search with no letter in it: refused beside the search field
    page.goto(f"{system.base_url}/app/admin/units?q=%21%21")
    expect(page.locator("#list-q")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("table tbody tr")).to_have_count(0)


def add_land_rule(page, rule_id, authority, unit):
    """The routing-rule form sent: land, for the ``unit`` typed, to the ``authority`` typed."""
    add = page.locator("#add-rule")
    add.get_by_label("Mã quy tắc").fill(rule_id)
    add.get_by_label("Lĩnh vực").select_option(label="Đất đai")
    typed(add.get_by_label("Cơ quan", exact=True), authority)
    typed(add.get_by_label("Đơn vị", exact=True), unit)
    add.get_by_role("button", name="Thêm quy tắc chuyển").click()


def test_past_500_units_a_branch_is_chosen_by_typing_its_name_with_suggestions(
        system, admin_page, many_units):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/routing-rules")
    # typed, not chosen: ten branches hold these words, the form comes back to choose
    add_land_rule(page, "land-px-517", "UBND xa Tam Hop", "phan xuong 51")
    expect(by_id(page, "new-unit_id-error")).to_have_text(
        "Nhiều mục khớp với tên này: chọn một bên dưới, hoặc gõ thêm chữ.")
    expect(by_id(page, "new-unit_id-candidates").get_by_role("radio")).to_have_count(10)
    found = serious_violations(page)
    # the 518th branch's suggestion, as one types, announced and chosen
    unit = page.locator("#add-rule").get_by_label("Đơn vị", exact=True)
    unit.fill("")
    unit.press_sequentially("chi bo phan xuong 51", delay=30)
    suggestions = page.get_by_role("listbox", name="Gợi ý")
    expect(suggestions.get_by_role("option")).to_have_count(10)
    expect(by_id(page, "new-unit_id-said")).to_have_text(
        "10 gợi ý; dùng phím mũi tên để chọn.")
    expect(unit).to_have_attribute("aria-expanded", "true")
    found += serious_violations(page)
    suggestions.get_by_role("option", name=re.compile("Chi bộ phân xưởng 517")).click()
    expect(unit).to_have_value("Chi bộ phân xưởng 517")
    page.locator("#add-rule").get_by_role("button", name="Thêm quy tắc chuyển").click()
    expect(page.locator("#done")).to_have_text("Đã thêm quy tắc chuyển.")
    expect(page.locator("h1")).to_have_text("Đất đai · Chi bộ phân xưởng 517")
    expect(page.locator("#rule-authority")).to_have_text("UBND xã Tam Hợp")
    assert found == []


def test_past_500_units_a_branch_is_chosen_by_typing_its_name_without_scripts(
        system, browser, many_units):
    context = browser.new_context(**DESKTOP, locale="vi-VN", java_script_enabled=False)
    token = system.headers["admin"]["Authorization"].split()[1]
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": system.base_url}])
    page = context.new_page()
    page.goto(f"{system.base_url}/app/admin/routing-rules")
    add_land_rule(page, "land-px-518", "UBND xa Tam Hop", "nha may 518")  # no such name
    expect(by_id(page, "new-unit_id-error")).to_have_text(
        "Không tìm thấy mục nào có tên hoặc mã này.")
    expect(by_id(page, "new-rule_id")).to_have_value("land-px-518")  # what was typed kept
    page.locator("#add-rule").get_by_label("Đơn vị", exact=True).fill("phan xuong 51")
    page.locator("#add-rule").get_by_role("button", name="Thêm quy tắc chuyển").click()
    candidates = by_id(page, "new-unit_id-candidates")
    expect(candidates.get_by_role("radio")).to_have_count(10)
    candidates.get_by_label(re.compile("Chi bộ phân xưởng 518")).check()
    page.locator("#add-rule").get_by_role("button", name="Thêm quy tắc chuyển").click()
    expect(page.locator("#done")).to_have_text("Đã thêm quy tắc chuyển.")
    expect(page.locator("h1")).to_have_text("Đất đai · Chi bộ phân xưởng 518")
    # a name typed whole is that one branch, chosen from nothing
    page.goto(f"{system.base_url}/app/admin/routing-rules")
    add_land_rule(page, "land-px-519", "ubnd-xa-tam-hop", "Chi bo phan xuong 519")
    expect(page.locator("h1")).to_have_text("Đất đai · Chi bộ phân xưởng 519")
    context.close()


def test_the_statistics_of_any_authority_are_chosen_by_typing_its_name(system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/statistics")
    field = page.get_by_label("Cơ quan", exact=True)
    shown = field.input_value()  # the first authority, by its name
    assert shown and not re.fullmatch(r"[a-z0-9.-]+", shown), shown
    field.fill("")
    field.press_sequentially("ubnd xa tam hop", delay=30)
    page.get_by_role("listbox", name="Gợi ý").get_by_role(
        "option", name="UBND xã Tam Hợp").click()
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"authority_id_pick=ubnd-xa-tam-hop"))
    expect(field).to_have_value("UBND xã Tam Hợp")
    expect(page.locator("#chart-heading")).to_be_visible()  # its figures (none yet here)
    # a name that several hold: the choices beside the field, no figures
    field.fill("UBND")
    field.blur()
    page.get_by_role("button", name="Xem").click()
    expect(by_id(page, "statistics-authority_id-error")).to_contain_text("Nhiều mục khớp")
    expect(page.locator("#chart-heading")).to_have_count(0)
    assert serious_violations(page) == []


def test_the_tree_pages_pass_axe_with_their_forms_and_a_refusal(system, admin_page):
    page = admin_page
    found = []
    for path in ("/app/admin/units", f"/app/admin/units/{TAM_HOP}",
                 "/app/admin/cadres/tran-thi-binh", "/app/admin/cadres?q=tran"):
        page.goto(f"{system.base_url}{path}")
        expect(page.locator("h1")).to_be_visible()
        found += serious_violations(page)
    page.goto(f"{system.base_url}/app/admin/units/{TAM_HOP}")
    page.locator("#split-unit").get_by_role("button", name="Tách đơn vị").click()
    expect(by_id(page, "split-effective_on")).to_have_attribute("aria-invalid", "true")
    found += serious_violations(page)
    assert found == []
