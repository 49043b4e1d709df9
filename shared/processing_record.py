"""The record of processing an inspector asks for (Law 91/2025/QH15, Decree 356/2025/NĐ-CP),
generated from the code's own declarations.

Every service declares, in its ``processing.py``, each collection its store keeps: what personal
data it holds, of whom, why, on which legal basis, who may see it, how long it is kept (a
retention setting of ``deploy/config.yml`` where one applies) and which safeguards protect it;
or that it holds none, and why. ``tests/unit/test_processing_record.py`` fails when a store
touches a collection its service did not declare, so the record cannot fall behind the code.
``python -m tooling.processing_record`` prints it (Vietnamese, CSV or Markdown). Example::

    PROCESSING = {"users": PersonalData(what="Họ tên, tên đăng nhập", ...),
                  "units": NoPersonalData("Cây tổ chức: tên và cấp của đơn vị")}
    rows(services.accounts.processing.PROCESSING, "accounts", settings)
"""
from dataclasses import dataclass

# the legal bases the system relies on, in the words of the record
TASK = "Thực hiện chức năng, nhiệm vụ của tổ chức Đảng, cơ quan nhà nước theo quy định"
CONSENT = "Sự đồng ý của người nêu ý kiến (ghi nhận khi giữ liên hệ để phản hồi)"
ACCOUNTABILITY = "Nghĩa vụ bảo vệ dữ liệu cá nhân (ghi vết truy cập, an ninh hệ thống)"

# the safeguards every store has, and the ones particular to some
BASE_SAFEGUARDS = ("kho riêng của dịch vụ, người dùng riêng có quyền tối thiểu; truy cập qua "
                   "RPC có định danh người dùng được ký và kiểm tra vai trò")
AUDITED = "mỗi lần xem được ghi vết (ai, khi nào, bản ghi nào)"
WITHHELD = ("người nêu ẩn danh với cơ quan xử lý theo mặc định với người dân; thông tin cá "
            "nhân trong nội dung được che; ý kiến mật chỉ thủ trưởng và người được giao xem")

# where a service's data is kept (STORE_URI: the embedded store or MongoDB), in words
WHERE = "Cơ sở dữ liệu riêng của dịch vụ {service} (STORE_URI), bản sao lưu của nó"


@dataclass(frozen=True)
class PersonalData:
    what: str            # the personal data kept
    subjects: str        # whose
    purpose: str
    legal_basis: str
    who_sees: str
    retention: str       # how long, in words
    safeguards: str = BASE_SAFEGUARDS
    retention_key: str = None  # the setting that says how long, when one does
    sensitive: bool = False    # political opinions (Law 91/2025: sensitive personal data)


@dataclass(frozen=True)
class NoPersonalData:
    why: str             # what the collection holds instead


HEADERS = {
    "service": "Dịch vụ", "collection": "Tập dữ liệu", "what": "Dữ liệu cá nhân",
    "subjects": "Chủ thể dữ liệu", "purpose": "Mục đích", "legal_basis": "Cơ sở pháp lý",
    "who_sees": "Ai được xem", "where": "Nơi lưu trữ", "retention": "Thời hạn lưu trữ",
    "safeguards": "Biện pháp bảo vệ", "sensitive": "Dữ liệu nhạy cảm",
}


def retention_of(declared, settings):
    """How long, with the configured period when a setting says it."""
    if declared.retention_key is None:
        return declared.retention
    return f"{declared.retention} ({settings[declared.retention_key]} ngày, " \
           f"{declared.retention_key})"


def rows(declarations, service, settings):
    """The record's rows of one service's collections that hold personal data."""
    return [{"service": service, "collection": collection, "what": declared.what,
             "subjects": declared.subjects, "purpose": declared.purpose,
             "legal_basis": declared.legal_basis, "who_sees": declared.who_sees,
             "where": WHERE.format(service=service),
             "retention": retention_of(declared, settings), "safeguards": declared.safeguards,
             "sensitive": "có" if declared.sensitive else "không"}
            for collection, declared in sorted(declarations.items())
            if isinstance(declared, PersonalData)]


# --- what several services keep alike ---------------------------------------------------------

