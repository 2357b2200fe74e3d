"""Encryption at rest: the keyring, the recovery key, and a database whose files (main,
WAL, backup) hold no citizen's identity number in the clear."""

from __future__ import annotations

import base64
import json
import os
import random
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from counter_app.domain.clock import TEST_NOW_ENV
from counter_app.domain.identity import PROVINCE_CODES, ApplicantInput, Sex, century_sex_digit
from counter_app.errors import KnownError, StorageError
from counter_app.services.calendars import reset_cache
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.store import encryption
from counter_app.store.encryption import (
    OWASP_MINIMUM,
    DatabaseKeyError,
    KdfParams,
    Keyring,
    KeyringError,
    RecoveryKeyError,
    WrongSecretError,
    connect_encrypted_file,
    database_key,
    encrypt_existing,
    format_recovery_key,
    is_encrypted_file,
    new_database_key,
    new_recovery_key,
    operator_entry,
    parse_recovery_key,
    sqlcipher_engine,
    unlock_with_recovery_key,
)
from counter_app.store.models import Dossier
from tests.support.counters import ready_counter

PASSWORD = "mật khẩu của Mai 2026"
# The cheapest parameters wrap() accepts, for tests that wrap many times.
FLOOR = OWASP_MINIMUM
SEEDED = 1000
PER_DAY = 500


@pytest.fixture
def dek() -> bytes:
    return new_database_key().dek


@pytest.fixture
def ring_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / encryption.KEYRING_FILE


@pytest.fixture
def fresh_calendars() -> Iterator[None]:
    reset_cache()
    yield
    reset_cache()


def saved_ring(path: Path, dek: bytes, **secrets: str) -> Keyring:
    path.parent.mkdir(parents=True, exist_ok=True)
    ring = Keyring.create(path, dek)
    for username, secret in secrets.items():
        ring.wrap(operator_entry(username), secret, dek, FLOOR)
    ring.save()
    return ring


# --------------------------------------------------------------------------- keyring


def test_a_password_unwraps_the_key_it_wrapped_after_a_round_trip_through_the_file(
    ring_path: Path, dek: bytes
) -> None:
    saved_ring(ring_path, dek, mai=PASSWORD, lan="mat-khau-cua-lan")
    ring = Keyring.load(ring_path)
    assert ring.names() == ["op:lan", "op:mai"]
    assert ring.unwrap("op:mai", PASSWORD) == dek
    assert ring.unwrap("op:lan", "mat-khau-cua-lan") == dek
    # Typed with a decomposing keyboard (NFD) it is still the same password.
    assert ring.unwrap("op:mai", unicodedata.normalize("NFD", PASSWORD)) == dek


def test_a_wrong_password_or_unknown_account_is_refused_in_vietnamese(
    ring_path: Path, dek: bytes
) -> None:
    ring = saved_ring(ring_path, dek, mai=PASSWORD)
    for name, secret in (("op:mai", PASSWORD + "x"), ("op:mai", "MẬT KHẨU CỦA MAI 2026")):
        with pytest.raises(WrongSecretError) as wrong:
            ring.unwrap(name, secret)
        assert wrong.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."
        assert isinstance(wrong.value, KnownError)
    # An account without an entry gets the very same answer: the file does not help guess.
    with pytest.raises(WrongSecretError, match="Tên đăng nhập hoặc mật khẩu không đúng"):
        ring.unwrap("op:khong-co", PASSWORD)


def test_entries_cannot_be_swapped_between_accounts(ring_path: Path, dek: bytes) -> None:
    """Lan, knowing only her own password, copies her entry over the admin's: the entry
    name is sealed in with the key, so the copy does not open as the admin."""
    saved_ring(ring_path, dek, quantri="mat-khau-quan-tri", lan="mat-khau-cua-lan")
    document = json.loads(ring_path.read_text("utf-8"))
    document["entries"]["op:quantri"] = document["entries"]["op:lan"]
    ring_path.write_text(json.dumps(document), "utf-8")
    ring = Keyring.load(ring_path)
    with pytest.raises(WrongSecretError):
        ring.unwrap("op:quantri", "mat-khau-cua-lan")
    assert ring.unwrap("op:lan", "mat-khau-cua-lan") == dek


