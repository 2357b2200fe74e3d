"""Who can hold a dossier: the counter itself or a processing body (cơ quan giải quyết)."""

from __future__ import annotations

# The holder of a dossier that is at the counter (received, or its result handed back).
COUNTER_PARTY = "Bộ phận Tiếp nhận và Trả kết quả"

# Bodies a commune counter usually hands dossiers to; the clerk may type any other.
COMMON_BODIES = (
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Địa chính - Xây dựng",
    "Công chức Văn hóa - Xã hội",
    "Công chức Tài chính - Kế toán",
    "Công an xã",
    "Chủ tịch UBND xã",
)


def is_counter(party: str) -> bool:
    return party.strip().casefold() in {COUNTER_PARTY.casefold(), "", "quầy", "bộ phận một cửa"}
