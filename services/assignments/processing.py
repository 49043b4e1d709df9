"""What personal data the assignments service (the registry) keeps, why, and for how long (the
processing record, ``shared.processing_record``)."""
from shared.processing_record import (
    AUDITED,
    BASE_SAFEGUARDS,
    CADRE_LINKS,
    CADRES,
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
    "cadres": PersonalData(
        what="Họ tên, đơn vị, chức vụ, thư điện tử, điện thoại, tư cách thành viên cấp ủy",
        subjects=CADRES, purpose="Phân công nắm địa bàn, gửi câu trả lời cho cán bộ",
        legal_basis=TASK, who_sees="Cán bộ, cán bộ cơ quan xử lý, quản trị viên",
        retention=REGISTRY_KEPT, safeguards=f"{BASE_SAFEGUARDS}; {AUDITED}"),
    "assignments": CADRE_LINKS,
    "working_groups": CADRE_LINKS,
    "units": UNITS,
    "reorganisations": NoPersonalData("Các lần sáp nhập, chia tách đơn vị"),
    "personal_data_reads": READS,
    "processed_events": PROCESSED_EVENTS,
    "data_subject_answers": SUBJECT_ANSWERS,
    # branch meetings planned (issue 28): who attends which meeting, what was logged
    "meeting_plans": PersonalData(
        what="Cán bộ hoặc tổ công tác được phân công dự buổi sinh hoạt nào, người lập kế hoạch, "
        "đã nhắc chưa", subjects=CADRES, purpose="Kế hoạch dự sinh hoạt chi bộ, nhắc lịch",
        legal_basis=TASK, who_sees="Cấp ủy lập kế hoạch, cán bộ được phân công, quản trị viên",
        retention=REGISTRY_KEPT),
    "meetings_attended": PersonalData(
        what="Cán bộ đã dự buổi sinh hoạt của chi bộ nào, ngày nào (từ sự kiện ghi nhận buổi "
        "dự)", subjects=CADRES, purpose="Đối chiếu kế hoạch với thực tế",
        legal_basis=TASK, who_sees="Cấp ủy lập kế hoạch, cán bộ đó", retention=REGISTRY_KEPT),
    "schedule_changes": PersonalData(
        what="Lịch sinh hoạt chi bộ trước và sau khi đổi, mã người đổi và lúc đổi",
        subjects=CADRES, purpose="Biết ai đã đổi lịch sinh hoạt", legal_basis=TASK,
        who_sees="Bí thư chi bộ, quản trị viên", retention=REGISTRY_KEPT),
    "meeting_feeds": PersonalData(
        what="Mã băm của địa chỉ bí mật lịch dự sinh hoạt của cán bộ, lúc cấp, lúc thu hồi",
        subjects=CADRES, purpose="Lịch trên điện thoại của cán bộ", legal_basis=TASK,
        who_sees="Không ai (chỉ hệ thống so khớp)", retention="Đến khi cán bộ thu hồi"),
    "calendar_days": NoPersonalData("Ngày nghỉ, ngày làm bù quản trị viên nhập vào lịch làm việc"),
    "meeting_feed_reads": PersonalData(
        what="Địa chỉ IP đọc lịch dự sinh hoạt và số lần đọc",
        subjects="Người đọc địa chỉ lịch", purpose="Giới hạn số lần đọc (chống dò)",
        legal_basis=TASK, who_sees="Không ai (chỉ hệ thống đếm)",
        retention="Tự xóa khi hết khung 10 phút"),
    # the periodic report (issue 28): concerns by topic and outcome, and the reports asked for
    "report_concerns": NoPersonalData(
        "Chủ đề, chi bộ, ngày nêu của kiến nghị và các mốc xử lý (không có nội dung, người nêu)"),
    "report_jobs": PersonalData(
        what="Báo cáo định kỳ của cấp ủy: các số liệu tổng hợp, mã người yêu cầu, lúc yêu cầu",
        subjects=CADRES, purpose="Báo cáo định kỳ lên cấp trên", legal_basis=TASK,
        who_sees="Cấp ủy lập báo cáo, quản trị viên", retention=REGISTRY_KEPT),
}
