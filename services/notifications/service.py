"""Notifications service: tells authorities and cadres about their cases by e-mail.

It learns names and addresses from registry events (``directory``), turns each case event into
mail (``cases``, worded by ``messages``), stores each notification once and sends it from a
loop of its own (``outgoing``), which emits ``notification_sent``. Operators list what was
sent to whom with ``list_notifications``.
"""
from logging import getLogger

from services.notifications import cases, directory
from services.notifications.outgoing import INDEXES, NOTIFICATIONS_ORDER, MailSender
from shared.consumer import subscribe
from shared.contracts.rpc import notifications as schemas
from shared.errors import load_payload
from shared.pages import read_page
from shared.rpc import rpc
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)


class NotificationsService(ReportsHealth):
    name = "notifications"
    db = Store(outbox_collections=["notifications"], indexes=INDEXES)
    mail = MailSender()

    @subscribe("directory")
    def learn(self, event):
        directory.learn(self.db, event)

    @subscribe("case_events")
    def tell(self, event):
        for case_id, message in cases.TELLINGS[event.event_type](self.db, event):
            self.mail.enqueue(event, message, case_id)

    @rpc
    def health(self):
        report = ReportsHealth.health(self)
        # mail stored but not yet accepted by the mail server (it may be away): for operators
        report["mail_waiting"] = sum(self.db.notifications.count_documents({"state": state})
                                     for state in ("pending", "sending"))
        return report

    @rpc
    def list_notifications(self, query=None):
        query = load_payload(schemas.NotificationsQuery(), query or {}, "notifications query")
        criteria = {key: query[key] for key in ("case_id", "recipient_id", "state")
                    if query[key] is not None}
        page = read_page(self.db.notifications, criteria, NOTIFICATIONS_ORDER, query,
                         {"body": 0, "outbox": 0})
        return {"notifications": schemas.Notification(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}
