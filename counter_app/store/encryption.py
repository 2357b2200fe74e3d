"""Encryption at rest: the database key, the keyring that unlocks it, the recovery key.

An encrypted installation keeps its database (and every backup of it) in SQLCipher format:
each page is encrypted with AES-256 and authenticated, the WAL too. The 256-bit database key
(DEK) is given to SQLCipher raw (``PRAGMA key = "x'<64 hex>'"``): no passphrase stretching on
every open, since the key is random and the stretching happens once, when an operator's
password unwraps it.

Where the DEK comes from:

- The **recovery key**, printed once at set-up and kept by the district: 256 random bits
  shown as 13 groups of 5 Crockford base32 characters, each group ending in a check character
  (a typo is found, and its group named, before anything is tried). The DEK is derived from
  it (HKDF-SHA256), so the sheet of paper alone opens the database and any backup of it, even
  when the key file beside the database is lost.
- The **keyring** (``keyring.json`` in the data folder, outside the encrypted database): one
  entry per operator (``"op:<username>"``), each the DEK sealed with AES-256-GCM under a key
  derived from that operator's password with argon2id (16-byte random salt, parameters at or
  above the OWASP minimum, stored in the entry). The entry's name is the GCM associated data,
  so entries cannot be swapped between accounts. The keyring also holds a check value of the
  DEK (an HMAC of a constant, useless for guessing a 256-bit key) so a recovery key from
  another counter is refused by name instead of as a corrupt database.

Nothing here imports Qt; the sign-in flow lives in ``services``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from playhouse.sqlcipher_ext import SqlCipherDatabase
from sqlcipher3 import dbapi2 as sqlcipher

from counter_app.errors import KnownError, StorageError
from counter_app.store.db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

KEYRING_FILE = "keyring.json"
KEYRING_FORMAT = "counter-app-keyring"
KEYRING_VERSION = 1
OPERATOR_PREFIX = "op:"
DEK_BYTES = 32
# SQLCipher 4 settings (AES-256-CBC, HMAC-SHA512, 4096-byte pages), pinned so a future
# SQLCipher with other defaults still opens today's files.
CIPHER_COMPATIBILITY = 4
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"

_HKDF_INFO = b"counter-app database key v1"
_CHECK_LABEL = b"counter-app key check v1"
_NONCE_BYTES = 12
_SALT_BYTES = 16
_MAX_SECRET = 1024


class EncryptionError(KnownError):
    """Base of the errors of encryption at rest (Vietnamese messages)."""


class WrongSecretError(EncryptionError):
    """The password (or recovery key) does not unlock the database key."""


class RecoveryKeyError(EncryptionError):
    """The recovery key as typed is malformed (a typo found by its check characters)."""


class KeyringError(EncryptionError):
    """``keyring.json`` is missing, unreadable or not a keyring of this app."""


class DatabaseKeyError(StorageError):
    """The database file does not open with this key (another counter's key, or the file is
    damaged)."""


# --- key derivation parameters ------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """argon2id cost. The default (t=3, 64 MiB, p=1; RFC 9106's second recommendation with
    one lane for single-core PCs) is above the OWASP minimum: this is the only barrier
    between a stolen PC and its data, and it is paid once per sign-in (~0.25 s measured)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 1

    def at_least(self, other: KdfParams) -> bool:
        return (
            self.time_cost >= other.time_cost
            and self.memory_kib >= other.memory_kib
            and self.parallelism >= other.parallelism
        )


# OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1.
OWASP_MINIMUM = KdfParams(time_cost=2, memory_kib=19456, parallelism=1)
DEFAULT_KDF = KdfParams()
# A keyring asking for more than this is damaged or hostile: refuse rather than exhaust RAM.
_KDF_CEILING = KdfParams(time_cost=64, memory_kib=1024 * 1024, parallelism=16)


