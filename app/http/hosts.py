"""The host name the app answers for: never one a client makes up.

Werkzeug builds absolute URLs (a routing redirect's Location, ``request.url_root``) from the
request's Host header, so a client sending ``Host: evil.example`` would see it reflected in a
redirect or a FHIR link. So:

- with ICAS_PUBLIC_URL set, every request is served as if it came to that URL: its scheme and host
  replace the request's own before Flask sees the request, so every URL the app builds starts
  with it, whatever Host was sent (behind a proxy the app sees another address anyway);
- without it, the Host header must name a trusted host: ICAS_TRUSTED_HOSTS (host names or IP
  addresses, whitespace- or comma-separated, compared without the port and case), or, unset, the
  address the server is bound to (gunicorn's SERVER_NAME), with every loopback name when that is
  a loopback address. Any other Host gets 400 before anything else happens.

ICAS_TRUSTED_HOSTS, when set, is checked with ICAS_PUBLIC_URL too. In the ``create_app(config)``
mapping the settings are ``PUBLIC_URL`` (as the EHR settings) and ``ICAS_TRUSTED_HOSTS``, prefixed:
Flask's own ``TRUSTED_HOSTS`` means something else and is left alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from app.http.errors import Refused, SettingsError

ENV_PUBLIC_URL = "ICAS_PUBLIC_URL"
ENV_TRUSTED_HOSTS = "ICAS_TRUSTED_HOSTS"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
EXTENSION = "trusted_hosts"
HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|\[?[0-9a-f:.]{2,45}\]?")
UNTRUSTED = "This server does not answer for the host name this request was sent to."


def _setting(app: Flask, key: str, variable: str) -> Any:
    value = app.config.get(key)
    return value if value is not None else os.environ.get(variable)


def host_name(host: str) -> str:
    """The host of a Host header, without its port, brackets, case or trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def trusted_hosts(value: object) -> frozenset[str]:
    """Parse ICAS_TRUSTED_HOSTS; raise SettingsError naming any entry that is not a host name."""
    if value is None or value == "":
        return frozenset()
    words = list(value.replace(",", " ").split() if isinstance(value, str) else value)  # type: ignore[call-overload]
    bad = [w for w in words if not isinstance(w, str) or not HOST_NAME.fullmatch(w.lower())]
    if bad:
        raise SettingsError(
            f"{ENV_TRUSTED_HOSTS}: not a host name (no scheme, port or path): {bad!r}"
        )
    return frozenset(host_name(word) for word in words)


class PublicURL:
    """WSGI middleware: serve every request as if it came to the public URL (scheme and host)."""

    def __init__(self, app: Callable[..., Any], public_url: str) -> None:
        parts = urlsplit(public_url)
        self.app = app
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.name = parts.hostname or ""
        self.port = str(parts.port or (443 if parts.scheme == "https" else 80))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # The client's Host is kept aside for the trusted-hosts check (when configured).
        environ["icas.sent_host"] = environ.get("HTTP_HOST", "")
        environ["HTTP_HOST"] = self.host
        environ["wsgi.url_scheme"] = self.scheme
        environ["SERVER_NAME"] = self.name
        environ["SERVER_PORT"] = self.port
        return self.app(environ, start_response)


def _check_host() -> None:
    """Refuse (400) a request whose Host names no trusted host."""
    configured: frozenset[str] | None = current_app.extensions[EXTENSION]
    environ = request.environ
    if "icas.sent_host" in environ:  # served as the public URL
        if configured is None:
            return
        sent = environ["icas.sent_host"]
    else:
        sent = environ.get("HTTP_HOST", "")
    allowed = configured
    if allowed is None:
        bound = host_name(environ.get("SERVER_NAME", ""))
        allowed = LOOPBACK | {bound} if bound in LOOPBACK else frozenset({bound})
    # HTTP/1.0 without Host: the bound address is what was asked for.
    name = host_name(sent) if sent else host_name(environ.get("SERVER_NAME", ""))
    if name not in allowed:
        raise Refused(400, UNTRUSTED)


def register(app: Flask) -> None:
    configured = trusted_hosts(_setting(app, ENV_TRUSTED_HOSTS, ENV_TRUSTED_HOSTS))
    app.extensions[EXTENSION] = configured or None
    public_url = (_setting(app, "PUBLIC_URL", ENV_PUBLIC_URL) or "").rstrip("/")
    if public_url:
        app.wsgi_app = PublicURL(app.wsgi_app, public_url)  # type: ignore[method-assign]
    # Before every other before_request function: nothing is done for an untrusted host.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_host)
