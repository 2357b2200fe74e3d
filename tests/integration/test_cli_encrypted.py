"""An encrypted counter set up from the command line: the recovery key is printed once,
operators open it with their own passwords, and no identity number is readable on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_cli import Cli
from tests.support.counters import ADMIN, AGENCY_CODE, PASSWORD

IDS = [f"00109{n:07d}" for n in range(1, 31)]


@pytest.fixture
def encrypted(tmp_path: Path) -> tuple[Cli, dict[str, object]]:
    admin = Cli(tmp_path / "home", ADMIN)
    setup = admin.json(
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
        "--encrypt",
    )
    return admin, setup


def test_an_encrypted_counter_works_and_keeps_identity_numbers_unreadable(
    encrypted: tuple[Cli, dict[str, object]],
) -> None:
    admin, setup = encrypted
    assert setup["encrypted"] is True and isinstance(setup["recovery_key"], str)
    assert len(str(setup["recovery_key"]).split("-")) == 13
    admin.run(
        "user", "add", "lan", "--full-name", "Nguyễn Thị Lan", COUNTER_APP_NEW_PASSWORD=PASSWORD
    )
    clerk = admin.as_user("lan")  # a new operator opens it with their own password
    for number in IDS:
        clerk.json("intake", "--procedure", "1.001193", "--name", "Trần An", "--id-number", number)
    assert clerk.json("audit", "verify")["ok"] is True
    backup = admin.json("backup")
    home = admin.home
    assert home is not None
    files = [home / "counter.sqlite3", Path(str(backup["file"]))]
    files += [p for p in home.glob("counter.sqlite3-wal")]
    for path in files:
        data = path.read_bytes()
        assert not any(n.encode() in data for n in IDS), path
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchall()


def test_a_wrong_password_or_an_unknown_name_cannot_open_it(
    encrypted: tuple[Cli, dict[str, object]],
) -> None:
    admin, _setup = encrypted
    wrong = admin.run("show", "X", ok=False, COUNTER_APP_PASSWORD="sai-mat-khau-1")
    assert wrong.returncode == 1 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.stderr
    nobody = admin.as_user("ai.do").run("show", "X", ok=False)
    assert nobody.returncode == 1 and "Traceback" not in nobody.stderr
    info = admin.run("info", "--json", ok=False, COUNTER_APP_USER="")
    assert info.returncode == 2 and "mã hóa" in info.stderr
