"""The notifications service in a nameko container on the real RabbitMQ, mailing through a real
SMTP conversation with the developers' mail catcher (tooling/mailcatcher.py, its own process on
a free port): one event, one mail; a redelivered event, still one; a mail server away for a
while delays the mail, loses none and sends none twice."""
import datetime as dt

import pytest
from kombu import Connection
from nameko.standalone.rpc import ServiceRpcProxy

from services.notifications.service import NotificationsService
from shared import contracts, topology
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.interface.helpers import concern_raised, drain, publish, wait_for
from tests.mail import MailCatcher

NOI_PHAT = "vp.bx.tam-hop.noi-phat"
UBND_TAM_HOP = "ubnd-xa-tam-hop"
ADDRESS = "ubnd-xa-tam-hop@vinhphuc.example"


def listed(notifications, case_id):
    """The notifications about a case (one page holds them all here)."""
    return notifications.list_notifications({"case_id": case_id})["notifications"]


@pytest.fixture
def catcher(tmp_path):
    running = MailCatcher(tmp_path / "mail")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def mail_config(config, catcher):
    return {**config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": catcher.port,
            "MAIL_RETRY_DELAYS": [0.2, 0.4], "MAIL_POLL_SECONDS": 0.05}


@pytest.fixture
def notifications(container_factory, mail_config):
    container_factory(NotificationsService, mail_config).start()
    with ServiceRpcProxy("notifications", mail_config, timeout=15) as proxy:
        yield proxy


def register_authority(config, authority_id=UBND_TAM_HOP, email=ADDRESS):
    publish(config, contracts.AUTHORITY_REGISTERED.new({
        "authority_id": authority_id, "name": "UBND xã Tam Hợp", "kind": "peoples_committee",
        "level": "grassroots", "unit_id": "vp.bx.tam-hop", "parent_authority_id": None,
        "email": email}))


def raise_concern(config, summary="Đường thôn Nội Phật xuống cấp", **fields):
    """The registry and the concern as the notifications service hears of them; the concern."""
    publish(config, contracts.UNIT_REGISTERED.new({
        "unit_id": NOI_PHAT, "name": "Chi bộ thôn Nội Phật, xã Tam Hợp", "level": "branch",
        "parent_id": "vp.bx.tam-hop", "path": ["vp", "vp.bx", "vp.bx.tam-hop", NOI_PHAT]}))
    concern = concern_raised(summary=summary, **fields)
    publish(config, concern)
    return concern["payload"]


def register_binh(config):
    publish(config, contracts.CADRE_REGISTERED.new({
        "cadre_id": "tran-thi-binh", "full_name": "Trần Thị Bình", "home_unit_id": "vp.bx",
        "positions": ["district_committee_member"], "email": "tran-thi-binh@vinhphuc.example"}))


def answer(config, concern, case_id, text):
    publish(config, contracts.CASE_ANSWERED.new({
        "case_id": case_id, "concern_id": concern["concern_id"], "authority_id": UBND_TAM_HOP,
        "answer": text, "answered_at": dt.datetime(2026, 12, 1, 3, tzinfo=dt.timezone.utc)}))


def case_routed(concern, authority_id=UBND_TAM_HOP):
    return contracts.CASE_ROUTED.new({
        "case_id": contracts.new_id(), "concern_id": concern["concern_id"],
        "authority_id": authority_id, "rule_id": "infra-tam-hop",
        "acknowledge_by": dt.date(2026, 12, 2)})


