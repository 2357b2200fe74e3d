"""Every ``counter-app`` command with hostile arguments: the exit code is 0, 2 (refused
input) or 1 (a known error), 3 only for an intake saved without its receipt; a refusal says
why in Vietnamese on stderr; never a Python traceback.

Most invocations run in-process (``counter_app.cli.main``, stdout and stderr captured): a
fixed table that gives every option of every command three hostile values, then a
hypothesis sample. A few real subprocesses (``Cli`` and ``set_up`` of the integration
tests) check what only a process shows: arguments that are not UTF-8, the exit code and
stderr as a script sees them. A crash that matches an open bug (strategies.OPEN_BUGS) is
reported as xfail; each such bug has a strict-xfail subprocess test below that fails the
day it is fixed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import traceback
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app import cli
from counter_app.domain.clock import TEST_NOW_ENV
from counter_app.services import accounts, intake, tracking
from counter_app.services.calendars import reset_cache
from counter_app.services.dto import DocumentLine
from tests.conftest import CHEAP_HASHER, TEST_NOW
from tests.integration.test_cli import Cli, set_up
from tests.property.strategies import (
    OPEN_BUGS,
    bug_open,
    examples,
    hostile_text,
    is_vietnamese,
    nfd,
    valid_cccd,
)
from tests.support.counters import PASSWORD, SUPERVISOR, ready_counter

TOTALS: Counter[str] = Counter()
ALLOWED = {0, 1, 2}

# --------------------------------------------------------------------------- outcomes


@dataclass
class Ran:
    argv: list[str]
    code: int
    out: str
    err: str


def check(ran: Ran, allowed: set[int] = ALLOWED, *, lenient: bool = True) -> None:
    """Exit 0/1/2 (3 for an intake saved without receipt); a refusal explained in
    Vietnamese; no traceback. ``lenient``: what an open bug is known to do is let pass."""
    shown = f"{ran.argv!a} -> {ran.code}\nstderr: {ran.err[:600]}\nstdout: {ran.out[:300]}"
    assert "Traceback" not in ran.err, shown
    assert ran.code in allowed, shown
    if ran.code != 0:
        message = ran.err
        if "sync" in ran.argv and ran.code == 1 and not message.strip():
            # sync prints its report, "Lỗi: …" included, on stdout (for scripts: --json);
            # its log line on stderr is caught by pytest in-process.
            message = ran.out
        assert message.strip(), shown
        usage_error = message.startswith("usage:") and ran.code == 2
        if not (lenient and usage_error and bug_open("cli-argparse-english")):
            assert is_vietnamese(message), shown
    TOTALS[f"exit {ran.code}"] += 1


def _frames(exc: BaseException) -> str:
    return " ".join(
        f"{Path(frame.filename).name}:{frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    )


def known_crash(exc: BaseException) -> str | None:
    """The open bug a crash is, if it is one (by exception type and where it came from)."""
    frames, text = _frames(exc), str(exc)
    signatures = {
        "cli-json-file": isinstance(exc, RecursionError | ValueError)
        and "_read_json_file" in frames,
        "cli-documents-digit": isinstance(exc, ValueError) and "_documents_arg" in frames,
        "cli-surrogate-args": isinstance(exc, UnicodeEncodeError) and "surrogates" in text,
        "cli-sync-timeout": isinstance(exc, ValueError | OverflowError)
        and "client.py:request" in frames
        and ("NaN" in text or "out of range" in text),
        # cli._open opens (or creates) the counter of --home.
        "cli-home-not-dir": isinstance(exc, OSError) and "cli.py:_open" in frames,
        "report-pdf-write": isinstance(exc, OSError) and "write_report_pdf" in frames,
        "backup-long-path": isinstance(exc, OSError) and "backup.py:make_backup" in frames,
        "day-overflow": isinstance(exc, ValueError | OverflowError)
        and any(f in frames for f in ("reports.py:", "forms.py:register", "dossiers.py:received")),
        "sync-config": isinstance(exc, ValueError | UnicodeError)
        and any(f in frames for f in ("client.py:", "state.py:save_config")),
    }
    return next((bug for bug, hit in signatures.items() if hit and bug_open(bug)), None)


# --------------------------------------------------------------------------- in-process


@dataclass(frozen=True)
class Workspace:
    root: Path
    home: Path
    code: str  # received (status 2), with a Mẫu 02 notice
    resolved: str  # status 9, waiting for its return
    hub_db: Path
    files: dict[str, Path]


def _files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    raw = {
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "bigint": b"1" * 5000,
        "binary": b"\xff\xfe\x00\x01",
        "empty": b"",
        "bom": '\ufeff{"year": 2026, "days_off": []}'.encode(),
        "nfd-calendar": json.dumps({"year": 2027, "source": nfd("Quyết định")}).encode(),
        "wrong-shape": b'{"procedures": 3}',
        "latin1": "{'tên': 'Hà'}".encode("latin-1"),
    }
    paths = {}
    for name, data in raw.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_bytes(data)
    paths["folder"] = folder
    paths["missing"] = folder / "khong-co.json"
    return paths


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEST_NOW_ENV, TEST_NOW)
        mp.setattr(accounts, "HASHER", CHEAP_HASHER)
        reset_cache()
        ctx = ready_counter(root / "home")
        applicant = intake.ApplicantInput(name="Nguyễn Văn An", id_number="001090012345")
        code = intake.receive(ctx, intake.IntakeRequest("1.004873", applicant)).code
        tracking.request_supplement(
            ctx, code, "Thiếu giấy tờ", (DocumentLine("Tờ khai", "copy", 1),)
        )
        tracking.change_status(ctx, code, 4, note="Đã bổ sung")
        other = intake.IntakeRequest("2.000815", applicant, allow_duplicate=True)
        resolved = intake.receive(ctx, other).code
        tracking.hand_over(ctx, resolved, "Công chức Tư pháp - Hộ tịch")
        tracking.hand_over(ctx, resolved, "quầy", result_ready=True)
        ctx.close()
    (root / "cwd").mkdir()
    yield Workspace(root, root / "home", code, resolved, root / "hub.sqlite3", _files(root / "f"))
    reset_cache()


@pytest.fixture(autouse=True)
def _operator(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands act as the supervisor; relative paths land in a scratch folder."""
    monkeypatch.delenv("COUNTER_APP_HOME", raising=False)
    monkeypatch.setenv(cli.USER_ENV, SUPERVISOR)
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    # "user passwd --json" changes one's own password: to the same, so later commands
    # still sign in.
    monkeypatch.setenv(cli.NEW_PASSWORD_ENV, PASSWORD)
    monkeypatch.chdir(workspace.root / "cwd")