CADRES = "Cấp ủy viên, cán bộ"
USERS = "Người dùng hệ thống"
RAISERS = "Đảng viên, người dân nêu ý kiến"
REGISTRY_KEPT = "Trong thời gian cán bộ còn trong danh mục; xóa khi có yêu cầu hợp lệ"
ADMINS = "Quản trị viên"
PROCESSED_EVENTS = NoPersonalData("Mã các sự kiện đã xử lý (để không xử lý hai lần)")
# the events a service's handlers read, as they travel (a concern's text among them)
EVENT_BODIES = "Nội dung các sự kiện (có thể gồm nội dung ý kiến như cơ quan xử lý nhận)"
# what every store keeps beside the service's own collections (shared/store.py and what it
# runs: the retries it notes, the event log it retains, its schema version, its restores)
KEPT_BY_EVERY_STORE = {
    "pending_retries": PersonalData(
        what=EVENT_BODIES, subjects=RAISERS,
        purpose="Xử lý lại sự kiện bị lỗi tạm thời, không để mất (shared/retries.py)",
        legal_basis=TASK, who_sees="Không ai xem qua hệ thống; chỉ dịch vụ đọc lại",
        retention="Đến khi sự kiện được xử lý xong hoặc chuyển vào hàng thư chết (thường vài "
                  "giây)"),
    "event_log": PersonalData(
        what=EVENT_BODIES, subjects=RAISERS,
        purpose="Phát lại các sự kiện gần nhất sau khi khôi phục bản sao lưu (docs/backups.md)",
        legal_basis=TASK, who_sees="Không ai xem qua hệ thống; chỉ dịch vụ đọc lại",
        retention="RETAINED_EVENT_HOURS giờ kể từ khi phát (mặc định 48), rồi tự xóa"),
    "schema_migrations": NoPersonalData("Phiên bản lược đồ của kho và các bước chuyển đổi"),
    "store_restores": NoPersonalData("Dấu các lần khôi phục bản sao lưu"),
}


def kept_by(declarations):
    """A service's declarations with what every store keeps."""
    return {**KEPT_BY_EVERY_STORE, **declarations}
UNITS = NoPersonalData("Cây tổ chức: tên, cấp, vị trí của đơn vị")
# each service's own log of who read personal data there, gathered by the monitor
READS = PersonalData(
    what="Mã người dùng đã xem, vai trò, thời điểm, mã các bản ghi đã xem (không có nội dung)",
    subjects=USERS, purpose="Ghi vết truy cập dữ liệu cá nhân để thanh tra, điều tra sự cố",
    legal_basis=ACCOUNTABILITY, who_sees=ADMINS,
    retention="Xóa sau thời hạn lưu nhật ký truy cập",
    retention_key="RETENTION_ACCESS_LOG_DAYS")
# each service's answers to requests from the people concerned (shared/data_subjects.py)
SUBJECT_ANSWERS = PersonalData(
    what="Mã yêu cầu của chủ thể dữ liệu và số bản ghi của người đó đã tìm thấy (chỉ mã)",
    subjects=f"{USERS}; {CADRES}", purpose="Trả lời yêu cầu của chủ thể dữ liệu",
    legal_basis=ACCOUNTABILITY, who_sees="Quản trị viên (qua yêu cầu)",
    retention="Giữ cùng hồ sơ yêu cầu (bằng chứng đã trả lời đúng hạn)")
# which cadre is where: a cadre's id beside a unit's
CADRE_LINKS = PersonalData(
    what="Mã cán bộ gắn với đơn vị, tổ công tác, thời gian phân công", subjects=CADRES,
    purpose="Biết ai được phân công nắm địa bàn nào", legal_basis=TASK,
    who_sees="Cán bộ liên quan, quản trị viên", retention=REGISTRY_KEPT)
# the concern as the authority got it (a withheld raiser taken out), and its answer
CONCERN_TEXTS = PersonalData(
    what="Nội dung ý kiến như cơ quan xử lý nhận (đã che người nêu nếu ẩn danh), câu trả lời",
    subjects=RAISERS, purpose="Chuyển ý kiến tới cơ quan có trách nhiệm và đưa câu trả lời về "
    "chi bộ", legal_basis=TASK,
    who_sees="Cán bộ mang ý kiến, cán bộ phụ trách chi bộ; cơ quan đang xử lý (ý kiến mật: "
             "thủ trưởng và người được giao)",
    retention="Giữ cùng hồ sơ vụ việc (số liệu thống kê không chứa dữ liệu cá nhân)",
    safeguards=f"{BASE_SAFEGUARDS}; {WITHHELD}", sensitive=True)
