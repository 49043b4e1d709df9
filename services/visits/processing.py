"""What personal data the visits service keeps, why, and for how long (the processing record,
``shared.processing_record``). The raiser's name and contact are kept here only."""
from shared.processing_record import (
    ACCOUNTABILITY,
    AUDITED,
    BASE_SAFEGUARDS,
    CADRE_LINKS,
    CONCERN_TEXTS,
    CONSENT,
    PROCESSED_EVENTS,
    RAISERS,
    READS,
    TASK,
    UNITS,
    WITHHELD,
    NoPersonalData,
    PersonalData,
)

PROCESSING = {
    "visits": PersonalData(
        what="Biên bản dự sinh hoạt: cán bộ dự, ý kiến như đã ghi (có thể nêu tên), họ tên và "
             "liên hệ của người nêu ý kiến (nếu họ đồng ý để phản hồi)",
        subjects=f"{RAISERS}; cán bộ dự họp",
        purpose="Ghi nhận ý kiến tại chi bộ, phản hồi người nêu",
        legal_basis=f"{TASK}; liên hệ người nêu: {CONSENT}",
        who_sees="Chỉ cán bộ mang ý kiến (người khác thấy nội dung đã che, không thấy người nêu)",
        retention="Họ tên, liên hệ của người nêu và nội dung gốc được xóa sau thời hạn kể từ "
                  "hoạt động cuối của ý kiến; biên bản và số liệu giữ lại",
        retention_key="RETENTION_RAISER_DAYS",
        safeguards=f"{BASE_SAFEGUARDS}; {AUDITED}; {WITHHELD}", sensitive=True),
    "concern_cases": CONCERN_TEXTS,
    "answers": CONCERN_TEXTS,
    "attendances": CADRE_LINKS,
    "assignments": CADRE_LINKS,
    "working_groups": CADRE_LINKS,
    "units": UNITS,
    "personal_data_reads": READS,
    "data_subject_answers": PersonalData(
        what="Mã yêu cầu của chủ thể dữ liệu và mã các ý kiến của người đó đã tìm thấy",
        subjects=RAISERS, purpose="Trả lời yêu cầu của chủ thể dữ liệu",
        legal_basis=ACCOUNTABILITY, who_sees="Quản trị viên (qua yêu cầu)",
        retention=READS.retention, retention_key=READS.retention_key),
    "processed_events": PROCESSED_EVENTS,
    "raiser_addresses": PersonalData(
        what="Địa chỉ thư của người nêu ý kiến (nếu họ đồng ý), để báo khi có trả lời",
        subjects=RAISERS, purpose="Báo người nêu ý kiến khi cơ quan trả lời",
        legal_basis=CONSENT, who_sees="Không ai đọc trên trang; chỉ dịch vụ gửi thư dùng",
        retention="Xóa sau thời hạn kể từ khi vụ việc kết thúc, hoặc ngay khi người nhận hủy "
                  "nhận thư", retention_key="RETENTION_RAISER_EMAIL_DAYS",
        safeguards=BASE_SAFEGUARDS, sensitive=False),
    "attachments": PersonalData(
        what="Ảnh và tài liệu đính kèm ý kiến và biên bản (ảnh đã bỏ EXIF, vị trí GPS); tên "
             "tệp, mã băm SHA-256, người tải lên",
        subjects=f"{RAISERS}; người có thể có trong ảnh; cán bộ tải lên",
        purpose="Minh chứng cho ý kiến và biên bản buổi sinh hoạt",
        legal_basis=TASK,
        who_sees="Cán bộ tải lên; cán bộ cơ quan đang giữ vụ việc (ảnh của ý kiến)",
        retention="Xóa cùng người nêu khi họ yêu cầu xóa; tệp chưa gắn vào buổi sinh hoạt "
                  "bị xóa sau thời hạn", retention_key="ATTACHMENT_UNATTACHED_DAYS",
        safeguards=BASE_SAFEGUARDS, sensitive=True),
    "receipt_codes": NoPersonalData("Mã tiếp nhận của từng ý kiến (ngẫu nhiên, không chứa "
                                    "thông tin về người nêu), để mỗi mã là duy nhất"),
}