def test_a_routed_case_arrives_as_one_mail_to_the_authority(notifications, mail_config,
                                                           catcher):
    register_authority(mail_config)
    event = case_routed(raise_concern(mail_config))
    publish(mail_config, event)

    [mail] = wait_for(catcher.mail, timeout=20, what="the mail in the catcher")
    assert mail["X-RcptTo"] == ADDRESS
    assert mail["To"] == f"UBND xã Tam Hợp <{ADDRESS}>"
    assert mail["Subject"] == ("[Sâu Sát] Ý kiến mới cần tiếp nhận trước 02/12/2026: "
                               "Đường thôn Nội Phật xuống cấp")
    assert "Chi bộ thôn Nội Phật, xã Tam Hợp" in mail.get_body(("plain",)).get_content()

    case_id = event["payload"]["case_id"]
    [sent] = wait_for(lambda: [n for n in listed(notifications, case_id)
                               if n["state"] == "sent"], what="the notification marked sent")
    assert mail["Message-ID"] == sent["message_id"] == \
        f"<{sent['notification_id']}@sausat.localhost>"
    assert (sent["recipient_id"], sent["attempts"], sent["smtp_reply"]) == \
        (UBND_TAM_HOP, 1, "250 OK")

    told = []
    wait_for(lambda: told.extend(body for body, _ in drain(mail_config, "monitor.audit")
                                 if body["event_type"] == "notification_sent") or told,
             what="notification_sent")
    assert told[0]["payload"]["notification_id"] == sent["notification_id"]
    assert told[0]["payload"]["cause_event_id"] == event["event_id"]


def test_an_administrator_listing_mail_is_recorded_as_a_read_of_its_recipients(
        notifications, mail_config):
    register_authority(mail_config)
    event = case_routed(raise_concern(mail_config))
    publish(mail_config, event)
    case_id = event["payload"]["case_id"]
    [mail] = wait_for(lambda: listed(notifications, case_id), what="the notification")
    admin = {"user_id": "u-admin", "role": "administrator"}
    with pytest.raises(Forbidden):  # addresses are not the operators'
        notifications.list_notifications({}, {"user_id": "u-op", "role": "operator"})
    notifications.list_notifications({"case_id": "no-such-case"}, admin)  # nothing shown
    assert notifications.list_notifications({"case_id": case_id}, admin)["notifications"]

    reads = []
    wait_for(lambda: reads.extend(body for body, _ in drain(mail_config, "monitor.audit")
                                  if body["event_type"] == "personal_data_read") or reads,
             what="personal_data_read")
    [read] = reads
    assert (read["source"], read["actor"]) == ("notifications", "u-admin")
    assert read["payload"]["purpose"] == "notifications.list_notifications"
    assert read["payload"]["records"] == [{"kind": "notification",
                                           "id": mail["notification_id"]}]


def test_the_same_event_delivered_twice_is_still_one_mail(notifications, mail_config, catcher):
    register_authority(mail_config)
    event = case_routed(raise_concern(mail_config))
    publish(mail_config, event)
    publish(mail_config, event)  # a redelivery: same event id
    # a later event on the same queue: once its mail is out, the redelivery was handled before
    later = case_routed(raise_concern(mail_config, summary="Đèn đường hỏng"))
    publish(mail_config, later)

    mails = wait_for(lambda: [m for m in catcher.mail() if "Đèn đường hỏng" in m["Subject"]]
                     and catcher.mail(), timeout=20, what="the later mail")
    assert len(mails) == 2
    first = [m for m in mails if "Đường thôn" in m["Subject"]]
    assert len(first) == 1
    assert len(listed(notifications, event["payload"]["case_id"])) == 1


def test_a_mail_server_away_delays_the_mail_then_sends_it_once(notifications, mail_config,
                                                               catcher):
    register_authority(mail_config)
    concern = raise_concern(mail_config)
    catcher.stop()
    event = case_routed(concern)
    publish(mail_config, event)
    case_id = event["payload"]["case_id"]

    # stored at once, then failing attempts with backoff while the server is away
    def retried():
        found = listed(notifications, case_id)
        return found and found[0]["attempts"] >= 3 and found[0]
    waiting = wait_for(retried, timeout=20, what="three failed attempts")
    assert waiting["state"] in ("pending", "sending")
    assert "ConnectionRefusedError" in waiting["last_error"]
    assert catcher.mail() == []

    catcher.start()
    [mail] = wait_for(catcher.mail, timeout=20, what="the mail once the catcher is back")
    assert mail["X-RcptTo"] == ADDRESS
    [sent] = wait_for(lambda: [n for n in listed(notifications, case_id)
                               if n["state"] == "sent"], what="the notification marked sent")
    assert sent["last_error"] is None and sent["attempts"] >= 4
    # a later mail gets out too, and the first was not sent again meanwhile
    publish(mail_config, case_routed(raise_concern(mail_config, summary="Đèn đường hỏng")))
    mails = wait_for(lambda: len(catcher.mail()) >= 2 and catcher.mail(), what="a later mail")
    assert len(mails) == 2


