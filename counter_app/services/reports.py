"""Figures of a period (Báo cáo kết quả giải quyết thủ tục hành chính).

For a period of whole days (a month, a quarter, a year, or any range up to ten years) the
report counts, per procedure, per field (lĩnh vực), per clerk and in total:

* **received** (tiếp nhận): ``received_at`` in the period. Periods are whole days in
  Asia/Ho_Chi_Minh, both ends included: [from 00:00, to + 1 day 00:00).
* **resolved** (đã giải quyết): ``resolved_at`` (status 9 reached) in the period.
* **returned** (đã trả kết quả): ``returned_at`` in the period.
* **early / on time / late** (trước hạn / đúng hạn / quá hạn): the returned dossiers, each
  classed by ``domain.deadlines.timeliness(returned_at, due_at)`` (DOMAIN.md §5): late =
  after the due moment; early = on an earlier day than the due day; on time = the rest
  (on the due day, at or before the due moment). The three are disjoint; each rate is
  its count / returned. "Timely" (đúng hạn theo quy định, the rate the PAR index scores)
  is early + on time.
* **pending** (đang giải quyết): not in a final status (3, 7, 10) and received on or
  before the last day of the period. Statuses are only known as they are *now*, so for a
  past period this counts the dossiers received by its end that are still open today.
* **overdue** (quá hạn chưa trả): pending, in status 2 or 4 (the clock runs), and due
  before min(now, end of the period). A paused dossier (5, 6, 8) is never overdue, and
  a resolved one (9) waits for the citizen, not for the office.
* **satisfaction** (mức độ hài lòng): the returns recorded in the period; per level
  (1 Rất hài lòng, 2 Hài lòng, 3 Không hài lòng) the share of the *rated* returns, and
  the number of unrated returns beside it.
* **complaints** (phản ánh, kiến nghị): ``received_at`` in the period; how many were
  answered (as of now), how many of those after their due moment, how many are still
  open (neither answered nor closed), and how many of the open ones are past due at
  min(now, end of the period). A complaint counts towards the procedure, field and
  clerk of the dossier it names, else of the procedure code it names (its current
  catalogue field); one naming neither lands in an "unattributed" row.

A dossier's procedure is its catalogue code (versions of one code are one row, named as
the newest version); its field is the field of the version it was received under; its
clerk is the clerk who received it (``dossier.clerk_name``).

How it is computed: a handful of ``GROUP BY`` queries, each one driven by an index on
its own moment column, group by (procedure code, field, clerk), the finest grain. The
per-procedure, per-field, per-clerk and total rows are sums of those few hundred
aggregate rows, so the total is always the sum of each grouping. No query reads the
dossiers one by one. Moments are stored as ISO 8601 text with the fixed +07:00 offset
(``store.fields.MomentField``), so text order is time order and ``substr(x, 1, 10)`` is
the Vietnam date, which lets SQLite class early / on time / late itself.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import peewee

from counter_app.domain.clock import VN_TZ, iso, now_vn, to_vn
from counter_app.domain.status import FINAL, STATUS_NAMES
from counter_app.domain.text import fold
from counter_app.errors import StorageError, ValidationError
from counter_app.services.context import CounterContext
from counter_app.services.dto import RATINGS

# 1 Rất hài lòng · 2 Hài lòng · 3 Không hài lòng (DOMAIN.md §8)
RATING_LABELS: dict[int, str] = dict(RATINGS)

log = logging.getLogger(__name__)

MAX_YEARS = 10
ROMAN = ("I", "II", "III", "IV")

UNATTRIBUTED_PROCEDURE = "(Không gắn thủ tục)"
UNKNOWN_FIELD = "(Chưa rõ lĩnh vực)"
UNATTRIBUTED_CLERK = "(Không gắn hồ sơ)"
TOTAL_LABEL = "Tổng cộng"

# The footnote printed under the PDF and the workbook: what each figure means.
DEFINITIONS: tuple[str, ...] = (
    "Kỳ báo cáo tính theo ngày giờ Việt Nam (Asia/Ho_Chi_Minh), gồm cả ngày đầu và ngày cuối.",
    "Tiếp nhận / Đã giải quyết / Đã trả: hồ sơ có thời điểm tiếp nhận / giải quyết xong "
    "(trạng thái 9) / trả kết quả nằm trong kỳ.",
    "Trước hạn: trả vào một ngày trước ngày hẹn trả; Đúng hạn: trả trong ngày hẹn, không muộn "
    "hơn giờ hẹn; Quá hạn: trả sau thời điểm hẹn. Tỷ lệ = số hồ sơ / số hồ sơ đã trả trong "
    "kỳ; tỷ lệ đúng hạn theo quy định = trước hạn + đúng hạn.",
    "Đang giải quyết: hồ sơ tiếp nhận đến hết ngày cuối kỳ và chưa ở trạng thái kết thúc "
    "(3, 7, 10), theo trạng thái tại thời điểm lập báo cáo.",
    "Quá hạn chưa trả: hồ sơ đang giải quyết ở trạng thái 2 hoặc 4 có hạn trả trước thời "
    "điểm lập báo cáo (hoặc trước hết kỳ, nếu kỳ đã kết thúc).",
    "Mức độ hài lòng: tỷ lệ trên số lượt trả kết quả trong kỳ có đánh giá; lượt không đánh "
    "giá được ghi riêng.",
    "Phản ánh, kiến nghị: tiếp nhận trong kỳ; đã trả lời và còn mở tính đến thời điểm lập "
    "báo cáo; quá hạn = còn mở và đã qua hạn xử lý.",
    "Cán bộ: người tiếp nhận hồ sơ.",
)


# --------------------------------------------------------------------------- periods


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError.single("year", "Năm báo cáo phải từ 2000 đến 2100.")


def month_range(year: int, month: int) -> tuple[date, date]:
    """The first and last day of ``month`` of ``year``."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise ValidationError.single("month", "Tháng phải từ 1 đến 12.")
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following - timedelta(days=1)


