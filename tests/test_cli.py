"""The headless command line, run as a user runs it: a real process on a real database file."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
KURSK_TITLE = "North Korean troops concentrated in Kursk Oblast to support border security, Kyiv says"
SKIBITSKYI = ("There are all the signs that by the end of the year, Russia will fully meet its "
              "recruitment plan.")


def margin(*args: str, db: Path, stdin: bytes | None = None, env: dict | None = None):
    """Run the margin command line in a fresh interpreter."""
    environment = {**os.environ, "MARGIN_DB": "", **(env or {})}
    return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), *args],
                          input=stdin, capture_output=True, env=environment, timeout=60)


def dump(db: Path) -> list[str]:
    """Every statement that would rebuild the database: equal dumps mean nothing was written."""
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def assert_refused(result, *words: str) -> None:
    """Exit status 2, one line on stderr naming the problem, and no traceback."""
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word.lower() in stderr.lower(), stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "margin.db"


@pytest.fixture
def kursk_db(db: Path) -> tuple[Path, str]:
    """A database holding the real article; returns it and the article's id."""
    result = margin("import", str(KURSK), "--outlet", "Ukrainska Pravda", "--url",
                    "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/", db=db)
    assert result.returncode == 0, result.stderr
    return db, result.stdout.decode().split()[0]


def test_importing_the_real_article_lists_its_title_author_and_time(kursk_db):
    db, article_id = kursk_db
    articles = json.loads(margin("articles", "--json", db=db).stdout)
    assert len(articles) == 1
    article = articles[0]
    assert article["id"] == article_id
    assert article["title"] == KURSK_TITLE
    assert article["authors"] == ["Olga Katsimon"]
    assert article["published"] == "2025-09-07T17:21"
    assert article["outlet"] == "Ukrainska Pravda"


def test_the_article_list_shows_title_outlet_and_counts(kursk_db):
    db, article_id = kursk_db
    margin("add", article_id, "--kind", "quote", "--text", SKIBITSKYI, db=db)
    table = margin("articles", db=db).stdout.decode()
    line = next(line for line in table.splitlines() if line.startswith(article_id))
    assert KURSK_TITLE in line and "(Ukrainska Pravda)" in line
    assert line.split()[1:4] == ["2025-09-07", "0", "1"]


def test_the_article_list_shows_an_outlet_protected_with_nocase_markup_as_read(db):
    outlet = '<span class="nocase">iStories</span> Media'
    result = margin("import", str(KURSK), "--outlet", outlet, db=db)
    assert result.returncode == 0, result.stderr
    table = margin("articles", db=db).stdout.decode()
    assert f"{KURSK_TITLE} (iStories Media)" in table
    assert "nocase" not in table
    # The JSON listing is data: it gives the outlet as stored, markup and all.
    assert json.loads(margin("articles", "--json", db=db).stdout)[0]["outlet"] == outlet


def test_importing_the_same_article_twice_keeps_one(kursk_db):
    db, article_id = kursk_db
    again = margin("import", str(KURSK), db=db)
    assert again.returncode == 0
    assert again.stdout.decode().startswith(f"{article_id}  already there")
    assert len(json.loads(margin("articles", "--json", db=db).stdout)) == 1


def test_metadata_options_override_what_was_found(db):
    result = margin("import", str(KURSK), "--title", "Kursk", "--author", "A. One; B. Two",
                    "--published", "2025-09-07T17:21+03:00", "--language", "en", db=db)
    assert result.returncode == 0, result.stderr
    article = json.loads(margin("articles", "--json", db=db).stdout)[0]
    assert (article["title"], article["authors"], article["published"], article["language"]) == (
        "Kursk", ["A. One", "B. Two"], "2025-09-07T17:21+03:00", "en")


def test_a_published_date_in_arabic_indic_digits_is_stored_in_iso_8601(db):
    result = margin("import", str(KURSK), "--published", "٢٠٢٥-٠٩-٠٧", db=db)
    assert result.returncode == 0, result.stderr
    assert json.loads(margin("articles", "--json", db=db).stdout)[0]["published"] == "2025-09-07"


