"""What personal data the notifications service keeps, why, and for how long (the processing
record, ``shared.processing_record``)."""
from shared.processing_record import (
    AUDITED,
    BASE_SAFEGUARDS,
    CADRES,
    CONCERN_TEXTS,
    PROCESSED_EVENTS,
    READS,
    REGISTRY_KEPT,
    SUBJECT_ANSWERS,
    TASK,
    UNITS,
    NoPersonalData,
    PersonalData,
)

PROCESSING = {
    "notifications": PersonalData(
        what="Thư đã gửi: người nhận, địa chỉ thư, tiêu đề và nội dung (trích ý kiến, trừ ý "
             "kiến mật)", subjects=f"{CADRES}; người nêu ý kiến (qua nội dung)",
        purpose="Báo cơ quan và cán bộ về ý kiến, thời hạn, câu trả lời", legal_basis=TASK,
        who_sees="Quản trị viên",
        retention="Người nhận, địa chỉ, tiêu đề và nội dung bị xóa sau thời hạn lưu thư; còn "
                  "lại thời điểm gửi, vụ việc, mã người nhận để thống kê",
        retention_key="RETENTION_MAIL_DAYS", safeguards=f"{BASE_SAFEGUARDS}; {AUDITED}"),
    "cadres": PersonalData(
        what="Họ tên, thư điện tử của cán bộ", subjects=CADRES,
        purpose="Gửi câu trả lời cho cán bộ mang ý kiến", legal_basis=TASK,
        who_sees="Không ai (chỉ hệ thống gửi thư)", retention=REGISTRY_KEPT),
    # officers' names and addresses (accounts' events): the assignee hears of their cases
    "users": PersonalData(
        what="Họ tên, thư điện tử của cán bộ cơ quan xử lý", subjects="Cán bộ cơ quan xử lý",
        purpose="Báo cán bộ được giao về vụ việc của mình", legal_basis=TASK,
        who_sees="Không ai (chỉ hệ thống gửi thư)",
        retention="Như tài khoản người dùng (theo sự kiện của dịch vụ tài khoản)"),
    "concerns": CONCERN_TEXTS,
    "authorities": NoPersonalData("Tên và địa chỉ thư của cơ quan xử lý"),
    "units": UNITS,
    "personal_data_reads": READS,
    "processed_events": PROCESSED_EVENTS,
    "data_subject_answers": SUBJECT_ANSWERS,
}
