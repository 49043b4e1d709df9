"""The reminder of a planned branch meeting (``attendance_reminder_issued``, issue 28): one mail
to each cadre planned to attend, naming the branch and the day only, with a link to the
meeting on their planned meetings' page (``/app/meetings``, behind sign-in), where they log it.
A cadre the directory has not learnt yet is a retry (``directory.NotYetKnown``), like every
other mail."""
from urllib.parse import urlencode

from services.notifications import store
from services.notifications.directory import NotYetKnown
from services.notifications.messages import Message, Recipient, vn_date
from shared.words import say


def attendee(db, cadre_id):
    found = store.find_cadre(db, cadre_id)
    if found is None or "name" not in found:
        raise NotYetKnown(f"cadre {cadre_id} not yet known here")
    return Recipient("cadre", found["_id"], found["name"], found.get("email"))


def meeting_link(pages_url, unit_id, meeting_on):
    """The meeting on the cadre's page (None without ``PAGES_URL``: a mail without a link)."""
    if not pages_url:
        return None
    query = urlencode({"unit_id": unit_id, "meeting_on": str(meeting_on)})
    return f"{pages_url.rstrip('/')}/app/meetings?{query}"


def meeting_reminder(recipient, unit_name, meeting_on, link=None):
    day = vn_date(meeting_on)
    lines = [say("mail.dear_comrade", name=recipient.name), "",
             say("mail.meeting_reminder", branch=unit_name, day=day)]
    if link:
        lines += ["", say("mail.meeting_link", link=link)]
    return Message(recipient=recipient,
                   subject=say("mail.subject", lead=say("mail.meeting_reminder_subject",
                                                        day=day), summary=unit_name),
                   body="\n".join([*lines, "", say("mail.footer")]) + "\n")


def reminders(db, event, pages_url=None):
    """``[(None, Message)]``: a meeting is no case."""
    payload = event.payload
    link = meeting_link(pages_url, payload["unit_id"], payload["meeting_on"])
    return [(None, meeting_reminder(attendee(db, cadre_id), payload["unit_name"],
                                    payload["meeting_on"], link))
            for cadre_id in payload["cadre_ids"]]