def test_standard_input_imports_as_an_article(db):
    result = margin("import", "-", db=db, stdin=b"A headline\n\nSomeone said something.\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(margin("articles", "--json", db=db).stdout)[0]["title"] == "A headline"


def test_importing_several_files_shows_no_progress_bar_when_not_on_a_terminal(db, tmp_path):
    second = tmp_path / "second.txt"
    second.write_text("Second article\n\nIts text.\n")
    result = margin("import", str(KURSK), str(second), db=db)
    assert result.returncode == 0
    assert result.stderr == b""
    assert len(result.stdout.decode().splitlines()) == 2


def test_importing_several_files_on_a_terminal_shows_a_progress_bar(db, tmp_path):
    import pty

    second = tmp_path / "second.txt"
    second.write_text("Second article\n\nIts text.\n")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--db", str(db), "import", str(KURSK), str(second)],
        stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "TERM": "xterm-256color"})
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    assert b"importing" in seen or b"\xe2\x94\x81" in seen  # the bar's description or its line


def test_one_bad_source_among_several_is_reported_and_the_rest_import(db, tmp_path):
    result = margin("import", str(tmp_path / "missing.txt"), str(KURSK), db=db)
    assert result.returncode == 2
    assert "missing.txt" in result.stderr.decode()
    assert len(json.loads(margin("articles", "--json", db=db).stdout)) == 1


def test_add_by_exact_text_prints_the_new_id_and_stores_the_span(kursk_db):
    db, article_id = kursk_db
    result = margin("add", article_id, "--kind", "quote", "--text", SKIBITSKYI,
                    "--source", "Vadym Skibitskyi", "--via", "interview with Ukrinform",
                    "--confidence", "5", "--grade", "b2", "--tag", "recruitment", db=db)
    assert result.returncode == 0, result.stderr
    new_id = result.stdout.decode().strip()
    [row] = json.loads(margin("annotations", "--json", db=db).stdout)
    assert row["id"] == new_id
    assert (row["kind"], row["exact"], row["source"], row["via"], row["confidence"], row["grade"],
            row["tags"]) == ("quote", SKIBITSKYI, "Vadym Skibitskyi", "interview with Ukrinform",
                             68, "B2", ["recruitment"])
    article_text = sqlite3.connect(db).execute("SELECT text FROM articles").fetchone()[0]
    assert article_text[row["start"]:row["end"]] == SKIBITSKYI


def test_add_picks_the_requested_occurrence(kursk_db):
    db, article_id = kursk_db
    first = margin("add", article_id, "--kind", "claim", "--text", "Kursk", "--occurrence", "1",
                   db=db)
    second = margin("add", article_id, "--kind", "claim", "--text", "Kursk", "--occurrence", "2",
                    db=db)
    assert first.returncode == second.returncode == 0
    rows = {r["id"]: r for r in json.loads(margin("annotations", "--json", db=db).stdout)}
    starts = [rows[r.stdout.decode().strip()]["start"] for r in (first, second)]
    assert starts[0] < starts[1]


def test_annotation_filters_narrow_the_listing(kursk_db):
    db, article_id = kursk_db
    margin("add", article_id, "--kind", "quote", "--text", SKIBITSKYI, "--source", "Vadym Skibitskyi",
           "--confidence", "90", "--tag", "Recruitment", "--via", "interview with Ukrinform", db=db)
    margin("add", article_id, "--kind", "claim", "--text", "Kursk Oblast", "--occurrence", "1",
           "--confidence", "30", "--note", "check against satellite imagery", "--tag", "geography",
           db=db)

    def listed(*args):
        return [r["kind"] for r in json.loads(margin("annotations", "--json", *args, db=db).stdout)]

    assert sorted(listed()) == ["claim", "quote"]
    assert listed("--kind", "claim") == ["claim"]
    assert listed("--source", "vadym SKIBITSKYI") == ["quote"]
    assert listed("--min-confidence", "50") == ["quote"]
    assert listed("--min-confidence", "50%") == ["quote"]
    assert sorted(listed("--min-confidence", "3")) == ["claim", "quote"]   # unlikely or more
    assert listed("--source", "skib") == ["quote"]                         # a word's beginning
    assert listed("--tag", "recruitment") == ["quote"]
    assert listed("--tag", "geography", "--tag", "recruitment") == []
    assert listed("--search", "Ukrinform") == ["quote"]                    # the via
    assert listed("--search", "satellite") == ["claim"]
    assert listed("--search", "recruitment") == ["quote"]
    assert listed("--article", article_id[:5]) != []
    assert listed("--search", '"unbalanced AND *') == []


