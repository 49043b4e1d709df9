"""The administrator's pages that edit (issue 24, U5), in a real browser through the real
processes: search, names instead of ids, each change made through a form, refused beside its
field with nothing changed, confirmed when made, and recorded with who made it (the
monitor's audit trail, shown per record). One system and one browser for the module; the
administrator's session is the token the system signed in with (a password hash costs
seconds)."""
import io
import pathlib
import re

import openpyxl
import pytest
import requests
from playwright.sync_api import expect

from services.gateway.pages.session import SESSION_COOKIE
from tests.integration.browser import DESKTOP, screenshot
from tests.integration.fixtures import SystemOptions
from tests.integration.system import poll
from tests.integration.test_pages_phone import serious_violations

pytestmark = pytest.mark.integration

# one system with test_pages_admin_tree.py (which runs next): a reorganisation writes many
# documents, hence the longer RPC timeout
SYSTEM = SystemOptions(settings={"RPC_TIMEOUT_SECONDS": "30"}, healthy_within=240,
                       shared="administration")


@pytest.fixture(scope="module")
def admin_page(browser, system):
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    token = system.headers["admin"]["Authorization"].split()[1]
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": system.base_url}])
    yield context.new_page()
    context.close()


def typed(field, words):
    """A picker field typed into, then left (as a person goes on to the next field): its
    suggestions close and nothing moves under the next click."""
    field.fill(words)
    field.blur()


def api(system, method, path, body=None):
    answer = requests.request(method, f"{system.base_url}{path}", json=body, timeout=15,
                              headers=system.headers["admin"])
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def user_named(system, username):
    return [u for u in api(system, "GET", "/users?limit=500")["users"]
            if u["username"] == username]


def change_log(page):
    return page.locator("#change-log tbody tr")


def until_logged(page, count):
    """The change log is the audit trail's, which hears the events a moment after the change:
    the page is read again until it shows ``count`` changes."""
    def rows():
        page.reload()
        return change_log(page).count()
    poll(rows, lambda n: n >= count, timeout=30)