def test_an_entry_from_another_counters_keyring_is_named_as_such(
    tmp_path: Path, dek: bytes
) -> None:
    other_dek = new_database_key().dek
    ours = saved_ring(tmp_path / "a" / "keyring.json", dek, mai=PASSWORD)
    theirs = saved_ring(tmp_path / "b" / "keyring.json", other_dek, mai=PASSWORD)
    document = json.loads(ours.path.read_text("utf-8"))
    document["entries"]["op:mai"] = json.loads(theirs.path.read_text("utf-8"))["entries"]["op:mai"]
    ours.path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(KeyringError, match="không thuộc cơ sở dữ liệu này"):
        Keyring.load(ours.path).unwrap("op:mai", PASSWORD)


def test_password_change_rewraps_and_removal_drops_the_entry(ring_path: Path, dek: bytes) -> None:
    ring = saved_ring(ring_path, dek, mai=PASSWORD, lan="mat-khau-cua-lan")
    ring.wrap("op:mai", "mật khẩu mới 2027", dek, FLOOR)
    ring.remove("op:lan")
    ring.save()
    ring = Keyring.load(ring_path)
    assert ring.names() == ["op:mai"]
    assert ring.unwrap("op:mai", "mật khẩu mới 2027") == dek
    with pytest.raises(WrongSecretError):
        ring.unwrap("op:mai", PASSWORD)
    with pytest.raises(WrongSecretError):
        ring.unwrap("op:lan", "mat-khau-cua-lan")


def test_a_key_that_is_not_the_keyrings_cannot_be_wrapped(ring_path: Path, dek: bytes) -> None:
    ring = saved_ring(ring_path, dek)
    with pytest.raises(ValueError):
        ring.wrap("op:mai", PASSWORD, new_database_key().dek, FLOOR)


def test_wrapping_parameters_are_at_least_the_owasp_minimum(ring_path: Path, dek: bytes) -> None:
    ring_path.parent.mkdir(parents=True)
    ring = Keyring.create(ring_path, dek)
    ring.wrap("op:mai", PASSWORD, dek)  # the default parameters
    ring.wrap("op:lan", PASSWORD, dek)  # the same password: a different salt, nonce, sealing
    ring.save()
    document = json.loads(ring_path.read_text("utf-8"))
    assert document["format"] == "counter-app-keyring" and document["version"] == 1
    assert document["cipher"] == {"engine": "sqlcipher", "compatibility": 4, "key": "raw-256"}
    entries = document["entries"]
    for entry in entries.values():
        assert entry["kdf"] == "argon2id" and entry["cipher"] == "aes-256-gcm"
        # OWASP Password Storage Cheat Sheet: argon2id, m >= 19 MiB, t >= 2, p >= 1.
        assert entry["time_cost"] >= 2
        assert entry["memory_kib"] >= 19456
        assert entry["parallelism"] >= 1
        assert len(base64.b64decode(entry["salt"])) == 16
        assert len(base64.b64decode(entry["nonce"])) == 12
        assert len(base64.b64decode(entry["sealed"])) == 32 + 16  # the key and the GCM tag
    assert entries["op:mai"]["salt"] != entries["op:lan"]["salt"]
    assert entries["op:mai"]["sealed"] != entries["op:lan"]["sealed"]
    # Neither the key nor the password is in the file.
    text = ring_path.read_text("utf-8")
    assert dek.hex() not in text and base64.b64encode(dek).decode() not in text
    assert PASSWORD not in text
    for weaker in (KdfParams(1, 19456, 1), KdfParams(2, 8192, 1)):
        with pytest.raises(ValueError):
            ring.wrap("op:mai", PASSWORD, dek, weaker)


def test_the_keyring_is_replaced_whole_or_not_at_all(
    ring_path: Path, dek: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = saved_ring(ring_path, dek, mai=PASSWORD)
    before = ring_path.read_bytes()
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace_fails(src: Any, dst: Any) -> None:
        events.append("replace")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace_fails)
    ring.wrap("op:lan", "mat-khau-cua-lan", dek, FLOOR)
    with pytest.raises(OSError):
        ring.save()
    # The new content was synced before the rename was tried; the old file is untouched
    # and no temporary file is left beside it.
    assert events == ["fsync", "replace"]
    assert ring_path.read_bytes() == before
    assert sorted(p.name for p in ring_path.parent.iterdir()) == [ring_path.name]

    monkeypatch.setattr(os, "replace", real_replace)
    ring.save()
    assert Keyring.load(ring_path).names() == ["op:lan", "op:mai"]
    assert sorted(p.name for p in ring_path.parent.iterdir()) == [ring_path.name]


