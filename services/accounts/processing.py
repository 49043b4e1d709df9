"""What personal data the accounts service keeps, why, and for how long (the processing record,
``shared.processing_record``)."""
from shared.processing_record import (
    ACCOUNTABILITY,
    ADMINS,
    PROCESSED_EVENTS,
    SUBJECT_ANSWERS,
    TASK,
    USERS,
    PersonalData,
)

PROCESSING = {
    "users": PersonalData(
        what="Tên đăng nhập, họ tên, vai trò, phạm vi, mã băm mật khẩu", subjects=USERS,
        purpose="Đăng nhập, phân quyền theo vai trò", legal_basis=TASK, who_sees=ADMINS,
        retention="Trong thời gian tài khoản tồn tại (tài khoản bị khóa vẫn giữ để đối chiếu "
                  "nhật ký)",
        safeguards="Mật khẩu băm bằng argon2, không bao giờ trả về; hạn chế đăng nhập sai"),
    "sign_in_attempts": PersonalData(
        what="Tên đăng nhập và địa chỉ IP của các lần đăng nhập sai", subjects=USERS,
        purpose="Chống dò mật khẩu", legal_basis=ACCOUNTABILITY, who_sees="Không ai (chỉ hệ "
        "thống)", retention="Tự xóa khi hết cửa sổ đếm (TTL)"),
    "processed_events": PROCESSED_EVENTS,
    "data_subject_answers": SUBJECT_ANSWERS,
}
