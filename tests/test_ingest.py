"""Reading files, pages, URLs and standard input into article drafts (store/text.py, store/ingest/)."""

from __future__ import annotations

import gzip
import http.server
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.errors import InputError
from store.ingest import MAX_BYTES, Draft, apply_overrides, parse_published, read_source
from store.text import decode, markdown_to_text, normalise

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
KURSK_TITLE = "North Korean troops concentrated in Kursk Oblast to support border security, Kyiv says"
# A real page from the corpus (CNBC): one article, dated, with an author.
CORPUS_PAGE = CORPUS / "html" / "374ac9a59a85196cdacc1679fb8993521a7b7d9d6533720f102300be1c7face4.html.gz"

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Grain corridor reopens | The Harbour Times</title>
<meta property="og:title" content="Grain corridor reopens">
<meta property="og:site_name" content="The Harbour Times">
<meta name="author" content="Maria Lysenko">
<meta property="article:published_time" content="2025-03-04T08:15:00+02:00">
<meta property="article:section" content="Economy">
</head>
<body>
<nav><a href="/">Home</a> <a href="/economy">Economy</a></nav>
<article>
<h1>Grain corridor reopens</h1>
<p>The first convoy of grain ships left the port of Odesa on Tuesday morning, escorted by naval patrols, after a pause of three weeks.</p>
<p>Port officials said that twelve vessels carrying wheat and maize were expected to pass through the corridor before the end of the week.</p>
<p>Insurers had raised premiums sharply during the pause, and traders said the reopening would bring prices down only slowly.\x1b[31m Analysts expect volumes to recover by the summer.</p>
</article>
<footer>Copyright The Harbour Times</footer>
</body>
</html>
"""

EMPTY_PAGE = b"<!DOCTYPE html><html><head><title>Loading</title><script>var app = 1;</script></head><body></body></html>"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


# --- decoding and normalisation --------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_dropped():
    assert decode(b"\xef\xbb\xbfHello", "notes.txt") == "Hello"


def test_latin1_bytes_are_refused_naming_the_byte_position():
    with pytest.raises(InputError) as caught:
        decode("Le café\n".encode("latin-1"), "cafe.txt")
    assert "cafe.txt" in caught.value.title
    assert "not UTF-8 at byte 6" in caught.value.title
    assert caught.value.advice


def test_nul_bytes_are_refused_as_a_binary_file():
    with pytest.raises(InputError, match="binary"):
        decode(b"PK\x03\x04\x00\x00data", "archive.txt")


def test_utf16_text_is_refused_with_a_hint_to_convert_it():
    with pytest.raises(InputError, match="UTF-16"):
        decode("hello".encode("utf-16"), "notes.txt")


def test_escape_sequences_and_other_control_characters_never_survive():
    text = normalise("red\x1b[31m alert\x07 bell\x9b2J csi\x00 nul\x7f del\tTab\nnext")
    assert text == "red[31m alert bell2J csi nul del\tTab\nnext"
    assert not any(unicodedata.category(ch) == "Cc" for ch in text if ch not in "\n\t")


def test_windows_and_old_mac_line_ends_become_newlines():
    assert normalise("one\r\ntwo\rthree\n") == "one\ntwo\nthree"


def test_text_is_stored_in_nfc():
    assert normalise("cafe\u0301") == "caf\u00e9"


def test_line_breaking_controls_become_newlines_so_no_two_words_merge():
    assert normalise("page one\x0cpage two\u2028line\x85end") == "page one\npage two\nline\nend"


def test_trailing_spaces_and_runs_of_blank_lines_are_tidied_but_indentation_is_kept():
    assert normalise("\n\n  Title  \n\n\n\n    indented line\t\nlast \n\n") == "  Title\n\n    indented line\nlast"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_normalising_keeps_every_word_and_is_stable(text):
    once = normalise(text)
    assert words(once) == words(unicodedata.normalize("NFC", text))
    assert normalise(once) == once


@given(st.text())
def test_normalised_text_has_no_control_character_but_newline_and_tab(text):
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in normalise(text))


# --- the scraper layout ----------------------------------------------------------------------


def test_the_kursk_article_gives_its_title_author_and_time():
    draft = read_source(str(KURSK))
    assert draft.title == KURSK_TITLE
    assert draft.authors == ["Olga Katsimon"]
    assert draft.published == "2025-09-07T17:21"
    assert draft.format == "txt"
    assert draft.source == str(KURSK.resolve())


def test_the_kursk_article_text_starts_at_the_photo_caption_and_keeps_every_word_after_it():
    draft = read_source(str(KURSK))
    assert draft.text.startswith("A concert. Photo: The Korea Herald\n\nNorth Korean troops remain")
    assert "date 2025-09-07" not in draft.text
    assert KURSK_TITLE not in draft.text
    assert "Katsimon" not in draft.text
    lines = KURSK.read_text(encoding="utf-8").split("\n")
    assert words(draft.text) == words("\n".join(lines[4:]))
    assert draft.text.endswith("high-precision missiles of various types this year.")


def test_a_byline_with_several_authors_and_another_weekday_is_split(tmp_path):
    path = write(
        tmp_path,
        "story.txt",
        "date 2025-03-12 Politics\nParliament votes on the budget\n\n"
        "Roman Petrenko, Anna Kovalenko and Mariia Ivanova-SmithWednesday, 12 March 2025, 09:05\n"
        "The vote was held late at night.\n",
    )
    draft = read_source(path)
    assert draft.title == "Parliament votes on the budget"
    assert draft.authors == ["Roman Petrenko", "Anna Kovalenko", "Mariia Ivanova-Smith"]
    assert draft.published == "2025-03-12T09:05"
    assert draft.text == "The vote was held late at night."


@pytest.mark.parametrize(
    ("byline", "authors", "published"),
    [
        ("By Jane Doe and John RoeTuesday, Sept. 9, 2025, 5:21 p.m.", ["Jane Doe", "John Roe"], "2025-09-09T17:21"),
        ("Jane Doe & Ann LeeFri, Dec 12, 2025 at 12:05 am", ["Jane Doe", "Ann Lee"], "2025-12-12T00:05"),
        ("Saturday, 1 March 2025, 08:00", [], "2025-03-01T08:00"),
    ],
)
def test_bylines_in_other_shapes_are_read(tmp_path, byline, authors, published):
    draft = read_source(write(tmp_path, "s.txt", f"date 2025-01-01 All Sections\nHeadline\n{byline}\nBody text.\n"))
    assert (draft.authors, draft.published, draft.text) == (authors, published, "Body text.")


def test_a_byline_without_a_time_gives_a_date(tmp_path):
    path = write(tmp_path, "s.txt", "date 2025-12-01 All Sections\nHeadline\nIryna BalachukMonday, 1 December 2025\nBody text.\n")
    draft = read_source(path)
    assert (draft.authors, draft.published, draft.text) == (["Iryna Balachuk"], "2025-12-01", "Body text.")


def test_a_ukrainian_dateline_is_read_too(tmp_path):
    path = write(tmp_path, "s.txt", "date 2025-09-07 Усі розділи\nЗаголовок\n\nОльга КацимонНеділя, 7 вересня 2025, 17:21\nТекст статті.\n")
    draft = read_source(path)
    assert (draft.authors, draft.published, draft.text) == (["Ольга Кацимон"], "2025-09-07T17:21", "Текст статті.")


def test_without_a_byline_the_date_line_gives_the_date_and_the_text_follows_the_headline(tmp_path):
    path = write(tmp_path, "s.txt", "date 2024-02-29 All Sections\nLeap day\n\nFirst paragraph.\n\nSecond.\n")
    draft = read_source(path)
    assert (draft.title, draft.authors, draft.published) == ("Leap day", [], "2024-02-29")
    assert draft.text == "First paragraph.\n\nSecond."


def test_dates_in_front_matter_and_datelines_written_in_other_digits_are_stored_in_ascii(tmp_path):
    front = read_source(write(tmp_path, "f.md", "---\npublished: ٢٠٢٥-٠٩-٠٧\n---\n# Headline\n\nBody.\n"))
    scraped = read_source(write(tmp_path, "s.txt", "date ２０２５-０９-０７ All Sections\nHeadline\n"
                                                 "Olga KatsimonSunday, ٧ September ٢٠٢٥, ١٧:٢١\nBody text.\n"))
    assert front.published == "2025-09-07"
    assert (scraped.authors, scraped.published) == (["Olga Katsimon"], "2025-09-07T17:21")


def test_a_caption_ending_in_a_date_is_not_mistaken_for_a_byline(tmp_path):
    path = write(tmp_path, "s.txt", "date 2025-09-07 All Sections\nHeadline\n\nRally in Kyiv, 7 September 2025\n\nBody.\n")
    draft = read_source(path)
    assert (draft.authors, draft.published) == ([], "2025-09-07")
    assert draft.text == "Rally in Kyiv, 7 September 2025\n\nBody."


def test_any_other_text_file_takes_its_first_line_as_title_and_keeps_every_word(tmp_path):
    path = write(tmp_path, "memo.txt", "\n  Situation report, 3 May  \n\nTroops moved north.\r\nMore later.\n")
    draft = read_source(path)
    assert draft.title == "Situation report, 3 May"
    assert draft.text == "  Situation report, 3 May\n\nTroops moved north.\nMore later."
    assert (draft.authors, draft.published, draft.format) == ([], None, "txt")


def test_a_first_line_that_is_a_whole_paragraph_gives_a_shortened_title(tmp_path):
    line = "word " * 100
    draft = read_source(write(tmp_path, "long.txt", line + "\n"))
    assert draft.title.endswith("…") and len(draft.title) <= 201
    assert words(draft.text) == words(line)


# --- front matter ----------------------------------------------------------------------------


def test_front_matter_sets_metadata_and_is_not_article_text(tmp_path):
    path = write(
        tmp_path,
        "notes.txt",
        "---\n"
        'title: "Kursk: what we know"\n'
        "author: Olga Katsimon; Roman Petrenko\n"
        "outlet: Ukrainska Pravda\n"
        "url: https://www.pravda.com.ua/eng/news/2025/09/7/7529739/\n"
        "published: 2025-09-07\n"
        "section: News\n"
        "language: en\n"
        "---\n"
        "\n"
        "The text itself.\n",
    )
    draft = read_source(path)
    assert draft == Draft(
        text="The text itself.",
        title="Kursk: what we know",
        authors=["Olga Katsimon", "Roman Petrenko"],
        outlet="Ukrainska Pravda",
        url="https://www.pravda.com.ua/eng/news/2025/09/7/7529739/",
        published="2025-09-07",
        section="News",
        language="en",
        source=str(Path(path).resolve()),
        format="txt",
    )


def test_front_matter_takes_a_list_of_authors_and_a_time_with_its_offset(tmp_path):
    path = write(
        tmp_path,
        "n.txt",
        "---\nauthors:\n  - Olga Katsimon\n  - 'Roman O''Neill'\npublished: 2025-09-07 17:21:00 +03:00\n---\nText follows.\n",
    )
    draft = read_source(path)
    assert draft.authors == ["Olga Katsimon", "Roman O'Neill"]
    assert draft.published == "2025-09-07T17:21+03:00"
    assert draft.title == "Text follows."


def test_front_matter_takes_an_inline_list_and_ignores_keys_margin_does_not_use(tmp_path):
    path = write(
        tmp_path,
        "n.md",
        "---\nlayout: post\ntags:\n  - war\n  - grain\nextra:\n  nested: {a: 1}\n"
        'author: [Anna Kovalenko, "Smith, John"]\ndate: 2025-01-02T03:04:05Z  # UTC\n---\n# Heading\n\nBody.\n',
    )
    draft = read_source(path)
    assert draft.authors == ["Anna Kovalenko", "Smith, John"]
    assert draft.published == "2025-01-02T03:04+00:00"


def test_front_matter_overrides_what_the_scraper_layout_says(tmp_path):
    text = KURSK.read_text(encoding="utf-8")
    draft = read_source(write(tmp_path, "k.txt", "---\noutlet: Ukrainska Pravda\nauthor: O. Katsimon\n---\n" + text))
    assert (draft.outlet, draft.authors, draft.title) == ("Ukrainska Pravda", ["O. Katsimon"], KURSK_TITLE)
    assert draft.text == read_source(str(KURSK)).text


@pytest.mark.parametrize(
    ("front_matter", "line"),
    [
        ("title: fine\nthis line is not yaml\n", 3),
        ("title: fine\npublished: last Tuesday\n", 3),
        ("author: A\nauthors: B\n", 3),
        ("title: >\n  folded\n", 2),
        ("title: [unclosed\n", 2),
        ('title: "no end\n', 2),
        ("title:\n  - one\n  two\n", 4),
    ],
)
def test_malformed_front_matter_is_refused_naming_the_line(tmp_path, front_matter, line):
    with pytest.raises(InputError, match=f"front matter line {line}"):
        read_source(write(tmp_path, "bad.txt", f"---\n{front_matter}---\nText.\n"))


def test_front_matter_that_is_never_closed_is_refused(tmp_path):
    with pytest.raises(InputError, match="never closed"):
        read_source(write(tmp_path, "bad.md", "---\ntitle: Open\n\nText without a closing line.\n"))


def test_a_text_opening_with_a_dashed_rule_is_not_taken_for_front_matter(tmp_path):
    draft = read_source(write(tmp_path, "rule.txt", "---\nChapter one\n---\nIt begins.\n"))
    assert draft.text == "---\nChapter one\n---\nIt begins."


def test_a_file_with_front_matter_and_no_text_is_refused(tmp_path):
    with pytest.raises(InputError, match="no text"):
        read_source(write(tmp_path, "empty.md", "---\ntitle: Nothing\n---\n\n  \n"))


# --- Markdown --------------------------------------------------------------------------------

MARKDOWN = """# Grain *corridor* reopens

The first convoy left **Odesa** on Tuesday, [according to the port](https://example.org/port "Port")
and ![a ship at sea](ship.jpg) officials; `code_name` stays, as does snake_case and 2 * 3 * 4.

## What happens next ##

- Insurers cut premiums
* Traders wait
1. First step

> A quoted _line_ from a \\*source\\*.

```
raw **code** line
```

[port]: https://example.org/port
"""


def test_markdown_is_read_as_plain_text_with_headings_and_paragraphs_kept(tmp_path):
    draft = read_source(write(tmp_path, "article.md", MARKDOWN))
    assert draft.format == "md"
    assert draft.title == "Grain corridor reopens"
    assert draft.text == (
        "Grain corridor reopens\n\n"
        "The first convoy left Odesa on Tuesday, according to the port and a ship at sea officials; "
        "code_name stays, as does snake_case and 2 * 3 * 4.\n\n"
        "What happens next\n\n"
        "- Insurers cut premiums\n- Traders wait\n1. First step\n\n"
        "A quoted line from a *source*.\n\n"
        "raw **code** line"
    )


def test_markdown_without_a_heading_takes_its_first_line_as_title():
    assert markdown_to_text("Just a *note*.\nSecond line.")[1] is None
    assert markdown_to_text("Title\n=====\n\nBody")[1] == "Title"


def test_markdown_title_from_front_matter_beats_the_first_heading(tmp_path):
    draft = read_source(write(tmp_path, "a.md", "---\ntitle: Chosen\n---\n# Heading\n\nBody.\n"))
    assert draft.title == "Chosen"
    assert draft.text == "Heading\n\nBody."


def test_markdown_without_heading_uses_the_first_line_as_title(tmp_path):
    draft = read_source(write(tmp_path, "a.md", "Plain *first* line\nand more.\n"))
    assert draft.title == "Plain first line and more."


# --- standard input --------------------------------------------------------------------------


def test_standard_input_is_read_like_a_text_file():
    draft = read_source("-", stdin=KURSK.read_bytes())
    assert (draft.source, draft.format) == ("-", "stdin")
    assert (draft.title, draft.authors, draft.published) == (KURSK_TITLE, ["Olga Katsimon"], "2025-09-07T17:21")
    assert draft.text == read_source(str(KURSK)).text


def test_standard_input_that_is_a_web_page_is_read_as_html():
    draft = read_source("-", stdin=ARTICLE_HTML.encode("utf-8"))
    assert draft.format == "stdin"
    assert draft.title == "Grain corridor reopens"
    assert draft.text.startswith("The first convoy of grain ships")


def test_empty_standard_input_is_refused():
    with pytest.raises(InputError, match="standard input is empty"):
        read_source("-", stdin=b"")


# --- bad files -------------------------------------------------------------------------------


def test_a_missing_file_is_refused_naming_it(tmp_path):
    missing = str(tmp_path / "nowhere.txt")
    with pytest.raises(InputError) as caught:
        read_source(missing)
    assert missing in caught.value.title and "no such file" in caught.value.title


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_source(str(tmp_path))


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        read_source(write(tmp_path, "empty.txt", b""))


def test_a_file_of_only_whitespace_is_refused(tmp_path):
    with pytest.raises(InputError, match="no text"):
        read_source(write(tmp_path, "blank.txt", " \n\t\r\n\u00a0\n"))


def test_a_binary_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="binary"):
        read_source(write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def test_a_latin1_file_is_refused_with_the_byte_position(tmp_path):
    path = write(tmp_path, "cafe.txt", "Un café.\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 at byte 6"):
        read_source(path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: no 20 MB written to disk
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match="20 MB") as caught:
        read_source(str(path))
    assert "binary" not in caught.value.title


def test_a_file_with_an_unknown_extension_is_read_as_text_when_it_decodes(tmp_path):
    draft = read_source(write(tmp_path, "report.log", "Observed at dawn.\n"))
    assert (draft.text, draft.format) == ("Observed at dawn.", "txt")
    with pytest.raises(InputError, match="not UTF-8"):
        read_source(write(tmp_path, "report.dat", b"abc\xe9"))


def test_a_saved_page_without_an_extension_is_read_as_html(tmp_path):
    draft = read_source(write(tmp_path, "7529739", ARTICLE_HTML))
    assert (draft.format, draft.title) == ("html", "Grain corridor reopens")


def test_an_empty_source_is_refused():
    with pytest.raises(InputError, match="no file or URL"):
        read_source("  ")


def test_only_web_addresses_are_fetched():
    with pytest.raises(InputError, match="only http"):
        read_source("ftp://example.org/article.txt")


# --- HTML files ------------------------------------------------------------------------------


def test_an_html_page_gives_paragraphs_separated_by_blank_lines_and_its_metadata(tmp_path):
    draft = read_source(write(tmp_path, "page.html", ARTICLE_HTML))
    paragraphs = draft.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The first convoy of grain ships left the port of Odesa")
    assert paragraphs[2].endswith("Analysts expect volumes to recover by the summer.")
    assert "\x1b" not in draft.text and "Home" not in draft.text and "Copyright" not in draft.text
    assert draft.title == "Grain corridor reopens"
    assert draft.authors == ["Maria Lysenko"]
    assert draft.outlet == "The Harbour Times"
    assert draft.published == "2025-03-04T08:15+02:00"
    assert draft.section == "Economy"
    assert draft.language == "en-GB"
    assert draft.format == "html"


def test_a_page_in_a_declared_legacy_encoding_is_decoded(tmp_path):
    page = ARTICLE_HTML.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("Odesa", "Odesa café")
    draft = read_source(write(tmp_path, "legacy.htm", page.encode("latin-1")))
    assert "Odesa café" in draft.text


def test_a_page_with_no_article_text_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(InputError, match="no article text") as caught:
        read_source(write(tmp_path, "app.html", EMPTY_PAGE))
    assert "app.html" in caught.value.title


def test_reading_a_text_file_does_not_import_trafilatura():
    code = f"import sys; from store.ingest import read_source; read_source({str(KURSK)!r}); print('trafilatura' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- URLs, against a real server on 127.0.0.1 ------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    stop = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path.startswith("/trickle-"):
            self._trickle(in_headers=self.path == "/trickle-headers")
            return
        status, headers, body = self.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _trickle(self, *, in_headers: bool) -> None:
        """Send a byte every tenth of a second until the client goes: no wait for it ever times out."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        if in_headers:
            self.wfile.write(b"X-Padding: ")
        else:
            self.wfile.write(b"\r\n<html><body><p>")
        try:
            while not self.stop.wait(0.1):
                self.wfile.write(b"a")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_bytes() -> bytes:
    return gzip.decompress(CORPUS_PAGE.read_bytes())


@pytest.fixture(scope="module")
def server(page_bytes):
    html = {"Content-Type": "text/html; charset=utf-8"}
    _Handler.routes = {
        "/article.html": (200, html, page_bytes),
        "/moved": (302, {"Location": "/article.html"}, b""),
        "/broken": (500, html, b"<html><body>Internal error</body></html>"),
        "/empty.html": (200, html, EMPTY_PAGE),
        "/slow": (200, html, ARTICLE_HTML.encode()),
        "/kursk.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, KURSK.read_bytes()),
        "/zipped.html": (200, {**html, "Content-Encoding": "gzip"}, gzip.compress(ARTICLE_HTML.encode())),
        "/latin1.html": (
            200,
            {"Content-Type": "text/html; charset=ISO-8859-1"},
            ARTICLE_HTML.replace("Odesa", "Odesa café").encode("latin-1"),
        ),
        "/photo.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\x00"),
        "/huge.html": (200, {**html, "Content-Length": str(MAX_BYTES + 1)}, b""),
        "/%D1%81%D1%82%D0%B0%D1%82%D1%82%D1%8F?q=%D0%BA": (200, html, ARTICLE_HTML.encode()),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.stop.set()
    httpd.shutdown()
    httpd.server_close()


def test_a_url_gives_the_same_text_as_the_saved_page(server, page_bytes, tmp_path):
    from_file = read_source(write(tmp_path, "article.html", page_bytes))
    from_url = read_source(f"{server}/article.html")
    assert from_url.text == from_file.text
    assert (from_url.title, from_url.authors, from_url.published) == (from_file.title, from_file.authors, from_file.published)
    assert (from_url.source, from_url.format, from_url.url) == (f"{server}/article.html", "url", f"{server}/article.html")


def test_a_redirect_is_followed_and_the_final_address_kept(server):
    draft = read_source(f"{server}/moved")
    assert draft.url == f"{server}/article.html"
    assert draft.source == f"{server}/moved"


def test_a_missing_page_is_refused_with_its_http_status(server):
    with pytest.raises(InputError, match="HTTP 404"):
        read_source(f"{server}/no-such-article")


def test_a_server_error_is_refused_with_its_http_status(server):
    with pytest.raises(InputError, match="HTTP 500"):
        read_source(f"{server}/broken")


def test_an_unreachable_address_is_refused():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError, match="unreachable"):
        read_source(f"http://127.0.0.1:{port}/article.html", timeout=5)


def test_a_server_that_does_not_answer_in_time_is_refused(server):
    with pytest.raises(InputError, match="did not answer within 0.3 s"):
        read_source(f"{server}/slow", timeout=0.3)


@pytest.mark.parametrize("part", ["body", "headers"])
def test_a_server_trickling_a_byte_at_a_time_is_cut_off_at_the_time_limit(server, part):
    # Each byte comes long before the 20 s wait limit, so only the whole-download limit ends it.
    with pytest.raises(InputError, match=r"still downloading after 1\.5 s, the time limit"):
        read_source(f"{server}/trickle-{part}", time_limit=1.5)


def test_a_page_with_no_article_text_at_a_url_is_refused(server):
    with pytest.raises(InputError, match="no article text"):
        read_source(f"{server}/empty.html")


def test_a_page_announced_as_too_large_is_refused_before_it_is_read(server):
    with pytest.raises(InputError, match="over the 20 MB limit"):
        read_source(f"{server}/huge.html")


def test_a_compressed_page_is_unpacked(server):
    assert read_source(f"{server}/zipped.html").title == "Grain corridor reopens"


def test_a_page_is_decoded_with_the_charset_its_server_names(server):
    assert "Odesa café" in read_source(f"{server}/latin1.html").text


def test_a_plain_text_url_is_read_like_a_text_file(server):
    draft = read_source(f"{server}/kursk.txt")
    assert (draft.title, draft.authors, draft.format) == (KURSK_TITLE, ["Olga Katsimon"], "url")
    assert draft.text == read_source(str(KURSK)).text


def test_an_address_with_non_ascii_characters_is_fetched_and_kept_readable(server):
    draft = read_source(f"{server}/стаття?q=к")
    assert draft.title == "Grain corridor reopens"
    assert draft.url == f"{server}/стаття?q=к"


def test_a_url_that_is_not_a_page_is_refused(server):
    with pytest.raises(InputError, match="image/png"):
        read_source(f"{server}/photo.png")


# --- overrides -------------------------------------------------------------------------------


def test_command_line_overrides_replace_metadata_and_none_keeps_it():
    draft = read_source(str(KURSK))
    changed = apply_overrides(
        draft,
        author="Olga Katsimon; Second Author",
        outlet="Ukrainska Pravda",
        url="https://www.pravda.com.ua/eng/news/2025/09/7/7529739/",
        published="2025-09-07T17:21+03:00",
        language="EN",
    )
    assert changed.authors == ["Olga Katsimon", "Second Author"]
    assert (changed.outlet, changed.published, changed.language) == ("Ukrainska Pravda", "2025-09-07T17:21+03:00", "en")
    assert changed.title == KURSK_TITLE and changed.text == draft.text
    assert draft.outlet is None  # the original is left alone


def test_an_author_list_override_and_an_empty_string_clearing_a_field():
    draft = read_source(str(KURSK))
    changed = apply_overrides(draft, author=["A. One", "B. Two"], title="", section="War")
    assert (changed.authors, changed.title, changed.section) == (["A. One", "B. Two"], None, "War")


def test_overrides_lose_control_characters_too():
    changed = apply_overrides(read_source(str(KURSK)), title="Bad\x1b[2J title\n")
    assert changed.title == "Bad[2J title"


def test_a_published_override_that_is_not_a_date_is_refused():
    with pytest.raises(InputError, match="not a date"):
        apply_overrides(read_source(str(KURSK)), published="yesterday")


def test_a_language_override_that_is_not_a_language_tag_is_refused():
    with pytest.raises(InputError, match="language"):
        apply_overrides(read_source(str(KURSK)), language="English language")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-09-07", "2025-09-07"),
        ("2025-09-07T17:21", "2025-09-07T17:21"),
        ("2025-09-07 17:21:59", "2025-09-07T17:21"),
        ("2019-11-19T13:03:00.000Z", "2019-11-19T13:03+00:00"),
        ("2019-11-20T09:29:08+0000", "2019-11-20T09:29+00:00"),
        ("2025-02-30", None),
        ("7 September 2025", None),
        ("٢٠٢٥-٠٩-٠٧", "2025-09-07"),
        ("２０２５-０９-０７T１７:２１+０３:００", "2025-09-07T17:21+03:00"),
        ("२०२५-०२-३०", None),
    ],
)
def test_publication_dates_are_written_in_iso_8601(given, expected):
    assert parse_published(given) == expected


