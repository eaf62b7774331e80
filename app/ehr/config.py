"""EHR settings from the app config or ICAS_* environment variables, checked once at start-up.

Each setting NAME is read from ``app.config[NAME]`` (tests, a WSGI wrapper) or else from the
environment variable ``ICAS_<NAME>``. Lists are JSON arrays or whitespace-separated words; the
CDS issuers and procedure codes are JSON objects. A bad value stops the app starting (fail closed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from app.contract.vocabulary import OPTIONS
from app.http.errors import SettingsError

PREFIX = "ICAS_"
CPT = "http://www.ama-assn.org/go/cpt"
# CPT 61630: intracranial balloon angioplasty; 61635: intracranial stent placement (stent type not
# coded, so both stent options are looked up).
DEFAULT_PROCEDURES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"61630": ("angioplasty",), "61635": ("balloon_stent", "self_expanding_stent")}
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ConfigError(SettingsError):
    """EHR settings that cannot be used; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class EhrConfig:
    public_url: str = ""
    secret_key: str = ""
    smart_client_id: str = ""
    smart_client_secret: str = ""
    smart_issuers: tuple[str, ...] = ()
    cds_issuers: Mapping[str, str] = field(default_factory=dict)  # iss -> its JWKS URL
    cds_cors_origins: tuple[str, ...] = ()
    cds_procedures: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: DEFAULT_PROCEDURES
    )
    http_timeout: float = 10.0

    @property
    def smart_enabled(self) -> bool:
        return bool(self.public_url and self.secret_key and self.smart_client_id)

    @property
    def cds_enabled(self) -> bool:
        return bool(self.public_url and self.cds_issuers)


def _raw(config: Mapping[str, Any], name: str) -> Any:
    # Flask's own SECRET_KEY defaults to None: None means "not set here".
    if config.get(name) is not None:
        return config[name]
    return os.environ.get(PREFIX + name)


def _words(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = json.loads(value) if value.lstrip().startswith("[") else value.split()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise TypeError("must be a list of strings")
    return tuple(value)


def _mapping(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, Mapping):
        raise TypeError("must be a JSON object")
    return dict(value)


def secure_url(url: str) -> bool:
    """True for an https URL, or http on a loopback host (a developer's machine, the tests)."""
    parts = urlsplit(url)
    if not parts.netloc or parts.query or parts.fragment:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


def load(config: Mapping[str, Any]) -> EhrConfig:
    """Read and check every EHR setting; raise ConfigError naming each bad one."""
    problems: list[str] = []
    values: dict[str, Any] = {}

    def read(name: str, convert: Any) -> Any:
        try:
            return convert(_raw(config, name))
        except (TypeError, ValueError) as error:
            problems.append(f"{PREFIX}{name} {error}")
            return None

    public = read("PUBLIC_URL", lambda v: (v or "").rstrip("/"))
    if public and not secure_url(public):
        problems.append(f"{PREFIX}PUBLIC_URL must be an https URL without query: {public!r}")
    values["public_url"] = public or ""
    values["secret_key"] = read("SECRET_KEY", lambda v: v or "") or ""
    if values["secret_key"] and len(values["secret_key"]) < 32:
        problems.append(f"{PREFIX}SECRET_KEY must be at least 32 characters")
    values["smart_client_id"] = read("SMART_CLIENT_ID", lambda v: v or "") or ""
    values["smart_client_secret"] = read("SMART_CLIENT_SECRET", lambda v: v or "") or ""
    issuers = read("SMART_ISSUERS", _words) or ()
    problems += [f"{PREFIX}SMART_ISSUERS: not https: {i!r}" for i in issuers if not secure_url(i)]
    values["smart_issuers"] = tuple(i.rstrip("/") for i in issuers)
    cds = read("CDS_ISSUERS", _mapping) or {}
    for iss, jwks in cds.items():
        if not isinstance(jwks, str) or not secure_url(jwks):
            problems.append(f"{PREFIX}CDS_ISSUERS: the JWKS URL of {iss!r} is not https")
    values["cds_issuers"] = MappingProxyType(cds)
    origins = read("CDS_CORS_ORIGINS", _words) or ()
    problems += [
        f"{PREFIX}CDS_CORS_ORIGINS: not an origin: {o!r}"
        for o in origins
        if not secure_url(o) or urlsplit(o).path
    ]
    values["cds_cors_origins"] = origins
    procedures = read("CDS_PROCEDURES", _mapping)
    if procedures is not None:
        for code, options in procedures.items():
            if not isinstance(options, list) or not options or set(options) - set(OPTIONS):
                problems.append(
                    f"{PREFIX}CDS_PROCEDURES: {code!r} must map to a list of: {', '.join(OPTIONS)}"
                )
        values["cds_procedures"] = MappingProxyType(
            {code: tuple(options) for code, options in procedures.items()}
        )
    smart = [values["smart_client_id"], values["smart_issuers"]]
    if any(smart) and not all((*smart, values["public_url"], values["secret_key"])):
        problems.append(
            f"SMART launch needs {PREFIX}PUBLIC_URL, {PREFIX}SECRET_KEY, {PREFIX}SMART_CLIENT_ID"
            f" and {PREFIX}SMART_ISSUERS together"
        )
    if cds and not values["public_url"]:
        problems.append(f"{PREFIX}CDS_ISSUERS needs {PREFIX}PUBLIC_URL (the JWT audience)")
    if problems:
        raise ConfigError("EHR settings refused: " + "; ".join(problems))
    return EhrConfig(**values)


EXTENSION = "ehr"


def install(app: Any) -> EhrConfig:
    """Load the settings into the app once (each EHR blueprint calls this when registered)."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = load(app.config)
    found: EhrConfig = app.extensions[EXTENSION]
    return found


def settings() -> EhrConfig:
    """Return the running app's EHR settings (request handlers only)."""
    from flask import current_app

    found: EhrConfig = current_app.extensions[EXTENSION]
    return found