def test_a_missing_or_damaged_keyring_points_to_the_recovery_key(ring_path: Path) -> None:
    with pytest.raises(KeyringError, match="khóa khôi phục"):
        Keyring.load(ring_path)
    ring_path.parent.mkdir(parents=True)
    ring_path.write_text('{"format": "counter-app-keyring", "vers', "utf-8")
    with pytest.raises(KeyringError, match="khóa khôi phục"):
        Keyring.load(ring_path)
    ring_path.write_text('{"format": "something else"}', "utf-8")
    with pytest.raises(KeyringError, match="bị hỏng"):
        Keyring.load(ring_path)


# --------------------------------------------------------------------------- recovery key


def test_the_recovery_key_reads_back_however_it_is_typed() -> None:
    raw = bytes(range(32))
    text = format_recovery_key(raw)
    groups = text.split("-")
    assert len(groups) == 13 and all(len(g) == 5 for g in groups)
    assert set(text) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ-")  # no I, L, O, U
    assert parse_recovery_key(text) == raw
    assert parse_recovery_key(text.lower()) == raw
    assert parse_recovery_key(" ".join(groups)) == raw
    assert parse_recovery_key(text.replace("-", "")) == raw
    assert parse_recovery_key("  " + "-\n".join(groups) + " ") == raw
    # O for 0 and I/L for 1, as Crockford reads them.
    assert parse_recovery_key(text.replace("0", "O").replace("1", "l")) == raw
    fresh = new_recovery_key()
    assert fresh != new_recovery_key()
    assert len(parse_recovery_key(fresh)) == 32


def _typo_error(text: str) -> str:
    with pytest.raises(RecoveryKeyError) as err:
        parse_recovery_key(text)
    return err.value.message


def test_every_single_typo_in_the_recovery_key_is_caught_and_its_group_named() -> None:
    text = new_recovery_key()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = text.replace("-", "")
    for position, original in enumerate(chars):
        group = position // 5 + 1
        for replacement in alphabet:
            if replacement == original:
                continue
            typo = chars[:position] + replacement + chars[position + 1 :]
            assert f"Nhóm thứ {group} (" in _typo_error(typo)


def test_swapped_characters_and_swapped_groups_are_caught() -> None:
    text = new_recovery_key()
    groups = text.split("-")
    for g, group in enumerate(groups):
        for i in range(4):
            if group[i] != group[i + 1]:
                swapped = group[:i] + group[i + 1] + group[i] + group[i + 2 :]
                typo = "-".join([*groups[:g], swapped, *groups[g + 1 :]])
                assert f"Nhóm thứ {g + 1} (" in _typo_error(typo)
    reordered = [groups[1], groups[0], *groups[2:]]
    assert "Nhóm thứ 1 (" in _typo_error("-".join(reordered))


def test_a_recovery_key_of_the_wrong_length_or_with_foreign_letters_is_refused() -> None:
    groups = new_recovery_key().split("-")
    assert "13 nhóm" in _typo_error("-".join(groups[:-1]))
    assert "đã nhập 64 ký tự" in _typo_error("-".join(groups)[:-1])
    foreign = [*groups]
    foreign[6] = "U" + foreign[6][1:]
    assert _typo_error("-".join(foreign)).startswith("Nhóm thứ 7 (U")


def test_the_recovery_key_alone_gives_the_database_key_and_refuses_another_counters(
    ring_path: Path,
) -> None:
    key = new_database_key()
    assert unlock_with_recovery_key(key.recovery_key) == key.dek
    ring = saved_ring(ring_path, key.dek)
    assert unlock_with_recovery_key(key.recovery_key.lower(), ring) == key.dek
    with pytest.raises(WrongSecretError, match="không phải của quầy này"):
        unlock_with_recovery_key(new_recovery_key(), ring)


# --------------------------------------------------------------------------- the database


def _identity_numbers(count: int, seed: int) -> list[tuple[str, date, Sex]]:
    """``count`` distinct valid 12-digit CCCD numbers, each with its holder's birth date and
    sex (digits 4–6 encode them)."""
    rng = random.Random(seed)
    provinces = sorted(PROVINCE_CODES)
    seen: set[str] = set()
    people: list[tuple[str, date, Sex]] = []
    while len(people) < count:
        dob = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        number = (
            f"{rng.choice(provinces)}{century_sex_digit(dob, sex)}"
            f"{dob.year % 100:02d}{rng.randrange(10**6):06d}"
        )
        if number not in seen:
            seen.add(number)
            people.append((number, dob, sex))
    return people


_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc"]
_GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc"]


