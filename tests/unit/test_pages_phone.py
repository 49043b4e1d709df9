"""The cadre's phone pages, tested without a browser: the amendment form read as the API's
amendment and its refusals put back beside the form's fields; the visit form with no topic
chosen for the cadre; the brief that reads on a 360 px phone and on paper; the app shell's
service worker, served where its scope covers the cadre's pages."""
import re

import pytest
from marshmallow import ValidationError

from services.gateway.pages import render
from services.gateway.pages.amendment import AmendVisitForm, amendment_of, form_errors
from shared.contracts.rpc.visits import AmendVisit
from tests.unit.page_samples import PAGES, USERS

VISIT = {"concerns": [{"concern_id": "k1"}, {"concern_id": "k2", "withdrawn": True}]}
FORM = {"csrf": "t", "submission_id": "s1", "meeting_kind": "thematic",
        "attendance.present": "28", "attendance.expected": "31", "assessment.leadership": "5",
        "assessment.education": "4", "assessment.combativeness": "3", "assessment.note": "",
        "new.summary": "", "new.topic": "", "new.raised_by": "resident",
        "new.urgency": "normal", "new.raiser_email": "", "new.raiser_consent": "false"}


def page(template, **overrides):
    return render.render(template, "vi", user=USERS["cadre"], csrf="t", menu=(), here="/app",
                         **{**PAGES[template], **overrides})


def test_the_amendment_keeps_every_raised_concern_and_withdraws_those_given_a_reason():
    form = AmendVisitForm().load({**FORM, "withdraw.k1": "Trùng ý kiến buổi trước",
                                  "withdraw.k2": "again"})
    body = amendment_of(form, VISIT)
    assert body["concerns"] == [{"concern_id": "k1"}, {"concern_id": "k2"}]
    # k2 was withdrawn before: not again
    assert body["withdrawals"] == [{"concern_id": "k1", "reason": "Trùng ý kiến buổi trước"}]
    assert body["attendance"] == {"present": 28, "expected": 31}
    assert body["assessment"] == {"leadership": 5, "education": 4, "combativeness": 3,
                                  "note": ""}
    assert body["meeting_kind"] == "thematic" and body["submission_id"] == "s1"


def test_a_new_concern_is_added_only_when_written_and_without_a_topic_it_is_refused_beside_it():
    assert len(amendment_of(AmendVisitForm().load(FORM), VISIT)["concerns"]) == 2
    form = AmendVisitForm().load({**FORM, "new.summary": "Đèn đường hỏng",
                                  "attendance.present": "nhiều"})
    body = amendment_of(form, VISIT)
    assert body["concerns"][2] == {"summary": "Đèn đường hỏng", "raised_by": "resident",
                                   "urgency": "normal", "raiser_consent": False}  # no topic
    assert body["attendance"]["present"] == "nhiều"  # refused by the service, beside it
    withdrawn = amendment_of(AmendVisitForm().load({**FORM, "withdraw.k1": "x"}), VISIT)
    assert form_errors({"concerns.2.topic": "Bắt buộc nhập.", "withdrawals.0.reason": "Dài",
                        "attendance.present": "Số"}, VISIT, withdrawn) == {
        "new.topic": "Bắt buộc nhập.", "withdraw.k1": "Dài", "attendance.present": "Số"}


def test_a_new_concern_takes_the_raisers_email_with_their_consent_and_refuses_it_without():
    written = {**FORM, "new.summary": "Đèn đường hỏng", "new.topic": "infrastructure",
               "new.raiser_email": " ba.lan@example.vn "}
    body = amendment_of(AmendVisitForm().load({**written, "new.raiser_consent": "true"}), VISIT)
    assert body["concerns"][2]["raiser_email"] == "ba.lan@example.vn"
    assert body["concerns"][2]["raiser_consent"] is True
    unasked = amendment_of(AmendVisitForm().load(written), VISIT)
    with pytest.raises(ValidationError) as refused:  # the service's own check, as it runs
        AmendVisit().load(unasked)
    flat = {".".join(map(str, path)): "x"
            for path in _paths(refused.value.normalized_messages())}
    errors = form_errors(flat, VISIT, unasked)
    assert "new.raiser_email" in errors
    page_html = page("amend_visit.html", values={**PAGES["amend_visit.html"]["values"],
                                                 "new.raiser_email": "ba.lan@example.vn"},
                     errors={"new.raiser_email": "Chỉ lưu khi người nêu đồng ý"})
    assert 'name="new.raiser_email"' in page_html and 'name="new.raiser_consent"' in page_html
    assert "Chỉ lưu khi người nêu đồng ý" in page_html


def _paths(messages, prefix=()):
    for key, value in messages.items():
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))
        else:
            yield (*prefix, key)


@pytest.mark.parametrize("extra", [{"bogus": "1"}, {"withdraw.K1!": "x"},
                                   {"withdraw.k1": "x" * 2001}])
def test_the_amendment_form_takes_only_its_own_fields(extra):
    with pytest.raises(ValidationError):
        AmendVisitForm().load({**FORM, **extra})


def test_the_amendment_page_says_why_it_was_refused_above_the_form_and_beside_each_field():
    html = page("amend_visit.html")
    assert re.search(r'id="amend-refused"[^>]*role="alert"[^>]*>Đã quá hạn sửa<', html)
    assert 'id="new.topic" name="new.topic" aria-invalid="true"' in html
    assert '<p class="field-error" id="withdraw.k1-error">Dài quá</p>' in html
    assert 'name="withdraw.k2"' not in html  # withdrawn already: nothing to withdraw
    assert '<option value="4" selected>4</option>' in html  # the marks as they stand


def test_the_visit_form_chooses_no_topic_and_knows_the_meetings_logged():
    html = page("visit_form.html")
    assert re.search(r'<select data-name="topic"><option value="">— Chọn —</option>', html)
    assert 'data-logged=\'[{"meeting_date": "2026-11-20", "unit_id": "u1"' in html
    assert 'id="same-meeting"' in html and 'id="new-visit"' in html


def test_the_brief_reads_on_a_phone_and_on_paper():
    html = page("cadre_brief.html")
    assert html.count('<table class="stack">') == 4
    assert 'data-label="Hạn" class="deadline"' in html
    assert 'class="answer" data-label="Trả lời"' in html
    css = render.static_file("app.css")[0].decode()
    assert "@media print" in css and "table.stack td[data-label]::before" in css


def test_the_service_worker_is_served_from_the_pages_folder_of_scripts():
    worker = render.SERVICE_WORKER.read_text()
    assert '"/app/visits/new"' in worker and "caches.delete(PAGES)" in worker
    assert "sw.js" not in render.STATIC_FILES  # only at /app/sw.js, whose scope is /app/


def test_only_the_author_is_offered_to_amend_a_visit():
    mine = page("cadre_visits.html")
    assert 'href="/app/visits/v1/amend"' in mine
    visits = [{**PAGES["cadre_visits.html"]["visits"][0], "cadre_id": "le-van-cuong"}]
    assert "/amend" not in page("cadre_visits.html", visits=visits)  # a working group's