def test_an_authority_without_address_is_listed_as_not_mailed(notifications, mail_config,
                                                               catcher):
    register_authority(mail_config, email=None)
    event = case_routed(raise_concern(mail_config))
    publish(mail_config, event)
    [one] = wait_for(lambda: listed(notifications, event["payload"]["case_id"]),
                     what="the notification")
    assert (one["state"], one["email"]) == ("no_address", None)
    # and a case for an authority with an address still goes out after it
    register_authority(mail_config, authority_id="ubnd-other")
    publish(mail_config, case_routed(raise_concern(mail_config), authority_id="ubnd-other"))
    [mail] = wait_for(catcher.mail, timeout=20, what="the other authority's mail")
    assert mail["X-RcptTo"] == ADDRESS


OPERATOR = {"user_id": "u-operator", "role": "operator"}


def test_only_a_failed_or_rejected_mail_is_retried_and_only_by_operators(notifications,
                                                                        mail_config):
    register_authority(mail_config, email=None)
    event = case_routed(raise_concern(mail_config))
    publish(mail_config, event)
    [one] = wait_for(lambda: listed(notifications, event["payload"]["case_id"]),
                     what="the notification")
    retry = notifications.retry_notification
    with pytest.raises(Conflict) as refused:
        retry(one["notification_id"], {"reason": "thử lại"}, OPERATOR)
    assert refused.value.fields == {"state": ["no_address"]}
    with pytest.raises(NotFound):
        retry("no-such-notification", {"reason": "thử lại"}, OPERATOR)
    with pytest.raises(Forbidden):
        retry(one["notification_id"], {"reason": "thử lại"},
              {"user_id": "u-cadre", "role": "cadre", "cadre_id": "tran-thi-binh"})
    with pytest.raises(InvalidInput) as refused:
        retry(one["notification_id"], {}, OPERATOR)
    assert "reason" in refused.value.fields
    assert listed(notifications, event["payload"]["case_id"])[0]["retries"] == []


def waiting_in(config, queue_name):
    with Connection(config["AMQP_URI"]) as connection:
        return connection.default_channel.queue_declare(queue_name, passive=True).message_count


def test_a_case_event_that_overtakes_its_authority_is_retried_until_it_is_known(
        container_factory, mail_config, catcher):
    config = {**mail_config, "EVENT_RETRY_DELAYS": [2, 2, 2]}
    container_factory(NotificationsService, config).start()
    publish(config, case_routed(raise_concern(config)))  # before authority_registered
    wait_for(lambda: waiting_in(config, "notifications.learn_then_tell.retry-2000ms"),
             what="the case event waiting for its retry")
    assert catcher.mail() == []
    register_authority(config)
    [mail] = wait_for(catcher.mail, timeout=20, what="the mail after the retry")
    assert mail["X-RcptTo"] == ADDRESS
    assert drain(config, "notifications.learn_then_tell.dead") == []


def test_a_query_that_is_not_valid_names_the_field(notifications):
    with pytest.raises(InvalidInput) as caught:
        notifications.list_notifications({"state": "lost", "limit": 0})
    assert set(caught.value.fields) == {"state", "limit"}


