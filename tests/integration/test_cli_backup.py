"""``counter-app backup`` and ``counter-app restore`` as a script runs them: real processes,
real files, exit codes; a file that fails verification changes nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from counter_app.store.db import connect_file
from tests.unit.test_backup import corrupt

from .test_cli import Cli, cli  # noqa: F401 (fixture)


def _intake(cli: Cli, name: str, id_number: str) -> str:  # noqa: F811
    out = cli.json(
        "intake",
        "--procedure",
        "1.004873",
        "--name",
        name,
        "--id-number",
        id_number,
        "--received-at",
        "2026-11-23T08:00:00+07:00",
    )
    return str(out["code"])


def _codes(path: Path) -> set[str]:
    conn = connect_file(path)
    try:
        return {row[0] for row in conn.execute("SELECT code FROM dossier")}
    finally:
        conn.close()


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_backup_list_and_restore(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    assert cli.home is not None
    first = _intake(cli, "Nguyễn Văn Đức", "001090012345")
    usb = tmp_path / "usb" / "SaoLuu"
    chosen = cli.json("backup", "folder", str(usb))
    assert chosen["folder"] == str(usb.resolve()) and chosen["is_default"] is False

    made = cli.json("backup")
    backup_file = Path(made["file"])
    assert backup_file.parent == usb.resolve() and backup_file.is_file()
    assert made["integrity"] == "ok"
    assert made["size"] == backup_file.stat().st_size > 0
    assert made["kept"] == [backup_file.name] and made["removed"] == []

    listed = cli.json("backup", "list", "--verify")
    assert listed["folder"] == str(usb.resolve())
    assert [b["file"] for b in listed["backups"]] == [backup_file.name]
    assert listed["backups"][0]["ok"] is True and listed["backups"][0]["dossiers"] == 1
    assert listed["last_at"] == made["taken_at"]

    second = _intake(cli, "Trần Thị Hòa", "001190054321")
    restored = cli.json("restore", str(backup_file))
    replaced = Path(restored["replaced"])
    assert replaced.parent == cli.home.resolve()
    assert replaced.name.startswith("counter.sqlite3.replaced-")
    assert _codes(replaced) == {first, second}  # the replaced database is kept whole
    assert cli.json("show", first)["code"] == first
    gone = cli.run("show", second, ok=False)
    assert gone.returncode == 2
    # The counter goes on after the restore; the backup is untouched.
    assert _codes(backup_file) == {first}
    assert cli.run("info").returncode == 0

    text = cli.run("restore", str(backup_file)).stdout
    assert "Cơ sở dữ liệu cũ được giữ tại" in text


def test_restore_refuses_a_damaged_file_and_changes_nothing(
    cli: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    assert cli.home is not None
    code = _intake(cli, "Nguyễn Văn Đức", "001090012345")
    made = Path(cli.json("backup")["file"])
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copyfile(made, damaged)
    corrupt(damaged)
    before = _fingerprint(cli.home)

    refused = cli.run("restore", str(damaged), ok=False)
    assert refused.returncode == 2
    assert str(damaged) in refused.stderr and "không bị thay đổi" in refused.stderr
    assert _fingerprint(cli.home) == before
    assert not list(cli.home.glob("counter.sqlite3.replaced-*"))

    not_ours = tmp_path / "notes.sqlite3"
    not_ours.write_text("không phải cơ sở dữ liệu")
    refused = cli.run("restore", str(not_ours), ok=False)
    assert refused.returncode == 2 and "không phải" in refused.stderr
    missing = cli.run("restore", str(tmp_path / "nowhere.sqlite3"), ok=False)
    assert missing.returncode == 2 and "không tìm thấy" in missing.stderr
    assert _fingerprint(cli.home) == before
    assert cli.json("show", code)["code"] == code


def test_backup_to_a_missing_folder_fails_clearly(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    assert cli.home is not None
    pulled = tmp_path / "media" / "usb"
    failed = cli.run("backup", "--to", str(pulled), ok=False)
    assert failed.returncode == 1
    assert str(pulled) in failed.stderr and "ổ USB" in failed.stderr
    assert not pulled.exists()
    # --to is a one-off: the configured folder is unchanged and still works.
    made = cli.json("backup")
    assert Path(made["file"]).parent == cli.home.resolve() / "backups"
    assert Path(made["file"]).is_file()


def test_a_damaged_database_names_its_backup_and_restore_brings_it_back(
    cli: Cli,  # noqa: F811
) -> None:
    """Needs open_database's quick check (see the wiring in store/db.py)."""
    assert cli.home is not None
    code = _intake(cli, "Nguyễn Văn Đức", "001090012345")
    made = cli.json("backup")["file"]
    corrupt(cli.home / "counter.sqlite3")
    refused = cli.run("show", code, ok=False)
    assert refused.returncode == 1
    assert "bị hỏng" in refused.stderr and made in refused.stderr
    restored = cli.json("restore", made)
    assert Path(restored["replaced"]).is_file()
    assert cli.json("show", code)["code"] == code
