"""The visit form's file fields, without a browser (issue 31, the phone side): the server's
limits as configured are rendered into the form and said beside its fields, in both languages;
the phone's budget is never below one file the server takes; a photo's thumbnail shows in its
download link on the pages. The browser's part is tests/integration/test_attachments_path.py."""
import json
import re

from services.gateway.pages import attach_form, render
from services.gateway.settings import settings
from tests.unit.page_samples import PAGES, USERS

LIMITS = {"ATTACHMENT_MAX_BYTES": 2_500_000, "ATTACHMENTS_PER_ITEM": 3,
          "ATTACHMENTS_PER_VISIT": 7}


def visit_form(language, config=LIMITS):
    context = {**PAGES["visit_form.html"],
               **attach_form.form_context(attach_form.form_limits(config), language)}
    return render.render("visit_form.html", language, user=USERS["cadre"], csrf="t", menu=(),
                         here="/app", **context)


def test_the_gateway_reads_the_limits_the_visits_service_checks_from_the_one_config():
    config = settings({"DEPLOYMENT_MODE": "development", "ATTACHMENT_MAX_BYTES": "3000000",
                       "AMQP_URI": "amqp://guest:guest@localhost:5672/"})
    assert attach_form.form_limits(config) == {
        "max_bytes": 3_000_000, "per_item": 5, "per_visit": 20, "budget_bytes": 20_000_000,
        "photo_side": 1600, "photo_quality": 0.8}


def test_the_budget_on_the_phone_holds_at_least_one_file_as_large_as_the_server_takes(
        monkeypatch):
    largest = {**LIMITS, "ATTACHMENT_MAX_BYTES": 10_000_000}
    assert attach_form.form_limits(largest)["budget_bytes"] == 20_000_000
    monkeypatch.setattr(attach_form, "OUTBOX_FILES_BUDGET", 5_000_000)
    assert attach_form.form_limits(largest)["budget_bytes"] == 10_000_000
    assert attach_form.form_limits(LIMITS)["budget_bytes"] == 5_000_000


def test_the_form_is_told_the_limits_and_says_them_beside_its_fields_in_vietnamese():
    html = visit_form("vi")
    limits = json.loads(re.search(r"data-attach-limits='([^']*)'", html).group(1))
    assert limits["max_bytes"] == 2_500_000 and limits["per_item"] == 3
    assert limits["per_visit"] == 7 and limits["photo_side"] == 1600
    words = json.loads(re.search(r"data-attach-words='([^']*)'", html).group(1)
                       .replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&"))
    hint = re.search(r'<p class="hint" id="attach-hint">([^<]*)</p>', html).group(1)
    assert "tối đa 2,5 MB" in hint and "tối đa 3 tệp" in hint and "tối đa 7 tệp" in hint
    assert "1600 px" in hint and "tối đa 20 MB tệp chờ gửi" in hint
    # the script fills in each file's name and size; the limits are written in already
    assert words["attach_too_large"] == "{name} ({size}) lớn quá 2,5 MB: không giữ, không " \
                                        "gửi tệp này."
    assert "{used}" in words["files_over_budget"] and "20 MB" in words["files_over_budget"]


def test_the_minutes_and_every_concern_take_photos_from_the_camera_and_documents():
    html = visit_form("en")
    minutes = re.search(r'<input type="file" multiple accept="([^"]*)" data-attach-input '
                        r'id="attachments" aria-describedby="attachments-error">', html)
    assert minutes and "application/pdf" in minutes.group(1) and ".docx" in minutes.group(1)
    start = html.index('<template id="concern-template">')
    template = html[start:html.index("</template>", start)]
    assert template.count('type="file"') == 2  # the files, and the camera
    assert 'accept="image/*" capture="environment"' in template
    assert 'id="attachments-error"' in html and "at most 2.5 MB" in html


def test_a_photo_shows_its_thumbnail_in_its_download_link_and_a_document_does_not():
    photo = {"attachment_id": "a1", "filename": "duong-ngap.jpg", "kind": "photo",
             "size": 120_000}
    minutes = {"attachment_id": "a2", "filename": "bien-ban.pdf", "kind": "pdf", "size": 48_000}
    html = render.render("_attachments.html", "vi", attachments=[photo, minutes],
                         link="/app/concerns/k1/attachments/")
    assert re.search(r'<a href="/app/concerns/k1/attachments/a1" download><img class="thumbnail" '
                     r'src="/app/concerns/k1/attachments/a1/thumbnail" alt="" loading="lazy"> '
                     r'duong-ngap.jpg</a>', html)
    assert html.count("<img") == 1
