"""Reading the configuration: the TOML file, typed into sections, with environment overrides."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_type_hints

from tracker.config.sections import Config, Secrets
from tracker.config.validate import validate
from tracker.errors import ConfigError

DEFAULT_PATH = "tracker.toml"
_FILE_SECTIONS = (
    "tracker", "watch", "sources", "slack", "email", "schedule", "verify", "publish", "routes",
)  # fmt: skip


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"config: [{where}] must be a table")
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{where}.{key}"
        if key not in known:
            raise ConfigError(f"config: unknown key '{name}'")
        kwargs[key] = _convert(hints[key], value, name)
    return cls(**kwargs)


def _convert(hint: Any, value: Any, name: str) -> Any:
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value, name)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config: '{name}' must be true or false, not {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config: '{name}' must be a whole number, not {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"config: '{name}' must be a number, not {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"config: '{name}' must be a string, not {value!r}")
        return value
    item_type = hint.__args__[0]
    if not isinstance(value, list):
        raise ConfigError(f"config: '{name}' must be a list, not {value!r}")
    return [_convert(item_type, item, f"{name}[{i}]") for i, item in enumerate(value)]


def resolve_path(path: str | None, env: Mapping[str, str] | None = None) -> Path | None:
    """The config file to read: ``--config``, else ``$TRACKER_CONFIG``, else ``./tracker.toml``."""
    env = os.environ if env is None else env
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config: file not found: {path}")
        return p
    if env.get("TRACKER_CONFIG"):
        p = Path(env["TRACKER_CONFIG"])
        if not p.is_file():
            raise ConfigError(f"config: $TRACKER_CONFIG file not found: {p}")
        return p
    p = Path(DEFAULT_PATH)
    return p if p.is_file() else None


def load_config(path: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raise ConfigError naming the bad key."""
    env = os.environ if env is None else env
    file = resolve_path(path, env)
    data: dict[str, Any] = {}
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config: {file}: invalid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"config: {file}: not UTF-8 text") from None
    for key in data:
        if key not in _FILE_SECTIONS:
            raise ConfigError(f"config: unknown section or key '{key}'")
    config = _build(Config, {k: v for k, v in data.items()}, "config")
    config.path = str(file) if file else None
    config.secrets = Secrets.from_env(env)
    if env.get("TRACKER_DB"):
        config.tracker.db = env["TRACKER_DB"]
    validate(config)
    return config