def quarter_range(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of quarter ``quarter`` (1–4) of ``year``."""
    _check_year(year)
    if not 1 <= quarter <= 4:
        raise ValidationError.single("quarter", "Quý phải từ 1 đến 4.")
    first_month = 3 * (quarter - 1) + 1
    return month_range(year, first_month)[0], month_range(year, first_month + 2)[1]


def year_range(year: int) -> tuple[date, date]:
    """1 January to 31 December of ``year``."""
    _check_year(year)
    return date(year, 1, 1), date(year, 12, 31)


def period_label(date_from: date, date_to: date) -> str:
    """ "Tháng 10 năm 2026", "Quý IV năm 2026", "Năm 2026", or "Từ ngày … đến ngày …"."""
    if date_from.day == 1 and date_from.year == date_to.year:
        year = date_from.year
        if (date_from, date_to) == year_range(year):
            return f"Năm {year}"
        if (date_from.month - 1) % 3 == 0:
            quarter = (date_from.month - 1) // 3 + 1
            if (date_from, date_to) == quarter_range(year, quarter):
                return f"Quý {ROMAN[quarter - 1]} năm {year}"
        if (date_from, date_to) == month_range(year, date_from.month):
            return f"Tháng {date_from.month:02d} năm {year}"
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def validate_period(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise ValidationError.single(
            "date_from", "Ngày bắt đầu kỳ báo cáo phải trước hoặc bằng ngày kết thúc."
        )
    if date_to >= _add_years(date_from, MAX_YEARS):
        raise ValidationError.single(
            "date_from", f"Kỳ báo cáo dài quá {MAX_YEARS} năm; hãy chọn khoảng ngắn hơn."
        )


# --------------------------------------------------------------------------- results


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by (shown as "–")."""
    return part / whole if whole else None


def vn_count(n: int) -> str:
    """5000 -> "5.000" (Vietnamese groups thousands with dots)."""
    return f"{n:,}".replace(",", ".")


def vn_percent(value: float | None) -> str:
    """0.1667 -> "16,7%" (decimal comma); no denominator -> "–"."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}%".replace(".", ",")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class FigureRow:
    """The figures of one group (a procedure, a field, a clerk) or of the whole period."""

    key: str  # procedure code, field name or clerk name; "" for the total row
    label: str  # what a reader sees: the procedure's name, the field, the clerk
    received: int = 0
    resolved: int = 0
    returned: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    overdue: int = 0
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    unrated: int = 0
    complaints: int = 0

    @property
    def timely(self) -> int:
        """Early + on time: returned at or before the due moment."""
        return self.early + self.on_time

    @property
    def early_rate(self) -> float | None:
        return ratio(self.early, self.returned)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.returned)

    @property
    def late_rate(self) -> float | None:
        return ratio(self.late, self.returned)

    @property
    def timely_rate(self) -> float | None:
        return ratio(self.timely, self.returned)

    @property
    def rated(self) -> int:
        return self.very_satisfied + self.satisfied + self.dissatisfied

    @property
    def very_satisfied_pct(self) -> float | None:
        return ratio(self.very_satisfied, self.rated)

    @property
    def satisfied_pct(self) -> float | None:
        return ratio(self.satisfied, self.rated)

    @property
    def dissatisfied_pct(self) -> float | None:
        return ratio(self.dissatisfied, self.rated)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "received": self.received,
            "resolved": self.resolved,
            "returned": self.returned,
            "early": self.early,
            "on_time": self.on_time,
            "late": self.late,
            "early_rate": _rounded(self.early_rate),
            "on_time_rate": _rounded(self.on_time_rate),
            "late_rate": _rounded(self.late_rate),
            "timely_rate": _rounded(self.timely_rate),
            "pending": self.pending,
            "overdue": self.overdue,
            "satisfaction": {
                "very_satisfied": self.very_satisfied,
                "satisfied": self.satisfied,
                "dissatisfied": self.dissatisfied,
                "unrated": self.unrated,
                "very_satisfied_pct": _rounded(self.very_satisfied_pct),
                "satisfied_pct": _rounded(self.satisfied_pct),
                "dissatisfied_pct": _rounded(self.dissatisfied_pct),
            },
            "complaints": self.complaints,
        }


@dataclass(frozen=True)
class ComplaintFigures:
    """Complaints and suggestions received in the period (answered/open as of now)."""

    received: int = 0
    answered: int = 0
    answered_late: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def answered_on_time(self) -> int:
        return self.answered - self.answered_late

    @property
    def answered_rate(self) -> float | None:
        return ratio(self.answered, self.received)

    def to_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "answered_late": self.answered_late,
            "open": self.open,
            "overdue": self.overdue,
            "answered_rate": _rounded(self.answered_rate),
        }


@dataclass(frozen=True)
class Report:
    period_from: date
    period_to: date
    generated_at: datetime  # also the "now" that pending, overdue and answered refer to
    total: FigureRow
    by_procedure: tuple[FigureRow, ...]
    by_field: tuple[FigureRow, ...]
    by_clerk: tuple[FigureRow, ...]
    complaints: ComplaintFigures
    definitions: tuple[str, ...] = field(default=DEFINITIONS)

    @property
    def period_label(self) -> str:
        return period_label(self.period_from, self.period_to)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "label": self.period_label,
            },
            "generated_at": iso(self.generated_at),
            "total": self.total.to_json(),
            "by_procedure": [row.to_json() for row in self.by_procedure],
            "by_field": [row.to_json() for row in self.by_field],
            "by_clerk": [row.to_json() for row in self.by_clerk],
            "complaints": self.complaints.to_json(),
            "definitions": list(self.definitions),
        }


# --------------------------------------------------------------------------- queries

# Statuses a dossier can still move on from; IN (...) lets SQLite use (status, due_at).
_OPEN = ", ".join(str(code) for code in sorted(set(STATUS_NAMES) - FINAL))

# Parameters everywhere: (start, end) = ISO moments of [first day 00:00, day after last).
RECEIVED_SQL = """
SELECT p.code, p.field, d.clerk_name, COUNT(*)
FROM dossier d JOIN procedure p ON p.id = d.procedure_id
WHERE d.received_at >= ? AND d.received_at < ?
GROUP BY p.code, p.field, d.clerk_name"""

RESOLVED_SQL = """
SELECT p.code, p.field, d.clerk_name, COUNT(*)
FROM dossier d JOIN procedure p ON p.id = d.procedure_id
WHERE d.resolved_at >= ? AND d.resolved_at < ?
GROUP BY p.code, p.field, d.clerk_name"""

# Early: an earlier Vietnam date than the due date (the text's first 10 characters);
# late: after the due moment; on time: the rest.
RETURNED_SQL = """
SELECT p.code, p.field, d.clerk_name, COUNT(*),
       SUM(substr(d.returned_at, 1, 10) < substr(d.due_at, 1, 10)),
       SUM(d.returned_at > d.due_at)
FROM dossier d JOIN procedure p ON p.id = d.procedure_id
WHERE d.returned_at >= ? AND d.returned_at < ?
GROUP BY p.code, p.field, d.clerk_name"""

# Parameters: (overdue cut-off, end). Open dossiers are few, however long the history:
# the unary "+" keeps SQLite on the (status, due_at) index instead of reading every
# dossier received before the end through the received_at index.
PENDING_SQL = f"""
SELECT p.code, p.field, d.clerk_name, COUNT(*),
       SUM(d.status IN (2, 4) AND d.due_at < ?)
FROM dossier d JOIN procedure p ON p.id = d.procedure_id
WHERE d.status IN ({_OPEN}) AND +d.received_at < ?
GROUP BY p.code, p.field, d.clerk_name"""

SATISFACTION_SQL = """
SELECT p.code, p.field, d.clerk_name,
       SUM(r.rating = 1), SUM(r.rating = 2), SUM(r.rating = 3), SUM(r.rating IS NULL)
FROM dossier_return r
JOIN dossier d ON d.id = r.dossier_id
JOIN procedure p ON p.id = d.procedure_id
WHERE r.at >= ? AND r.at < ?
GROUP BY p.code, p.field, d.clerk_name"""

COMPLAINTS_BY_GROUP_SQL = """
SELECT COALESCE(p.code, NULLIF(c.procedure_code, ''), ''),
       COALESCE(p.field, (SELECT q.field FROM procedure q WHERE q.code = c.procedure_code
                          ORDER BY q.is_current DESC, q.version DESC LIMIT 1), ''),
       COALESCE(d.clerk_name, ''),
       COUNT(*)
FROM complaint c
LEFT JOIN dossier d ON d.id = c.dossier_id
LEFT JOIN procedure p ON p.id = d.procedure_id
WHERE c.received_at >= ? AND c.received_at < ?
GROUP BY 1, 2, 3"""

# Parameters: (overdue cut-off, start, end).
COMPLAINT_TOTALS_SQL = """
SELECT COUNT(*),
       COALESCE(SUM(answered_at IS NOT NULL), 0),
       COALESCE(SUM(answered_at > due_at), 0),
       COALESCE(SUM(answered_at IS NULL AND closed_at IS NULL), 0),
       COALESCE(SUM(answered_at IS NULL AND closed_at IS NULL AND due_at < ?), 0)
FROM complaint
WHERE received_at >= ? AND received_at < ?"""

# Names of procedure codes: the last row of a code wins (its current, newest version).
NAMES_SQL = "SELECT code, name FROM procedure ORDER BY code, is_current, version"

# Which measures each grouped query fills, in the order of its value columns.
_RECEIVED = ("received",)
_RESOLVED = ("resolved",)
_RETURNED = ("returned", "early", "late")  # on time = returned - early - late
_PENDING = ("pending", "overdue")
_SATISFACTION = ("very_satisfied", "satisfied", "dissatisfied", "unrated")
_COMPLAINTS = ("complaints",)
MEASURES = (
    "received",
    "resolved",
    "returned",
    "early",
    "on_time",
    "late",
    "pending",
    "overdue",
    "very_satisfied",
    "satisfied",
    "dissatisfied",
    "unrated",
    "complaints",
)
_INDEX = {name: k for k, name in enumerate(MEASURES)}

Key = tuple[str, str, str]  # (procedure code, field, clerk)


@dataclass(frozen=True)
class Bounds:
    """The moments a period's queries compare against (ISO text, +07:00)."""

    start: str
    end: str  # exclusive: 00:00 of the day after the last day
    cutoff: str  # overdue: due before min(now, end)


def bounds(date_from: date, date_to: date, now: datetime) -> Bounds:
    start = datetime.combine(date_from, time.min, tzinfo=VN_TZ)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=VN_TZ)
    return Bounds(iso(start), iso(end), iso(min(to_vn(now), end)))


