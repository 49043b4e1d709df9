"""The pages' words in Vietnamese (first) and English, and Vietnamese dates.

Every text a page shows comes from :data:`TEXTS` (by key) or :data:`LABELS` (a value of the
domain: a topic, a case status, an action), so a missing translation is a KeyError in the tests,
not an English word on a Vietnamese page. Errors from the services are translated by
:func:`translate_error`: marshmallow's and the services' usual messages have Vietnamese
wordings; anything else is shown as the service wrote it. Example::

    text("sign_in", "vi")                        # "Đăng nhập"
    label("topic", "land", "vi")                 # "Đất đai"
    long_date(dt.date(2026, 11, 27), "vi")       # "Thứ Sáu, 27/11/2026"
    translate_error("Missing data for required field.", "vi")   # "Bắt buộc nhập."
"""
import datetime as dt
import re

# meetings happen in Vietnam: times are shown in its time
from shared.clock import VIETNAM

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

TEXTS = {
    # frame
    "app_name": ("Sâu Sát", "Sâu Sát"),
    "tagline": ("Sâu sát, kịp thời ngay từ cơ sở", "Close to the grassroots, and on time"),
    "skip_to_content": ("Chuyển đến nội dung chính", "Skip to main content"),
    "language": ("Ngôn ngữ", "Language"),
    "signed_in_as": ("Đang đăng nhập", "Signed in as"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "sign_in_failed": ("Tên đăng nhập hoặc mật khẩu không đúng.",
                       "Wrong username or password."),
    "too_many_attempts": ("Quá nhiều lần thử. Vui lòng đợi {seconds} giây rồi thử lại.",
                          "Too many attempts. Please wait {seconds} seconds and try again."),
    "session_expired": ("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
                        "Your session has ended. Please sign in again."),
    "csrf_failed": ("Biểu mẫu đã cũ hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
                    "The form was stale or not valid. Please reload the page and try again."),
    "forbidden": ("Vai trò của bạn không được xem trang này.",
                  "Your role may not see this page."),
    "not_found": ("Không tìm thấy (hoặc bạn không được xem).",
                  "Not found (or not yours to see)."),
    "unavailable": ("Hệ thống đang bận hoặc mất kết nối. Chưa có gì thay đổi; vui lòng thử lại.",
                    "The system is busy or unreachable. Nothing was changed; please retry."),
    "error": ("Lỗi", "Error"),
    "back": ("Quay lại", "Back"),
    "none_yet": ("Chưa có.", "None yet."),
    "more": ("Xem thêm", "More"),
    "save": ("Lưu", "Save"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "date": ("Ngày", "Date"),
    "status": ("Trạng thái", "Status"),
    "topic": ("Lĩnh vực", "Topic"),
    "unit": ("Đơn vị", "Unit"),
    "name": ("Tên", "Name"),
    "level": ("Cấp", "Level"),
    "kind": ("Loại", "Kind"),
    "email": ("Thư điện tử", "E-mail"),
    "role": ("Vai trò", "Role"),
    "authority": ("Cơ quan", "Authority"),
    "total": ("Tổng", "Total"),
    # navigation
    "nav_my_units": ("Đơn vị phụ trách", "My units"),
    "nav_log_visit": ("Ghi buổi dự sinh hoạt", "Log a visit"),
    "nav_my_visits": ("Buổi đã dự", "My visits"),
    "nav_inbox": ("Hộp việc", "Inbox"),
    "nav_escalated": ("Đã chuyển lên trên", "Escalated past us"),
    "nav_statistics": ("Thống kê", "Statistics"),
    "nav_users": ("Người dùng", "Users"),
    "nav_units": ("Tổ chức", "Units"),
    "nav_authorities": ("Cơ quan", "Authorities"),
    "nav_routing": ("Quy tắc chuyển", "Routing rules"),
    "nav_notifications": ("Thông báo", "Notifications"),
    "nav_personal_data": ("Nhật ký dữ liệu cá nhân", "Personal data log"),
    "nav_queues": ("Hàng đợi", "Queues"),
    "nav_events": ("Sự kiện", "Events"),
    # cadre
    "my_units_title": ("Đơn vị tôi phụ trách", "The units assigned to me"),
    "assigned_since": ("Phụ trách từ", "Assigned since"),
    "last_visit": ("Lần dự gần nhất", "Last visit"),
    "open_concerns": ("Ý kiến đang xử lý", "Open concerns"),
    "never_visited": ("Chưa dự lần nào", "Not visited yet"),
    "log_visit_here": ("Ghi buổi dự", "Log a visit"),
    "brief_link": ("Xem tình hình trước buổi dự", "Brief before the visit"),
    "brief_title": ("Tình hình chi bộ trước buổi dự", "Brief before the visit"),
    "answers_to_read_out": ("Trả lời cần đọc tại buổi sinh hoạt",
                            "Answers to read out at the meeting"),
    "review_at_visit": ("Ghi ý kiến của đảng viên về từng trả lời khi ghi biên bản buổi dự.",
                        "Record the members' view of each answer when logging the visit."),
    "brief_more_concerns": ("Còn ý kiến khác đang xử lý; xem trong các buổi dự.",
                            "More open concerns: see the visits."),
    "last_visits": ("Các buổi dự gần đây", "Last visits"),
    "answer_reviews": ("Ý kiến về các trả lời đã đọc", "The answers read out"),
    "satisfied": ("Hài lòng", "Satisfied"),
    "not_satisfied": ("Chưa hài lòng", "Not satisfied"),
    "not_read_out": ("Chưa đọc tại buổi này", "Not read out at this meeting"),
    "review_comment": ("Ý kiến của đảng viên", "The members' comment"),
    "log_visit_title": ("Ghi buổi dự sinh hoạt chi bộ", "Log a branch meeting visit"),
    "meeting_date": ("Ngày sinh hoạt", "Meeting date"),
    "meeting_kind": ("Hình thức sinh hoạt", "Kind of meeting"),
    "attendance": ("Số đảng viên", "Attendance"),
    "present": ("Có mặt", "Present"),
    "expected": ("Tổng số phải dự", "Expected"),
    "assessment": ("Đánh giá buổi sinh hoạt (1 yếu – 5 tốt)",
                   "Assessment of the meeting (1 poor – 5 strong)"),
    "leadership": ("Tính lãnh đạo", "Leadership"),
    "education": ("Tính giáo dục", "Education"),
    "combativeness": ("Tính chiến đấu", "Combativeness"),
    "note": ("Ghi chú", "Note"),
    "concerns": ("Ý kiến, nguyện vọng", "Concerns raised"),
    "concern_n": ("Ý kiến {n}", "Concern {n}"),
    "summary": ("Nội dung", "What was raised"),
    "raised_by": ("Người nêu", "Raised by"),
    "urgency": ("Mức độ", "Urgency"),
    "add_concern": ("Thêm ý kiến", "Add a concern"),
    "remove_concern": ("Bỏ ý kiến này", "Remove this concern"),
    "submit_visit": ("Gửi biên bản", "Send the visit"),
    "sending": ("Đang gửi…", "Sending…"),
    "kept_offline": ("Mất kết nối: biên bản đã được lưu trên máy này và sẽ tự gửi khi có mạng.",
                     "No connection: the visit is kept on this phone and will be sent when "
                     "the connection returns."),
    "pending_visits": ("Biên bản chờ gửi trên máy này: {n}", "Visits waiting on this phone: {n}"),
    "visit_sent": ("Đã gửi biên bản.", "The visit was sent."),
    "visit_refused": ("Biên bản chưa được nhận: vui lòng sửa các ô được đánh dấu.",
                      "The visit was not accepted: please correct the marked fields."),
    "visit_title": ("Buổi dự sinh hoạt", "Visit"),
    "logged_at": ("Ghi lúc", "Logged at"),
    "my_visits_title": ("Các buổi tôi đã dự", "The meetings I attended"),
    "concern_title": ("Ý kiến", "Concern"),
    "held_by": ("Cơ quan đang giải quyết", "Held by"),
    "not_routed_yet": ("Đang chuyển đến cơ quan có thẩm quyền…",
                       "On its way to the authority responsible…"),
    "answer": ("Trả lời", "Answer"),
    "answered_at": ("Trả lời lúc", "Answered at"),
    "no_answer_yet": ("Chưa có trả lời.", "No answer yet."),
    "timeline": ("Diễn biến", "Timeline"),
    "noscript_visit": ("Cần bật JavaScript để ghi biên bản (để giữ biên bản khi mất mạng).",
                       "JavaScript is needed to log a visit (it keeps the visit when offline)."),
    # officer
    "inbox_title": ("Hộp việc của {name}", "Inbox of {name}"),
    "escalated_title": ("Các việc đã chuyển lên cấp trên của {name}",
                        "Cases escalated past {name}"),
    "counts_per_state": ("Số việc theo trạng thái", "Cases per state"),
    "overdue": ("Quá hạn", "Overdue"),
    "overdue_on_page": ("Quá hạn trên trang này: {n}", "Overdue on this page: {n}"),
    "deadline": ("Hạn", "Deadline"),
    "received_at": ("Nhận lúc", "Received"),
    "acknowledge_by": ("Hạn tiếp nhận", "Acknowledge by"),
    "answer_by": ("Hạn trả lời", "Answer by"),
    "raised_on": ("Nêu ngày", "Raised on"),
    "case_title": ("Vụ việc", "Case"),
    "actions": ("Xử lý", "Actions"),
    "no_actions": ("Không có thao tác nào bạn được làm ở trạng thái này.",
                   "Nothing you may do in this state."),
    "question": ("Câu hỏi cần làm rõ", "Question"),
    "information": ("Thông tin bổ sung", "Information"),
    "reason": ("Lý do", "Reason"),
    "redirect_to": ("Chuyển đến cơ quan", "Redirect to"),
    "choose": ("— Chọn —", "— Choose —"),
    "outcome": ("Kết quả", "Outcome"),
    "original_case_id": ("Mã vụ việc gốc", "Original case id"),
    "done": ("Đã thực hiện.", "Done."),
    "standing_committee_flagged": ("Đã báo cáo Ban Thường vụ", "Flagged to the standing committee"),
    # administrator
    "users_title": ("Người dùng", "Users"),
    "display_name": ("Họ tên", "Display name"),
    "disabled": ("Đã khóa", "Disabled"),
    "scope": ("Phạm vi", "Scope"),
    "units_title": ("Cây tổ chức", "Organisation tree"),
    "path": ("Đường dẫn", "Path"),
    "parent": ("Trực thuộc", "Parent"),
    "authorities_title": ("Các cơ quan tiếp nhận ý kiến", "Authorities that answer concerns"),
    "parent_authority": ("Cơ quan cấp trên", "Parent authority"),
    "routing_title": ("Quy tắc chuyển ý kiến", "Routing rules"),
    "rule": ("Quy tắc", "Rule"),
    "notifications_title": ("Thư thông báo đã gửi", "Mail sent"),
    "recipient": ("Người nhận", "Recipient"),
    "subject": ("Tiêu đề", "Subject"),
    "sent_at": ("Gửi lúc", "Sent at"),
    "personal_data_title": ("Ai đã xem dữ liệu cá nhân", "Who read personal data"),
    "read_at": ("Xem lúc", "Read at"), "reader": ("Người xem", "Reader"),
    "read_through": ("Qua chức năng", "Read through"),
    "records_read": ("Bản ghi đã xem", "Records read"),
    "statistics_title": ("Thống kê theo cơ quan và lĩnh vực", "Statistics per authority and topic"),
    "period_from": ("Từ ngày", "From"),
    "period_to": ("Đến trước ngày", "Until (excluded)"),
    "show": ("Xem", "Show"),
    "received": ("Đã nhận", "Received"),
    "answered": ("Đã trả lời", "Answered"),
    "answered_on_time": ("Trả lời đúng hạn", "Answered on time"),
    "acknowledged_on_time": ("Tiếp nhận đúng hạn", "Acknowledged on time"),
    "median_days": ("Trung vị số ngày trả lời", "Median days to answer"),
    "reopened": ("Mở lại", "Reopened"),
    "chart_received": ("Ý kiến nhận được và đã trả lời, theo lĩnh vực",
                       "Concerns received and answered, per topic"),
    # operator
    "queues_title": ("Hàng đợi tin nhắn", "Message queues"),
    "queue": ("Hàng đợi", "Queue"),
    "ready": ("Đang chờ", "Ready"),
    "unacknowledged": ("Đang xử lý", "Unacknowledged"),
    "consumers": ("Bộ xử lý", "Consumers"),
    "dead_letter_queue": ("Thư chết", "Dead letters"),
    "events_title": ("Nhật ký sự kiện", "Audit trail of events"),
    "event": ("Sự kiện", "Event"),
    "occurred_at": ("Thời điểm", "Occurred at"),
    "actor": ("Người gây ra", "Actor"),
    "system": ("hệ thống", "the system"),
    "nav_dead_letters": ("Thư chết", "Dead letters"),
    "nav_alerts": ("Cảnh báo", "Alerts"),
    "nav_trace": ("Hành trình", "Journey"),
    "nav_imports": ("Nhập dữ liệu", "Imports"),
    "nav_coverage": ("Độ phủ", "Coverage"),
    "dead_letters_title": ("Thư chết (tin nhắn xử lý lỗi)", "Dead letters"),
    "attempts": ("Số lần thử", "Attempts"),
    "replay": ("Gửi lại", "Replay"),
    "discard": ("Bỏ", "Discard"),
    "no_dead_letters": ("Không có thư chết.", "No dead letters."),
    "dead_letter_actions": ("Các lần gửi lại và bỏ", "Replays and discards"),
    "alerts_title": ("Cảnh báo", "Alerts"),
    "active": ("Đang cảnh báo", "Active"),
    "cleared": ("Đã hết", "Cleared"),
    "trace_title": ("Hành trình của một ý kiến", "A concern's journey"),
    "subject_id": ("Mã ý kiến, vụ việc hoặc buổi dự", "Concern, case or visit id"),
    "imports_title": ("Nhập dữ liệu từ bảng tính", "Spreadsheet imports"),
    "imports_how": ("Chọn tệp CSV hoặc Excel (.xlsx) rồi bấm Nhập; tiến độ của từng lần nhập "
                    "hiện ở đây.", "Choose a CSV or Excel (.xlsx) file and press Import; each "
                    "import's progress shows here."),
    "import_file": ("Tệp dữ liệu (.csv, .xlsx)", "Data file (.csv, .xlsx)"),
    "accept_valid_rows": ("Vẫn nhập các dòng hợp lệ nếu có dòng bị từ chối",
                          "Apply the valid rows even if some are rejected"),
    "start_import": ("Nhập", "Import"),
    "uploading": ("Đang tải tệp lên…", "Uploading…"),
    "choose_file_first": ("Hãy chọn một tệp.", "Choose a file first."),
    "file_too_large": ("Tệp lớn quá {limit} KB: hãy chia nhỏ, hoặc lưu thành .xlsx.",
                       "The file is over {limit} KB: split it, or save it as .xlsx."),
    "import_refused": ("Tệp chưa được nhận:", "The file was not accepted:"),
    "import_title": ("Lần nhập", "Import"),
    "file": ("Tệp", "File"),
    "progress": ("Tiến độ", "Progress"),
    "refreshing": ("trang tự cập nhật", "this page refreshes itself"),
    "applied": ("Đã ghi", "Applied"),
    "rows_total": ("Số dòng", "Rows"),
    "rows_unchanged": ("Không đổi", "Unchanged"),
    "rows_rejected": ("Dòng bị từ chối", "Rejected rows"),
    "rows_failed": ("Dòng không ghi được", "Rows that failed"),
    "sheet": ("Trang", "Sheet"),
    "line": ("Dòng", "Line"),
    "column": ("Cột", "Column"),
    "coverage_title": ("Chi bộ đã được dự sinh hoạt trong quý, theo cấp ủy",
                       "Branches visited this quarter, per committee"),
    "committee": ("Cấp ủy", "Committee"),
    "branches": ("Số chi bộ", "Branches"),
    "visited": ("Đã dự", "Visited"),
    "not_visited": ("Chưa dự", "Not visited"),
}

LABELS = {
    "topic": {
        "land": ("Đất đai", "Land"), "infrastructure": ("Hạ tầng", "Infrastructure"),
        "environment": ("Môi trường", "Environment"),
        "social_policy": ("Chính sách xã hội", "Social policy"),
        "public_order": ("An ninh, trật tự", "Public order"),
        "economy": ("Kinh tế", "Economy"),
        "party_building": ("Xây dựng Đảng", "Party building"),
        "public_service": ("Dịch vụ công", "Public service"), "other": ("Khác", "Other"),
        "*": ("Mọi lĩnh vực", "Any topic"),
    },
    "raised_by": {"party_member": ("Đảng viên", "Party member"),
                  "resident": ("Người dân", "Resident")},
    "urgency": {"normal": ("Bình thường", "Normal"), "urgent": ("Khẩn", "Urgent")},
    "meeting_kind": {"regular": ("Thường kỳ", "Regular"), "thematic": ("Chuyên đề", "Thematic")},
    "status": {
        "raised": ("Vừa nêu", "Raised"), "routed": ("Đã chuyển", "Routed"),
        "acknowledged": ("Đã tiếp nhận", "Acknowledged"),
        "in_progress": ("Đang giải quyết", "In progress"),
        "awaiting_information": ("Chờ bổ sung thông tin", "Awaiting information"),
        "answered": ("Đã trả lời", "Answered"),
        "closed_resolved": ("Đã đóng – đã giải quyết", "Closed, resolved"),
        "closed_unresolved": ("Đã đóng – chưa giải quyết", "Closed, unresolved"),
        "redirected": ("Đã chuyển cơ quan khác", "Redirected"),
        "escalated": ("Đã chuyển lên cấp trên", "Escalated"),
        "duplicate_of": ("Trùng vụ việc khác", "Duplicate"),
        "reopened": ("Mở lại", "Reopened"), "unrouted": ("Chưa xác định cơ quan", "Unrouted"),
        "withdrawn": ("Đã rút lại", "Withdrawn"),
    },
    "action": {
        "acknowledge": ("Tiếp nhận", "Acknowledge"), "start": ("Bắt đầu giải quyết", "Start"),
        "request_information": ("Đề nghị bổ sung thông tin", "Ask for information"),
        "provide_information": ("Bổ sung thông tin", "Provide information"),
        "redirect": ("Chuyển cơ quan có thẩm quyền", "Redirect"),
        "answer": ("Trả lời", "Answer"), "close": ("Đóng vụ việc", "Close"),
        "mark_duplicate": ("Đánh dấu trùng", "Mark as duplicate"),
        "reopen": ("Mở lại", "Reopen"), "escalate": ("Chuyển lên cấp trên", "Escalate"),
        "route": ("Chuyển đến", "Routed"), "remind": ("Nhắc hạn", "Reminded"),
    },
    "outcome": {"resolved": ("Đã giải quyết", "Resolved"),
                "unresolved": ("Chưa giải quyết", "Unresolved")},
    "role": {"cadre": ("Cấp ủy viên", "Committee member"),
             "authority_officer": ("Cán bộ cơ quan", "Authority officer"),
             "operator": ("Vận hành", "Operator"),
             "administrator": ("Quản trị", "Administrator")},
    "level": {"province": ("Tỉnh", "Province"), "district": ("Huyện", "District"),
              "grassroots": ("Cơ sở", "Grassroots"), "branch": ("Chi bộ", "Branch")},
    "due_kind": {"acknowledge": ("tiếp nhận", "acknowledge"), "answer": ("trả lời", "answer")},
    "record_kind": {"concern": ("Ý kiến", "Concern"), "visit": ("Buổi dự", "Visit"),
                    "cadre": ("Cấp ủy viên", "Cadre"),
                    "notification": ("Thư thông báo", "Notification")},
}

# the services' usual messages (marshmallow's and this project's), worded for a reader
ERRORS = (
    (r"Missing data for required field\.", ("Bắt buộc nhập.", "Required.")),
    (r"Not a valid integer\.", ("Phải là một số nguyên.", "Must be a whole number.")),
    (r"Not a valid date\.", ("Ngày không hợp lệ.", "Not a valid date.")),
    (r"Field may not be null\.", ("Bắt buộc nhập.", "Required.")),
    (r"Unknown field\.", ("Trường không được phép.", "Not an allowed field.")),
    (r"Must be one of: (.*)\.", ("Phải là một trong: {0}.", "Must be one of: {0}.")),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
     ("Phải từ {0} đến {1}.", "Must be from {0} to {1}.")),
    (r"Shorter than minimum length (\d+)\.", ("Không được để trống.", "May not be empty.")),
    (r"Longer than maximum length (\d+)\.",
     ("Dài quá {0} ký tự.", "Longer than {0} characters.")),
    (r"cannot be in the future", ("Không được là ngày trong tương lai.",
                                  "Cannot be in the future.")),
    (r"cannot exceed expected", ("Không được lớn hơn tổng số phải dự.",
                                 "Cannot exceed the expected number.")),
    (r"not assigned to (\S+) on (\S+)",
     ("Bạn không được phân công phụ trách đơn vị này vào ngày {1}.",
      "You were not assigned to this unit on {1}.")),
    (r"may not be blank|must not be blank|may not be empty",
     ("Không được để trống.", "May not be empty.")),
)


def pick(language):
    """The language to use: one of :data:`LANGUAGES`, Vietnamese unless English is asked."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def text(key, language, **values):
    vi, en = TEXTS[key]
    wording = en if pick(language) == "en" else vi
    return wording.format(**values) if values else wording


def label(kind, value, language):
    """A domain value in words; an unknown value (data newer than this table) as it is."""
    pair = LABELS[kind].get(value)
    if pair is None:
        return "" if value is None else str(value)
    return pair[1] if pick(language) == "en" else pair[0]


def translate_error(message, language):
    for pattern, (vi, en) in ERRORS:
        found = re.fullmatch(pattern, message.strip()) or re.search(pattern, message)
        if found:
            return (en if pick(language) == "en" else vi).format(*found.groups())
    return message


def flat_fields(fields, language, prefix=""):
    """An error's ``fields`` (nested like the request) as ``{"attendance.present": "…"}``, the
    names the forms give their inputs, each message translated."""
    flat = {}
    for name, value in (fields or {}).items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flat_fields(value, language, f"{key}."))
        elif isinstance(value, (list, tuple)):
            messages = [m for m in value if isinstance(m, str)]
            nested = [m for m in value if isinstance(m, dict)]
            if messages:
                flat[key] = " ".join(translate_error(m, language) for m in messages)
            for item in nested:
                flat.update(flat_fields(item, language, f"{key}."))
        else:
            flat[key] = translate_error(str(value), language)
    return flat


def _as_date(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(VIETNAM).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    text_value = str(value)
    if len(text_value) == 10:
        return dt.date.fromisoformat(text_value)
    return _as_datetime(text_value).date()


def _as_datetime(value):
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(VIETNAM)


def short_date(value, language=DEFAULT_LANGUAGE):
    """``27/11/2026`` (dd/mm/yyyy in both languages: the users' own format)."""
    day = _as_date(value)
    return "" if day is None else day.strftime("%d/%m/%Y")


def long_date(value, language=DEFAULT_LANGUAGE):
    """``Thứ Sáu, 27/11/2026`` / ``Friday, 27/11/2026``."""
    day = _as_date(value)
    if day is None:
        return ""
    return f"{WEEKDAYS[pick(language)][day.weekday()]}, {day.strftime('%d/%m/%Y')}"


def date_time(value, language=DEFAULT_LANGUAGE):
    """``27/11/2026 15:40`` in Vietnam's time."""
    if value is None or value == "":
        return ""
    return _as_datetime(value).strftime("%d/%m/%Y %H:%M")
