"""National dossier status codes (DOMAIN.md §4)."""

from __future__ import annotations

from enum import IntEnum

from counter_app.errors import ConflictError, ValidationError


class Status(IntEnum):
    REGISTERED = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10


STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}


def status_name(code: int) -> str:
    return STATUS_NAMES.get(code, f"Trạng thái {code}")


# Statuses that stop the deadline clock (DOMAIN.md §4): the due date moves on resume.
PAUSING: frozenset[int] = frozenset({5, 6, 8})
# Nothing follows these.
FINAL: frozenset[int] = frozenset({3, 7, 10})
# Still in the counter's hands and counted on the overdue board (the clock runs).
RUNNING: frozenset[int] = frozenset({2, 4})

# Legal moves. 9 → 10 happens only through the return of the result (who took it, how),
# 2 → 9 covers procedures resolved at the counter the same day.
TRANSITIONS: dict[int, frozenset[int]] = {
    1: frozenset({2, 3, 7}),
    2: frozenset({3, 4, 5, 6, 7, 8, 9}),
    4: frozenset({5, 6, 7, 8, 9}),
    5: frozenset({4, 7, 8}),
    6: frozenset({4, 7, 8, 9}),
    8: frozenset({4, 7}),
    9: frozenset({10}),
}

# A move into these needs a written reason (it goes on the form handed to the citizen).
REASON_REQUIRED: frozenset[int] = frozenset({3, 5, 7, 8})


def allowed_next(current: int) -> frozenset[int]:
    return TRANSITIONS.get(current, frozenset())


def transition_error(current: int, target: int) -> str | None:
    """None if ``current`` → ``target`` is legal, else the Vietnamese reason it is not."""
    if target not in STATUS_NAMES:
        return f"Mã trạng thái {target} không có (chỉ từ 1 đến 10)."
    if target == current:
        return f"Hồ sơ đã ở trạng thái {target} ({status_name(target)})."
    if current in FINAL:
        return (
            f"Hồ sơ đã kết thúc ở trạng thái {current} ({status_name(current)}); "
            "không chuyển trạng thái được nữa."
        )
    if target not in allowed_next(current):
        options = ", ".join(f"{n} ({status_name(n)})" for n in sorted(allowed_next(current)))
        return (
            f"Không được chuyển từ {current} ({status_name(current)}) sang {target} "
            f"({status_name(target)}). Từ trạng thái này chỉ chuyển được sang: {options}."
        )
    return None


def require_legal_move(code: str, current: int, target: int, note: str) -> None:
    """Refuse an illegal move (ConflictError) or one without its required reason
    (ValidationError on ``note``); the counter and the district's hub share this."""
    problem = transition_error(current, target)
    if problem is not None:
        raise ConflictError(f"Hồ sơ {code}: {problem}")
    if target in REASON_REQUIRED and not note:
        raise ValidationError.single(
            "note", f"Chuyển sang “{status_name(target)}” phải ghi rõ lý do."
        )
