"""A request from a person concerned naming one of the system's own people (issue 26): the
gateway checks the user or cadre it names exists (else 400 naming the field: nothing is
recorded) and brings a cadre's user's cadre record along, so a deletion reaches both."""
import pytest

from services.gateway.api.audit import AuditApi
from shared.errors import InvalidInput, NotFound
from shared.reasons import reasons_of

ADMIN = {"user_id": "u-admin", "role": "administrator"}
USERS = {"u-xuan": {"user_id": "u-xuan", "role": "cadre", "cadre_id": "hoang-thi-xuan"},
         "u-quynh": {"user_id": "u-quynh", "role": "authority_officer", "cadre_id": None}}
CADRES = {"hoang-thi-xuan", "le-van-an"}


class Registry:
    """accounts' and assignments' lookups as the gateway calls them (user or cadre, principal)."""
    def __init__(self):
        self.asked = []

    def get_user(self, user_id, principal):
        self.asked.append(("user", user_id, principal["role"]))
        if user_id not in USERS:
            raise NotFound("user not found", {"user_id": [user_id]})
        return USERS[user_id]

    def get_cadre(self, cadre_id, principal):
        self.asked.append(("cadre", cadre_id, principal["role"]))
        if cadre_id not in CADRES:
            raise NotFound("cadre not found", {"cadre_id": [cadre_id]})
        return {"cadre_id": cadre_id}


@pytest.fixture
def gateway():
    registry = Registry()
    api = AuditApi.__new__(AuditApi)
    api.accounts = api.assignments = registry
    return api


def people(gateway, body):
    return gateway._with_the_persons_records(body, ADMIN)


def test_a_cadres_user_brings_their_cadre_record(gateway):
    assert people(gateway, {"kind": "deletion", "user_id": "u-xuan"}) == {
        "kind": "deletion", "user_id": "u-xuan", "cadre_id": "hoang-thi-xuan"}
    # asked as the administrator who records the request (their reads are audited)
    assert gateway.accounts.asked == [("user", "u-xuan", "administrator")]


def test_an_officer_has_no_cadre_and_a_cadre_named_is_kept(gateway):
    assert people(gateway, {"user_id": "u-quynh"}) == {"user_id": "u-quynh"}
    assert people(gateway, {"user_id": "u-xuan", "cadre_id": "le-van-an"})["cadre_id"] == \
        "le-van-an"
    assert people(gateway, {"kind": "access", "name": "Trần Văn Dũng"}) == {
        "kind": "access", "name": "Trần Văn Dũng"}  # a raiser: searched by name in visits


@pytest.mark.parametrize("field, value", [("user_id", "khong-co-ai"),
                                          ("cadre_id", "khong-co-ai")])
def test_a_person_not_in_the_system_is_refused_naming_the_field(gateway, field, value):
    with pytest.raises(InvalidInput) as refused:
        people(gateway, {"kind": "deletion", field: value})
    assert reasons_of(refused.value.fields) == {field: [{"code": "not_in_registry",
                                                         "key": value}]}


def test_the_pages_form_reads_as_the_apis_body_with_empty_ids_as_none():
    from services.gateway.pages.admin_requests import ANSWERING, answer_rows, request_to_record
    body, refused = request_to_record({
        "kind": "deletion", "name": " Hoàng Thị Xuân ", "received_on": "2026-12-07",
        "contact": "", "user_id": "u-xuan", "cadre_id": " ", "note": "", "csrf": "t"})
    assert refused == {}
    assert body == {"kind": "deletion", "name": "Hoàng Thị Xuân", "received_on": "2026-12-07",
                    "contact": None, "user_id": "u-xuan", "cadre_id": None, "note": ""}
    # one row per service that answers requests, answered or not yet
    assert set(ANSWERING) == {"accounts", "assignments", "notifications", "escalations",
                              "monitor", "visits", "members"}
    rows = dict(answer_rows({"answers": {"visits": {"found": []}}}))
    assert rows["visits"] == {"found": []} and rows["accounts"] is None


def test_a_deletion_about_the_recording_administrators_own_account_is_refused_by_name(
        gateway):
    USERS["u-admin"] = {"user_id": "u-admin", "role": "administrator", "cadre_id": None}
    try:
        with pytest.raises(InvalidInput) as refused:
            people(gateway, {"kind": "deletion", "user_id": "u-admin"})
        assert reasons_of(refused.value.fields) == {"user_id": [{"code": "own_account_deletion"}]}
        # access to one's own records, or another administrator's deletion: recorded
        assert people(gateway, {"kind": "access", "user_id": "u-admin"})["user_id"] == "u-admin"
    finally:
        del USERS["u-admin"]


def test_the_request_page_says_why_a_deletion_kept_a_members_records():
    """The members service keeps a member on a roll and says why (``kept_because``): the
    request's page words the reason from the catalogue, in each language."""
    from services.gateway.pages import render
    from services.gateway.pages.admin_requests import answer_rows
    from tests.unit.page_samples import REQUEST
    kept = {"found": [{"kind": "member", "id": "00123"}], "removed": False,
            "kept_because": "member_record_kept", "answered_at": "2026-12-07T09:00:00+00:00"}
    request = {**REQUEST, "answers": {**REQUEST["answers"], "members": kept}}
    for language, words in (("vi", "hồ sơ của tổ chức Đảng"),
                            ("en", "the Party organisation's record")):
        page = render.render("admin_request.html", language, user={"role": "administrator"},
                             csrf="", menu=(), here="/app/admin/data-subject-requests/r1",
                             request=request, done=None, errors={}, values={},
                             answers=answer_rows(request))
        members = page.split('id="answer-members"', 1)[1].split("</tr>", 1)[0]
        assert words in members.replace("&#39;", "'"), members
        assert "00123" in members


def test_every_kind_of_record_an_answer_may_name_has_its_words_in_both_languages():
    from shared.contracts.data_subjects import FOUND_KINDS
    from shared.words import knows
    for language in ("vi", "en"):
        missing = [kind for kind in FOUND_KINDS
                   if not knows(f"record_kind.{kind}", language)]
        assert not missing, (language, missing)