@pytest.mark.parametrize("name", [
    "Olga Katsimon", "O. Katsimon", "Ursula von der Leyen", "Bashar al-Assad", "Seán O'Brien",
    "Associated Press", "Institute for the Study of War", "PTI", "Ольга Кацимон", "王小明",
])
def test_names_of_people_and_organisations_read_as_names(name):
    from store.ingest.authors import looks_like_a_name

    assert looks_like_a_name(name)


@pytest.mark.parametrize("name", [
    "Syrian defense ministries", "Southern ministries · FACTCHECK.example", "rt.com", "user123",
    "the editors", "Click here to read more about the author and this story",
])
def test_phrases_that_are_not_names_do_not_read_as_names(name):
    from store.ingest.authors import looks_like_a_name

    assert not looks_like_a_name(name)


@pytest.mark.parametrize("line", [
    "Also on example.com Storm closes ports", "SEE MORE: Roof collapse closes library", "READ MORE Library campaign",
    "Read also: the minister's reply", "Related: Photos of the moon", "You may also like:",
    "Like this story? Share it with a friend!", "Follow AP's full coverage of the election at https://example.com",
    "More Great Example Stories",
])
def test_teasers_share_prompts_and_related_link_lines_are_recognised(line):
    from store.ingest.boilerplate import is_teaser

    assert is_teaser(line)


