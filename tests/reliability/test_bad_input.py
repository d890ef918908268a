"""Every kind of bad input, one table: the command line refuses it in one line on stderr, exit
status 2, no traceback, and the database is exactly as it was.

Each kind is a function that prepares the input in a fresh copy of a database holding the real
Kursk article (with one quote) and returns the command line to run; ``KINDS`` counts them.
Servers are real, on 127.0.0.1. Read-only files and folders and a full disk are real too: the
tests run as root, which ignores permissions, so they use an immutable file (``chattr +i``) and
small tmpfs mounts.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from harness import KURSK

MB = 1024 * 1024


@dataclass
class Case:
    """What one kind of bad input runs, and what must hold afterwards."""

    args: list[str]
    words: tuple[str, ...]
    stdin: bytes = b""
    db: Path | None = None            # another database than the prepared one
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def margin(*args: str, db: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), *args],
                          input=stdin, capture_output=True, timeout=120,
                          env={**os.environ, "MARGIN_DB": ""})


def state(db: Path) -> object:
    """What the database holds: its dump when SQLite can read it, else its bytes."""
    if db.is_dir():
        return sorted(path.name for path in db.iterdir())
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return db.read_bytes()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, str]:
    """A database holding the real article and one quote; copied for each case."""
    path = tmp_path_factory.mktemp("template") / "margin.db"
    result = margin("import", str(KURSK), db=path)
    assert result.returncode == 0, result.stderr
    article_id = result.stdout.decode().split()[0]
    added = margin("add", article_id, "--kind", "quote", "--text", "Kursk", "--occurrence", "1", db=path)
    assert added.returncode == 0, added.stderr
    return path, article_id


# --- Servers on 127.0.0.1 --------------------------------------------------------------------

class _BadPages(http.server.BaseHTTPRequestHandler):
    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        if self.path in ("/404", "/500"):
            self._send(int(self.path[1:]), "text/html", b"<html><body>no</body></html>")
        elif self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", f"/loop{len(self.path)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/headers-only":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.flush()
            # The body never comes: the handler waits until the tests are over.
            self.release.wait()
        elif self.path == "/trickle":
            # A byte every tenth of a second, for ever: no single wait ever times out.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                self.wfile.write(b"<html><body><p>")
                while not self.release.wait(0.1):
                    self.wfile.write(b"a")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/picture":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
        elif self.path == "/endless-html":
            # 50 MB of page, with no Content-Length: only reading tells how big it is.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"words " * 10_000 + b"</p>\n"
            try:
                self.wfile.write(b"<html><body>")
                for _ in range(50 * MB // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/damaged-gzip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", "12")
            self.end_headers()
            self.wfile.write(b"not gzip!!!!")
        else:
            self._send(404, "text/plain", b"not here")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BadPages)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _BadPages.release.set()
    httpd.shutdown()
    httpd.server_close()


# --- Mounts for read-only folders and a full disk ----------------------------------------------

def mount_tmpfs(where: Path, size: str, case: Case) -> None:
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                   check=True)
    case.cleanup.append(lambda: subprocess.run(["umount", "-l", str(where)], check=True))


def remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)


# --- The kinds ---------------------------------------------------------------------------------

def file_with(tmp: Path, name: str, content: bytes) -> str:
    (tmp / name).write_bytes(content)
    return str(tmp / name)


def sparse(tmp: Path, name: str, size: int) -> str:
    with (tmp / name).open("wb") as handle:
        handle.truncate(size)
    return str(tmp / name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_kinds(tmp: Path, db: Path, article: str, server: str) -> dict[str, Callable[[], Case]]:
    def other(name: str, content: bytes | None = None) -> Path:
        path = tmp / name
        if content is not None:
            path.write_bytes(content)
        return path

    def truncated() -> Case:
        whole = db.read_bytes()
        return Case(["articles"], ("not a margin database",),
                    db=other("truncated.db", whole[: len(whole) // 3]))

    def newer() -> Case:
        path = other("newer.db")
        shutil.copy(db, path)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
        conn.close()
        return Case(["articles"], ("newer margin",), db=path)

    def foreign() -> Case:
        path = other("foreign.db")
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.commit()
        conn.close()
        return Case(["articles"], ("another program",), db=path)

    def read_only_file() -> Case:
        subprocess.run(["chattr", "+i", str(db)], check=True)
        case = Case(["add", article, "--kind", "claim", "--text", "Russia", "--occurrence", "1"], ("read-only",))
        case.cleanup.append(lambda: subprocess.run(["chattr", "-i", str(db)], check=True))
        return case

    def read_only_folder() -> Case:
        folder = tmp / "read-only"
        case = Case(["add", article, "--kind", "claim", "--text", "Russia", "--occurrence", "1"],
                    ("margin.db",), db=folder / "margin.db")
        mount_tmpfs(folder, "8m", case)
        shutil.copy(db, folder / "margin.db")
        remount(folder, "ro")
        return case

    def full_disk() -> Case:
        folder = tmp / "full"
        case = Case(["import", str(tmp / "long.txt")], ("full",), db=folder / "margin.db")
        mount_tmpfs(folder, "1m", case)
        shutil.copy(db, folder / "margin.db")
        # A new article bigger than the room left on the disk.
        words = " ".join(f"word{n}" for n in range(300_000))
        (tmp / "long.txt").write_text(f"A long article\n\n{words}\n")
        return case

    return {
        "database path is a folder": lambda: Case(["articles"], ("directory",), db=tmp),
        "database is not SQLite": lambda: Case(
            ["articles"], ("not a SQLite database",),
            db=other("notes.db", b"These are my notes, not a database.\n" * 50)),
        "database file truncated": truncated,
        "database from a newer margin": newer,
        "SQLite database of another program": foreign,
        "database file read-only": read_only_file,
        "database folder read-only": read_only_folder,
        "disk full": full_disk,
    }


def import_kinds(tmp: Path, db: Path, article: str, server: str) -> dict[str, Callable[[], Case]]:
    def importing(source: str, *words: str, stdin: bytes = b"") -> Callable[[], Case]:
        return lambda: Case(["import", source], words, stdin=stdin)

    def fresh(name: str, content: bytes, *words: str) -> Callable[[], Case]:
        return lambda: Case(["import", file_with(tmp, name, content)], words)

    return {
        "missing file": importing(str(tmp / "nope.txt"), "no such file"),
        "path is a folder": importing(str(tmp), "directory"),
        "empty file": fresh("empty.txt", b"", "empty"),
        "whitespace only": fresh("blank.txt", b" \n\t\n  \r\n", "no text"),
        "binary junk as .txt": fresh("junk.txt", os.urandom(4096), "binary"),
        "invalid UTF-8": fresh("latin1.txt", "Caf\xe9 society, a caf\xe9.".encode("latin-1"),
                               "UTF-8"),
        "NUL bytes in text": fresh("nul.txt", b"A title\n\nSome\x00text\x00with NULs.\n",
                                   "binary"),
        "file over the size limit": lambda: Case(
            ["import", sparse(tmp, "huge.txt", 21 * MB)], ("20 MB",)),
        "HTML page of 50 MB": lambda: Case(
            ["import", sparse(tmp, "huge.html", 50 * MB)], ("20 MB",)),
        "unknown extension, binary content": fresh(
            "scan.pdf", b"%PDF-1.7\n" + os.urandom(2048), "binary"),
        "front matter never closed": fresh(
            "open.md", b"---\ntitle: Never closed\n\nThe text.\n", "front matter"),
        "front matter line not a field": fresh(
            "bad.md", b"---\ntitle: Fine\nthis is not a field\n---\n\nThe text.\n",
            "front matter"),
        "HTML page with no article text": fresh(
            "nav.html", b"<html><head><title>x</title></head><body><nav>Home</nav></body></html>",
            "text"),
        "standard input empty": importing("-", "empty"),
        "address not http": importing("ftp://127.0.0.1/story.txt", "http"),
        "HTTP 404": importing(f"{server}/404", "404"),
        "HTTP 500": importing(f"{server}/500", "500"),
        "closed port": lambda: Case(["import", f"http://127.0.0.1:{free_port()}/"],
                                    ("refused",)),
        "redirects forever": importing(f"{server}/loop", "redirect"),
        # A short time limit keeps these cases quick; the CLI's own default is two minutes.
        "headers but never the body": lambda: Case(
            ["import", f"{server}/headers-only", "--timeout", "2"], ("after 2 s, the time limit",)),
        "a page trickled a byte at a time": lambda: Case(
            ["import", f"{server}/trickle", "--timeout", "2"], ("still downloading", "time limit")),
        "a picture at the address": importing(f"{server}/picture", "image/png"),
        "HTML of 50 MB with no length": importing(f"{server}/endless-html", "20 MB"),
        "damaged gzip body": importing(f"{server}/damaged-gzip", "gzip"),
        "publication date not a date": lambda: Case(
            ["import", str(KURSK), "--published", "last Tuesday"], ("date",)),
    }


def annotation_kinds(tmp: Path, db: Path, article: str, server: str
                     ) -> dict[str, Callable[[], Case]]:
    def adding(*args: str, words: tuple[str, ...]) -> Callable[[], Case]:
        return lambda: Case(["add", *args], words)

    return {
        "unknown article": adding("00000000", "--kind", "claim", "--text", "Kursk",
                                  words=("00000000",)),
        "text not in the article": adding(article, "--kind", "claim", "--text",
                                          "Atlantis rises", words=("not in the article",)),
        "confidence out of range": adding(article, "--kind", "claim", "--text", "Kursk",
                                          "--confidence", "150", words=("confidence",)),
        "grade not an Admiralty code": adding(article, "--kind", "claim", "--text", "Kursk",
                                              "--grade", "Z9", words=("grade",)),
        "unknown annotation id": lambda: Case(["cite", "ffffffff"], ("ffffffff",)),
        "export to an unwritable path": lambda: Case(
            ["export", "-o", str(tmp / "no-such-folder" / "out.json")], ("cannot write",)),
        "annotations file of malformed JSON": lambda: Case(
            ["import-annotations", file_with(tmp, "broken.json", b'{"type": "Annotation", ')],
            ("broken.json",)),
        "annotations file empty": lambda: Case(
            ["import-annotations", file_with(tmp, "nothing.jsonl", b"")], ("nothing.jsonl",)),
    }


def all_kinds(tmp: Path, db: Path, article: str, server: str) -> dict[str, Callable[[], Case]]:
    return {**database_kinds(tmp, db, article, server), **import_kinds(tmp, db, article, server),
            **annotation_kinds(tmp, db, article, server)}


KINDS = sorted(all_kinds(Path("/"), Path("/"), "", ""))


def test_the_table_holds_at_least_thirty_kinds_of_bad_input():
    assert len(KINDS) >= 30


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_is_one_line_exit_2_and_the_database_is_unchanged(kind, template, server,
                                                                   tmp_path):
    db = tmp_path / "margin.db"
    shutil.copy(template[0], db)
    case = all_kinds(tmp_path, db, template[1], server)[kind]()
    try:
        target = case.db or db
        before = state(target)
        result = margin(*case.args, db=target, stdin=case.stdin)
        after = state(target)
    finally:
        for undo in reversed(case.cleanup):
            undo()
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    for word in case.words:
        assert word.lower() in stderr.lower(), stderr
    assert after == before


# --- A read-only copy still opens ---------------------------------------------------------------

def read_only_copy(setup: str, db: Path, tmp: Path, cleanup: list[Callable[[], None]]) -> Path:
    """``db`` made read-only the way the table does it: an immutable file, or a read-only mount."""
    if setup == "file":
        subprocess.run(["chattr", "+i", str(db)], check=True)
        cleanup.append(lambda: subprocess.run(["chattr", "-i", str(db)], check=True))
        return db
    case = Case([], ())
    case.cleanup = cleanup
    mount_tmpfs(tmp / "read-only", "8m", case)
    shutil.copy(db, tmp / "read-only" / "margin.db")
    remount(tmp / "read-only", "ro")
    return tmp / "read-only" / "margin.db"


@pytest.mark.parametrize("setup", ["file", "folder"])
def test_importing_stored_text_again_from_a_read_only_copy_opens_it_and_writes_nothing(
        setup, template, tmp_path):
    db = tmp_path / "margin.db"
    shutil.copy(template[0], db)
    cleanup: list[Callable[[], None]] = []
    try:
        target = read_only_copy(setup, db, tmp_path, cleanup)
        before = state(target)
        again = margin("import", str(KURSK), db=target)
        listed = margin("articles", db=target)
        after = state(target)
    finally:
        for undo in reversed(cleanup):
            undo()
    assert again.returncode == 0, again.stderr
    assert again.stdout.decode().split()[:3] == [template[1], "already", "there"]
    assert listed.returncode == 0, listed.stderr
    assert template[1] in listed.stdout.decode()
    assert after == before
