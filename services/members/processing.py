"""What personal data the members service keeps, why, and for how long (the processing record,
``shared.processing_record``). Party membership reveals political views: sensitive personal
data under Law 91/2025/QH15, so it is kept here alone (docs/members.md)."""
import dataclasses

from shared.processing_record import (
    PROCESSED_EVENTS,
    READS,
    SUBJECT_ANSWERS,
    TASK,
    PersonalData,
)

MEMBERS = "Đảng viên của các chi bộ"
WHO_SEES = ("Cấp ủy viên giữ ghế trong cấp ủy chi bộ, cán bộ được phân công theo dõi chi bộ "
            "(vào ngày xem), quản trị viên")
SENSITIVE = ("dữ liệu cá nhân nhạy cảm (quan điểm chính trị): kho riêng, người dùng RabbitMQ "
             "riêng chỉ nhận RPC và yêu cầu của chủ thể dữ liệu; mã đảng viên và việc vắng mặt "
             "không đi trong sự kiện (trừ câu trả lời yêu cầu của chính người đó, chỉ có mã); "
             "mỗi lần xem được ghi vết")

PROCESSING = {
    "members": PersonalData(
        what="Mã đảng viên, họ tên, mã tổ chức đảng, chi bộ và các lần chuyển sinh hoạt; ngày "
             "và lý do thôi sinh hoạt (chuyển đi, ra khỏi Đảng, từ trần)", subjects=MEMBERS,
        purpose="Biết đảng viên của từng chi bộ để ghi điểm danh sinh hoạt và nắm tới đảng viên",
        legal_basis=TASK, who_sees=WHO_SEES,
        retention="Trong thời gian là đảng viên của chi bộ (hồ sơ của tổ chức Đảng: giữ cả khi "
                  "có yêu cầu xóa); người đã chuyển đi, ra khỏi Đảng hoặc từ trần được giữ cùng "
                  "lịch sử sinh hoạt đến hết thời hạn kể từ ngày thôi sinh hoạt, rồi bị xóa",
        retention_key="RETENTION_FORMER_MEMBER_DAYS", safeguards=SENSITIVE, sensitive=True),
    "attendance": PersonalData(
        what="Điểm danh từng đảng viên ở mỗi buổi sinh hoạt: có mặt, vắng có lý do (lý do), "
             "vắng không lý do", subjects=MEMBERS,
        purpose="Số liệu dự sinh hoạt; để chi bộ xem xét theo Điều 8 Điều lệ Đảng (bỏ sinh "
                "hoạt ba tháng trong năm không có lý do chính đáng)",
        legal_basis=TASK, who_sees=WHO_SEES,
        retention="Cùng biên bản buổi sinh hoạt; điểm danh của người đã thôi sinh hoạt mất mã "
                  "đảng viên và lý do vắng khi người đó bị xóa (hết thời hạn, hoặc theo yêu cầu)",
        retention_key="RETENTION_FORMER_MEMBER_DAYS", safeguards=SENSITIVE, sensitive=True),
    "contacts": PersonalData(
        what="Lần cấp ủy viên thăm hỏi đảng viên hoặc gia đình, gọi điện: mã đảng viên, ngày, "
             "hình thức, nội dung trao đổi, cán bộ ghi; mã các kiến nghị nêu khi đó (nội dung "
             "kiến nghị do dịch vụ visits giữ, không kèm mã đảng viên)", subjects=MEMBERS,
        purpose="Cấp ủy viên cơ sở nắm tới đảng viên và gia đình; đưa kiến nghị nêu khi thăm "
                "hỏi vào cùng quy trình giải quyết như kiến nghị ở buổi sinh hoạt",
        legal_basis=TASK, who_sees=WHO_SEES,
        retention="Cùng hồ sơ đảng viên; xóa cùng đảng viên đã thôi sinh hoạt (hết thời hạn, "
                  "hoặc theo yêu cầu)",
        retention_key="RETENTION_FORMER_MEMBER_DAYS", safeguards=SENSITIVE, sensitive=True),
    "care": PersonalData(
        what="Đảng viên (mã) do cấp ủy viên nào phụ trách, từ ngày nào, ai phân công; những "
             "người phụ trách trước", subjects=MEMBERS,
        purpose="Mỗi đảng viên có cấp ủy viên cơ sở phụ trách, nắm tới đảng viên và gia đình",
        legal_basis=TASK, who_sees=WHO_SEES + "; cấp ủy viên phụ trách đảng viên đó",
        retention="Cùng hồ sơ đảng viên; xóa cùng đảng viên đã thôi sinh hoạt (hết thời hạn, "
                  "hoặc theo yêu cầu)",
        retention_key="RETENTION_FORMER_MEMBER_DAYS", safeguards=SENSITIVE, sensitive=True),
    "personal_data_reads": READS,
    # whose: the members a request named
    "data_subject_answers": dataclasses.replace(SUBJECT_ANSWERS, subjects=MEMBERS),
    "processed_events": PROCESSED_EVENTS,
}