def _kek(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret,
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _secret_bytes(secret: str | bytes) -> bytes:
    # NFC, as accounts does: the same password typed with a composing or a decomposing
    # Vietnamese keyboard must unlock the same entry.
    data = unicodedata.normalize("NFC", secret).encode() if isinstance(secret, str) else secret
    if not data or len(data) > _MAX_SECRET:
        raise WrongSecretError("Mật khẩu trống hoặc quá dài.")
    return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _aad(name: str) -> bytes:
    return f"{KEYRING_FORMAT}/{KEYRING_VERSION}/{name}".encode()


def key_check(dek: bytes) -> str:
    """A public check value of the DEK: tells which key a keyring belongs to."""
    return hmac.new(dek, _CHECK_LABEL, hashlib.sha256).hexdigest()[:32]


def operator_entry(username: str) -> str:
    """The keyring entry of an operator (``username`` as ``accounts.normalise_username``
    returns it)."""
    return OPERATOR_PREFIX + username


# --- the database key and the recovery key ------------------------------------------------


class NewDatabaseKey(NamedTuple):
    dek: bytes
    recovery_key: str  # print it once, for the district; it is not stored anywhere


def new_database_key() -> NewDatabaseKey:
    """A fresh installation's key: the DEK and the recovery key it is derived from."""
    recovery = new_recovery_key()
    return NewDatabaseKey(database_key_from_recovery(parse_recovery_key(recovery)), recovery)


def database_key_from_recovery(raw: bytes) -> bytes:
    """The DEK of the installation whose recovery key is ``raw`` (``parse_recovery_key``)."""
    if len(raw) != DEK_BYTES:
        raise ValueError("a recovery key is 32 bytes")
    return HKDF(algorithm=SHA256(), length=DEK_BYTES, salt=None, info=_HKDF_INFO).derive(raw)


# Crockford base32: no I, L, O, U; read I and L as 1, O as 0.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
RECOVERY_GROUPS = 13
_GROUP_DATA = 4  # 13 x 4 = 52 characters = 260 bits: the 256 key bits and 4 check bits
RECOVERY_LENGTH = RECOVERY_GROUPS * (_GROUP_DATA + 1)


def _gf32_mul(a: int, b: int) -> int:
    """Multiplication in GF(32) (x^5 + x^2 + 1)."""
    product = 0
    for _ in range(5):
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0x20:
            a ^= 0x25
    return product


_POW = [1]
for _ in range(6):
    _POW.append(_gf32_mul(_POW[-1], 2))
_INV_POW5 = next(x for x in range(1, 32) if _gf32_mul(x, _POW[5]) == 1)


def _group_syndrome(index: int, values: list[int]) -> int:
    """Zero for a well-formed group. Weights are distinct powers of a generator of GF(32)*
    and the group's position is mixed in: any single wrong character, any two characters
    swapped within a group, and a whole group typed in the wrong place all give non-zero."""
    total = index + 1
    for position, value in enumerate(values):
        total ^= _gf32_mul(_POW[position + 1], value)
    return total


def _global_check(raw: bytes) -> int:
    return hashlib.sha256(b"counter-app recovery v1" + raw).digest()[0] >> 4


def format_recovery_key(raw: bytes) -> str:
    """``raw`` (32 bytes) as 13 groups of 5: 4 data characters and a check character."""
    if len(raw) != DEK_BYTES:
        raise ValueError("a recovery key is 32 bytes")
    number = (int.from_bytes(raw, "big") << 4) | _global_check(raw)
    data = [(number >> (5 * (51 - i))) & 31 for i in range(52)]
    groups = []
    for g in range(RECOVERY_GROUPS):
        values = data[g * _GROUP_DATA : (g + 1) * _GROUP_DATA]
        check = _gf32_mul(_INV_POW5, _group_syndrome(g, values))
        groups.append("".join(_ALPHABET[v] for v in [*values, check]))
    return "-".join(groups)


def new_recovery_key() -> str:
    return format_recovery_key(secrets.token_bytes(DEK_BYTES))


def parse_recovery_key(text: str) -> bytes:
    """The 32 bytes of a typed recovery key. Spaces, dashes and lower case are accepted;
    a typo raises RecoveryKeyError naming the group to check against the printed sheet."""
    chars = [ch for ch in unicodedata.normalize("NFKC", text).upper() if ch not in " -\t\r\n"]
    if len(chars) != RECOVERY_LENGTH:
        raise RecoveryKeyError(
            f"Khóa khôi phục gồm {RECOVERY_GROUPS} nhóm, mỗi nhóm 5 ký tự "
            f"({RECOVERY_LENGTH} ký tự, không kể dấu gạch); đã nhập {len(chars)} ký tự. "
            "Hãy đối chiếu lại với bản in."
        )
    data: list[int] = []
    size = _GROUP_DATA + 1
    for g in range(RECOVERY_GROUPS):
        group = chars[g * size : (g + 1) * size]
        shown = "".join(group)
        wrong = [ch for ch in group if ch not in _DECODE]
        if wrong:
            raise RecoveryKeyError(
                f"Nhóm thứ {g + 1} ({shown}) có ký tự '{wrong[0]}' không dùng trong khóa khôi "
                "phục. Hãy đối chiếu nhóm này với bản in."
            )
        values = [_DECODE[ch] for ch in group]
        if _group_syndrome(g, values) != 0:
            raise RecoveryKeyError(
                f"Nhóm thứ {g + 1} ({shown}) gõ sai (ký tự kiểm tra không khớp). "
                "Hãy đối chiếu nhóm này với bản in."
            )
        data.extend(values[:_GROUP_DATA])
    number = 0
    for value in data:
        number = (number << 5) | value
    raw = (number >> 4).to_bytes(DEK_BYTES, "big")
    if number & 0xF != _global_check(raw):
        raise RecoveryKeyError(
            "Khóa khôi phục không hợp lệ: các nhóm có thể bị gõ sai ở nhiều chỗ hoặc đảo thứ "
            "tự. Hãy nhập lại từ đầu, theo đúng bản in."
        )
    return raw


# --- the keyring --------------------------------------------------------------------------


def keyring_path(home: Path) -> Path:
    return home / KEYRING_FILE


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: a crash leaves the old file or the new
    one, never half of either."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # the rename itself must survive a power cut
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class Keyring:
    """The operators' sealed copies of the DEK. Change it in memory (``wrap``, ``remove``),
    then ``save()``: the file is replaced atomically."""

    def __init__(
        self,
        path: Path,
        check: str,
        entries: dict[str, dict[str, Any]] | None = None,
        compatibility: int = CIPHER_COMPATIBILITY,
    ) -> None:
        self.path = path
        self.check = check
        self.compatibility = compatibility
        self._entries: dict[str, dict[str, Any]] = dict(entries or {})

    @classmethod
    def create(cls, path: Path, dek: bytes) -> Keyring:
        """An empty keyring for ``dek`` (not written until ``save()``)."""
        _require_dek(dek)
        return cls(path, key_check(dek))

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            document = json.loads(path.read_bytes())
        except FileNotFoundError as err:
            raise KeyringError(
                f"Không tìm thấy tệp khóa {path}. Có thể mở cơ sở dữ liệu bằng khóa khôi phục "
                "(bản in do huyện giữ)."
            ) from err
        except (OSError, ValueError) as err:
            raise KeyringError(
                f"Không đọc được tệp khóa {path} ({err}). Có thể mở cơ sở dữ liệu bằng khóa "
                "khôi phục (bản in do huyện giữ)."
            ) from err
        try:
            if document["format"] != KEYRING_FORMAT:
                raise ValueError("format")
            if document["version"] != KEYRING_VERSION:
                raise KeyringError(
                    f"Tệp khóa {path.name} thuộc phiên bản {document['version']} của phần mềm "
                    f"(phiên bản này hiểu đến {KEYRING_VERSION}). Hãy cập nhật phần mềm."
                )
            cipher = document["cipher"]
            if cipher["engine"] != "sqlcipher":
                raise ValueError("engine")
            entries = document["entries"]
            if not isinstance(entries, dict) or not all(
                isinstance(v, dict) for v in entries.values()
            ):
                raise ValueError("entries")
            return cls(path, str(document["key_check"]), entries, int(cipher["compatibility"]))
        except (KeyError, TypeError, ValueError) as err:
            raise KeyringError(f"Tệp khóa {path} bị hỏng hoặc không phải tệp khóa.") from err

    def save(self) -> None:
        document = {
            "format": KEYRING_FORMAT,
            "version": KEYRING_VERSION,
            "cipher": {
                "engine": "sqlcipher",
                "compatibility": self.compatibility,
                "key": "raw-256",
            },
            "key_check": self.check,
            "entries": dict(sorted(self._entries.items())),
        }
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
        _atomic_write(self.path, data)
        log.info("keyring %s saved: %s", self.path, ", ".join(self.names()) or "no entries")

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def params(self, name: str) -> KdfParams:
        entry = self._entries[name]
        return KdfParams(
            time_cost=int(entry["time_cost"]),
            memory_kib=int(entry["memory_kib"]),
            parallelism=int(entry["parallelism"]),
        )

    def matches(self, dek: bytes) -> bool:
        """Whether ``dek`` is the key this keyring unlocks."""
        return hmac.compare_digest(key_check(dek), self.check)

    def wrap(
        self, name: str, secret: str | bytes, dek: bytes, params: KdfParams = DEFAULT_KDF
    ) -> None:
        """Seal ``dek`` under ``secret`` as entry ``name`` (replacing it if present)."""
        _require_dek(dek)
        if not self.matches(dek):
            raise ValueError("this DEK is not the one the keyring belongs to")
        if not name or len(name) > 200 or not name.isprintable():
            raise ValueError(f"bad keyring entry name {name!r}")
        if not params.at_least(OWASP_MINIMUM) or not _KDF_CEILING.at_least(params):
            raise ValueError(f"argon2id parameters out of range: {params}")
        salt = secrets.token_bytes(_SALT_BYTES)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        kek = _kek(_secret_bytes(secret), salt, params)
        sealed = AESGCM(kek).encrypt(nonce, dek, _aad(name))
        self._entries[name] = {
            "kdf": "argon2id",
            "time_cost": params.time_cost,
            "memory_kib": params.memory_kib,
            "parallelism": params.parallelism,
            "salt": _b64(salt),
            "cipher": "aes-256-gcm",
            "nonce": _b64(nonce),
            "sealed": _b64(sealed),
        }

    def unwrap(self, name: str, secret: str | bytes) -> bytes:
        """The DEK, if ``secret`` is the one entry ``name`` was sealed with; otherwise
        WrongSecretError (the same message whether the name or the password is wrong)."""
        wrong = WrongSecretError("Tên đăng nhập hoặc mật khẩu không đúng.")
        entry = self._entries.get(name)
        if entry is None:
            raise wrong
        try:
            params = self.params(name)
            if entry["kdf"] != "argon2id" or entry["cipher"] != "aes-256-gcm":
                raise ValueError("algorithm")
            if not _KDF_CEILING.at_least(params) or params.parallelism < 1:
                raise ValueError("parameters")
            salt, nonce, sealed = (_unb64(entry[k]) for k in ("salt", "nonce", "sealed"))
        except (KeyError, TypeError, ValueError) as err:
            raise KeyringError(
                f"Mục '{name}' trong tệp khóa {self.path.name} bị hỏng. Quản trị viên cần đặt "
                "lại mật khẩu cho tài khoản này (hoặc dùng khóa khôi phục)."
            ) from err
        kek = _kek(_secret_bytes(secret), salt, params)
        try:
            dek = AESGCM(kek).decrypt(nonce, sealed, _aad(name))
        except InvalidTag:
            raise wrong from None
        if not self.matches(dek):  # sealed properly, but for another database
            raise KeyringError(f"Mục '{name}' của tệp khóa không thuộc cơ sở dữ liệu này.")
        return dek

    def remove(self, name: str) -> None:
        self._entries.pop(name, None)


def unlock_with_recovery_key(text: str, keyring: Keyring | None = None) -> bytes:
    """The DEK from a typed recovery key; RecoveryKeyError for a typo, WrongSecretError when
    ``keyring`` (if there is one) shows it is another counter's key."""
    dek = database_key_from_recovery(parse_recovery_key(text))
    if keyring is not None and not keyring.matches(dek):
        raise WrongSecretError(
            "Khóa khôi phục này không phải của quầy này (gõ đúng mẫu nhưng thuộc cơ sở dữ "
            "liệu khác). Hãy kiểm tra bản in đúng tên xã và số quầy."
        )
    return dek


def _require_dek(dek: bytes) -> None:
    if not isinstance(dek, bytes) or len(dek) != DEK_BYTES:
        raise ValueError("a database key is 32 bytes")


# --- SQLCipher ----------------------------------------------------------------------------


def _key_pragma(dek: bytes) -> str:
    _require_dek(dek)
    return f"PRAGMA key = \"x'{dek.hex()}'\""


def _key_connection(conn: Any, dek: bytes, compatibility: int, *, verify: bool) -> None:
    """Key a fresh connection (the key must come before anything reads the file) and, with
    ``verify``, check that it opens the file: a wrong key otherwise surfaces later as "not a
    database". DatabaseKeyError keeps the driver's error as its cause (and its code)."""
    conn.execute("PRAGMA cipher_log_level = NONE")  # no C-level noise on stderr
    conn.execute(_key_pragma(dek))
    conn.execute(f"PRAGMA cipher_compatibility = {int(compatibility)}")
    if not verify:
        return
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as err:
        raise DatabaseKeyError(
            "Không mở được cơ sở dữ liệu bằng khóa này: khóa thuộc quầy khác, hoặc tệp dữ liệu "
            f"bị hỏng ({err})."
        ) from err


class EncryptedDatabase(SqlCipherDatabase):  # type: ignore[misc]
    """peewee's SQLCipher database keyed with a raw 256-bit key.

    The key pragma runs first on every new connection, then the cipher settings, then the
    usual PRAGMAS (WAL, synchronous=FULL, ...). Unlike playhouse's class it also passes the
    busy timeout on to the driver (peewee 4 keeps it out of ``connect_params``).
    """

    def __init__(
        self,
        database: str,
        *,
        key: bytes,
        cipher_compatibility: int = CIPHER_COMPATIBILITY,
        **kwargs: Any,
    ) -> None:
        _require_dek(key)
        self._dek = key
        self._compatibility = cipher_compatibility
        super().__init__(database, **kwargs)

    def _connect(self) -> Any:
        params = dict(self.connect_params)
        params.pop("passphrase", None)
        conn = sqlcipher.connect(
            self.database, timeout=self._timeout, isolation_level=None, **params
        )
        try:
            _key_connection(conn, self._dek, self._compatibility, verify=True)
            self._add_conn_hooks(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @property
    def key(self) -> bytes:
        """The DEK this database is open with (for wrapping it for a new operator)."""
        return self._dek

    def open_file(self, path: str | os.PathLike[str]) -> Any:
        """A DB-API connection to another file keyed like this database (backups)."""
        return connect_encrypted_file(path, self._dek, self._compatibility)

    def rekey_to(self, new_dek: bytes) -> None:
        """Re-encrypt the whole database under ``new_dek`` (every page is rewritten). Only
        with this thread's connection open: other connections still hold the old key."""
        _require_dek(new_dek)
        self.execute_sql(f"PRAGMA rekey = \"x'{new_dek.hex()}'\"")
        self._dek = new_dek

    def set_passphrase(self, passphrase: str) -> None:
        raise NotImplementedError("EncryptedDatabase takes a raw key, not a passphrase")

    def rekey(self, passphrase: str) -> bool:
        raise NotImplementedError("use rekey_to(new_dek)")


def database_key(db: object) -> bytes | None:
    """The DEK ``db`` (``ctx.db``) is open with, or None for a plain database."""
    return db.key if isinstance(db, EncryptedDatabase) else None


def sqlcipher_engine(dek: bytes, compatibility: int = CIPHER_COMPATIBILITY) -> dict[str, Any]:
    """What ``open_database(path, **engine)`` / ``open_counter(home, **engine)`` take to open
    an encrypted database."""
    _require_dek(dek)
    return {"make": EncryptedDatabase, "key": dek, "cipher_compatibility": compatibility}


def connect_encrypted_file(
    path: str | os.PathLike[str],
    dek: bytes,
    compatibility: int = CIPHER_COMPATIBILITY,
    *,
    verify: bool = False,
) -> Any:
    """A sqlcipher3 DB-API connection to ``path`` keyed with ``dek``: a new file becomes an
    encrypted database. Like ``sqlite3.connect`` it reads nothing yet, so a wrong key or a
    damaged file shows at the first statement as the driver's DatabaseError ("file is not
    a database", ``sqlite_errorcode`` 26), which backup checks already classify; with
    ``verify`` it is checked at once and raised as DatabaseKeyError (Vietnamese).

    Backups: ``src.backup(dest)`` between two such connections writes an encrypted copy;
    a backup into an unkeyed connection fails instead of writing plain text."""
    conn = sqlcipher.connect(os.fspath(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _key_connection(conn, dek, compatibility, verify=verify)
    except BaseException:
        conn.close()
        raise
    return conn


def is_encrypted_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds something other than a plain SQLite database: True for a
    SQLCipher file (its first bytes are a random salt), False for a plain database, an empty
    file or no file. A heuristic: any non-SQLite file counts as encrypted."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(PLAIN_SQLITE_HEADER))
    except FileNotFoundError:
        return False
    return bool(head) and head != PLAIN_SQLITE_HEADER


def encrypt_existing(
    plain_path: str | os.PathLike[str],
    encrypted_path: str | os.PathLike[str],
    dek: bytes,
    compatibility: int = CIPHER_COMPATIBILITY,
) -> None:
    """Write an encrypted copy of the plain database ``plain_path`` to ``encrypted_path``
    (``sqlcipher_export``; schema version and WAL mode carried over). The app must not have
    the plain database open. The copy appears only when complete (written aside, then
    renamed); the plain file is left for the caller to remove."""
    _require_dek(dek)
    if is_encrypted_file(plain_path):
        raise StorageError(f"Cơ sở dữ liệu {plain_path} đã được mã hóa.")
    target = Path(encrypted_path)
    if target.exists():
        raise FileExistsError(target)
    tmp = target.with_name(f".{target.name}.partial")

    def discard() -> None:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)

    discard()
    try:
        plain = sqlcipher.connect(
            os.fspath(plain_path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )
        try:
            version = int(plain.execute("PRAGMA user_version").fetchone()[0])
            plain.execute(
                f"ATTACH DATABASE ? AS encrypted KEY \"x'{dek.hex()}'\"", (os.fspath(tmp),)
            )
            plain.execute(f"PRAGMA encrypted.cipher_compatibility = {int(compatibility)}")
            plain.execute("BEGIN")  # one snapshot of the plain file for the whole export
            plain.execute("SELECT sqlcipher_export('encrypted')")
            plain.execute(f"PRAGMA encrypted.user_version = {version}")
            plain.execute("COMMIT")
            plain.execute("DETACH DATABASE encrypted")
        finally:
            plain.close()
        done = connect_encrypted_file(tmp, dek, compatibility, verify=True)
        try:
            done.execute("PRAGMA journal_mode = wal")
            if done.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise StorageError("Bản mã hóa của cơ sở dữ liệu không toàn vẹn; chưa đổi gì.")
            done.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            done.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        discard()
        raise
    log.info("encrypted copy of %s written to %s", plain_path, target)
