"""The work each user action does, as plain functions run on a background worker.

Anki's ``operations``: one function per action, calling the services (one transaction
each) and returning what the screen needs. Nothing here touches a widget.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from counter_app.domain.clock import now_vn
from counter_app.errors import KnownError
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import received_on
from counter_app.services.dto import DossierDetail, DossierSummary
from counter_app.services.intake import IntakeRequest, receive

log = logging.getLogger(__name__)

# A commune counter takes tens of dossiers a day, a district centre some hundreds; the
# table model pages these to the view, so the list stays light either way.
TODAY_LIMIT = 5000

RECEIPT_BUG = (
    "Hồ sơ đã được lưu, nhưng có lỗi không mong muốn khi tạo giấy tiếp nhận "
    "(chi tiết đã ghi vào nhật ký). Mở hồ sơ ở thẻ “Hồ sơ tiếp nhận hôm nay” để in lại."
)


@dataclass(frozen=True)
class SaveOutcome:
    detail: DossierDetail
    receipt: Path | None
    # Set when the dossier committed but its PDF could not be made: the clerk must know
    # the dossier exists (and can reprint it) rather than think nothing was saved.
    receipt_error: str | None = None


def receive_and_issue(ctx: CounterContext, request: IntakeRequest) -> SaveOutcome:
    """Receive the dossier (one transaction), then render and record its receipt."""
    detail = receive(ctx, request)
    try:
        from counter_app.services.receipts import issue_receipt  # reportlab: load on first use

        path = issue_receipt(ctx, detail.code)
    except KnownError as err:
        return SaveOutcome(detail, None, f"Hồ sơ {detail.code} đã được lưu. {err.message}")
    except Exception:
        log.exception("receipt of %s failed after intake", detail.code)
        return SaveOutcome(detail, None, RECEIPT_BUG)
    return SaveOutcome(detail, path)


def reprint(ctx: CounterContext, code: str) -> Path:
    from counter_app.services.receipts import issue_receipt

    return issue_receipt(ctx, code)


def load_today(ctx: CounterContext, day: date | None = None) -> list[DossierSummary]:
    return received_on(ctx, day or now_vn().date(), limit=TODAY_LIMIT)


def warm_calendar(ctx: CounterContext) -> None:
    """Load the holiday data (~50 ms) on a worker, so the clerk's first procedure pick,
    whose live due date runs on the GUI thread, does not pay for it."""
    from counter_app.services.calendars import work_calendar

    today = now_vn().date()
    work_calendar(ctx).is_working_day(today)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise KnownError(f"Không đọc được tệp {path}: {err.strerror or err}") from err


def copy_file(source: Path, target: Path) -> Path:
    try:
        shutil.copyfile(source, target)
    except OSError as err:
        raise KnownError(f"Không lưu được tệp {target}: {err.strerror or err}") from err
    return target