def test_an_answer_is_mailed_to_the_cadre_who_carried_the_concern(notifications, mail_config,
                                                                 catcher):
    register_authority(mail_config)
    register_binh(mail_config)
    # the concern names its carrier (issue 27): no visit_logged reaches this service
    concern = raise_concern(mail_config, cadre_id="tran-thi-binh")
    answer(mail_config, concern, "k-answered", "Xã đã bố trí vốn, thi công trong quý I/2027.")

    [mail] = wait_for(catcher.mail, timeout=20, what="the answer's mail")
    assert mail["X-RcptTo"] == "tran-thi-binh@vinhphuc.example"
    assert mail["Subject"] == "[Sâu Sát] Đã có trả lời ý kiến: Đường thôn Nội Phật xuống cấp"
    body = mail.get_body(("plain",)).get_content()
    assert body.startswith("Kính gửi đồng chí Trần Thị Bình,")
    assert "Xã đã bố trí vốn, thi công trong quý I/2027." in body


def test_an_escalation_tells_the_authority_one_level_up_and_past_the_top_nobody(
        notifications, mail_config, catcher):
    register_authority(mail_config)
    register_authority(mail_config, authority_id="ubnd-huyen-bx",
                       email="ubnd-huyen-binh-xuyen@vinhphuc.example")
    concern = raise_concern(mail_config)
    escalated = {"case_id": "k-late", "concern_id": concern["concern_id"],
                 "from_authority_id": UBND_TAM_HOP, "standing_committee_flagged": False,
                 "reason": "quá hạn tiếp nhận 02/12/2026"}
    publish(mail_config, contracts.CASE_ESCALATED.new({**escalated, "authority_id": None,
                                                       "standing_committee_flagged": True}))
    publish(mail_config, contracts.CASE_ESCALATED.new({**escalated,
                                                       "authority_id": "ubnd-huyen-bx"}))
    [mail] = wait_for(catcher.mail, timeout=20, what="the escalation's mail")
    assert mail["X-RcptTo"] == "ubnd-huyen-binh-xuyen@vinhphuc.example"
    assert mail["Subject"].startswith("[Sâu Sát] Ý kiến quá hạn được chuyển lên đơn vị")
    assert "Chuyển lên từ: UBND xã Tam Hợp" in mail.get_body(("plain",)).get_content()
    assert len(listed(notifications, "k-late")) == 1


def test_health_counts_the_mail_waiting_for_the_server(notifications, mail_config, catcher):
    assert notifications.health() == {"service": "notifications", "status": "ok",
                                      "outbox_pending": 0, "mail_waiting": 0}
    catcher.stop()
    register_authority(mail_config)
    publish(mail_config, case_routed(raise_concern(mail_config)))
    wait_for(lambda: notifications.health()["mail_waiting"] == 1, what="one mail waiting")


def test_a_reminder_in_time_is_mailed_and_one_made_after_the_deadline_is_not(
        notifications, mail_config, catcher):
    register_authority(mail_config)
    concern = raise_concern(mail_config)
    near = {"concern_id": concern["concern_id"], "authority_id": UBND_TAM_HOP,
            "deadline": "answer", "due_on": dt.date(2026, 12, 16)}
    publish(mail_config, contracts.CASE_DEADLINE_NEAR.new(
        {**near, "case_id": "k-late-reminder"},
        occurred_at=dt.datetime(2026, 12, 17, 1, 0, tzinfo=dt.timezone.utc)))
    publish(mail_config, contracts.CASE_DEADLINE_NEAR.new(
        {**near, "case_id": "k-reminder"},
        occurred_at=dt.datetime(2026, 12, 15, 1, 0, tzinfo=dt.timezone.utc)))
    [mail] = wait_for(catcher.mail, timeout=20, what="the reminder")
    assert mail["Subject"].startswith("[Sâu Sát] Sắp đến hạn trả lời (16/12/2026)")
    assert mail["X-Sausat-Case"] == "k-reminder"
    assert listed(notifications, "k-late-reminder") == []