def run_main(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Ran:
    TOTALS["in-process"] += 1
    try:
        code = cli.main(argv)
    except SystemExit as done:  # argparse: --help, --version, a refused option
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    captured = capsys.readouterr()
    return Ran(argv, code, captured.out, captured.err)


def run_checked(capsys: pytest.CaptureFixture[str], argv: list[str], allowed: set[int]) -> None:
    try:
        ran = run_main(capsys, argv)
    except Exception as exc:
        bug = known_crash(exc)
        if bug is None:
            raise
        TOTALS[f"open bug {bug}"] += 1
        pytest.xfail(f"{bug}: {OPEN_BUGS[bug]}")
    check(ran, allowed)


# --------------------------------------------------------------------------- the table

# Values every option meets (three per option, in turn): empty, white space, decomposed
# Vietnamese, bidi and zero-width characters, a terminal escape, stray and piled marks,
# 10,000 characters, emoji, bytes that are not UTF-8, numbers at the edges, dates that do
# not exist, something that looks like an option.
VALUES = (
    "",
    "   ",
    "\t\n",
    nfd("Nguyễn Thị Thu Hà"),
    "Nguyễn\u202eVăn",
    "Lê\u200bVăn\ufeff",
    "\x1b[31mđỏ\x1b[0m",
    "\u0301\u0301a",
    "a" + "\u0300" * 40,
    "x" * 10_000,
    "🙂👨\u200d👩\u200d👧",
    "\udcff\udcfe",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "nan",
    "２０２６-１１-２５",
    "9999-12-31",
    "2026-02-30",
    "2026-11-25T25:61:00+07:00",
    "--json",
    "; rm -rf / #",
    "'\"%s%n{0}",
)

_cccd = (f"0010900{n:05d}" for n in itertools.count(20_000))

# (command, a valid argv, the options to spoil: "--opt", or "#i" for argv[i])
COMMANDS: list[tuple[str, list[str], list[str]]] = [
    (
        "intake",
        [
            *("intake", "--procedure", "1.004873", "--name", "Lê Thị Hoà"),
            *("--id-number", "{cccd}", "--allow-duplicate"),
        ],
        [
            "--procedure",
            "--name",
            "--id-number",
            "--tax-code",
            "--dob",
            "--sex",
            "--address",
            "--phone",
            "--email",
            "--received-at",
            "--documents",
            "--sets",
            "--delivery",
            "--note",
            "--submission-id",
        ],
    ),
    (
        "init",
        [
            *("init", "--agency-code", "000.00.17.H26", "--agency-name", "UBND xã An Hòa"),
            *("--place", "An Hòa", "--station", "1", "--admin", "quantri2"),
        ],
        ["--agency-code", "--agency-name", "--place", "--station", "--admin", "--admin-name"],
    ),
    ("backup", ["backup", "--to", "{root}/bk"], ["--to"]),
    ("due-date", ["due-date", "--procedure", "1.004873"], ["--procedure", "--received-at"]),
    ("show", ["show", "{code}"], ["#1"]),
    ("receipt", ["receipt", "{code}", "--out", "receipt.pdf"], ["#1", "--out"]),
    ("status", ["status", "{code}", "--set", "5", "--note", "Thiếu"], ["#1", "--set", "--note"]),
    ("status-at", ["status", "{code}", "--set", "6", "--note", "Phí"], ["--at"]),
    (
        "handover",
        ["handover", "{code}", "--to", "Công an xã", "--giver", "Lan", "--taker", "Hùng"],
        ["#1", "--to", "--giver", "--taker", "--note", "--at"],
    ),
    (
        "return",
        ["return", "{resolved}", "--receiver", "Nguyễn Văn An", "--rating", "1"],
        ["#1", "--receiver", "--authorised-id", "--rating", "--comment", "--at"],
    ),
    (
        "amend",
        ["amend", "{code}", "--reason", "Gõ nhầm", "--address", "Thôn 3"],
        [
            *("#1", "--reason", "--name", "--id-number", "--tax-code", "--dob", "--sex"),
            *("--address", "--phone", "--email", "--note"),
        ],
    ),
    ("cancel", ["cancel", "{fresh}", "--reason", "Nhập trùng"], ["#1", "--reason", "--cause"]),
    (
        "register",
        ["register", "--from", "2026-11-01", "--to", "2026-11-30", "--out", "so.pdf"],
        ["--from", "--to", "--out"],
    ),
    ("form", ["form", "{code}", "02"], ["#1", "#2"]),
    ("search", ["search", "nguyen"], ["#1", "--limit"]),
    (
        "report",
        ["report", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["--from", "--to", "--xlsx", "--pdf"],
    ),
    (
        "sync-setup",
        ["sync", "setup", "--hub", "https://huyen.example", "--token", "t"],
        ["--hub", "--token", "--ca-file"],
    ),
    ("sync-export", ["sync", "export", "--out", "goi.mcb"], ["--out"]),
    (
        "user-add",
        ["user", "add", "cb.moi", "--full-name", "Phạm Thị Huệ"],
        ["#2", "--full-name", "--role"],
    ),
    ("user-role", ["user", "role", "lan", "clerk"], ["#2", "#3"]),
    ("user-disable", ["user", "disable", "lan"], ["#2"]),
    ("user-unlock", ["user", "unlock", "lan"], ["#2"]),
    ("user-passwd", ["user", "passwd", "lan"], ["#2"]),
    ("backup-list", ["backup", "list", "{root}/bk"], ["#2"]),
    ("backup-folder", ["backup", "folder", "{root}/bk"], ["#2"]),
    ("restore", ["restore", "{root}/f/binary.json"], ["#1"]),
    ("home", ["--home", "{home}", "search", "a"], ["#1"]),
    ("user", ["--user", "mai", "search", "a"], ["#1"]),
    (
        "hub-add-station",
        ["hub", "add-station", "--db", "{hub}", "--agency-code", "000.00.17.H26", "--station", "3"],
        ["--agency-code", "--station", "--label"],
    ),
    (
        "hub-set-status",
        ["hub", "set-status", "--db", "{hub}", "{code}", "4", "--note", "Xong"],
        ["#4", "#5", "--note", "--actor", "--unit"],
    ),
    ("hub-dossiers", ["hub", "dossiers", "--db", "{hub}"], ["--agency-code", "--db"]),
]
# Paths are spoiled inside the scratch folder, never elsewhere on the machine.
PATH_OPTIONS = {"--out", "--xlsx", "--pdf", "--ca-file", "--db", "--to"}
PATH_COMMANDS = {"backup-list", "backup-folder", "restore", "home"}
# Commands run without a counter (the hub's own database).
NO_HOME = {"hub-add-station", "hub-set-status", "hub-dossiers", "home"}


def _spoil(argv: list[str], option: str, value: str) -> list[str]:
    out = list(argv)
    if option.startswith("#"):
        out[int(option[1:])] = value
    elif option in out:
        out[out.index(option) + 1] = value
    else:
        out += [option, value]
    return out


@dataclass(frozen=True)
class Row:
    name: str
    argv: tuple[str, ...]
    allowed: frozenset[int]

    def __str__(self) -> str:
        return self.name


def _table() -> list[Row]:
    rows: list[Row] = []
    turn = itertools.count()
    for name, argv, options in COMMANDS:
        for option in options:
            for _ in range(3):
                value = VALUES[next(turn) % len(VALUES)]
                if option in PATH_OPTIONS or name in PATH_COMMANDS:
                    value = "{root}/cwd/" + value.replace("/", "_")
                spoilt = _spoil(argv, option, value)
                allowed = ALLOWED | {3} if name == "intake" else ALLOWED
                label = f"{name} {option}={value[:12]!a}"
                rows.append(Row(label, tuple(spoilt), frozenset(allowed)))
    for kind in ("deep", "bigint", "binary", "empty", "bom", "nfd-calendar", "wrong-shape"):
        for command in (["catalogue", "import"], ["calendar", "import"]):
            rows.append(
                Row(
                    f"{' '.join(command)} {kind}",
                    (*command, f"{{file:{kind}}}"),
                    frozenset(ALLOWED),
                )
            )
    for kind in ("latin1", "folder", "missing"):
        rows.append(
            Row(
                f"catalogue import {kind}",
                ("catalogue", "import", f"{{file:{kind}}}"),
                frozenset(ALLOWED),
            )
        )
    for kind in ("deep", "bigint", "wrong-shape"):
        for command in ("publish-catalogue", "publish-calendar"):
            argv = ("hub", command, "--db", "{hub}", f"{{file:{kind}}}")
            rows.append(Row(f"hub {command} {kind}", argv, frozenset(ALLOWED)))
    for timeout in ("nan", "-1", "inf", "0"):
        argv = ("sync", "--hub", "http://127.0.0.1:9", "--token", "t", "--timeout", timeout)
        rows.append(Row(f"sync --timeout={timeout}", argv, frozenset(ALLOWED)))
    for url in ("http://a:99999", "http://[::1", "ftp://huyen", "https://"):
        rows.append(
            Row(f"sync --hub={url}", ("sync", "--hub", url, "--token", "t"), frozenset(ALLOWED))
        )
    for argv in (
        ["info"],
        ["calendar", "list"],
        ["catalogue", "list"],
        ["audit", "verify"],
        ["sync", "status"],
        ["user", "list"],
        ["--version"],
        ["search", "--help"],
    ):
        rows.append(Row(" ".join(argv), tuple(argv), frozenset(ALLOWED)))
    return rows


TABLE = _table()


def _fresh_dossier(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> str:
    """A dossier received now, through the command line itself (for ``cancel``)."""
    argv = ["--home", str(ws.home), "intake", "--procedure", "1.004873", "--name", "Lê Văn Tư"]
    code = cli.main([*argv, "--id-number", next(_cccd), "--allow-duplicate", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return str(json.loads(captured.out)["code"])


def _argv(ws: Workspace, row: Row, capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = []
    for arg in row.argv:
        if arg == "{cccd}":
            arg = next(_cccd)
        elif arg == "{fresh}":
            arg = _fresh_dossier(ws, capsys)
        elif arg.startswith("{file:"):
            arg = str(ws.files[arg[6:-1]])
        arg = (
            arg.replace("{code}", ws.code)
            .replace("{resolved}", ws.resolved)
            .replace("{hub}", str(ws.hub_db))
            .replace("{home}", str(ws.home))
            .replace("{root}", str(ws.root))
        )
        out.append(arg)
    if row.name.split(" ")[0] in NO_HOME:
        return out
    return ["--home", str(ws.home), *out]


def test_the_table_covers_every_command() -> None:
    parser = cli.build_parser()
    subparsers = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    commands = set(subparsers.choices)
    covered = {next((a for a in row.argv if a in commands), "") for row in TABLE}
    # gui opens a window (hub serve and hub forward, which listen and call out, are not
    # top-level commands and stay out too).
    assert commands - covered <= {"gui"}, commands - covered
    assert len(TABLE) >= 250


@pytest.mark.parametrize("row", TABLE, ids=str)
def test_cli_table(workspace: Workspace, capsys: pytest.CaptureFixture[str], row: Row) -> None:
    run_checked(capsys, _argv(workspace, row, capsys), set(row.allowed))


# --------------------------------------------------------------------------- a sample


def cli_text(*, not_utf8: bool = True) -> st.SearchStrategy[str]:
    """What an argument can hold: anything but NUL; bytes that are not UTF-8 come in as
    lone surrogates (Python's surrogateescape)."""
    options = [
        hostile_text(60).map(lambda t: t.replace("\x00", "")),
        valid_cccd().map(lambda t: t[0]),
    ]
    if not_utf8:
        surrogates = st.lists(st.integers(0xDC80, 0xDCFF).map(chr), min_size=1, max_size=3)
        options.append(surrogates.map("".join))
    return st.one_of(*options).filter(
        lambda t: not_utf8 or all(not 0xD800 <= ord(c) <= 0xDFFF for c in t)
    )


@examples(80)
@given(data=st.data())
def test_cli_sample(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    name, argv, options = data.draw(st.sampled_from(COMMANDS[:12]), label="command")
    spoilt = list(argv)
    for option in data.draw(
        st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True)
    ):
        value = data.draw(cli_text(), label=option)
        if option in PATH_OPTIONS:
            value = "{root}/cwd/" + value.replace("/", "_")
        spoilt = _spoil(spoilt, option, value)
    row = Row(name, tuple(spoilt), frozenset(ALLOWED | {3}))
    try:
        ran = run_main(capsys, _argv(workspace, row, capsys))
    except Exception as exc:
        bug = known_crash(exc)
        if bug is None:
            raise
        TOTALS[f"open bug {bug}"] += 1
        return
    check(ran, set(row.allowed))


# --------------------------------------------------------------------------- real processes


@pytest.fixture(scope="module")
def process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEST_NOW_ENV, TEST_NOW)
        yield set_up(tmp_path_factory.mktemp("process") / "home", 2, "Lê Thị Thu")


def run_process(cli_: Cli, *args: str) -> Ran:
    TOTALS["subprocess"] += 1
    result = cli_.run(*args, ok=False)
    return Ran(list(args), result.returncode, result.stdout, result.stderr)


def test_process_intake_stores_nfc(process: Cli) -> None:
    name = nfd("  TRƯƠNG  THỊ THÙY DƯƠNG ")
    ran = run_process(
        process,
        "intake",
        "--procedure",
        "1.004873",
        "--name",
        name,
        "--id-number",
        "079185000123",
        "--json",
    )
    check(ran)
    assert ran.code == 0, ran.err
    code = json.loads(ran.out)["code"]
    shown = json.loads(run_process(process, "show", code, "--json").out)
    stored = shown["applicant_name"]
    assert stored == "TRƯƠNG THỊ THÙY DƯƠNG" and unicodedata.is_normalized("NFC", stored)
    found = run_process(process, "search", "truong thi thuy duong", "--json")
    assert code in found.out


@pytest.mark.parametrize(
    "args",
    [
        (
            "intake",
            "--procedure",
            "1.004873",
            "--name",
            "Nguyễn\u202eVăn",
            "--id-number",
            "001090012345",
        ),
        (
            "intake",
            "--procedure",
            "1.004873",
            "--name",
            "x" * 10_000,
            "--id-number",
            "001090012345",
        ),
        (
            "intake",
            "--procedure",
            "1.004873",
            "--name",
            "An",
            "--id-number",
            "００１０９００１２３４５",
        ),
        (
            "intake",
            "--procedure",
            "1.004873",
            "--name",
            "An",
            "--id-number",
            "001090012345",
            "--dob",
            "2030-01-01",
        ),
        ("due-date", "--procedure", "1.004873", "--received-at", "2026-11-25T08:30:00+07:00\u202e"),
        ("search", nfd("ĐẶNG  VĂN")),
        ("search", "x" * 10_000),
        ("user", "add", "\u202equantri", "--full-name", "Kẻ giả mạo"),
        ("status", "000.00.17.H26-261125-9999", "--set", "4"),
    ],
    ids=[
        "bidi name",
        "10k name",
        "full-width CCCD",
        "future dob",
        "bidi time",
        "NFD search",
        "10k search",
        "bidi username",
        "unknown code",
    ],
)
def test_process_refusals(process: Cli, args: tuple[str, ...]) -> None:
    check(run_process(process, *args))


# A crash in a child process has no exception to match against OPEN_BUGS: the sample
# leaves out what an open bug is known to crash on.
@examples(3, cap=30)
@given(text=cli_text(not_utf8=not bug_open("cli-surrogate-args")))
def test_process_search_sample(process: Cli, text: str) -> None:
    check(run_process(process, "search", text))


def _strict(bug: str) -> Any:
    return pytest.mark.xfail(bug_open(bug), strict=True, reason=OPEN_BUGS.get(bug, ""))


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(
            ("catalogue", "import", "{deep}"), marks=_strict("cli-json-file"), id="deep JSON"
        ),
        pytest.param(
            (
                "intake",
                "--procedure",
                "1.004873",
                "--name",
                "An",
                "--id-number",
                "001090012345",
                "--documents",
                "²",
            ),
            marks=_strict("cli-documents-digit"),
            id="documents ²",
        ),
        pytest.param(("show", "\udcff"), marks=_strict("cli-surrogate-args"), id="code not UTF-8"),
        pytest.param(
            ("search", "\udcff nguyen"), marks=_strict("cli-surrogate-args"), id="search not UTF-8"
        ),
        pytest.param(
            ("backup", "--to", "{long}"), marks=_strict("backup-long-path"), id="backup --to long"
        ),
        pytest.param(
            ("report", "--from", "2026-11-01", "--to", "2026-11-30", "--pdf", "/khong-co/bc.pdf"),
            marks=_strict("report-pdf-write"),
            id="report --pdf to a missing folder",
        ),
        pytest.param(
            ("sync", "--hub", "http://127.0.0.1:9", "--token", "t", "--timeout", "nan"),
            marks=_strict("cli-sync-timeout"),
            id="timeout nan",
        ),
        pytest.param(
            ("--home", "{file}", "info"), marks=_strict("cli-home-not-dir"), id="home is a file"
        ),
        pytest.param(
            ("report", "--from", "9999-12-31", "--to", "9999-12-31"),
            marks=_strict("day-overflow"),
            id="report 9999",
        ),
        pytest.param(
            (
                "intake",
                "--procedure",
                "1.004873",
                "--name",
                "An",
                "--id-number",
                "001090012345",
                "--sets",
                "hai",
            ),
            marks=_strict("cli-argparse-english"),
            id="--sets hai",
        ),
        pytest.param(
            ("sync", "setup", "--hub", "http://[::1", "--token", "t"),
            marks=_strict("sync-config"),
            id="hub http://[::1",
        ),
    ],
)
def test_process_open_bugs(process: Cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    file = tmp_path / "a-file"
    file.write_text("x")
    long = str(tmp_path / ("a" * 300))
    argv = [
        a.replace("{deep}", str(deep)).replace("{file}", str(file)).replace("{long}", long)
        for a in args
    ]
    check(run_process(process, *argv), lenient=False)


@pytest.fixture(scope="module", autouse=True)
def _report_totals() -> Iterator[None]:
    yield
    print("\ncommand line: " + ", ".join(f"{key}: {n}" for key, n in sorted(TOTALS.items())))