def test_a_lone_digit_means_the_same_term_to_add_and_to_min_confidence(kursk_db):
    """5 is "likely" everywhere: add stores its midpoint, 68; as a minimum it lets likely in."""
    db, article_id = kursk_db
    for text, confidence in (("Kursk Oblast", "5"), ("Pyongyang", "55")):
        assert margin("add", article_id, "--kind", "claim", "--text", text, "--occurrence", "1",
                      "--confidence", confidence, db=db).returncode == 0

    def listed(*args):
        rows = json.loads(margin("annotations", "--json", *args, db=db).stdout)
        return [(r["exact"], r["confidence"]) for r in rows]

    assert listed("--min-confidence", "5") == [("Kursk Oblast", 68)]
    assert listed("--min-confidence", "05") == [("Pyongyang", 55), ("Kursk Oblast", 68)]
    assert listed("--min-confidence", "80%") == []
    assert listed("--min-confidence", "6") == []


def test_min_confidence_refuses_what_no_confidence_field_takes(kursk_db):
    db, _ = kursk_db
    for typed in ("²", "8", "abc", "101"):
        assert_refused(margin("annotations", "--min-confidence", typed, db=db), "--min-confidence")


# Bad input: one line on stderr, exit status 2, and the database exactly as it was.

def test_a_missing_file_is_refused(kursk_db, tmp_path):
    db, _ = kursk_db
    before = dump(db)
    assert_refused(margin("import", str(tmp_path / "nope.txt"), db=db), "nope.txt")
    assert dump(db) == before


@pytest.mark.parametrize("name, content, word", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n   \n", "no text"),
    ("binary.txt", b"PK\x03\x04\x00\x00binary\x00data", "binary"),
    ("latin1.txt", "Caf\u00e9 society\n\nIt was a caf\u00e9.\n".encode("latin-1"), "UTF-8"),
])
def test_unreadable_files_are_refused(kursk_db, tmp_path, name, content, word):
    db, _ = kursk_db
    path = tmp_path / name
    path.write_bytes(content)
    before = dump(db)
    assert_refused(margin("import", str(path), db=db), word)
    assert dump(db) == before


def test_a_directory_is_refused(kursk_db, tmp_path):
    db, _ = kursk_db
    before = dump(db)
    assert_refused(margin("import", str(tmp_path), db=db), "directory")
    assert dump(db) == before


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(kursk_db, tmp_path):
    db, _ = kursk_db
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: the size is checked before reading
    before = dump(db)
    assert_refused(margin("import", str(huge), db=db), "20 MB")
    assert dump(db) == before


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        if self.path == "/empty":
            body = b"<html><head><title>x</title></head><body><nav>Home</nav></body></html>"
            self.send_response(200)
        elif self.path == "/article":
            body = gzip.decompress(next(CORPUS.joinpath("html").glob("*.html.gz")).read_bytes())
            self.send_response(200)
        else:
            body = b"not here"
            self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_url_is_imported_from_a_real_server(db, server):
    result = margin("import", f"{server}/article", db=db)
    assert result.returncode == 0, result.stderr
    [article] = json.loads(margin("articles", "--json", db=db).stdout)
    assert article["format"] == "url"


def test_an_http_404_is_refused(kursk_db, server):
    db, _ = kursk_db
    before = dump(db)
    assert_refused(margin("import", f"{server}/missing", db=db), "404")
    assert dump(db) == before