def test_an_administrator_finds_creates_changes_and_disables_a_user_and_sees_who_did(
        system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/users")
    # search whatever the diacritics; the scope by its name, not its id
    page.get_by_label("Tìm người dùng (tên đăng nhập hoặc họ tên)").fill("TAM HOP")
    page.get_by_role("button", name="Tìm", exact=True).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("tamhop-officer")
    expect(rows.first).to_contain_text("UBND xã Tam Hợp")
    expect(rows.first).not_to_contain_text("ubnd-xa-tam-hop")

    # a password too short: refused beside it, nobody created
    form = page.locator("#create-user")
    form.get_by_label("Tên đăng nhập", exact=True).fill("nga-officer")
    form.get_by_label("Họ tên", exact=True).fill("Lê Thị Nga")
    form.get_by_label("Mật khẩu", exact=True).fill("ngan")
    form.get_by_label("Vai trò", exact=True).select_option(label="Cán bộ cơ quan")
    typed(form.get_by_label("Cơ quan (với vai trò cán bộ cơ quan)"), "UBND xa Tam Hop")
    form.get_by_role("button", name="Tạo người dùng").click()
    field = page.locator("#new-password")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-password-error")).to_contain_text("Phải có ít nhất")
    expect(page.locator("#new-username")).to_have_value("nga-officer")  # what was typed kept
    screenshot(page, "admin-user-refused")
    assert user_named(system, "nga-officer") == []

    page.locator("#new-password").fill("nga-tam-hop-2026")
    page.locator("#create-user").get_by_role("button", name="Tạo người dùng").click()
    expect(page).to_have_url(re.compile(r"/app/admin/users/[0-9a-f]+\?done=created$"))
    expect(page.locator("#done")).to_have_text("Đã tạo người dùng.")
    expect(page.locator("#user-scope")).to_have_text("UBND xã Tam Hợp")
    [created] = user_named(system, "nga-officer")
    assert created["authority_id"] == "ubnd-xa-tam-hop" and created["enabled"]

    # a cadre's role without the cadre: refused beside the field, the role unchanged
    role_form = page.locator("#change-role")  # the scope shown by its name, not its code
    expect(role_form.get_by_label("Cơ quan (với vai trò cán bộ cơ quan)")).to_have_value(
        "UBND xã Tam Hợp")
    role_form.get_by_label("Vai trò", exact=True).select_option(label="Cấp ủy viên")
    typed(role_form.get_by_label("Cơ quan (với vai trò cán bộ cơ quan)"), "")
    role_form.get_by_role("button", name="Đổi vai trò").click()
    expect(page.locator("#role-cadre_id-error")).to_have_text("Bắt buộc nhập.")
    assert user_named(system, "nga-officer")[0]["role"] == "authority_officer"
    role_form = page.locator("#change-role")
    typed(role_form.get_by_label("Cấp ủy viên (với vai trò cấp ủy viên)"), "Trần Thị Bình")
    role_form.get_by_role("button", name="Đổi vai trò").click()
    expect(page.locator("#done")).to_contain_text("Đã đổi vai trò")
    expect(page.locator("#user-scope")).to_have_text("Trần Thị Bình")

    # a new password typed twice differently: refused; alike: set
    reset = page.locator("#reset-password")
    reset.get_by_label("Mật khẩu mới", exact=True).fill("nga-moi-2026-mat-khau")
    reset.get_by_label("Nhập lại mật khẩu mới").fill("nga-moi-2026-mat-khao")
    reset.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(page.locator("#reset-new_password_again-error")).to_have_text(
        "Hai mật khẩu không giống nhau.")
    reset = page.locator("#reset-password")
    reset.get_by_label("Mật khẩu mới", exact=True).fill("nga-moi-2026-mat-khau")
    reset.get_by_label("Nhập lại mật khẩu mới").fill("nga-moi-2026-mat-khau")
    reset.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(page.locator("#done")).to_contain_text("Đã đặt mật khẩu mới")

    # disabling asks for the box to be ticked first
    page.locator("#disable-user").get_by_role("button", name="Khóa người dùng").click()
    expect(page.locator("#disable-confirm-error")).to_have_text(
        "Hãy đánh dấu ô xác nhận trước.")
    assert user_named(system, "nga-officer")[0]["enabled"]
    page.locator("#disable-confirm").check()
    page.locator("#disable-user").get_by_role("button", name="Khóa người dùng").click()
    expect(page.locator("#user-status")).to_have_text("Đã khóa")
    assert not user_named(system, "nga-officer")[0]["enabled"]

    # who changed what: four changes, newest first, each by the administrator, by name
    until_logged(page, 4)
    cells = [row.locator("td").all_inner_texts() for row in change_log(page).all()]
    assert [c[1] for c in cells] == ["Khóa người dùng", "Đặt lại mật khẩu", "Đổi vai trò",
                                     "Tạo người dùng"]
    assert {c[2] for c in cells} == {"admin"}
    screenshot(page, "admin-user-changes")


def test_the_import_template_downloads_from_the_import_page_and_reads_back(system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/imports")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile("Tải tệp mẫu")).click()
    download = downloading.value
    assert download.suggested_filename == "mau-nhap-danh-muc.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(pathlib.Path(download.path()).read_bytes()))
    assert workbook.sheetnames == ["Đơn vị", "Cán bộ", "Phân công", "Tổ công tác", "Cơ quan",
                                   "Quy tắc chuyển", "Đảng viên"]
    # the API gives the same file, to administrators only
    answer = requests.get(f"{system.base_url}/imports/template", timeout=15,
                          headers=system.headers["operator"])
    assert answer.status_code == 403


def test_an_administrator_registers_changes_and_retires_an_authority_with_its_rules(
        system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/authorities?q=binh+xuyen")
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="UBND huyện Bình Xuyên")).to_contain_text(
        "Đảng bộ huyện Bình Xuyên (Huyện ủy Bình Xuyên)")  # the unit by name
    expect(rows.filter(has_text="UBND xã Tam Hợp")).to_have_count(0)

    # its code left empty: refused beside it, nothing registered
    form = page.locator("#register-authority")
    form.get_by_label("Tên", exact=True).fill("Văn phòng Đảng ủy xã Tam Hợp")
    form.get_by_label("Loại cơ quan").select_option(label="Văn phòng")
    form.get_by_label("Cấp", exact=True).select_option("grassroots")
    typed(form.get_by_label("Địa bàn (đơn vị)"), "Đảng bộ xã Tam Hợp")
    typed(form.get_by_label("Cơ quan cấp trên"), "Đảng ủy xã Tam Hợp")
    form.get_by_role("button", name="Đăng ký cơ quan").click()
    expect(page.locator("#new-authority_id-error")).to_have_text("Bắt buộc nhập.")
    expect(page.locator("#new-name")).to_have_value("Văn phòng Đảng ủy xã Tam Hợp")
    page.locator("#new-authority_id").fill("vp-dang-uy-tam-hop")
    page.locator("#register-authority").get_by_role("button", name="Đăng ký cơ quan").click()
    expect(page.locator("#done")).to_have_text("Đã đăng ký cơ quan.")
    expect(page.locator("#authority-parent")).to_have_text("Đảng ủy xã Tam Hợp")

    # its e-mail changed: only that is sent (the area and parent shown by name stay)
    change = page.locator("#change-authority")
    expect(change.get_by_label("Địa bàn (đơn vị)")).to_have_value("Đảng bộ xã Tam Hợp")
    change.get_by_label("Thư điện tử").fill("khong-phai-thu")
    change.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#change-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#authority-email")).to_have_text("—")
    page.locator("#change-email").fill("vp-dang-uy@tamhop.example")
    page.locator("#change-authority").get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#authority-email")).to_have_text("vp-dang-uy@tamhop.example")

    # a routing rule to it, then handed over to UBND xã Tam Hợp from a day
    page.goto(f"{system.base_url}/app/admin/routing-rules")
    add = page.locator("#add-rule")
    add.get_by_label("Mã quy tắc").fill("land-noi-phat")
    add.get_by_label("Lĩnh vực").select_option(label="Đất đai")
    typed(add.get_by_label("Đơn vị", exact=True), "Chi bộ thôn Nội Phật, xã Tam Hợp")
    typed(add.get_by_label("Cơ quan", exact=True), "Văn phòng Đảng ủy xã Tam Hợp")
    add.get_by_label("Hiệu lực từ ngày").fill("2027-01-01")
    add.get_by_role("button", name="Thêm quy tắc chuyển").click()
    expect(page.locator("#done")).to_have_text("Đã thêm quy tắc chuyển.")
    expect(page.locator("#rule-history")).to_contain_text("Thêm bởi admin.")
    hand = page.locator("#hand-over-rule")
    typed(hand.get_by_label("Chuyển cho cơ quan"), "ubnd-xa-tam-hop")  # its exact code
    hand.get_by_label("Từ ngày").fill("2027-06-01")
    hand.get_by_label("Mã quy tắc mới").fill("land-noi-phat-ubnd")
    hand.get_by_role("button", name="Chuyển quy tắc cho cơ quan khác").click()
    expect(page).to_have_url(re.compile(r"/app/admin/routing-rules/land-noi-phat-ubnd\?"))
    expect(page.locator("#rule-authority")).to_have_text("UBND xã Tam Hợp")
    expect(page.locator("#rule-history")).to_contain_text("land-noi-phat")
    page.goto(f"{system.base_url}/app/admin/routing-rules/land-noi-phat")
    expect(page.locator("#rule-history")).to_contain_text("Kết thúc bởi admin")
    expect(page.locator("#rule-in-force")).to_have_text("từ 01/01/2027 đến 31/05/2027")

    # retiring asks for the box to be ticked
    page.goto(f"{system.base_url}/app/admin/authorities/vp-dang-uy-tam-hop")
    retire = page.locator("#retire-authority")
    retire.get_by_label("Thôi tiếp nhận từ ngày").fill("2027-09-01")
    retire.get_by_role("button", name="Cho cơ quan thôi tiếp nhận").click()
    expect(page.locator("#retire-confirm-error")).to_have_text("Hãy đánh dấu ô xác nhận trước.")
    expect(page.locator("#authority-status")).to_have_text("Đang tiếp nhận")
    page.locator("#retire-confirm").check()
    page.locator("#retire-authority").get_by_role("button",
                                                  name="Cho cơ quan thôi tiếp nhận").click()
    expect(page.locator("#authority-status")).to_have_text("Thôi tiếp nhận từ 01/09/2027")

    # who changed what: registered, e-mail changed, retired, each by the administrator
    until_logged(page, 4)
    cells = [row.locator("td").all_inner_texts() for row in change_log(page).all()]
    assert "Đăng ký cơ quan" in [c[1] for c in cells]
    assert "Đổi thư điện tử của cơ quan" in [c[1] for c in cells]
    assert {c[2] for c in cells} == {"admin"}
    screenshot(page, "admin-authority-changes")


def test_an_administrator_registers_renames_a_unit_and_assigns_and_ends_a_cadre_there(
        system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/units?q=tam+hop")
    expect(page.locator("table tbody tr").filter(has_text="Chi bộ thôn Nội Phật")).to_contain_text(
        "Đảng bộ xã Tam Hợp")  # where it sits, by name
    # no level chosen: refused beside it, nothing registered
    form = page.locator("#register-unit")
    form.get_by_label("Mã đơn vị").fill("vinh-phuc.binh-xuyen.tam-hop.truong-tieu-hoc")
    form.get_by_label("Tên", exact=True).fill("Chi bộ Trường Tiểu học Tam Hợp")
    form.get_by_label("Loại chi bộ").select_option(label="Trường học")
    typed(form.get_by_label("Trực thuộc đơn vị"), "Đảng bộ xã Tam Hợp")
    form.get_by_role("button", name="Đăng ký đơn vị").click()
    expect(page.locator("#new-level-error")).to_have_text("Bắt buộc nhập.")
    page.locator("#new-level").select_option("branch")
    page.locator("#register-unit").get_by_role("button", name="Đăng ký đơn vị").click()
    expect(page.locator("#done")).to_have_text("Đã đăng ký đơn vị.")
    expect(page.locator("#unit-place")).to_contain_text("Đảng bộ xã Tam Hợp")

    # a provincial member may not keep close to a school's branch: the rule's refusal shown
    assign = page.locator("#assign-cadre")
    typed(assign.get_by_label("Cấp ủy viên", exact=True), "Nguyễn Văn An")
    assign.get_by_label("Từ ngày").fill("2026-12-01")
    assign.get_by_role("button", name="Phân công cấp ủy viên").click()
    expect(page.locator("#assign-unit_id-error")).to_be_visible()
    expect(page.locator(".assignment")).to_have_count(0)
    assign = page.locator("#assign-cadre")
    typed(assign.get_by_label("Cấp ủy viên", exact=True), "tran thi binh")
    assign.get_by_label("Từ ngày").fill("2026-12-01")
    assign.get_by_role("button", name="Phân công cấp ủy viên").click()
    expect(page.locator("#done")).to_have_text("Đã phân công cấp ủy viên.")
    held = page.locator(".assignment")
    expect(held).to_contain_text("Trần Thị Bình")

    # ended without a reason: refused; with one: ended
    end = held.locator(".end-assignment")
    end.get_by_label("Ngày hiệu lực cuối cùng").fill("2026-12-31")
    end.get_by_role("button", name="Kết thúc phân công").click()
    expect(page.locator(".end-assignment .field-error")).to_have_text("Bắt buộc nhập.")
    end = page.locator(".end-assignment")
    end.get_by_label("Ngày hiệu lực cuối cùng").fill("2026-12-31")
    end.get_by_label("Lý do").fill("Điều động công tác khác")
    end.get_by_role("button", name="Kết thúc phân công").click()
    expect(page.locator("#done")).to_have_text("Đã kết thúc phân công.")
    expect(page.locator(".assignment")).to_contain_text("Điều động công tác khác")

    # renamed from a day: the former name kept in its history
    rename = page.locator("#rename-unit")
    rename.get_by_label("Tên mới").fill("Chi bộ Trường Tiểu học và THCS Tam Hợp")
    rename.get_by_label("Có hiệu lực từ ngày").fill("2026-01-01")
    rename.get_by_role("button", name="Đổi tên đơn vị từ một ngày").click()
    expect(page.locator("#done")).to_contain_text("Đã đổi tên đơn vị")
    expect(page.locator("#unit-name")).to_have_text("Chi bộ Trường Tiểu học và THCS Tam Hợp")
    expect(page.locator("#unit-history")).to_contain_text("Chi bộ Trường Tiểu học Tam Hợp")

    until_logged(page, 4)
    cells = [row.locator("td").all_inner_texts() for row in change_log(page).all()]
    kinds = [c[1] for c in cells]
    assert {"Đăng ký đơn vị", "Phân công", "Kết thúc phân công",
            "Sắp xếp lại đơn vị"} <= set(kinds), kinds
    assert {c[2] for c in cells} == {"admin"}
    screenshot(page, "admin-unit-changes")


def test_an_administrator_registers_and_changes_a_cadre_and_each_view_of_contacts_is_audited(
        system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/cadres?q=tran+thi")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Đảng bộ huyện Bình Xuyên")  # the home unit by name
    expect(rows.first).to_contain_text("Huyện ủy viên")
    expect(page.locator("main")).not_to_contain_text("@vinhphuc.example")  # no contact listed

    # no position ticked: refused beside the positions
    form = page.locator("#register-cadre")
    form.get_by_label("Mã cấp ủy viên").fill("pham-van-duc")
    typed(form.get_by_label("Sinh hoạt tại đơn vị"), "Đảng bộ xã Tam Hợp")
    form.get_by_label("Họ tên").fill("Phạm Văn Đức")
    form.get_by_label("Thư điện tử").fill("pham-van-duc@tamhop.example")
    form.get_by_role("button", name="Đăng ký cấp ủy viên").click()
    expect(page.locator("#new-positions-error")).to_be_visible()
    page.locator("#new-other_positions").fill("grassroots_committee_member")
    page.locator("#register-cadre").get_by_role("button", name="Đăng ký cấp ủy viên").click()
    expect(page.locator("#done")).to_have_text("Đã đăng ký cấp ủy viên.")
    expect(page.locator("#cadre-email")).to_have_text("pham-van-duc@tamhop.example")

    change = page.locator("#change-cadre")
    change.get_by_label("Điện thoại").fill("0912345678")
    change.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#done")).to_have_text("Đã lưu thay đổi của cấp ủy viên.")
    expect(page.locator("#cadre-phone")).to_have_text("0912345678")

    # the contacts shown to the administrator were recorded as reads of personal data
    reads = poll(lambda: api(system, "GET", "/audit/personal-data?record_id=pham-van-duc"),
                 lambda found: len(found["reads"]) >= 2)
    assert {r["purpose"] for r in reads["reads"]} == {"assignments.get_cadre"}
    until_logged(page, 2)
    cells = [row.locator("td").all_inner_texts() for row in change_log(page).all()]
    assert {"Đăng ký cấp ủy viên", "Sửa thông tin cấp ủy viên"} <= {c[1] for c in cells}
    assert {c[2] for c in cells} == {"admin"}
    screenshot(page, "admin-cadre-changes")


ADMINISTERED = ("/app/admin/users", "/app/admin/authorities",
                "/app/admin/authorities/ubnd-xa-tam-hop", "/app/admin/routing-rules",
                "/app/admin/routing-rules/infrastructure-tam-hop",
                "/app/admin/units", "/app/admin/units/vinh-phuc.binh-xuyen.tam-hop.noi-phat",
                "/app/admin/cadres", "/app/admin/cadres/tran-thi-binh", "/app/admin/imports",
                "/app/admin/working-groups")


def test_every_administration_page_passes_axe_and_a_refused_form_too(system, admin_page):
    page = admin_page
    found = []
    user_id = user_named(system, "tamhop-officer")[0]["user_id"]
    for path in (*ADMINISTERED, f"/app/admin/users/{user_id}"):
        page.goto(f"{system.base_url}{path}")
        expect(page.locator("h1")).to_be_visible()
        found += serious_violations(page)
    page.goto(f"{system.base_url}/app/admin/users")
    page.locator("#create-user").get_by_role("button", name="Tạo người dùng").click()
    expect(page.locator("#new-username")).to_have_attribute("aria-invalid", "true")
    found += serious_violations(page)
    assert found == []


def test_an_administrator_forms_and_changes_a_working_group(system, admin_page):
    page = admin_page
    page.goto(f"{system.base_url}/app/admin/working-groups")
    form = page.locator("#form-group")
    form.get_by_label("Mã tổ công tác").fill("to-cong-tac-binh-xuyen-1")
    form.get_by_label("Tên", exact=True).fill("Tổ công tác số 1 Huyện ủy Bình Xuyên")
    typed(form.get_by_label("Do cấp ủy lập"), "Đảng bộ huyện Bình Xuyên")
    typed(form.get_by_label("Thêm thành viên"), "Trần Thị Bình")
    form.get_by_label("Từ ngày").fill("2026-12-01")
    form.get_by_role("button", name="Lập tổ công tác").click()  # no branch
    expect(page.locator("#new-unit_ids-error")).to_be_visible()
    expect(page.locator("#new-member_add")).to_have_value("Trần Thị Bình")  # kept as typed
    typed(page.locator("#form-group").get_by_label("Thêm chi bộ"), "thon noi phat")
    page.locator("#form-group").get_by_role("button", name="Lập tổ công tác").click()
    expect(page.locator("#done")).to_have_text("Đã lập tổ công tác.")
    expect(page.locator("#group-members")).to_have_text("Trần Thị Bình")

    expect(page.locator("#change-group").get_by_label("Trần Thị Bình")).to_be_checked()
    typed(page.locator("#change-group").get_by_label("Thêm chi bộ"), "Chi bo thon Yen Lan")
    page.locator("#change-group").get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#done")).to_have_text("Đã lưu thay đổi của tổ công tác.")
    expect(page.locator("#group-branches")).to_contain_text("Chi bộ thôn Yên Lan")
    until_logged(page, 2)
    cells = [row.locator("td").all_inner_texts() for row in change_log(page).all()]
    assert [c[1] for c in cells] == ["Sửa tổ công tác", "Lập tổ công tác"]
    assert {c[2] for c in cells} == {"admin"}