def receive_seeded(
    ctx: CounterContext, count: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """``count`` dossiers received through the intake service, one citizen each, at most
    PER_DAY a day (a station numbers up to 999 dossiers a day) from Wed 25/11/2026 on."""
    numbers = []
    for i, (number, dob, sex) in enumerate(_identity_numbers(count, seed)):
        if i % PER_DAY == 0:
            monkeypatch.setenv(TEST_NOW_ENV, f"2026-11-{25 + i // PER_DAY}T08:00:00+07:00")
        name = f"{_FAMILY[i % 10]} {_MIDDLE[i % 8]} {_GIVEN[i % 11]}"
        applicant = ApplicantInput(
            name=name,
            id_number=number,
            dob=dob,
            sex=sex,
            address=f"Thôn {i % 7 + 1}, xã An Hòa",
            phone=f"09{i:08d}",
        )
        receive(ctx, IntakeRequest("1.004873", applicant, submission_id=f"seed-{seed}-{i}"))
        numbers.append(number)
    return numbers


_ASCII_RUN = re.compile(rb"[0-9]{12,}")
_UTF16LE_RUN = re.compile(rb"(?:[0-9]\x00){12,}")
_UTF16BE_RUN = re.compile(rb"(?:\x00[0-9]){12,}")


def numbers_in(path: Path, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` (12 digits) occur in the file's bytes: as ASCII/UTF-8 digits,
    or as UTF-16 (either byte order), also inside longer runs of digits."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    runs = [m.group().decode("ascii") for m in _ASCII_RUN.finditer(data)]
    runs += [m.group().decode("utf-16-le") for m in _UTF16LE_RUN.finditer(data)]
    runs += [m.group().decode("utf-16-be") for m in _UTF16BE_RUN.finditer(data)]
    found = set()
    for run in runs:
        for start in range(len(run) - 11):
            if run[start : start + 12] in wanted:
                found.add(run[start : start + 12])
    return found


def backup_copy(ctx: CounterContext, target: Path, dek: bytes | None) -> Path:
    """A backup with SQLite's backup API, from the open database, opened the way the
    installation opens files."""
    dest = connect_encrypted_file(target, dek) if dek else sqlite3.connect(target)
    try:
        ctx.db.connection().backup(dest)
    finally:
        dest.close()
    return target


def scan_counter(
    home: Path, dek: bytes | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, set[str]]:
    """Receive SEEDED dossiers, then byte-scan the database, its WAL (not checkpointed)
    and a backup while the counter is open, and the database again after closing."""
    engine = sqlcipher_engine(dek) if dek else {}
    ctx = ready_counter(home, **engine)
    try:
        wanted = set(receive_seeded(ctx, SEEDED, 20261125, monkeypatch))
        assert len(wanted) == SEEDED
        assert Dossier.select().count() == SEEDED
        db_path = ctx.paths.db
        wal = Path(f"{db_path}-wal")
        assert wal.stat().st_size > 0, "the WAL must still hold pages when it is scanned"
        backup = backup_copy(ctx, tmp_path / f"backup-{'enc' if dek else 'plain'}.sqlite3", dek)
        found = {
            "db": numbers_in(db_path, wanted),
            "wal": numbers_in(wal, wanted),
            "shm": numbers_in(Path(f"{db_path}-shm"), wanted),
            "backup": numbers_in(backup, wanted),
        }
    finally:
        ctx.close()
    found["db after close"] = numbers_in(db_path, wanted)
    found["wanted"] = wanted
    return found


@pytest.mark.slow
def test_no_identity_number_is_readable_in_an_encrypted_counters_files(
    tmp_path: Path, home: Path, dek: bytes, fresh_calendars: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = scan_counter(home, dek, tmp_path, monkeypatch)
    wanted = found.pop("wanted")
    assert {where: len(numbers) for where, numbers in found.items()} == {
        "db": 0,
        "wal": 0,
        "shm": 0,
        "backup": 0,
        "db after close": 0,
    }
    db_path = home / "counter.sqlite3"
    assert is_encrypted_file(db_path)
    # Without the key, the files are not databases at all.
    for path in (db_path, tmp_path / "backup-enc.sqlite3"):
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchall()
        with pytest.raises(DatabaseKeyError):
            connect_encrypted_file(path, new_database_key().dek, verify=True)
        wrong = connect_encrypted_file(path, new_database_key().dek)
        with pytest.raises(sqlcipher.DatabaseError, match="file is not a database") as err:
            wrong.execute("PRAGMA integrity_check").fetchall()
        assert err.value.sqlite_errorcode == 26  # SQLITE_NOTADB, as backup checks expect
        wrong.close()
    # With it, the backup holds every dossier.
    conn = connect_encrypted_file(tmp_path / "backup-enc.sqlite3", dek)
    try:
        ids = {row[0] for row in conn.execute("SELECT id_number FROM dossier")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert ids == wanted


@pytest.mark.slow
def test_control_the_same_scan_finds_every_number_in_a_plain_counter(
    tmp_path: Path, home: Path, fresh_calendars: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the scan above can see: the plain database gives every number up."""
    found = scan_counter(home, None, tmp_path, monkeypatch)
    wanted = found.pop("wanted")
    assert found["db"] | found["wal"] == wanted
    assert found["wal"], "recent dossiers are in the WAL"
    assert found["backup"] == wanted
    assert found["db after close"] == wanted
    assert not is_encrypted_file(home / "counter.sqlite3")


def test_an_encrypted_counter_keeps_the_usual_pragmas(
    home: Path, dek: bytes, fresh_calendars: None
) -> None:
    ctx = ready_counter(home, **sqlcipher_engine(dek))

    def pragma(name: str) -> Any:
        return ctx.db.execute_sql(f"PRAGMA {name}").fetchone()[0]

    try:
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000
        assert pragma("cipher_version").startswith("4.")
        assert str(pragma("cipher_page_size")) == "4096"
        assert database_key(ctx.db) == dek
    finally:
        ctx.close()


def test_the_wrong_key_is_refused_in_vietnamese_and_the_right_one_reopens(
    home: Path, dek: bytes, fresh_calendars: None
) -> None:
    ready_counter(home, **sqlcipher_engine(dek)).close()
    with pytest.raises(DatabaseKeyError) as wrong:
        ready_counter(home, **sqlcipher_engine(new_database_key().dek))
    assert isinstance(wrong.value, StorageError)
    assert wrong.value.message.startswith("Không mở được cơ sở dữ liệu bằng khóa này")
    # An unkeyed connection cannot read it either (and a backup into one is refused).
    with pytest.raises(sqlcipher.DatabaseError, match="file is not a database"):
        sqlcipher.connect(str(home / "counter.sqlite3")).execute(
            "SELECT * FROM sqlite_master"
        ).fetchall()
    ctx = ready_counter(home, **sqlcipher_engine(dek))
    try:
        assert ctx.operator is not None
        # Files opened "the way the database is" (store.db.connect_file) are keyed alike.
        copy = ctx.db.open_file(home / "copy.sqlite3")
        ctx.db.connection().backup(copy)
        copy.close()
        assert is_encrypted_file(home / "copy.sqlite3")
        connect_encrypted_file(home / "copy.sqlite3", dek, verify=True).close()
        plain_dest = sqlcipher.connect(str(home / "plain-copy.sqlite3"))
        with pytest.raises(sqlcipher.Error):
            ctx.db.connection().backup(plain_dest)
        plain_dest.close()
    finally:
        ctx.close()


def test_a_plain_installation_can_be_encrypted_later(
    tmp_path: Path, home: Path, fresh_calendars: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = ready_counter(home)
    try:
        assert database_key(ctx.db) is None
        numbers = set(receive_seeded(ctx, 20, 7, monkeypatch))
    finally:
        ctx.close()
    key = new_database_key()
    plain = home / "counter.sqlite3"
    encrypted = tmp_path / "encrypted.sqlite3"
    encrypt_existing(plain, encrypted, key.dek)
    assert is_encrypted_file(encrypted) and not numbers_in(encrypted, numbers)
    assert not Path(f"{encrypted}-wal").exists()
    for extra in ("", "-wal", "-shm"):
        Path(f"{plain}{extra}").unlink(missing_ok=True)
    os.replace(encrypted, plain)
    ctx = ready_counter(home, **sqlcipher_engine(key.dek))
    try:
        assert {d.id_number for d in Dossier.select()} == numbers
        assert ctx.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        ctx.close()


def test_rekeying_reencrypts_the_database_under_a_new_key(
    home: Path, dek: bytes, fresh_calendars: None
) -> None:
    ctx = ready_counter(home, **sqlcipher_engine(dek))
    new = new_database_key().dek
    try:
        ctx.db.rekey_to(new)
    finally:
        ctx.close()
    with pytest.raises(DatabaseKeyError):
        connect_encrypted_file(home / "counter.sqlite3", dek, verify=True)
    ready_counter(home, **sqlcipher_engine(new)).close()
