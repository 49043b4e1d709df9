"""The administrator's organisation tree in a real browser (issue 24, part 2): a unit moved,
merged and split from its page, each from its day; its locality and meeting schedule; a
cadre's seat on a committee (a secretary) added and ended; each refused beside its field with
nothing changed, said when done, and recorded with who did it. And a province past 500 units:
any one found by search and by paging. One system and one browser for the module."""
import re

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from playwright.sync_api import expect

from tests.integration import test_pages_admin
from tests.integration.browser import screenshot
from tests.integration.fixtures import principal_of
from tests.integration.system import poll
from tests.integration.test_pages_admin import change_log
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
    move.get_by_label("Trực thuộc đơn vị mới").select_option(label="Đảng bộ thị trấn Hương Canh")
    move.get_by_role("button", name="Chuyển đơn vị sang trực thuộc đơn vị khác").click()
    expect(page.locator("#move-effective_on-error")).to_have_text("Bắt buộc nhập.")
    move = page.locator("#move-unit")
    move.get_by_label("Có hiệu lực từ ngày").fill("2026-07-01")
    move.get_by_label("Trực thuộc đơn vị mới").select_option(
        label="Đảng bộ huyện Bình Xuyên (Huyện ủy Bình Xuyên)")
    move.get_by_role("button", name="Chuyển đơn vị sang trực thuộc đơn vị khác").click()
    expect(page.locator("#move-parent_id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#unit-place")).to_contain_text("Đảng bộ xã Tam Hợp")
    move = page.locator("#move-unit")
    move.get_by_label("Trực thuộc đơn vị mới").select_option(label="Đảng bộ thị trấn Hương Canh")
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
    page.locator("#merge-unit").get_by_label("Vào đơn vị đã có").select_option(
        label="Chi bộ thôn Nội Phật, xã Tam Hợp")
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
    seat.get_by_label("Cấp ủy của đơn vị").select_option(label="Đảng bộ xã Tam Hợp")
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
    expect(page.locator("[role=status]")).to_contain_text("còn nữa ở trang sau")

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
