"""What personal data the imports service keeps, why, and for how long (the processing record,
``shared.processing_record``)."""
from shared.processing_record import (
    ADMINS,
    CADRE_LINKS,
    CADRES,
    PROCESSED_EVENTS,
    REGISTRY_KEPT,
    TASK,
    UNITS,
    PersonalData,
)

UPLOADED = PersonalData(
    what="Bảng tính quản trị viên tải lên và từng dòng của nó: họ tên, liên hệ cán bộ",
    subjects=CADRES, purpose="Nhập danh mục từ bảng tính", legal_basis=TASK, who_sees=ADMINS,
    retention="Tự xóa 7 ngày sau khi nhập xong (TTL); báo cáo dòng giữ trong lệnh nhập")

PROCESSING = {
    "imports": PersonalData(
        what="Lệnh nhập: người yêu cầu (mã), báo cáo từng dòng", subjects=f"{ADMINS}; {CADRES}",
        purpose="Theo dõi việc nhập danh mục", legal_basis=TASK, who_sees=ADMINS,
        retention=REGISTRY_KEPT),
    "import_files": UPLOADED,
    "import_rows": UPLOADED,
    "cadres": PersonalData(
        what="Họ tên, liên hệ cán bộ (bản sao để xuất danh mục)", subjects=CADRES,
        purpose="Xuất danh mục, báo cáo độ phủ", legal_basis=TASK, who_sees=ADMINS,
        retention=REGISTRY_KEPT),
    "assignments": CADRE_LINKS,
    "working_groups": CADRE_LINKS,
    "cadre_visits": CADRE_LINKS,
    "visits": CADRE_LINKS,
    "planned_attendances": CADRE_LINKS,
    "units": UNITS,
    "processed_events": PROCESSED_EVENTS,
}