def test_an_unreachable_url_is_refused(kursk_db):
    db, _ = kursk_db
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = dump(db)
    assert_refused(margin("import", f"http://127.0.0.1:{port}/story", db=db), "127.0.0.1")
    assert dump(db) == before


class _SilentTLS:
    """A server on 127.0.0.1 that accepts connections and never answers a TLS ClientHello."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[float] = []  # when each connection was accepted (time.monotonic)
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed at the end of the test
                return
            self.accepted.append(time.monotonic())
            self._held.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def silent_tls():
    server = _SilentTLS()
    yield server
    server.close()


# Time a finished margin process may still need after its deadline to print and exit, on a busy
# machine; well under the extra time the old code took in each test below.
_EXIT_SLACK = 2.5


def test_a_server_that_stalls_the_tls_handshake_is_cut_off_at_the_time_limit(kursk_db, silent_tls):
    db, _ = kursk_db
    before = dump(db)
    result = margin("import", f"https://127.0.0.1:{silent_tls.port}/story", "--timeout", "2", db=db)
    ended = time.monotonic()
    assert_refused(result, "after 2 s, the time limit")
    assert len(silent_tls.accepted) == 1
    assert ended - silent_tls.accepted[0] < 2 + _EXIT_SLACK
    assert dump(db) == before


class _LateRedirect(http.server.BaseHTTPRequestHandler):
    """Answers after most of the time limit has gone, with a redirect to ``target``."""

    target = ""
    delay = 0.0
    requested: list[float] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.requested.append(time.monotonic())
        threading.Event().wait(self.delay)  # the server's own pace, not the test's
        self.send_response(302)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_time_limit_covers_connecting_and_the_tls_handshake_after_a_redirect(kursk_db, silent_tls):
    # The redirect comes after 4 of the 5 seconds; a new connection and its handshake used to
    # get a whole wait (5 s) of their own, ending the import at about 9 s instead of 5.
    db, _ = kursk_db
    _LateRedirect.target, _LateRedirect.delay, _LateRedirect.requested = (
        f"https://127.0.0.1:{silent_tls.port}/story", 4.0, [])
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LateRedirect)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        before = dump(db)
        result = margin("import", f"http://127.0.0.1:{httpd.server_address[1]}/story", "--timeout", "5", db=db)
        ended = time.monotonic()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert_refused(result, "after 5 s, the time limit")
    assert len(silent_tls.accepted) == 1  # the redirect was followed to the silent server
    assert ended - _LateRedirect.requested[0] < 5 + _EXIT_SLACK
    assert dump(db) == before


def test_import_help_states_the_time_limit_the_store_applies(db):
    from store.ingest.fetching import TIME_LIMIT

    result = margin("import", "--help", db=db)
    assert result.returncode == 0, result.stderr
    assert f"(default {TIME_LIMIT:g})" in " ".join(result.stdout.decode().split())


def test_a_page_with_no_article_text_is_refused(kursk_db, server):
    db, _ = kursk_db
    before = dump(db)
    assert_refused(margin("import", f"{server}/empty", db=db), "text")
    assert dump(db) == before


def test_a_db_path_that_is_a_directory_is_refused(tmp_path):
    assert_refused(margin("articles", db=tmp_path), "directory")


def test_a_db_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my notes, not a database\n" * 100)
    assert_refused(margin("articles", db=path), "not a SQLite database")
    assert path.read_bytes() == b"my notes, not a database\n" * 100


def test_a_database_from_a_newer_margin_is_refused_and_untouched(kursk_db):
    db, _ = kursk_db
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    assert_refused(margin("articles", db=db), "newer")
    assert db.read_bytes() == before


@pytest.mark.parametrize("args, word", [
    (["--text", "words that the article never uses"], "not in the article"),
    (["--text", "Kursk", "--occurrence", "99"], "choose an occurrence between 1 and 3"),
    (["--text", "Kursk", "--confidence", "101"], "confidence"),
    (["--text", "Kursk", "--confidence", "abc"], "confidence"),
    (["--text", "Kursk", "--confidence", "²"], "--confidence"),   # a digit to str.isdigit only
    (["--text", "Kursk", "--confidence", "8"], "--confidence"),
    (["--text", "Kursk", "--occurrence", "²"], "--occurrence"),
    (["--text", "Kursk", "--occurrence", "0"], "--occurrence"),
    (["--text", "Kursk", "--grade", "G7"], "grade"),
])
def test_add_refuses_bad_values_and_writes_nothing(kursk_db, args, word):
    db, article_id = kursk_db
    before = dump(db)
    assert_refused(margin("add", article_id, "--kind", "claim", *args, db=db), word)
    assert dump(db) == before


def test_add_to_an_unknown_article_is_refused(kursk_db):
    db, _ = kursk_db
    assert_refused(margin("add", "zzzzzzzz", "--kind", "claim", "--text", "Kursk", db=db),
                   "no article")


# Citations, export and import of annotations.

ANALYST_LINE = (
    "“There are all the signs that by the end of the year, Russia will fully meet its recruitment "
    "plan.” — Vadym Skibitskyi (interview with Ukrinform). Olga Katsimon, “North Korean Troops "
    "Concentrated in Kursk Oblast to Support Border Security, Kyiv Says,” Ukrainska Pravda, "
    "September 7, 2025, https://www.pravda.com.ua/eng/news/2025/09/7/7529739/. "
    "[quote · likely (68%) · B2]")


@pytest.fixture
def quoted_db(kursk_db) -> tuple[Path, str, str]:
    """The real article with the Skibitskyi quote saved as in the reader's flow."""
    db, article_id = kursk_db
    result = margin("add", article_id, "--kind", "quote", "--text", SKIBITSKYI,
                    "--source", "Vadym Skibitskyi", "--via", "interview with Ukrinform",
                    "--confidence", "5", "--grade", "B2", db=db)
    assert result.returncode == 0, result.stderr
    return db, article_id, result.stdout.decode().strip()


