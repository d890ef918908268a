"""Connecting to the team's server, and turning what the driver raises into one clear line.

psycopg is an optional dependency (the ``team`` extra): it is imported only here, and only
when a sync runs, so margin without it starts and works as before.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from store.sync.errors import SyncError

CONNECT_TIMEOUT_SECONDS = 10
APPLICATION_NAME = "margin sync"


def driver() -> Any:
    """The psycopg module, or a SyncError saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise SyncError("syncing needs the psycopg package, which is not installed",
                        'install it with: pip install "margin[team]"') from None
    return psycopg


def checked_url(url: str) -> str:
    """``url`` if it names a PostgreSQL server, else a SyncError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("postgresql", "postgres") or not (parts.hostname or parts.path.strip("/")):
        raise SyncError(f"{redacted(url)!r} is not the address of a PostgreSQL server",
                        "give one like postgresql://user@host/database")
    return url.strip()


def redacted(url: str) -> str:
    """The URL without its password: what is shown and remembered (a password belongs in
    PGPASSWORD or ~/.pgpass, not in a database file or on the screen)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))
    except ValueError:
        return "the address given"


def where(url: str) -> str:
    """``host:port/database`` for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path or '/'}"


def connect(url: str) -> Any:
    """An open connection to the server at ``url`` (autocommit off), or a SyncError."""
    psycopg = driver()
    options: dict[str, Any] = {"application_name": APPLICATION_NAME}
    if "connect_timeout" not in url:
        options["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        return psycopg.connect(url, **options)
    except psycopg.Error as error:
        raise _refused(error, url) from None


@contextlib.contextmanager
def talking(url: str) -> Iterator[None]:
    """Turn the driver's errors during a sync into SyncErrors that say what happened."""
    psycopg = driver()
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as error:
        user = urlsplit(url).username or "this user"
        raise SyncError(f"{user} has no permission for that on {where(url)} "
                        f"({_first_line(error)})",
                        "ask the database's owner to grant it; this copy was left as it was"
                        ) from None
    except psycopg.OperationalError as error:
        raise SyncError(f"the connection to {where(url)} was lost during the sync "
                        f"({_first_line(error)})",
                        "run the sync again: it goes on from where it stopped, and nothing is "
                        "sent or taken twice") from None
    except psycopg.Error as error:
        raise SyncError(f"the server {where(url)} refused the sync ({_first_line(error)})",
                        "run it again; if it fails the same way, tell the server's administrator"
                        ) from None


def _refused(error: Exception, url: str) -> SyncError:
    """Why a connection could not be opened, as one line with what to do."""
    message = str(error)
    lowered = message.lower()
    place = where(url)
    user = urlsplit(url).username or "the user"
    if "password authentication failed" in lowered or "no password supplied" in lowered \
            or ("role" in lowered and "does not exist" in lowered):
        return SyncError(f"{place} did not accept {user} with that password",
                         "check the user and password (in the address, PGPASSWORD or ~/.pgpass)")
    if "ssl" in lowered or "no encryption" in lowered or "tls" in lowered:
        return SyncError(f"{place} and this copy disagree about TLS ({_first_line(error)})",
                         "use the sslmode the server's administrator gives, e.g. "
                         "?sslmode=require at the end of the address")
    if "database" in lowered and "does not exist" in lowered:
        return SyncError(f"{place} has no such database",
                         "check the database name at the end of the address")
    if "permission denied" in lowered or "not permitted" in lowered:
        return SyncError(f"{user} may not connect to {place}",
                         "ask the database's owner to grant CONNECT")
    return SyncError(f"cannot reach the server {place} ({_first_line(error)})",
                     "check the address and that the server is running and reachable")


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    # psycopg repeats the address it tried first: the message already names the place.
    if text.startswith("connection failed: "):
        text = text[len("connection failed: "):]
    return text.rstrip(".")
