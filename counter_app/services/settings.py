"""The installation's business settings (stored in the database, not on the PC)."""

from __future__ import annotations

from counter_app.domain.dossier_code import validate_agency_code, validate_station
from counter_app.domain.identity import clean_text
from counter_app.errors import ConfigurationError, ValidationError
from counter_app.services import audit
from counter_app.services.context import CounterContext
from counter_app.services.dto import InstallationSettings
from counter_app.store.db import write_transaction
from counter_app.store.models import Setting

_KEYS = ("agency_code", "agency_name", "place_name", "station", "clerk_name")


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
        clerk_name=values["clerk_name"],
    )


def require_settings(ctx: CounterContext) -> InstallationSettings:
    settings = load_settings(ctx)
    if settings is None:
        raise ConfigurationError(
            "Quầy chưa được thiết lập. Hãy chạy thiết lập lần đầu "
            "(counter-app init --agency-code … --agency-name … --place … --station …)."
        )
    return settings


def validate_settings(
    *, agency_code: str, agency_name: str, place_name: str, station: int, clerk_name: str
) -> InstallationSettings:
    errors: list[ValidationError] = []
    values: dict[str, object] = {}
    checks = {
        "agency_code": lambda: validate_agency_code(agency_code),
        "agency_name": lambda: clean_text("agency_name", agency_name, required=True, max_len=120),
        "place_name": lambda: clean_text("place_name", place_name, required=True, max_len=80),
        "station": lambda: validate_station(station),
        "clerk_name": lambda: clean_text("clerk_name", clerk_name, required=True, max_len=100),
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
        clerk_name=str(values["clerk_name"]),
    )


def save_settings(
    ctx: CounterContext,
    *,
    agency_code: str,
    agency_name: str,
    place_name: str,
    station: int,
    clerk_name: str,
) -> InstallationSettings:
    """Validate and store the settings in one transaction (first run or a later change)."""
    settings = validate_settings(
        agency_code=agency_code,
        agency_name=agency_name,
        place_name=place_name,
        station=station,
        clerk_name=clerk_name,
    )
    previous = load_settings(ctx)
    with write_transaction():
        for key, value in settings.to_json().items():
            Setting.replace(key=key, value=str(value)).execute()
        audit.record(
            settings.clerk_name,
            "settings.init" if previous is None else "settings.change",
            agency_code=settings.agency_code,
            station=settings.station,
        )
    return settings
