"""One settings object for the service, read from ``INTERDICTION_*`` environment variables and an
optional TOML file (``INTERDICTION_CONFIG``); the environment wins over the file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PREFIX = "INTERDICTION_"


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interdiction"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    # Empty: a SQLite file under data_dir. Otherwise any SQLAlchemy URL, e.g.
    # postgresql+psycopg://user@127.0.0.1:5432/interdiction
    database_url: str = ""
    session_hours: float = 12.0
    # Send cookies with the Secure flag: on whenever the service sits behind HTTPS.
    secure_cookies: bool = False
    claim_minutes: int = 15  # how long a claim on a queue item holds before others may take it
    # Review deadlines (hours) by why an item is in the queue (DSA Art. 22: trusted flaggers first).
    sla_order_hours: float = 1.0
    sla_trusted_flagger_hours: float = 24.0
    sla_notice_hours: float = 48.0
    sla_flagged_hours: float = 72.0
    # argon2id cost; tests lower these (a hash then takes ~0.01 s instead of ~0.1 s).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    threshold: float = 0.5
    # The learned model scoring beside the rules: "default" (shipped in the package), "none"
    # (the rules alone), or the path of a model file (``interdiction model train``).
    model: str = "default"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'interdiction.db'}"

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        config = env.get(PREFIX + "CONFIG")
        if config:
            try:
                values.update(tomllib.loads(Path(config).read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{PREFIX}CONFIG={config}: {exc}") from exc
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = raw
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise SettingsError(f"unknown settings in {config}: {', '.join(sorted(unknown))}")
        return replace(cls(), **{k: _coerce(k, v) for k, v in values.items()})


def _coerce(name: str, value: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "Path":
            return Path(str(value)).expanduser()
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(f"not a yes/no value: {value!r}")
            return text in ("1", "true", "yes", "on")
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        return str(value)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name.upper()}: {exc}") from exc
