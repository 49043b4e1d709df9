"""The member page's choice of a carer and the branch page's members nobody cares for (issue
29; services/gateway/pages/care_form.py): the form only for whoever the members service says
may choose, among the seat holders it offers, the current carer picked, the carers before
listed; a refusal beside the field; the count and the filter on the branch's page."""
import pytest

from services.gateway.pages import care_form, i18n, render
from tests.english import english_in

MEMBER = {"member_code": "000713", "full_name": "Đảng viên 000713", "unit_id": "np",
          "status": "active", "since": "2020-01-01",
          "in_care_of": {"cadre_id": "lan", "since": "2026-12-03"}}
OFFERED = {"unit_id": "np", "as_of": "2026-12-07", "may_choose": True, "cadres": [
    {"cadre_id": "hoa", "name": "Lê Thị Hòa", "seats": [{"unit_id": "np", "role": "secretary"}]},
    {"cadre_id": "lan", "name": "Phạm Thị Lan",
     "seats": [{"unit_id": "th", "role": "member"}, {"unit_id": "np", "role": "member"}]},
    {"cadre_id": "an", "name": "Nguyễn Văn An", "seats": [{"unit_id": "th", "role": "member"}]}]}
NOBODY = {**OFFERED, "may_choose": False, "cadres": []}
USER = {"user_id": "u1", "role": "cadre", "cadre_id": "hoa"}


def member_page(language="vi", **context):
    values = {"member": MEMBER, "contacts": [], "carer_name": "Phạm Thị Lan",
              "carer_names": {"lan": "Phạm Thị Lan", "hoa": "Lê Thị Hòa"}, "care_history": [],
              "carer_choices": care_form.carer_choices(OFFERED, MEMBER, language),
              "form_errors": {}, "form_values": {}, "submission_id": "s1",
              "today": "2026-12-07", "done": None, "kind_choices": [], "topic_choices": [],
              "raised_by_choices": [], **context}
    return render.render("member.html", language, user=USER, csrf="t", menu=(), here="/app",
                         **values)


def test_the_choice_is_offered_only_to_who_may_choose_and_only_for_a_member_on_a_roll():
    assert care_form.carer_choices(OFFERED, MEMBER, "vi") == [
        ("hoa", "Lê Thị Hòa (Bí thư, chi ủy)"), ("lan", "Phạm Thị Lan (Cấp ủy viên, chi ủy)"),
        ("an", "Nguyễn Văn An (Cấp ủy viên, đảng ủy cơ sở)")]
    assert care_form.carer_choices(OFFERED, MEMBER, "en")[2] == (
        "an", f"Nguyễn Văn An ({i18n.label('committee_role', 'member', 'en')}, "
              "grassroots committee)")
    assert care_form.carer_choices(NOBODY, MEMBER, "vi") is None
    assert care_form.carer_choices(OFFERED, {**MEMBER, "status": "left"}, "vi") is None


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_form_picks_the_carer_now_and_lists_the_carers_before(language):
    history = [{"cadre_id": "hoa", "since": "2026-12-01", "until": "2026-12-03"}]
    html = member_page(language, care_history=history)
    form = html.split('id="care-form"', 1)[1].split("</form>", 1)[0]
    assert 'action="/app/members/000713/care"' in html and 'for="care-cadre_id"' in form
    assert '<option value="lan" selected>' in form
    assert form.count("<option value=") == 4  # the prompt and the three offered
    assert "Lê Thị Hòa" in html.split('id="care-history"', 1)[1]
    words = {"vi": ("Phân công cán bộ phụ trách", "từ 01/12/2026 đến 03/12/2026"),
             "en": ("Put in the care of a committee member", "from")}[language]
    assert all(w in html for w in words)
    if language == "vi":
        assert not english_in(html.split("<main", 1)[1])


def test_who_may_not_choose_sees_the_carer_only():
    html = member_page(carer_choices=care_form.carer_choices(NOBODY, MEMBER, "vi"))
    assert 'id="care-form"' not in html and 'id="care-history"' not in html
    assert "Phạm Thị Lan" in html.split('id="member-carer"', 1)[1].split("</dd>", 1)[0]


def test_a_refusal_is_shown_beside_the_choice_in_vietnamese():
    fields = {"cadre_id": "Không giữ ghế cấp ủy của chi bộ hoặc đảng ủy cơ sở cấp trên vào "
                          "ngày 07/12/2026."}
    said = care_form.refusal_words(fields, "Yêu cầu không hợp lệ.", 400)
    assert said == fields["cadre_id"]
    assert care_form.refusal_words({"member_code": "Đã thôi sinh hoạt."}, "x", 400) == (
        "Đã thôi sinh hoạt.")
    assert care_form.refusal_words({"principal": "y"}, "Không được phép.", 403) == (
        "Không được phép.")
    html = member_page(form_errors={"cadre_id": said}, form_values={"cadre_id": "an"})
    select = html.split('id="care-cadre_id"', 1)[1].split("</select>", 1)[0]
    assert 'aria-invalid="true"' in html.split("<select", 1)[1].split(">", 1)[0]
    assert '<option value="an" selected>' in select
    assert said in html.split('id="care-cadre_id-error"', 1)[1].split("</p>", 1)[0]


def branch_page(**context):
    members = [MEMBER, {**MEMBER, "member_code": "000714", "in_care_of": None}]
    values = {"unit_id": "np", "members": members, "carers": {"lan": "Phạm Thị Lan"},
              "flags": {"year": 2026, "clause": "", "flags": []}, "uncared": None,
              "only_uncared": False, **context}
    return render.render("branch_members.html", "vi", user=USER, csrf="t", menu=(),
                         here="/app", **values)


def test_the_branch_page_counts_the_members_nobody_cares_for_and_links_to_them():
    members = [MEMBER, {**MEMBER, "member_code": "000714", "in_care_of": None},
               {**MEMBER, "member_code": "000715", "in_care_of": None}]
    assert [m["member_code"] for m in care_form.without_carer(members)] == ["000714", "000715"]
    assert 'id="uncared"' not in branch_page()  # who may not choose reads no count
    html = branch_page(uncared=2)
    assert ('<a href="/app/units/np/members?carer=none">2 đảng viên chưa có người phụ trách</a>'
            in html)
    assert "Đang xem 2 đảng viên chưa có người phụ trách." in branch_page(
        uncared=2, only_uncared=True)
    assert "Mọi đảng viên đều đã có người phụ trách." in branch_page(uncared=0)
