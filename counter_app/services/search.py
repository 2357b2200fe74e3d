"""Finding any dossier from one search box: code, applicant name, ID number or phone.

What the clerk types decides what is searched:

- a code, whole or begun ("000.00.17.H26-2611…"): codes in that range, latest first;
- a code without its agency, as read off a receipt ("261125-1001", "261125 10"): the
  ``YYMMDD-NNNN`` tail of every code, latest first;
- digits ("001090012345", "0912 345 678", "+84 912…", "1001"), in this order: the exact
  ID number, tax code and phone; a dossier number of any day (4 digits: "1001", "0001"),
  the dossiers of a day (6 digits, "261125") or a tail typed without its dash; then, from
  3 digits on, the ID numbers and phones that begin so (in number order);
- anything else is a name. It is folded as the stored key is (``domain.text.fold``: no
  marks, đ→d, lower case, either tone placement), so "nguyen van duc" finds
  "Nguyễn Văn Đức" and "hoà" finds "hòa".

Names, best first:

1. full-prefix matches: the name begins with what was typed ("tran thi h" → "Trần Thị
   Hoa"), its last word possibly unfinished unless a space follows it;
2. word matches: every typed word is a word of the name, in any order, the last one
   possibly unfinished ("van duc" and "duc" → "Nguyễn Văn Đức").

Within each group, as within every other kind of match, the dossier entered last comes
first (by id: the order the counter numbered them). Each group is read in that order
straight from an index and stops at the page asked for, so "nguyen" (40% of all dossiers)
costs no more than a rare name:

- group 1 is a range of the ``applicant_key`` B-tree. If it holds at most ``COUNT_CAP``
  rows, their ids are read from the index alone and sorted (bounded); if more, the FTS5
  index is read newest first for names starting with the typed words (``^"…"*``);
- group 2 is the FTS5 word index (``dossier_name_fts``, rowid = dossier id, migration 3)
  read newest first, less the rows of group 1.

The costliest search is the one that finds nothing among common words ("nguyen thi duc":
every Nguyễn meets every Thị, and no Đức is among them): one pass over those words' lists.
Pages are read by offset, so a page deep in a long list costs what it skips (the 200th
page of "nguyen v" reads 10,000 matches first: tens of ms, on the list's worker thread).

Counts are exact up to ``COUNT_CAP``; above it ``count_matches`` returns ``COUNT_CAP + 1``
(that many rows exist; show "10 000+"): counting 400,000 Nguyễn would cost more than
listing them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from counter_app.domain.clock import parse_iso
from counter_app.domain.text import fold
from counter_app.services.context import CounterContext
from counter_app.services.dto import DossierSummary

COUNT_CAP = 10_000
MAX_LIMIT = 1000
# ID numbers and phones are matched by their beginning from this many digits on: fewer
# would list arbitrary dossiers.
PREFIX_MIN_DIGITS = 3
# Sorts above every character a key can hold, so [p, p + _TOP) is "begins with p".
_TOP = "\U0010ffff"

_CODE_START = re.compile(r"^[0-9A-Z]{3}\.", re.IGNORECASE)
_CODE_TAIL = re.compile(r"^(\d{6})\s*[-./\s]\s*(\d{0,4})$")
_DIGITISH = re.compile(r"^\+?[\d\s.\-()]+$")
# A word as FTS5's unicode61 tokenizer cuts it: letters and digits.
_WORD = re.compile(r"[^\W_]+")

_SUMMARY_SQL = (
    "SELECT d.id, d.code, p.code, p.name, d.applicant_name, d.received_at, d.due_at, d.status"
    " FROM dossier d JOIN procedure p ON p.id = d.procedure_id WHERE d.id IN ({marks})"
)
_FTS = "dossier_name_fts WHERE dossier_name_fts MATCH ?"
_KEY_RANGE = (
    "dossier INDEXED BY dossier_applicant_key WHERE applicant_key >= ? AND applicant_key < ?"
)


@dataclass
class _Group:
    """One group of matches, read in its order straight from one index.

    ``source`` follows ``FROM``; ``column`` is the dossier id in it, ``order`` the group's
    order. Counts are kept per cap: a page and a count often ask the same question.
    """

    ctx: CounterContext
    source: str
    params: tuple[object, ...]
    order: str
    column: str = "id"
    _counts: dict[int, int] = field(default_factory=dict)

    def ids(self, offset: int, limit: int) -> list[int]:
        sql = f"SELECT {self.column} FROM {self.source} ORDER BY {self.order} LIMIT ? OFFSET ?"
        cursor = self.ctx.db.execute_sql(sql, (*self.params, limit, offset))
        return [row[0] for row in cursor.fetchall()]

    def count(self, cap: int) -> int:
        """How many rows, or ``cap`` if at least that many."""
        if cap <= 0:
            return 0
        if cap not in self._counts:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM {self.source} LIMIT ?)"
            row = self.ctx.db.execute_sql(sql, (*self.params, cap)).fetchone()
            self._counts[cap] = int(row[0])
        return self._counts[cap]


@dataclass(frozen=True)
class _Plan:
    """The groups of one search, best first, no row in two of them. ``every``, if given,
    holds exactly their rows and is cheaper to count than they are one by one."""

    groups: list[_Group]
    every: _Group | None = None

    def page(self, offset: int, limit: int) -> list[int]:
        ids: list[int] = []
        for group in self.groups:
            if limit <= 0:
                break
            got = group.ids(offset, limit)
            if got:
                ids.extend(got)
                limit -= len(got)
                offset = 0
            elif offset:
                offset -= group.count(offset)  # the group ends before the page begins
        return ids

    def count(self, cap: int) -> int:
        if self.every is not None:
            return self.every.count(cap)
        total = 0
        for group in self.groups:
            total += group.count(cap - total)
            if total >= cap:
                break
        return total


_Predicate = tuple[str, tuple[object, ...], str]  # condition on ``d``, its values, order


def _dossier_group(ctx: CounterContext, predicate: _Predicate) -> _Group:
    condition, params, order = predicate
    return _Group(ctx, f"dossier d WHERE {condition}", params, order)


def _plan(ctx: CounterContext, text: str) -> _Plan:
    typed = text.strip()
    if not typed:
        return _Plan([])
    if _CODE_START.match(typed):
        code = re.sub(r"\s+", "", typed).upper()
        return _Plan([_dossier_group(ctx, _range("d.code", code, "code DESC"))])
    tail = _CODE_TAIL.match(typed)
    if tail:
        predicate = _tail_predicate(f"{tail[1]}-{tail[2]}", exact=len(tail[2]) == 4)
        return _Plan([_dossier_group(ctx, predicate)])
    if _DIGITISH.match(typed):
        return _digit_plan(ctx, typed)
    return _name_plan(ctx, text)


def _range(column: str, prefix: str, order: str) -> _Predicate:
    """``column`` begins with ``prefix`` (an index range)."""
    return f"{column} >= ? AND {column} < ?", (prefix, prefix + _TOP), order


def _tail_predicate(tail: str, *, exact: bool) -> _Predicate:
    if exact:
        return "substr(d.code, -11) = ?", (tail,), "id DESC"
    return _range("substr(d.code, -11)", tail, "substr(code, -11) DESC")


def _phone_digits(typed: str, digits: str) -> str:
    """The phone as stored (0 + national number), also when typed +84… or 84…."""
    if typed.startswith("+84"):
        return "0" + digits[2:].removeprefix("0")
    if digits.startswith("84") and len(digits) in (11, 12):
        return "0" + digits[2:]
    return digits


def _digit_plan(ctx: CounterContext, typed: str) -> _Plan:
    digits = re.sub(r"\D", "", typed)
    if not digits:
        return _Plan([])
    phone = _phone_digits(typed, digits)
    tax = f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits
    predicates: list[_Predicate] = [
        ("d.id_number = ? AND d.id_number <> ''", (digits,), "id DESC"),
        ("d.tax_code = ? AND d.tax_code <> ''", (tax,), "id DESC"),
        ("d.phone = ? AND d.phone <> ''", (phone,), "id DESC"),
    ]
    if len(digits) == 4:  # a dossier number, any day
        predicates.append(("substr(d.code, -4) = ?", (digits,), "id DESC"))
    if len(digits) == 6:  # a day, YYMMDD
        predicates.append(_tail_predicate(digits + "-", exact=False))
    if len(digits) == 10 and not digits.startswith("0"):  # YYMMDDNNNN (phones begin with 0)
        predicates.append(_tail_predicate(f"{digits[:6]}-{digits[6:]}", exact=True))
    if len(digits) >= PREFIX_MIN_DIGITS:
        # ':' follows '9': (d, d + ':') holds every longer string that begins with d.
        predicates.append(
            (
                "d.id_number > ? AND d.id_number < ? AND d.id_number <> ''",
                (digits, digits + ":"),
                "id_number, id DESC",
            )
        )
        predicates.append(
            (
                "d.phone > ? AND d.phone < ? AND d.phone <> ''",
                (phone, phone + ":"),
                "phone, id DESC",
            )
        )
    # One dossier may match two groups (an ID and a phone both beginning "091"): it is
    # listed in the first. A later group leaves an earlier one out by its ids when they are
    # few (read from that group's own index, no row read), else by its condition (a row
    # read per candidate, met only beyond COUNT_CAP rows).
    groups: list[_Group] = []
    exclusions: list[tuple[str, tuple[object, ...]]] = []
    for position, (condition, params, order) in enumerate(predicates, start=1):
        where = condition + "".join(f" AND {sql}" for sql, _ in exclusions)
        values = params + tuple(value for _, vs in exclusions for value in vs)
        group = _dossier_group(ctx, (where, values, order))
        groups.append(group)
        if position == len(predicates):
            break
        if group.count(COUNT_CAP + 1) <= COUNT_CAP:
            inner = condition.replace("d.", "x.")
            exclusions.append((f"d.id NOT IN (SELECT x.id FROM dossier x WHERE {inner})", params))
        else:
            exclusions.append((f"NOT ({condition})", params))
    return _Plan(groups)


def _name_plan(ctx: CounterContext, text: str) -> _Plan:
    key = fold(text)
    words = _WORD.findall(key)
    if not words:
        return _Plan([])
    # "nguyen " (a space typed after the word): the word is complete, "nguyenx" is out.
    complete = text[-1:].isspace()
    star = "" if complete else "*"
    anywhere = " ".join(f'"{word}"' for word in words) + star
    every = _Group(ctx, _FTS, (anywhere,), "rowid DESC", column="rowid")
    # Every name that begins with the typed text holds the typed words: group 1 is a part
    # of ``every``, and group 2 the rest of it.
    bounds = (key, key + (" " + _TOP if complete else _TOP))
    by_key = _Group(ctx, _KEY_RANGE, bounds, "id DESC")
    size = by_key.count(COUNT_CAP + 1)
    if size == 0:
        return _Plan([every], every)
    if size <= COUNT_CAP:
        rest = _Group(
            ctx,
            f"{_FTS} AND rowid NOT IN (SELECT id FROM {_KEY_RANGE})",
            (anywhere, *bounds),
            "rowid DESC",
            column="rowid",
        )
        return _Plan([by_key, rest], every)
    # Too many to sort on each keystroke ("nguyen"): read group 1 newest first from the
    # word index instead, as the names whose first words are the typed ones.
    begins = '^"' + " ".join(words) + '"' + star
    return _Plan(
        [
            _Group(ctx, _FTS, (begins,), "rowid DESC", column="rowid"),
            _Group(ctx, _FTS, (f"({anywhere}) NOT ({begins})",), "rowid DESC", column="rowid"),
        ],
        every,
    )


def _summaries(ctx: CounterContext, ids: Sequence[int]) -> list[DossierSummary]:
    """The summaries of ``ids``, in that order (as ``dossiers.summary_of`` builds them)."""
    if not ids:
        return []
    sql = _SUMMARY_SQL.format(marks=",".join("?" * len(ids)))
    rows = {row[0]: row for row in ctx.db.execute_sql(sql, tuple(ids)).fetchall()}
    return [
        DossierSummary(
            code=row[1],
            procedure_code=row[2],
            procedure_name=row[3],
            applicant_name=row[4],
            received_at=parse_iso(row[5]),
            due_at=parse_iso(row[6]),
            status=row[7],
        )
        for row in (rows.get(dossier_id) for dossier_id in ids)
        if row is not None
    ]


def search(
    ctx: CounterContext, text: str, *, limit: int = 50, offset: int = 0
) -> list[DossierSummary]:
    """One page of the dossiers matching ``text``, best first (see the module text)."""
    limit = max(0, min(limit, MAX_LIMIT))
    if limit == 0:
        return []
    return _summaries(ctx, _plan(ctx, text).page(max(0, offset), limit))


def count_matches(ctx: CounterContext, text: str) -> int:
    """How many dossiers ``search`` lists for ``text``: exact up to ``COUNT_CAP``, else
    ``COUNT_CAP + 1`` (that many do exist; show it as "10 000+", see ``is_capped``)."""
    return _plan(ctx, text).count(COUNT_CAP + 1)


def is_capped(count: int) -> bool:
    """True when ``count`` is the cap of ``count_matches`` rather than a full count."""
    return count > COUNT_CAP


def find_by_code(ctx: CounterContext, code: str) -> DossierSummary | None:
    """The dossier with exactly this code (case and spaces ignored), or None."""
    wanted = re.sub(r"\s+", "", code).upper()
    row = ctx.db.execute_sql("SELECT id FROM dossier WHERE code = ?", (wanted,)).fetchone()
    if row is None:
        return None
    found = _summaries(ctx, [row[0]])
    return found[0] if found else None