def test_cite_prints_the_analyst_citation_of_a_quote(quoted_db):
    db, _, annotation_id = quoted_db
    result = margin("cite", annotation_id, db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == ANALYST_LINE


def test_cite_accepts_an_id_prefix_and_a_style(quoted_db):
    db, _, annotation_id = quoted_db
    result = margin("cite", annotation_id[:8], "--style", "chicago-note", db=db)
    assert result.stdout.decode().startswith("“There are all the signs")
    assert "[quote" not in result.stdout.decode()


def test_cite_of_an_article_prints_its_reference(quoted_db):
    db, article_id, _ = quoted_db
    result = margin("cite", article_id, "--style", "apa", db=db)
    assert result.stdout.decode().strip() == (
        "Katsimon, O. (2025, September 7). North Korean troops concentrated in Kursk Oblast to "
        "support border security, Kyiv says. Ukrainska Pravda. "
        "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/")


def test_cite_of_an_unknown_id_is_refused(quoted_db):
    db, _, _ = quoted_db
    assert_refused(margin("cite", "ffffffff", db=db), "no annotation or article")


def test_cite_copy_with_no_clipboard_prints_the_citation_and_names_the_programs_to_install(
        quoted_db):
    db, _, annotation_id = quoted_db
    result = margin("cite", annotation_id, "--copy", db=db,
                    env={"DISPLAY": "", "WAYLAND_DISPLAY": "", "TMUX": "",
                         "PATH": "/nonexistent"})
    assert result.returncode == 0
    assert result.stdout.decode() == ANALYST_LINE + "\n"
    warning = result.stderr.decode()
    assert warning.count("\n") == 1 and warning.startswith("margin: citation not copied")
    assert "xclip" in warning and "xsel" in warning and "wl-clipboard" in warning


def test_an_export_imported_into_a_fresh_database_exports_identically(quoted_db, tmp_path):
    db, article_id, _ = quoted_db
    margin("add", article_id, "--kind", "claim", "--text", "Kursk Oblast", "--occurrence", "1", "--note", "check",
           "--tag", "geo", db=db)
    fresh = tmp_path / "fresh.db"
    margin("import", str(KURSK), "--outlet", "Ukrainska Pravda", "--url",
           "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/", db=fresh)
    for fmt in ("w3c", "jsonl"):
        exported = tmp_path / f"out.{fmt}"
        assert margin("export", "--format", fmt, "-o", str(exported), db=db).returncode == 0
        imported = margin("import-annotations", str(exported), db=fresh)
        assert imported.returncode == 0, imported.stderr
        again = margin("export", "--format", fmt, db=fresh).stdout
        assert again == exported.read_bytes()
    twice = margin("import-annotations", str(tmp_path / "out.jsonl"), db=fresh)
    assert twice.stdout.decode().startswith("0 added, 0 updated, 2 unchanged")


def test_the_w3c_export_passes_the_conformance_check(quoted_db, tmp_path):
    db, _, _ = quoted_db
    exported = tmp_path / "annotations.json"
    assert margin("export", "--format", "w3c", "-o", str(exported), db=db).returncode == 0
    check = subprocess.run([sys.executable, str(CORPUS.parent / "w3c" / "validate.py"),
                            str(exported)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_importing_a_file_that_is_not_an_export_is_refused_and_changes_nothing(quoted_db, tmp_path):
    db, _, _ = quoted_db
    bogus = tmp_path / "bogus.jsonl"
    bogus.write_text('{"id": "x"}\nnot json at all\n')
    before = dump(db)
    result = margin("import-annotations", str(bogus), db=db)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr.decode()
    assert dump(db) == before


def test_an_export_whose_note_format_was_changed_names_that_annotation_and_imports_the_rest(
        quoted_db, tmp_path):
    db, article_id, quote_id = quoted_db
    added = margin("add", article_id, "--kind", "claim", "--text", "Kursk Oblast", "--occurrence", "1", "--note",
                   "check", db=db)
    claim_id = added.stdout.decode().strip()
    exported = tmp_path / "out.json"
    assert margin("export", "--format", "w3c", "-o", str(exported), db=db).returncode == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    items = document["first"]["items"]
    [claim] = [item for item in items if item["id"] == f"urn:uuid:{claim_id}"]
    for body in claim["body"]:
        if body["purpose"] == "commenting":
            body["format"] = "text/html"
    exported.write_text(json.dumps(document), encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    margin("import", str(KURSK), "--url", "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/",
           db=fresh)
    result = margin("import-annotations", str(exported), db=fresh)
    assert result.returncode == 2
    assert result.stderr.decode() == (
        f"margin: rejected: annotation {items.index(claim) + 1}: annotation {claim_id[:8]}: "
        "its note is marked 'text/html', where margin writes text/plain\n")
    assert result.stdout.decode() == "1 added, 0 updated, 0 unchanged, 1 rejected\n"
    listed = margin("annotations", "--json", db=fresh).stdout.decode()
    assert quote_id[:8] in listed and claim_id[:8] not in listed


def test_export_to_an_unwritable_place_is_refused(quoted_db, tmp_path):
    db, _, _ = quoted_db
    assert_refused(margin("export", "-o", str(tmp_path / "no" / "such" / "dir" / "x.json"), db=db),
                   "cannot write")


@pytest.mark.parametrize("content, words", [
    ('tag-qoute = "Q"\n', ["line 1", "tag-qoute", "tag-quote"]),
    ('[reader]\ntag-quote = "c"\n', ["line 2", "c"]),
    ("tag-quote = 5\n", ["line 1", "string"]),
    ('tag-quote = "ctrl+nokey"\n', ["line 1", "ctrl+nokey"]),
])
def test_a_bad_user_keymap_stops_margin_before_any_screen(db, tmp_path, content, words):
    keys = tmp_path / "keybindings.toml"
    keys.write_text(content)
    result = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), "--keys", str(keys)],
                            capture_output=True, timeout=60)
    assert_refused(result, "keybindings.toml", *words)


def test_open_without_a_terminal_is_refused_before_importing_anything(db):
    result = margin("open", str(KURSK), db=db)
    assert_refused(result, "terminal")
    assert json.loads(margin("articles", "--json", db=db).stdout) == []


FACT_CHECK_PAGE = Path(__file__).resolve().parent / "pages" / "fact-check-claimant-byline.html"


def test_an_import_that_leaves_the_author_empty_says_so_and_how_to_set_it_on_the_stored_article(db):
    result = margin("import", str(FACT_CHECK_PAGE), db=db)
    assert result.returncode == 0, result.stderr
    article_id = result.stdout.decode().split()[0]
    assert result.stderr.decode().splitlines() == [
        f"margin: {article_id}: the author was left empty: the page's byline 'The Northern; Southern "
        "transport ministries · FACTCHECK example' does not read as the name of a person or "
        f"organisation (set it with: margin edit-article {article_id} --author NAME)"
    ]
    assert json.loads(margin("articles", "--json", db=db).stdout)[0]["authors"] == []
    # The command the notice names sets the author of the stored article.
    edited = margin("edit-article", article_id, "--author", "Dana Reyes", db=db)
    assert edited.returncode == 0, edited.stderr
    assert json.loads(margin("articles", "--json", db=db).stdout)[0]["authors"] == ["Dana Reyes"]


def test_an_author_given_on_import_replaces_a_doubtful_byline_without_a_warning(db):
    result = margin("import", str(FACT_CHECK_PAGE), "--author", "Dana Reyes", db=db)
    assert (result.returncode, result.stderr) == (0, b"")
    assert json.loads(margin("articles", "--json", db=db).stdout)[0]["authors"] == ["Dana Reyes"]


def test_importing_a_csv_file_is_refused_with_the_reason_and_the_flag_that_overrides(db, tmp_path):
    table = tmp_path / "people.csv"
    table.write_text("name,age,city\nAnna Smith,34,Kyiv\nBoris Lee,51,Lviv\n", encoding="utf-8")
    result = margin("import", str(table), db=db)
    assert_refused(result, "does not look like an article", "3 lines are rows of data", "3 fields",
                   "commas", "--force")
    assert json.loads(margin("articles", "--json", db=db).stdout) == []


def test_importing_a_one_word_system_file_is_refused_and_force_imports_it(db, tmp_path):
    hostname = tmp_path / "hostname"
    hostname.write_text("observer-7\n", encoding="utf-8")
    refused = margin("import", str(hostname), db=db)
    assert_refused(refused, "hostname does not look like an article", "0 words of prose", "--force")
    assert json.loads(margin("articles", "--json", db=db).stdout) == []
    forced = margin("import", "--force", str(hostname), db=db)
    assert forced.returncode == 0, forced.stderr
    assert [a["title"] for a in json.loads(margin("articles", "--json", db=db).stdout)] == ["observer-7"]


def test_open_refuses_a_csv_file_in_a_terminal_and_opens_it_with_force(db, tmp_path, tmux):
    table = tmp_path / "rows.csv"
    table.write_text("city;river\nKyiv;Dnipro\nLviv;Poltva\n", encoding="utf-8")
    errors = tmp_path / "errors"
    command = [sys.executable, "-m", "tui.cli", "--db", str(db), "open", str(table)]
    # First without --force (its refusal and exit status kept in files), then with it.
    tmux.start(["sh", "-c", '"$@" 2>"$0"; echo $? >"$0.status"; "$@" --force', str(errors), *command])
    tmux.wait_for(lambda text: "Kyiv;Dnipro" in text)
    assert errors.read_text(encoding="utf-8").splitlines() == [
        f"margin: {table} does not look like an article: its 3 lines are rows of data, 2 fields each "
        "separated by semicolons: give --force to import it as an article anyway"]
    assert tmp_path.joinpath("errors.status").read_text().strip() == "2"
    assert [a["title"] for a in json.loads(margin("articles", "--json", db=db).stdout)] == ["city;river"]
