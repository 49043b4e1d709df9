"""The reminder of a planned branch meeting (issue 28) under the test clock: nothing before the
lead time (``MEETING_REMINDER_HOURS``), then one mail to the cadre planned, through the
notifications service and a real SMTP conversation with the mail catcher, and no second one
however many times the look for reminders runs again."""
import datetime as dt
import time

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.notifications.service import NotificationsService
from shared.clock import VIETNAM
from tests.interface.helpers import wait_for
from tests.interface.test_meeting_plans import ADMIN, CADRES, TREE
from tests.interface.test_notifications import catcher  # noqa: F401 (the fixture)

ADDRESS = "binh@tinhuy.vinhphuc.example.vn"


@pytest.fixture
def meeting_config(config, catcher, tmp_path):  # noqa: F811
    return {**config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": catcher.port,
            "MAIL_RETRY_DELAYS": [0.2, 0.4], "MAIL_POLL_SECONDS": 0.05,
            "TEST_CLOCK_FILE": str(tmp_path / "clock-offset"),
            "MEETING_REMINDER_HOURS": 48, "MEETING_REMINDER_SWEEP_SECONDS": 0.1}


def move_clock_to(config, moment):
    offset = (moment - dt.datetime.now(dt.timezone.utc)).total_seconds()
    with open(config["TEST_CLOCK_FILE"], "w") as clock:
        clock.write(str(offset))


def test_the_planned_cadre_is_mailed_once_at_the_lead_time(container_factory, meeting_config,
                                                          catcher):  # noqa: F811
    container_factory(NotificationsService, meeting_config).start()
    container_factory(AssignmentsService, meeting_config).start()
    with ServiceRpcProxy("assignments", meeting_config, timeout=15) as registry:
        for unit in TREE:
            registry.register_unit(unit)
        registry.register_cadre({**CADRES[0], "email": ADDRESS})
        registry.assign_cadre({"cadre_id": "binh", "unit_id": "np", "starts_on": "2026-01-01"})
        # the branch's meeting two months from now, whatever day the test runs
        month = (dt.date.today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")
        [day] = [m["day"] for m in registry.meeting_dates("np", month, principal=ADMIN)[
            "meetings"]]
        registry.plan_attendance({"committee_unit_id": "bx", "unit_id": "np",
                                  "meeting_on": day, "cadre_id": "binh"}, principal=ADMIN)
        starts = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0), VIETNAM)
        move_clock_to(meeting_config, starts - dt.timedelta(hours=49))
        time.sleep(1.0)   # ten looks for reminders: none due an hour before the lead time
        assert catcher.mail() == []
        move_clock_to(meeting_config, starts - dt.timedelta(hours=47))
        [mail] = wait_for(catcher.mail, timeout=20, what="the reminder in the catcher")
        assert mail["X-RcptTo"] == ADDRESS
        shown = dt.date.fromisoformat(day).strftime("%d/%m/%Y")
        assert mail["Subject"] == (f"[Sâu Sát] Nhắc lịch dự sinh hoạt ngày {shown}: "
                                   "Chi bộ thôn Nội Phật")
        assert "Trần Thị Bình" in mail.get_body(("plain",)).get_content()
        time.sleep(1.0)   # the look runs again and again: still one mail
        assert len(catcher.mail()) == 1
        [entry] = registry.cadre_plan("binh", month, principal=ADMIN)["meetings"]
        assert entry["reminded"] is True
