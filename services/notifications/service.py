"""Notifications service: tells authorities and cadres about their cases by e-mail.

It learns names and addresses from registry events (``directory``), turns each case event into
mail (``cases``, worded by ``messages``), stores each notification once (``reactions``,
``outgoing``) and sends it from a loop of its own (``dependencies.MailSender``), which emits
``notification_sent``. Operators list what was sent to whom with ``list_notifications``
(``queries``) and send a failed or rejected one again with ``retry_notification``. Only
``store`` touches the collections.
"""
from services.notifications import data_subjects, outgoing, queries, reactions, retention, store
from services.notifications import metrics as mail_metrics
from services.notifications.dependencies import MailSender
from shared.authorisation import actor_of, principal_from, require
from shared.consumer import subscribe
from shared.contracts.rpc import notifications as schemas
from shared.errors import load_payload
from shared.gauges import Gauges
from shared.rpc import BoundedRpcProxy, rpc
from shared.store import ReportsHealth, Store


class NotificationsService(ReportsHealth):
    name = "notifications"
    db = Store(outbox_collections=store.OUTBOX_COLLECTIONS, indexes=store.INDEXES,
               sweeps=retention.SWEEPS)
    mail = MailSender()
    # where a raiser asked to be told of the answer (visits keeps the address, issue 30)
    visits = BoundedRpcProxy("visits")
    # mail by state, for Prometheus (refreshed in the background)
    mail_gauges = Gauges(mail_metrics.mail_figures, mail_metrics.GAUGES)

    @subscribe("learn_then_tell")
    def learn_or_tell(self, event):
        reactions.learn_or_tell(self.db, self.mail, event)

    # the two queues before issue 27's, drained of what an installed system left in them
    @subscribe("directory")
    def learn(self, event):
        reactions.learn(self.db, event)

    @subscribe("case_events")
    def tell(self, event):
        reactions.tell(self.db, self.mail, event)

    @subscribe("raiser_answers")
    def tell_raiser(self, event):
        reactions.tell_raiser(self.db, self.mail, event, self.visits)

    @subscribe("meeting_reminders")
    def remind_of_meeting(self, event):
        reactions.remind_of_meeting(self.db, self.mail, event)

    @subscribe("concern_redacted")
    def redact_concern(self, event):
        reactions.redact_concern(self.db, event)

    @subscribe("data_subject_requests")
    def answer_data_subject_request(self, event):
        """A request naming a user or a cadre: their address and the mails sent to them."""
        data_subjects.answer_request(self.db, event.payload)

    @rpc
    def health(self):
        report = ReportsHealth.health(self)
        # for operators: mail the server has not accepted yet
        report["mail_waiting"] = queries.mail_waiting(self.db)
        return report

    @rpc
    def list_notifications(self, query=None, principal=None):
        principal = require(principal_from(principal), "notifications.read")
        query = load_payload(schemas.NotificationsQuery(), query or {}, "notifications query")
        page = queries.list_notifications(self.db, query, principal)
        return {"notifications": schemas.Notification(many=True).dump(page["notifications"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def retry_notification(self, notification_id, request, principal=None):
        """A failed or rejected notification, due again now; the retry recorded."""
        principal = require(principal_from(principal), "notifications.retry")
        path = load_payload(schemas.NotificationPath(), {"notification_id": notification_id},
                            "notification")
        request = load_payload(schemas.RetryNotification(), request, "retry")
        retried = outgoing.retry(self.db, path["notification_id"], request["reason"],
                                 actor_of(principal))
        return schemas.Notification().dump(retried)