def grouped_queries(b: Bounds) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(SQL, parameters, measures) of every grouped query: shared with the bench baseline."""
    span = (b.start, b.end)
    return [
        (RECEIVED_SQL, span, _RECEIVED),
        (RESOLVED_SQL, span, _RESOLVED),
        (RETURNED_SQL, span, _RETURNED),
        (PENDING_SQL, (b.cutoff, b.end), _PENDING),
        (SATISFACTION_SQL, span, _SATISFACTION),
        (COMPLAINTS_BY_GROUP_SQL, span, _COMPLAINTS),
    ]


Execute = Callable[[str, Sequence[str]], Iterable[Sequence[Any]]]


def collect(execute: Execute, b: Bounds) -> tuple[dict[Key, list[int]], tuple[int, ...]]:
    """Run the queries: counts per (code, field, clerk), and the complaint totals."""
    cells: dict[Key, list[int]] = {}
    for sql, params, measures in grouped_queries(b):
        for row in execute(sql, params):
            key: Key = (row[0] or "", row[1] or "", row[2] or "")
            counts = cells.get(key)
            if counts is None:
                counts = cells[key] = [0] * len(MEASURES)
            for name, value in zip(measures, row[3:], strict=True):
                counts[_INDEX[name]] += int(value or 0)
    totals = next(iter(execute(COMPLAINT_TOTALS_SQL, (b.cutoff, b.start, b.end))))
    return cells, tuple(int(v or 0) for v in totals)


# --------------------------------------------------------------------------- roll-up


def _row(key: str, label: str, counts: Sequence[int]) -> FigureRow:
    values = dict(zip(MEASURES, counts, strict=True))
    values["on_time"] = values["returned"] - values["early"] - values["late"]
    return FigureRow(key=key, label=label, **values)


def _roll_up(
    cells: dict[Key, list[int]],
    pick: Callable[[Key], str],
    label: Callable[[str], str],
    order: Callable[[str, str], tuple[Any, ...]],
) -> tuple[FigureRow, ...]:
    sums: dict[str, list[int]] = {}
    for key, counts in cells.items():
        target = sums.setdefault(pick(key), [0] * len(MEASURES))
        for k, value in enumerate(counts):
            target[k] += value
    rows = [_row(k, label(k), counts) for k, counts in sums.items()]
    # Named groups alphabetically (Vietnamese folded), the unattributed one last.
    rows.sort(key=lambda r: (r.key == "", *order(r.key, r.label)))
    return tuple(rows)


def assemble(
    date_from: date,
    date_to: date,
    now: datetime,
    cells: dict[Key, list[int]],
    complaint_totals: Sequence[int],
    names: dict[str, str],
) -> Report:
    """The report from the query results (pure: the bench and the tests reuse it)."""
    total = [0] * len(MEASURES)
    for counts in cells.values():
        for k, value in enumerate(counts):
            total[k] += value
    received, answered, answered_late, still_open, overdue = complaint_totals
    return Report(
        period_from=date_from,
        period_to=date_to,
        generated_at=now,
        total=_row("", TOTAL_LABEL, total),
        by_procedure=_roll_up(
            cells,
            lambda k: k[0],
            lambda code: names.get(code, code) if code else UNATTRIBUTED_PROCEDURE,
            lambda key, _label: (key,),
        ),
        by_field=_roll_up(
            cells,
            lambda k: k[1],
            lambda name: name or UNKNOWN_FIELD,
            lambda _key, label: (fold(label), label),
        ),
        by_clerk=_roll_up(
            cells,
            lambda k: k[2],
            lambda name: name or UNATTRIBUTED_CLERK,
            lambda _key, label: (fold(label), label),
        ),
        complaints=ComplaintFigures(
            received=received,
            answered=answered,
            answered_late=answered_late,
            open=still_open,
            overdue=overdue,
        ),
    )


def build_report(
    ctx: CounterContext, date_from: date, date_to: date, *, now: datetime | None = None
) -> Report:
    """The figures of the days ``date_from`` .. ``date_to`` (both included).

    ``now`` (default: the current moment) is what pending, overdue and answered are
    measured at. Raises ValidationError (``date_from``) for a reversed or over-long
    period, StorageError when the database cannot be read.
    """
    validate_period(date_from, date_to)
    moment = (
        to_vn(now).replace(microsecond=0) if now is not None else now_vn().replace(microsecond=0)
    )
    b = bounds(date_from, date_to, moment)
    db = ctx.db

    def execute(sql: str, params: Sequence[str]) -> list[tuple[Any, ...]]:
        return list(db.execute_sql(sql, tuple(params)).fetchall())

    try:
        # One read transaction (deferred: no write lock): every query sees one snapshot.
        with db.atomic(lock_type="DEFERRED"):
            cells, complaint_totals = collect(execute, b)
            names = {str(code): str(name) for code, name in execute(NAMES_SQL, ())}
    except (sqlite3.Error, peewee.DatabaseError, peewee.InterfaceError) as err:
        log.warning("report query failed: %s", err)
        raise StorageError(
            f"Không đọc được cơ sở dữ liệu để lập báo cáo ({err}). Hãy thử lại sau ít giây."
        ) from err
    return assemble(date_from, date_to, moment, cells, complaint_totals, names)


__all__ = [
    "DEFINITIONS",
    "RATING_LABELS",
    "ComplaintFigures",
    "FigureRow",
    "Report",
    "build_report",
    "month_range",
    "period_label",
    "quarter_range",
    "ratio",
    "vn_count",
    "vn_percent",
    "year_range",
]
