"""What personal data the escalations service keeps, why, and for how long (the processing
record, ``shared.processing_record``)."""
from shared.processing_record import (
    CONCERN_TEXTS,
    PROCESSED_EVENTS,
    SUBJECT_ANSWERS,
    TASK,
    NoPersonalData,
    PersonalData,
)

OFFICES = NoPersonalData("Cơ quan xử lý: tên, cấp, địa chỉ thư của cơ quan (không của cá nhân)")
RULES = NoPersonalData("Quy tắc chuyển ý kiến theo lĩnh vực và địa bàn")

PROCESSING = {
    # the case: the concern's text as the authority got it, the answer, who acted (user ids)
    "cases": CONCERN_TEXTS,
    "authorities": OFFICES,
    "routing_rules": RULES,
    "routing_rules_retired": RULES,
    "unit_routes": NoPersonalData("Đơn vị trước đây thuộc đâu (để chuyển ý kiến đúng nơi)"),
    "processed_events": PROCESSED_EVENTS,
    "data_subject_answers": SUBJECT_ANSWERS,
    # the public receipt page's lookups counted per client address (following.py)
    "receipt_lookups": PersonalData(
        what="Địa chỉ IP của người tra cứu mã tiếp nhận và số lần tra cứu",
        subjects="Người tra cứu trang theo dõi ý kiến", purpose="Chống dò mã tiếp nhận",
        legal_basis=TASK, who_sees="Không ai (chỉ hệ thống đếm)",
        retention="Tự xóa khi hết khung 10 phút"),
    # the authority's officers (accounts' events; officers.py): whom a head may assign
    "officers": PersonalData(
        what="Tên hiển thị, vai trò, cơ quan, còn hoạt động hay không của cán bộ cơ quan xử lý",
        subjects="Cán bộ cơ quan xử lý", purpose="Giao vụ việc cho cán bộ có tên trong cơ quan",
        legal_basis=TASK, who_sees="Cán bộ của cơ quan đó",
        retention="Như tài khoản người dùng (theo sự kiện của dịch vụ tài khoản)"),
    "authority_units": NoPersonalData("Chi bộ, xã mà vụ việc của một cơ quan đến từ"),
    "reply_templates": PersonalData(
        what="Mẫu câu trả lời của cơ quan (có thể nêu tên người ký), người đã thêm mẫu",
        subjects="Cán bộ cơ quan xử lý", purpose="Trả lời, hỏi thêm thông tin theo mẫu thống nhất",
        legal_basis=TASK, who_sees="Cán bộ của cơ quan đó",
        retention="Đến khi cơ quan xóa mẫu"),
    # the duty roster (rosters.py): who receives on which day, who is on leave
    "rosters": PersonalData(
        what="Cán bộ trực tiếp nhận theo lượt, cấp phó, thủ trưởng, thời gian nghỉ của cán bộ",
        subjects="Cán bộ cơ quan xử lý", purpose="Giao vụ việc mới cho người trực, chuyển lên "
        "cấp phó, thủ trưởng khi quá hạn tiếp nhận",
        legal_basis=TASK, who_sees="Cán bộ của cơ quan đó; thủ trưởng sửa",
        retention="Đến khi thủ trưởng thay lịch trực"),
    # the daily digest (digests.py): which officer was sent which cases falling due
    "digests": PersonalData(
        what="Mã người dùng của cán bộ và các vụ việc sắp đến hạn gửi cho họ trong ngày",
        subjects="Cán bộ cơ quan xử lý", purpose="Nhắc việc sắp đến hạn mỗi ngày làm việc",
        legal_basis=TASK, who_sees="Không ai (chỉ hệ thống gửi thư)",
        retention="Như vụ việc"),
    "digest_days": NoPersonalData("Ngày đã lập thư nhắc việc (mỗi ngày một lần)"),
    # the working calendar (calendars.py): days off, worked days, office hours, who entered them
    "calendar_entries": PersonalData(
        what="Ngày nghỉ, ngày làm bù, buổi làm việc của cả nước hoặc của cơ quan; mã người "
        "nhập và lúc nhập", subjects="Quản trị viên", purpose="Tính hạn xử lý theo ngày, giờ "
        "làm việc", legal_basis=TASK, who_sees="Quản trị viên",
        retention="Đến khi quản trị viên xóa ngày đó"),
    "calendar_history": PersonalData(
        what="Các ngày đã thay hoặc xóa khỏi lịch làm việc, mã người đã nhập và người đã thay",
        subjects="Quản trị viên", purpose="Biết ai đã đổi lịch làm việc, từ khi nào",
        legal_basis=TASK, who_sees="Quản trị viên", retention="Như lịch làm việc"),
    "calendar_state": NoPersonalData("Phiên bản của lịch làm việc (để mỗi tiến trình đọc lại)"),
    # the authority's documents on a case (case_attachments.py; docs/attachments.md)
    "attachments": PersonalData(
        what="Công văn trả lời, ảnh, tài liệu cơ quan đính kèm câu trả lời, trả lời tạm, yêu "
        "cầu bổ sung thông tin (ảnh đã xóa EXIF, vị trí GPS); mã cán bộ tải lên, lúc tải lên",
        subjects="Cán bộ cơ quan xử lý; người được nói tới hoặc có mặt trong ảnh, tài liệu",
        purpose="Gửi văn bản, hình ảnh trả lời chính thức về chi bộ đã phản ánh",
        legal_basis=TASK, who_sees="Cán bộ cơ quan đang giữ vụ việc; cán bộ đảng viên đã đưa ý "
        "kiến (và các chi bộ có ý kiến gộp vào vụ việc); không hiện trên trang theo dõi công khai",
        retention="Như vụ việc; tệp chưa gắn vào bước nào bị xóa sau ATTACHMENT_UNATTACHED_DAYS "
        "ngày"),
    "office_hours": PersonalData(
        what="Giờ làm việc của từng cơ quan, mã người đặt và lúc đặt",
        subjects="Quản trị viên", purpose="Tính hạn tiếp nhận theo giờ làm việc",
        legal_basis=TASK, who_sees="Quản trị viên", retention="Đến khi đặt lại"),
}