def test_an_installed_systems_visit_logged_binding_goes_and_what_it_left_is_still_learned(
        container_factory, mail_config, catcher, rabbit_manager):
    # the directory queue as a release before issue 27 declared it, bound to visit_logged
    directory = topology.subscription("notifications", "directory")
    with Connection(mail_config["AMQP_URI"]) as connection:
        topology.EVENTS_EXCHANGE(connection.default_channel).declare()
        topology.consumer_queue(directory)(connection.default_channel).declare()
        for event in directory.retired:  # visit_logged among them
            connection.default_channel.queue_bind(directory.queue_name,
                                                   topology.EVENTS_EXCHANGE.name,
                                                   event.routing_key)
    # ... holding a concern from before (no carrier in it) and its visit, not yet consumed
    register_authority(mail_config)
    register_binh(mail_config)
    concern = raise_concern(mail_config)
    publish(mail_config, contracts.VISIT_LOGGED.new({
        "visit_id": concern["visit_id"], "unit_id": NOI_PHAT, "cadre_id": "tran-thi-binh",
        "meeting_date": dt.date(2026, 11, 20), "meeting_kind": "regular",
        "concern_ids": [concern["concern_id"]]}))

    container_factory(NotificationsService, mail_config).start()  # the deploy step first
    bound = {b["routing_key"] for b in rabbit_manager.get_queue_bindings(
        mail_config["vhost"], directory.queue_name)}
    assert contracts.VISIT_LOGGED.routing_key not in bound
    # (and, since, every other event: the concern goes to the one queue of learn_then_tell)
    assert contracts.CONCERN_RAISED.routing_key not in bound

    answer(mail_config, concern, "k-before", "Đã sửa xong.")
    [mail] = wait_for(catcher.mail, timeout=20, what="the answer's mail")
    assert mail["X-RcptTo"] == "tran-thi-binh@vinhphuc.example"
    assert drain(mail_config, "notifications.directory.dead") == []


def test_an_installed_systems_two_queues_lose_their_bindings_and_what_they_held_is_mailed(
        container_factory, mail_config, catcher, rabbit_manager):
    # the directory and case-events queues as a release before this one declared them, each
    # holding what it had not consumed yet: the concern in one, its case_routed in the other
    old = [topology.subscription("notifications", name) for name in ("directory", "case_events")]
    with Connection(mail_config["AMQP_URI"]) as connection:
        channel = connection.default_channel
        topology.EVENTS_EXCHANGE(channel).declare()
        for sub in old:
            topology.consumer_queue(sub)(channel).declare()
            for event in sub.retired:
                channel.queue_bind(sub.queue_name, topology.EVENTS_EXCHANGE.name,
                                   event.routing_key)
    register_authority(mail_config)
    before = case_routed(raise_concern(mail_config))
    publish(mail_config, before)
    assert [waiting_in(mail_config, sub.queue_name) for sub in old] == [3, 1]

    container_factory(NotificationsService, mail_config).start()  # the deploy step first
    for sub in old:
        assert rabbit_manager.get_queue_bindings(mail_config["vhost"], sub.queue_name) == [
            b for b in rabbit_manager.get_queue_bindings(mail_config["vhost"], sub.queue_name)
            if b["source"] == ""]  # the default exchange's only
    [mail] = wait_for(catcher.mail, timeout=20, what="the mail of the case left waiting")
    assert mail["X-Sausat-Case"] == before["payload"]["case_id"]

    # what comes after goes to the one queue, and is mailed from there
    after = case_routed(raise_concern(mail_config, summary="Cống thôn Nội Phật bị tắc"))
    publish(mail_config, after)
    mails = wait_for(lambda: len(catcher.mail()) == 2 and catcher.mail(), timeout=20,
                     what="the mail of the case routed after the upgrade")
    assert mails[1]["X-Sausat-Case"] == after["payload"]["case_id"]
    assert [waiting_in(mail_config, sub.queue_name) for sub in old] == [0, 0]
    for name in ("notifications.directory", "notifications.case_events",
                 "notifications.learn_then_tell"):
        assert drain(mail_config, f"{name}.dead") == []
