"""The installation's business settings (stored in the database, not on the PC)."""

from __future__ import annotations

from counter_app.domain.dossier_code import validate_agency_code, validate_station
from counter_app.domain.identity import clean_text
from counter_app.errors import ConfigurationError, ConflictError, ValidationError
from counter_app.services import accounts, audit
from counter_app.services.accounts import AccountRequest
from counter_app.services.context import CounterContext
from counter_app.services.dto import InstallationSettings, OperatorInfo
from counter_app.store.db import write_transaction
from counter_app.store.models import Setting

_KEYS = ("agency_code", "agency_name", "place_name", "station")


def _read_all() -> dict[str, str]:
    return {row.key: row.value for row in Setting.select()}


def load_settings(ctx: CounterContext) -> InstallationSettings | None:
    """The installation's settings, or None before the first-run set-up."""
    values = _read_all()
    if not all(key in values for key in _KEYS):
        return None
    return InstallationSettings(
        agency_code=values["agency_code"],
        agency_name=values["agency_name"],
        place_name=values["place_name"],
        station=int(values["station"]),
    )


def require_settings(ctx: CounterContext) -> InstallationSettings:
    settings = load_settings(ctx)
    if settings is None:
        raise ConfigurationError(
            "Quầy chưa được thiết lập. Hãy chạy thiết lập lần đầu "
            "(counter-app init --agency-code … --agency-name … --place … --station … "
            "--admin TÊN)."
        )
    return settings


def validate_settings(
    *, agency_code: str, agency_name: str, place_name: str, station: int
) -> InstallationSettings:
    errors: list[ValidationError] = []
    values: dict[str, object] = {}
    checks = {
        "agency_code": lambda: validate_agency_code(agency_code),
        "agency_name": lambda: clean_text("agency_name", agency_name, required=True, max_len=120),
        "place_name": lambda: clean_text("place_name", place_name, required=True, max_len=80),
        "station": lambda: validate_station(station),
    }
    for key, check in checks.items():
        try:
            values[key] = check()
        except ValidationError as err:
            errors.append(err)
    if errors:
        raise ValidationError.merge(errors)
    return InstallationSettings(
        agency_code=str(values["agency_code"]),
        agency_name=str(values["agency_name"]),
        place_name=str(values["place_name"]),
        station=int(str(values["station"])),
    )


def _store(settings: InstallationSettings, actor: str, action: str) -> None:
    for key, value in settings.to_json().items():
        Setting.replace(key=key, value=str(value)).execute()
    audit.record(actor, action, agency_code=settings.agency_code, station=settings.station)


def first_run(
    ctx: CounterContext,
    *,
    agency_code: str,
    agency_name: str,
    place_name: str,
    station: int,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
) -> tuple[InstallationSettings, OperatorInfo]:
    """Set up a new counter: its settings and its first (admin) account, in one transaction,
    then sign the admin in."""
    errors: list[ValidationError] = []
    settings: InstallationSettings | None = None
    try:
        settings = validate_settings(
            agency_code=agency_code, agency_name=agency_name, place_name=place_name, station=station
        )
    except ValidationError as err:
        errors.append(err)
    admin: AccountRequest | None = None
    try:
        admin = accounts.validate_new_account(
            admin_username, admin_full_name, "admin", admin_password
        )
    except ValidationError as err:
        errors.append(err)
    if errors or settings is None or admin is None:
        raise ValidationError.merge(errors)
    with write_transaction():
        if load_settings(ctx) is not None or accounts.has_operators(ctx):
            raise ConflictError(
                "Quầy đã được thiết lập; hãy đăng nhập và đổi thiết lập trong phần Cài đặt."
            )
        operator = accounts.insert_account(admin, actor=admin.username)
        _store(settings, admin.username, "settings.init")
    accounts.remember_key(ctx, operator.username, admin_password)
    accounts.sign_in(ctx, admin_username, admin_password)
    return settings, operator


def save_settings(
    ctx: CounterContext,
    *,
    agency_code: str,
    agency_name: str,
    place_name: str,
    station: int,
) -> InstallationSettings:
    """Change the settings of a counter already set up (supervisor or admin)."""
    settings = validate_settings(
        agency_code=agency_code, agency_name=agency_name, place_name=place_name, station=station
    )
    operator = accounts.require_role(ctx, "supervisor", "settings.change", "đổi thiết lập quầy")
    with write_transaction():
        _store(settings, operator.username, "settings.change")
    return settings
