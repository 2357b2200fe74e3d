"""The admin CLI as a script would use it: real processes, JSON on stdout, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.counters import (
    ADMIN,
    AGENCY_CODE,
    CLERK,
    JUNIOR_FULL_NAME,
    PASSWORD,
    SUPERVISOR,
)


class Cli:
    """``counter-app`` in a subprocess; ``home=None`` for commands that need no counter
    (``hub …``)."""

    def __init__(self, home: Path | None, user: str = SUPERVISOR) -> None:
        self.home = home
        self.user = user

    def as_user(self, user: str) -> Cli:
        return Cli(self.home, user)

    def run(
        self, *args: str, ok: bool = True, stdin: str | None = None, **env_extra: str
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "COUNTER_APP_HOME"}
        env["PYTHONIOENCODING"] = "utf-8"
        # Every command acts as a named operator; commands that need none ignore these.
        env["COUNTER_APP_USER"] = self.user
        env["COUNTER_APP_PASSWORD"] = PASSWORD
        env.update(env_extra)
        home = ["--home", str(self.home)] if self.home is not None else []
        result = subprocess.run(
            [sys.executable, "-m", "counter_app", *home, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=60,
            input=stdin,
        )
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


def set_up(home: Path, station: int, clerk: str) -> Cli:
    """A counter of UBND xã An Hòa, set up by ``counter-app init`` with the admin
    ``quantri``, then the supervisor ``mai`` (full name ``clerk``, who receives the
    dossiers) and the clerk ``lan``, all with the test password; commands run as ``mai``."""
    c = Cli(home, ADMIN)
    c.run(
        "init",
        "--agency-code",
        AGENCY_CODE,
        "--agency-name",
        "UBND xã An Hòa",
        "--place",
        "An Hòa",
        "--station",
        str(station),
        "--admin",
        ADMIN,
    )
    c.run(
        "user",
        "add",
        SUPERVISOR,
        "--full-name",
        clerk,
        "--role",
        "supervisor",
        COUNTER_APP_NEW_PASSWORD=PASSWORD,
    )
    c.run(
        "user",
        "add",
        CLERK,
        "--full-name",
        JUNIOR_FULL_NAME,
        "--role",
        "clerk",
        COUNTER_APP_NEW_PASSWORD=PASSWORD,
    )
    return c.as_user(SUPERVISOR)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return set_up(tmp_path / "home", 2, "Lê Thị Thu")


def test_info(cli: Cli) -> None:
    info = cli.json("info")
    assert set(info) == {"version", "data_dir", "db_path", "schema_version"}
    assert Path(info["db_path"]).is_file()
    assert Path(info["data_dir"]) == cli.home.resolve()


def test_home_from_environment(tmp_path: Path) -> None:
    env = dict(os.environ, COUNTER_APP_HOME=str(tmp_path / "envhome"))
    out = subprocess.run(
        [sys.executable, "-m", "counter_app", "info", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(out.stdout)["data_dir"] == str((tmp_path / "envhome").resolve())


def test_catalogue_list_shape(cli: Cli) -> None:
    procedures = cli.json("catalogue", "list")
    assert len(procedures) >= 20
    for proc in procedures:
        assert {
            "code",
            "name",
            "field",
            "time_value",
            "time_unit",
            "cutoff",
            "fees",
            "documents",
        } <= set(proc)
        assert proc["time_unit"] in {"working_days", "working_hours", "same_day", "calendar_days"}
        assert proc["cutoff"] is None or len(proc["cutoff"]) == 5
        assert all(set(d) >= {"name", "kind", "count"} for d in proc["documents"])
        assert all(d["kind"] in ("original", "copy") for d in proc["documents"])
        assert all(isinstance(f["amount"], int) for f in proc["fees"])


def test_catalogue_import_accepts_what_list_prints(cli: Cli, tmp_path: Path) -> None:
    procedures = cli.json("catalogue", "list")
    target = next(p for p in procedures if p["code"] == "1.004873")
    target["time_value"] = 7
    target["extra_key"] = "ignored"
    path = tmp_path / "cat.json"
    path.write_text(json.dumps(procedures, ensure_ascii=False), encoding="utf-8")
    summary = cli.json("catalogue", "import", str(path))
    assert summary == {"created": 0, "new_versions": 1, "unchanged": len(procedures) - 1}
    after = {p["code"]: p for p in cli.json("catalogue", "list")}
    assert after["1.004873"]["time_value"] == 7 and after["1.004873"]["version"] == 2


def test_calendar_import_replaces_the_year(cli: Cli, tmp_path: Path) -> None:
    def due(moment: str) -> str:
        return str(
            cli.json("due-date", "--procedure", "1.004873", "--received-at", moment)["due_at"]
        )

    # 3 working days from Mon 7/12/2026: Tue 8, Wed 9, Thu 10.
    assert due("2026-12-07T09:00:00+07:00") == "2026-12-10T17:00:00+07:00"
    path = tmp_path / "2026.json"
    path.write_text(json.dumps({"year": 2026, "days_off": ["2026-12-09"], "working_days": []}))
    cli.run("calendar", "import", str(path))
    assert due("2026-12-07T09:00:00+07:00") == "2026-12-11T17:00:00+07:00"
    # A new import replaces the year: the shipped swapped Saturday 22/8 is gone too.
    path.write_text(json.dumps({"year": 2026, "days_off": [], "working_days": ["2026-12-12"]}))
    cli.run("calendar", "import", str(path))
    assert due("2026-12-09T09:00:00+07:00") == "2026-12-12T17:00:00+07:00"
    # Friday 21/8 + 1 working day: Saturday 22/8 is no longer a working day -> Mon 24/8.
    assert cli.json(
        "due-date", "--procedure", "2.001035", "--received-at", "2026-08-21T09:00:00+07:00"
    )["due_at"] == ("2026-08-25T17:00:00+07:00")


def test_intake_show_and_receipt(cli: Cli, tmp_path: Path) -> None:
    out = cli.json(
        "intake",
        "--procedure",
        "1.001193",
        "--name",
        "Nguyễn Văn Đức",
        "--id-number",
        "001090012345",
        "--dob",
        "1990-05-01",
        "--sex",
        "M",
        "--address",
        "Thôn Đông Hòa",
        "--phone",
        "0912345678",
        "--received-at",
        "2026-11-23T09:30:00+07:00",
    )
    assert set(out) >= {"code", "received_at", "due_at", "receipt"}
    assert out["code"] == f"{AGENCY_CODE}-261123-2001"  # station 2's block
    assert out["received_at"] == "2026-11-23T09:30:00+07:00"
    assert out["due_at"] == "2026-11-23T17:00:00+07:00"
    receipt = Path(out["receipt"])
    assert receipt.is_file() and receipt.read_bytes().startswith(b"%PDF")

    shown = cli.json("show", out["code"])
    assert shown["status"] == 2 and shown["status_name"] == "Được tiếp nhận"
    assert shown["history"][0]["to"] == 2
    assert shown["applicant"]["name"] == "Nguyễn Văn Đức"
    assert shown["entered_late"] is True

    copy = tmp_path / "copy.pdf"
    cli.run("receipt", out["code"], "--out", str(copy))
    assert copy.read_bytes().startswith(b"%PDF")


def test_organisation_intake(cli: Cli) -> None:
    out = cli.json(
        "intake",
        "--procedure",
        "2.000884",
        "--name",
        "Công ty TNHH Hòa Bình",
        "--tax-code",
        "0101234567",
        "--received-at",
        "2026-11-23T09:30:00+07:00",
    )
    assert cli.json("show", out["code"])["applicant"]["tax_code"] == "0101234567"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--id-number", "12345"], "12 chữ số"),
        (["--id-number", "001090012345", "--dob", "1991-05-01"], "năm sinh"),
        (["--id-number", "001090012345", "--received-at", "25/11/2026"], "ISO 8601"),
        (["--id-number", "001090012345", "--phone", "12ab"], "Số điện thoại"),
        (["--id-number", "001090012345", "--tax-code", "0101234567"], "đúng một"),
    ],
)
def test_bad_intake_exits_nonzero_and_saves_nothing(
    cli: Cli, args: list[str], fragment: str
) -> None:
    result = cli.run(
        "intake", "--procedure", "1.001193", "--name", "Trần Văn A", *args, "--json", ok=False
    )
    assert result.returncode != 0
    assert fragment in result.stderr
    assert result.stdout == ""
    assert not list((cli.home / "receipts").glob("*.pdf"))
    db = cli.json("info")["db_path"]
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM dossier").fetchone()[0] == 0


def test_unknown_dossier_and_procedure(cli: Cli) -> None:
    result = cli.run("show", f"{AGENCY_CODE}-261125-9999", ok=False)
    assert result.returncode == 2 and "Không tìm thấy hồ sơ" in result.stderr
    result = cli.run("due-date", "--procedure", "9.999999", ok=False)
    assert result.returncode == 2 and "9.999999" in result.stderr


def test_intake_before_setup_is_refused(tmp_path: Path) -> None:
    c = Cli(tmp_path / "fresh")
    result = c.run(
        "intake", "--procedure", "1.001193", "--name", "A", "--id-number", "001090012345", ok=False
    )
    assert result.returncode == 1 and "chưa được thiết lập" in result.stderr


def test_bad_init(tmp_path: Path) -> None:
    c = Cli(tmp_path / "x")
    result = c.run(
        "init",
        "--agency-code",
        "H26",
        "--agency-name",
        "UBND",
        "--place",
        "X",
        "--station",
        "12",
        "--admin",
        "Quản Trị",
        ok=False,
    )
    assert result.returncode == 2
    assert "Mã đơn vị" in result.stderr and "Số máy" in result.stderr
    assert "Tên đăng nhập" in result.stderr
    assert "Traceback" not in result.stderr


def test_home_option_after_the_command(tmp_path: Path) -> None:
    target = tmp_path / "after"
    out = subprocess.run(
        [sys.executable, "-m", "counter_app", "catalogue", "list", "--json", "--home", str(target)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(out.stdout)) >= 20
    assert (target / "counter.sqlite3").is_file()


def test_receipt_failure_after_save_says_the_dossier_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    from counter_app import cli as cli_module
    from counter_app.services import receipts

    home = str(tmp_path / "h")
    monkeypatch.setenv("COUNTER_APP_PASSWORD", PASSWORD)
    assert (
        cli_module.main(
            [
                "--home",
                home,
                "init",
                "--agency-code",
                AGENCY_CODE,
                "--agency-name",
                "UBND xã An Hòa",
                "--place",
                "An Hòa",
                "--station",
                "1",
                "--admin",
                ADMIN,
            ]
        )
        == 0
    )
    monkeypatch.setenv("COUNTER_APP_USER", ADMIN)

    def disk_full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(receipts, "write_receipt", disk_full)
    capsys.readouterr()
    code = cli_module.main(
        [
            "--home",
            home,
            "intake",
            "--procedure",
            "2.000815",
            "--name",
            "Trần Văn An",
            "--id-number",
            "001090012345",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == cli_module.EXIT_SAVED_NO_RECEIPT
    saved = json.loads(out)
    assert saved["receipt"] is None and "ĐÃ ĐƯỢC LƯU" in err and saved["code"] in err
    monkeypatch.undo()
    monkeypatch.setenv("COUNTER_APP_USER", ADMIN)
    monkeypatch.setenv("COUNTER_APP_PASSWORD", PASSWORD)
    # The reprint command later produces the receipt; it is the first one, not a copy.
    assert cli_module.main(["--home", home, "receipt", saved["code"], "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    from .pdf_text import pdf_text

    assert "BẢN IN LẠI" not in pdf_text(Path(printed["receipt"]))


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-25",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:00:00-12:00",
        "2026-02-30T08:00:00",
        "2026-W48-3",
    ],
)
def test_odd_receipt_times_are_refused_cleanly(cli: Cli, moment: str) -> None:
    result = cli.run("due-date", "--procedure", "1.001193", "--received-at", moment, ok=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--received-at" in result.stderr


def test_duplicate_documents_refused(cli: Cli) -> None:
    result = cli.run(
        "intake",
        "--procedure",
        "1.001193",
        "--name",
        "A B",
        "--id-number",
        "001090012345",
        "--documents",
        "1,1",
        ok=False,
    )
    assert result.returncode == 2 and "hai lần" in result.stderr


# --- operators, audit, duplicates ----------------------------------------------------------


def test_every_dossier_command_needs_an_operator(cli: Cli) -> None:
    nobody = cli.run("show", "X", ok=False, COUNTER_APP_USER="")
    assert nobody.returncode == 2 and "--user" in nobody.stderr
    wrong = cli.run("show", "X", ok=False, COUNTER_APP_PASSWORD="sai-mat-khau")
    assert wrong.returncode == 1 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.stderr


def test_the_password_can_come_from_stdin(cli: Cli) -> None:
    home = ["--home", str(cli.home)]
    env = {k: v for k, v in os.environ.items() if k != "COUNTER_APP_PASSWORD"}
    env.update(PYTHONIOENCODING="utf-8", COUNTER_APP_USER=SUPERVISOR)
    piped = subprocess.run(
        [sys.executable, "-m", "counter_app", *home, "user", "list", "--json"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert piped.returncode == 0, piped.stderr
    assert SUPERVISOR in {p["username"] for p in json.loads(piped.stdout)}


def test_init_creates_the_admin_with_a_real_argon2id_hash(cli: Cli) -> None:
    import sqlite3

    people = cli.json("user", "list")
    assert {(p["username"], p["role"]) for p in people} == {
        (ADMIN, "admin"),
        (SUPERVISOR, "supervisor"),
        (CLERK, "clerk"),
    }
    conn = sqlite3.connect(cli.home / "counter.sqlite3")  # type: ignore[operator]
    [digest] = conn.execute("SELECT password_hash FROM operator WHERE username = ?", (ADMIN,))
    conn.close()
    assert digest[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_clerk_is_refused_a_backdated_intake(cli: Cli) -> None:
    refused = cli.as_user(CLERK).run(
        "intake",
        "--procedure",
        "1.001193",
        "--name",
        "Trần Văn An",
        "--id-number",
        "001090012345",
        "--received-at",
        "2026-11-24T09:00:00+07:00",
        ok=False,
    )
    assert refused.returncode == 1 and "trưởng bộ phận" in refused.stderr
    assert cli.json("audit", "verify")["ok"]


def test_the_same_person_and_procedure_twice_is_refused_then_allowed(cli: Cli) -> None:
    args = ("intake", "--procedure", "1.001193", "--name", "Trần Văn An")
    first = cli.json(*args, "--id-number", "001090012345")
    again = cli.run(*args, "--id-number", "001090012345", ok=False)
    assert again.returncode == 2 and first["code"] in again.stderr
    forced = cli.json(*args, "--id-number", "001090012345", "--allow-duplicate")
    assert forced["code"] != first["code"]


def test_a_repeated_submission_id_never_makes_a_second_dossier(cli: Cli) -> None:
    args = ("intake", "--procedure", "1.001193", "--name", "Lê Văn Bình", "--id-number")
    first = cli.json(*args, "001090054321", "--submission-id", "scan-7f3a")
    second = cli.json(*args, "001090054321", "--submission-id", "scan-7f3a")
    assert first["code"] == second["code"]


def test_audit_verify_exits_non_zero_and_names_the_first_bad_row(cli: Cli) -> None:
    import sqlite3

    cli.json("intake", "--procedure", "1.001193", "--name", "An", "--id-number", "001090012345")
    good = cli.run("audit", "verify", "--json")
    assert good.returncode == 0 and json.loads(good.stdout)["ok"] is True
    conn = sqlite3.connect(cli.home / "counter.sqlite3", isolation_level=None)  # type: ignore[operator]
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET object_ref = 'khac' WHERE id = 4")
    conn.close()
    bad = cli.run("audit", "verify", "--json", ok=False)
    report = json.loads(bad.stdout)
    assert bad.returncode == 1 and report["ok"] is False
    assert report["first_bad"]["id"] == 4