@pytest.mark.parametrize("line", [
    "Also on Tuesday, the minister said the talks had failed.", "Read more than 500 pages of the report.",
    "Related reading shows that the plan was older.", "More than 200 stories were filed that day, officials said.",
])
def test_sentences_that_start_like_teasers_are_article_text(line):
    from store.ingest.boilerplate import is_teaser

    assert not is_teaser(line)


@pytest.mark.parametrize(("content", "reason"), [
    ("name,age,city\nAnna,34,Kyiv\nBoris,51,Lviv\n", "its 3 lines are rows of data, 3 fields each separated by commas"),
    ("a\tb\n1\t2\n3\t4\n5\t6\n", "its 4 lines are rows of data, 2 fields each separated by tabs"),
    ('"Smith, Anna";34\n"Lee, Boris";51\n"Roe, Jane";29\n', "its 3 lines are rows of data, 2 fields each separated by semicolons"),
    ("observer-7\n", "it has 0 words of prose"),
    ("Etc/UTC\n", "it has 0 words of prose"),
    ("12.5\n", "it has 0 words of prose"),
    ("Debian GNU/Linux 12 \\n \\l\n\n", "it has 1 word of prose"),
    ("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", "it has 0 words of prose"),
])
def test_files_that_are_not_articles_are_refused_saying_which_rule_applied(tmp_path, content, reason):
    from store.ingest import NotAnArticleError

    path = write(tmp_path, "data.txt", content)
    with pytest.raises(NotAnArticleError) as refused:
        read_source(path)
    assert refused.value.title == f"{path} does not look like an article: {reason}"
    assert "--" not in str(refused.value)  # the store speaks of data, not of command-line flags


def test_a_file_that_is_not_an_article_is_read_when_allowed(tmp_path):
    draft = read_source(write(tmp_path, "data.csv", "name,age\nAnna,34\nBoris,51\n"), allow_non_article=True)
    assert draft.text == "name,age\nAnna,34\nBoris,51"


@pytest.mark.parametrize("content", [
    "Observed at dawn.\n",
    "Second article\n\nIts text.\n",
    # Lines of prose with one comma each, hard-wrapped: commas where the sentences put them.
    "The convoy left at dawn, escorted by two ships\nand reached the port by noon, officials said,\n"
    "after a night of waiting in the roads, under fire.\n",
    "A list, of sorts\n\nFirst, this.\n\nSecond, that.\n\nThird, the other.\n",
])
def test_short_texts_and_prose_with_regular_commas_are_articles(tmp_path, content):
    assert read_source(write(tmp_path, "short.txt", content)).text


def test_the_real_article_and_the_bundled_sample_read_as_articles():
    sample = Path(__file__).resolve().parents[1] / "tui" / "sample" / "harbour-flood-wall.txt"
    for path in (KURSK, sample):
        assert read_source(str(path)).text  # would raise NotAnArticleError if refused
