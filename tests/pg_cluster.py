"""A throwaway PostgreSQL server for tests: its own data folder, port and password, gone afterwards.

The sync tests need a real server (real authentication, real permissions, real dropped
connections), so this starts one from the installed binaries instead of talking to a shared
one. It listens only on 127.0.0.1, asks for a password over TCP (scram-sha-256), keeps its
socket in its own temporary folder and trades durability for speed, since the data is thrown
away. Imported by bare name (``from pg_cluster import PgCluster``): a dependency installs a
top-level ``tests`` package, so ``tests.pg_cluster`` could resolve to the wrong one.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

SUPERUSER = "margin_admin"
# PostgreSQL refuses to run as root; the Debian package makes this account for it.
SYSTEM_ACCOUNT = "postgres"
# Settings for data that is thrown away: nothing waits for the disk.
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
LOG_LINES_IN_ERRORS = 25


class Unavailable(RuntimeError):
    """PostgreSQL is not installed here (or cannot be run as this user)."""


class StartFailed(RuntimeError):
    """initdb or the server itself failed; the message carries the end of their output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at this moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _version_key(folder: str) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin: 15 after 9.6, numbers not text."""
    version = Path(folder).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


def find_binaries() -> Path:
    """The folder holding initdb, pg_ctl and postgres: PATH first, then the newest Debian version."""
    on_path = shutil.which("initdb")
    candidates = []
    if on_path:
        # PATH often holds symlinks (/usr/local/bin); pg_ctl finds postgres beside its real self.
        candidates.append(str(Path(on_path).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for folder in candidates:
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise Unavailable("PostgreSQL is not installed: no initdb, pg_ctl and postgres on PATH "
                      "or in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)")


def _tail(path: Path, lines: int = LOG_LINES_IN_ERRORS) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class PgCluster:
    """One running PostgreSQL server in a temporary folder; use as a context manager or start()/stop().

    The superuser ``margin_admin`` has a random password; ``url()`` builds connection URLs
    for it or for roles made with ``create_role``.
    """

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.bin = find_binaries()
        # Extra server settings, written as given (quote strings: {"timezone": "'UTC'"}).
        self.settings = dict(settings or {})
        self._as_account: list[str] = []
        self._account: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self._account = pwd.getpwnam(SYSTEM_ACCOUNT)
            except KeyError:
                raise Unavailable(f"running as root, and PostgreSQL will not: there is no "
                                  f"{SYSTEM_ACCOUNT!r} account to run it as") from None
            if shutil.which("runuser"):
                self._as_account = ["runuser", "-u", SYSTEM_ACCOUNT, "--"]
            else:
                self._as_account = ["setpriv", f"--reuid={self._account.pw_uid}",
                                    f"--regid={self._account.pw_gid}", "--init-groups"]
        self.password = secrets.token_urlsafe(18)
        self.port: int | None = None
        self.folder: Path | None = None

    # --- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> PgCluster:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def start(self) -> None:
        """Make the data folder and start the server; returns once it accepts connections."""
        # Under /tmp rather than pytest's tmp_path: the socket path must stay short (about
        # 100 bytes), and the postgres account must be able to reach it when we are root.
        self.folder = Path(tempfile.mkdtemp(prefix="margin-pg-", dir="/tmp"))
        try:
            self._initdb()
            # Another process may take the free port before the server binds it: try a new one.
            for attempt in range(3):
                self.port = free_port()
                self._write_settings()
                if self._pg_ctl_start():
                    return
                if "could not bind" not in _tail(self.log) and "in use" not in _tail(self.log):
                    break
            raise StartFailed(f"PostgreSQL did not start (port {self.port}); end of its log "
                              f"{self.log}:\n{_tail(self.log)}")
        except BaseException:
            self._remove_folder()
            raise

    def stop(self) -> None:
        """Stop the server at once (the data is thrown away) and remove its folder."""
        if self.folder is None:
            return
        if (self.data / "postmaster.pid").exists():
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                       "-w", "stop"], check=False)
        self._remove_folder()

    def _remove_folder(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
        # cwd: the account running PostgreSQL may not be allowed into the caller's folder.
        done = subprocess.run(self._as_account + argv, cwd=self.folder, capture_output=True,
                              text=True, timeout=120)
        if check and done.returncode != 0:
            raise StartFailed(f"{Path(argv[0]).name} failed (exit {done.returncode}):\n"
                              f"{(done.stdout + done.stderr).strip()[-3000:]}")
        return done

    def _give_to_account(self, path: Path) -> None:
        if self._account is not None:
            os.chown(path, self._account.pw_uid, self._account.pw_gid)

    def _initdb(self) -> None:
        self.folder.chmod(0o700)
        self._give_to_account(self.folder)
        (self.folder / "socket").mkdir(mode=0o700)
        self._give_to_account(self.folder / "socket")
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._give_to_account(pwfile)
        try:
            self._run([str(self.bin / "initdb"), "-D", str(self.data), f"--username={SUPERUSER}",
                       f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                       "--no-locale", "--no-sync", "--no-instructions"])
        finally:
            pwfile.unlink()

    def _write_settings(self) -> None:
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.folder / 'socket'}'",
            **FAST_SETTINGS,
            **self.settings,
        }
        # postgresql.auto.conf is read last, so these win over anything initdb wrote.
        lines = [f"{name} = {value}" for name, value in settings.items()]
        auto = self.data / "postgresql.auto.conf"
        auto.write_text("\n".join(lines) + "\n")
        self._give_to_account(auto)

    def _pg_ctl_start(self) -> bool:
        done = self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-w", "-t", "60", "start"], check=False)
        return done.returncode == 0

    # --- using it ---------------------------------------------------------------------------

    def url(self, database: str, user: str | None = None, password: str | None = None,
            **params: str) -> str:
        """A postgresql:// URL to this server over TCP; the superuser's unless ``user`` is given.

        With ``user`` and no ``password`` the URL carries no password at all.
        """
        if user is None:
            user, password = SUPERUSER, self.password if password is None else password
        who = quote(user, safe="")
        if password is not None:
            who += ":" + quote(password, safe="")
        query = f"?{urlencode(params)}" if params else ""
        return f"postgresql://{who}@127.0.0.1:{self.port}/{quote(database, safe='')}{query}"

    def execute(self, statement, params=None, database: str = "postgres") -> list[tuple] | None:
        """Run one statement as the superuser (autocommit); its rows, or None when it returns none."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True,
                             application_name="margin-test-admin") as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description is not None else None

    def create_database(self, name: str, owner: str | None = None) -> None:
        """An empty database (from template0, so nothing added to template1 leaks in)."""
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
        if owner is not None:
            statement += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        self.execute(statement)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connections still open to it."""
        from psycopg import sql

        self.terminate_backends(name)
        self.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def create_role(self, name: str, password: str, login: bool = True) -> None:
        """A role with a password and no other privileges (no superuser, no CREATEDB)."""
        from psycopg import sql

        # DDL takes no bound parameters; Literal quotes the password on the client side.
        self.execute(sql.SQL("CREATE ROLE {} {} PASSWORD {}").format(
            sql.Identifier(name), sql.SQL("LOGIN" if login else "NOLOGIN"), sql.Literal(password)))

    def terminate_backends(self, database: str, application_name: str | None = None) -> int:
        """End the other connections to ``database`` (only those with that application name,
        if given); how many were ended. Returns once they are gone, not merely signalled."""
        # The timeout form (PostgreSQL 14+) waits for each backend to exit, so the caller's
        # next step sees the connection dead rather than racing the signal.
        rows = self.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
            " WHERE datname = %(db)s AND pid <> pg_backend_pid()"
            " AND (%(app)s::text IS NULL OR application_name = %(app)s::text)",
            {"db": database, "app": application_name})
        return rows[0][0]
