"""An encrypted installation (chosen at set-up): SQLCipher, its key wrapped per operator.

The database key is random; each operator's password unwraps it from ``keyring.json``
beside the database (``store.encryption``), and the recovery key printed once at set-up
for the district derives it on its own. So an encrypted counter is opened by signing in:
the password opens the key, then the account is checked as on any counter.
"""

from __future__ import annotations

import os
from typing import Any

from counter_app.domain.text import nfc
from counter_app.errors import ConflictError, ValidationError
from counter_app.paths import app_paths
from counter_app.services import accounts
from counter_app.services.context import CounterContext, open_counter
from counter_app.store import encryption as enc


def is_encrypted(home: str | os.PathLike[str] | None) -> bool:
    return enc.is_encrypted_file(app_paths(home).db)


def open_signed_in(
    home: str | os.PathLike[str] | None, username: str, password: str
) -> CounterContext:
    """Open the counter in ``home`` and sign ``username`` in; an encrypted counter's key is
    unwrapped with the same password first."""
    paths = app_paths(home).ensure()
    engine: dict[str, Any] = {}
    if enc.is_encrypted_file(paths.db):
        ring = enc.Keyring.load(enc.keyring_path(paths.home))
        try:
            name = accounts.normalise_username(username)
            dek = ring.unwrap(enc.operator_entry(name), nfc(password))
        except (enc.WrongSecretError, ValidationError):
            # Not counted in the database (it cannot be opened without the key); argon2's
            # cost per try slows guessing instead.
            raise accounts.SignInError("Sai tên đăng nhập hoặc mật khẩu.") from None
        engine = enc.sqlcipher_engine(dek, ring.compatibility)
    ctx = open_counter(home, **engine)
    try:
        accounts.sign_in(ctx, username, password)
    except BaseException:
        ctx.close()
        raise
    return ctx


def create_encrypted_counter(home: str | os.PathLike[str] | None) -> tuple[CounterContext, str]:
    """A new, empty, encrypted counter and the recovery key to print once."""
    paths = app_paths(home).ensure()
    if paths.db.exists():
        raise ConflictError(
            f"Thư mục {paths.home} đã có dữ liệu; chỉ mã hóa được khi thiết lập quầy mới."
        )
    key = enc.new_database_key()
    ctx = open_counter(home, **enc.sqlcipher_engine(key.dek))
    enc.Keyring.create(enc.keyring_path(paths.home), key.dek).save()
    return ctx, key.recovery_key
