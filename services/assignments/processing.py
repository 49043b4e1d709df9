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
}
