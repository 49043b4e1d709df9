"""What personal data the monitor keeps, why, and for how long (the processing record,
``shared.processing_record``)."""
from shared.processing_record import (
    ACCOUNTABILITY,
    ADMINS,
    CONCERN_TEXTS,
    PROCESSED_EVENTS,
    READS,
    SUBJECT_ANSWERS,
    NoPersonalData,
    PersonalData,
)

PROCESSING = {
    # every event as it was published: the concern's text as the authority got it
    "audit_trail": PersonalData(
        what="Mọi sự kiện: mã người thực hiện, nội dung ý kiến như cơ quan xử lý nhận, câu trả "
             "lời", subjects=CONCERN_TEXTS.subjects, purpose="Truy vết hành trình của ý kiến, "
        "điều tra sự cố", legal_basis=ACCOUNTABILITY,
        who_sees="Người vận hành thấy mã và thời điểm, không thấy nội dung",
        retention=CONCERN_TEXTS.retention, sensitive=True),
    "personal_data_reads": READS,
    "dead_letter_actions": PersonalData(
        what="Mã người vận hành đã gửi lại hoặc bỏ thư lỗi, lý do", subjects="Người vận hành",
        purpose="Ghi vết thao tác vận hành", legal_basis=ACCOUNTABILITY, who_sees=ADMINS,
        retention=READS.retention, retention_key=READS.retention_key),
    "alerts": NoPersonalData("Cảnh báo về hàng đợi, dịch vụ"),
    "data_subject_requests": PersonalData(
        what="Yêu cầu của chủ thể dữ liệu: họ tên, liên hệ, loại yêu cầu, kết quả, mã các bản "
             "ghi các dịch vụ tìm thấy", subjects="Người nêu ý kiến, cán bộ có yêu cầu",
        purpose="Thực hiện quyền của chủ thể dữ liệu trong thời hạn luật định",
        legal_basis=ACCOUNTABILITY, who_sees=ADMINS, retention=READS.retention,
        retention_key=READS.retention_key),
    "processed_events": PROCESSED_EVENTS,
    "data_subject_answers": SUBJECT_ANSWERS,
}
