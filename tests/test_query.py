"""The review's filter line: what each term means, and the advice a term that means nothing gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.annotations import add_annotation_by_text, list_annotations
from store.articles import add_article
from store.db import open_db
from store.errors import ValidationError
from store.ingest import read_source
from store.query import parse_filter

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"


@pytest.fixture
def db(tmp_path: Path):
    """A database with the real article and five annotations of it."""
    database = open_db(tmp_path / "margin.db")
    article, _ = add_article(database, read_source(str(KURSK)))
    add = add_annotation_by_text
    add(database, article["id"], kind="quote", text="recruitment plan",
        source="Vadym Skibitskyi", confidence=68)
    add(database, article["id"], kind="claim", text="North Korean troops remain in Russia",
        source="Vadym Skibitskyi", confidence=88)
    add(database, article["id"], kind="claim", text="Kursk Oblast", source="DIU", confidence=50)
    add(database, article["id"], kind="quote", text="Pyongyang", source="Ukrinform")
    add(database, article["id"], kind="claim", text="fortifications", confidence=12)
    yield database
    database.conn.close()


def exacts(db, line: str) -> list[str]:
    return [a["exact"] for a in list_annotations(db, **parse_filter(line, db))]


def test_an_empty_line_filters_nothing():
    assert parse_filter("") == {}
    assert parse_filter("   ") == {}


def test_free_words_become_a_full_text_search():
    assert parse_filter("north korean") == {"search": "north korean"}


def test_a_kind_term_keeps_one_kind_also_written_as_a_plural_or_a_beginning():
    assert parse_filter("kind:claim") == {"kind": "claim"}
    assert parse_filter("kind:quotes") == {"kind": "quote"}
    assert parse_filter("KIND:q") == {"kind": "quote"}


def test_a_source_is_one_word_or_a_quoted_name():
    assert parse_filter("source:DIU") == {"source": "DIU"}
    assert parse_filter('source:"Vadym Skibitskyi"') == {"source": "Vadym Skibitskyi"}
    assert parse_filter("source:“Vadym Skibitskyi”") == {"source": "Vadym Skibitskyi"}


def test_a_quoted_name_still_being_typed_is_read_up_to_the_end_of_the_line():
    assert parse_filter('kind:quote source:"Vadym Skib') == {"kind": "quote",
                                                              "source": "Vadym Skib"}


@pytest.mark.parametrize("line, bounds", [
    ("conf>=60", {"min_confidence": 60}),
    ("conf>60", {"min_confidence": 61}),
    ("conf<=60", {"max_confidence": 60}),
    ("conf<60", {"max_confidence": 59}),
    ("conf=60", {"min_confidence": 60, "max_confidence": 60}),
    ("confidence>=60%", {"min_confidence": 60}),
    ("conf>=40 conf<=70", {"min_confidence": 40, "max_confidence": 70}),
])
def test_confidence_comparisons_become_bounds(line, bounds):
    assert parse_filter(line) == bounds


def test_deleted_takes_yes_no_or_all():
    assert parse_filter("deleted:yes") == {"deleted": True}
    assert parse_filter("deleted:no") == {"deleted": False}
    assert parse_filter("deleted:all") == {"deleted": None}


def test_terms_and_words_combine():
    assert parse_filter('troops kind:claim source:"Vadym Skibitskyi" conf>=60 Russia') == {
        "search": "troops Russia", "kind": "claim", "source": "Vadym Skibitskyi",
        "min_confidence": 60}


def test_words_that_only_look_like_terms_are_searched_for():
    assert parse_filter("https://www.pravda.com.ua") == {"search": "https://www.pravda.com.ua"}


@pytest.mark.parametrize("line, title, advice", [
    ("conf>=abc", "conf>=abc is neither a term digit nor a percentage", "conf>=60"),
    ("conf >= abc", "conf>=abc is neither a term digit nor a percentage", "conf>=5"),
    ("conf>=101", "conf>=101 is neither a term digit nor a percentage", "0 to 100"),
    ("conf>=²", "conf>=² is neither a term digit nor a percentage", "0 to 100"),
    ("conf>=8", "conf>=8 is neither a term digit nor a percentage", "term digit 1–7"),
    ("conf>=", "conf>= needs a number", "conf>=60"),
    ("kind:opinion", "unknown kind 'opinion'", "kind:claim or kind:quote"),
    ("kind:", "kind: needs a value", "kind:claim"),
    ("deleted:maybe", "deleted:maybe is neither yes nor no", "deleted:yes"),
    ("knd:claim", "unknown filter 'knd:'", "did you mean 'kind:'?"),
    ("source>DIU", "source>DIU is not a filter", "source:"),
    ("kind:claim kind:quote", "kind: appears twice", "keep one kind: term"),
])
def test_a_term_that_means_nothing_is_refused_with_advice(line, title, advice):
    with pytest.raises(ValidationError) as raised:
        parse_filter(line)
    assert raised.value.title == title
    assert advice in raised.value.advice
    assert "\n" not in str(raised.value)


def test_an_article_is_named_by_a_prefix_of_its_id(db):
    article_id = db.execute("SELECT id FROM articles").fetchone()[0]
    assert parse_filter(f"article:{article_id[:4]}", db) == {"article_id": article_id}
    with pytest.raises(ValidationError) as raised:
        parse_filter("article:zzzz", db)
    assert raised.value.title.startswith("article:zzzz names no article")


def test_each_term_narrows_the_annotations_listed(db):
    everything = exacts(db, "")
    assert len(everything) == 5
    assert exacts(db, "kind:quote") == ["recruitment plan", "Pyongyang"]
    assert exacts(db, 'source:"Vadym Skibitskyi"') == ["recruitment plan",
                                                       "North Korean troops remain in Russia"]
    assert exacts(db, "source:diu") == ["Kursk Oblast"]
    assert exacts(db, "conf>=60") == ["recruitment plan", "North Korean troops remain in Russia"]
    assert exacts(db, "conf<50") == ["fortifications"]
    assert exacts(db, "conf=50") == ["Kursk Oblast"]
    assert exacts(db, "korean") == ["North Korean troops remain in Russia"]
    assert exacts(db, "kind:claim conf>60") == ["North Korean troops remain in Russia"]


def test_full_text_operators_typed_by_hand_are_plain_words(db):
    assert exacts(db, '"AND OR* NEAR( kursk') == []
    assert exacts(db, "Kursk*") == ["Kursk Oblast"]


@pytest.mark.parametrize("filters", [
    {"search": "korean"}, {"search": "Kursk"}, {"source": "Vadym Skibitskyi"},
    {"source": "vadym skibitskyi", "search": "plan"}, {"kind": "claim", "max_confidence": 60},
])
def test_a_page_is_the_same_whichever_way_sqlite_walks_to_it(db, filters):
    """Walking the created_at index (many matches) and sorting the matches (few) agree."""
    for descending in (False, True):
        walked = list_annotations(db, limit=3, descending=descending, ordered_scan=True,
                                  **filters)
        sorted_ = list_annotations(db, limit=3, descending=descending, ordered_scan=False,
                                   **filters)
        chosen = list_annotations(db, limit=3, descending=descending, **filters)
        assert [a["id"] for a in walked] == [a["id"] for a in sorted_] == [a["id"] for a in chosen]


# --- one meaning of confidence, sources by their words, tags, whole-word search -------------


@pytest.mark.parametrize("line, bounds", [
    ("conf>=5", {"min_confidence": 56}),                        # at least likely
    ("conf>5", {"min_confidence": 81}),                         # above likely
    ("conf<=5", {"max_confidence": 80}),                        # at most likely
    ("conf<5", {"max_confidence": 55}),                         # below likely
    ("conf=5", {"min_confidence": 56, "max_confidence": 80}),   # likely
    ("conf>=05", {"min_confidence": 5}),                        # two digits are a percent
    ("conf>=5%", {"min_confidence": 5}),
    ("conf >= 60", {"min_confidence": 60}),                     # spaces around a comparison
    ("conf ≥ 60", {"min_confidence": 60}),
    ("conf≤60", {"max_confidence": 60}),
    ("conf<=40 conf<=70", {"max_confidence": 40}),              # the tighter bound wins
    ("conf<=70 conf<=40", {"max_confidence": 40}),
    ("conf>=40 conf>=70", {"min_confidence": 70}),
    ("conf>=70 conf>=40", {"min_confidence": 70}),
])
def test_a_term_digit_in_a_bound_means_the_edge_of_its_term(line, bounds):
    assert parse_filter(line) == bounds


def test_the_filter_and_the_command_line_read_a_lone_digit_as_the_same_term(db):
    from store.confidence import parse_min_confidence

    assert parse_filter("conf>=5")["min_confidence"] == parse_min_confidence("5") == 56
    assert exacts(db, "conf>=5") == ["recruitment plan", "North Korean troops remain in Russia"]
    assert exacts(db, "conf=5") == ["recruitment plan"]
    assert exacts(db, "conf>=4") == ["recruitment plan", "North Korean troops remain in Russia",
                                     "Kursk Oblast"]


def test_a_source_is_found_by_any_word_of_its_name_in_any_case(db):
    skibitskyi = ["recruitment plan", "North Korean troops remain in Russia"]
    assert exacts(db, "source:Vadym") == skibitskyi
    assert exacts(db, "source:skibitskyi") == skibitskyi
    assert exacts(db, "source:SKIB") == skibitskyi                # the beginning of a word
    assert exacts(db, 'source:"vadym skib"') == skibitskyi
    assert exacts(db, 'source:"Vadym Skibitskyi"') == skibitskyi
    assert exacts(db, "source:adym") == []                        # not the middle of a word
    assert exacts(db, 'source:"Vadym Ukrinform"') == []           # every word, of one name


def test_a_search_matches_whole_words_so_recruit_does_not_find_recruitment(db):
    assert exacts(db, "recruit plan") == []
    assert exacts(db, "plan recruit") == []
    assert exacts(db, "recruitment plan") == ["recruitment plan"]
    assert exacts(db, "recruit*") == ["recruitment plan"]         # a star asks for beginnings


def test_free_text_finds_tags_role_and_via_and_tag_keeps_whole_tags(db):
    from store.annotations import add_annotation_by_text

    article_id = db.execute("SELECT id FROM articles").fetchone()[0]
    add_annotation_by_text(db, article_id, kind="quote", text="Around 6,000 workers",
                           source="Omar Lamrani", role="military analyst",
                           via="interview with Ukrinform", tags=["labour", "North-Korea"])
    workers = ["Around 6,000 workers"]
    assert exacts(db, "labour") == workers                        # a tag
    assert exacts(db, "analyst") == workers                       # the source's role
    assert exacts(db, "interview") == workers                     # the channel
    assert exacts(db, "source:omar") == workers
    assert exacts(db, "source:lamrani") == workers
    assert exacts(db, "tag:labour") == workers
    assert exacts(db, "tag:north-korea") == workers               # any case, the whole tag
    assert exacts(db, "tag:labour tag:north-korea") == workers    # every tag given
    assert exacts(db, "tag:north") == []
    assert exacts(db, "tag:labour tag:urgent") == []


# --- the library's filter line ----------------------------------------------------------------

def test_a_library_line_without_trash_or_archived_terms_is_a_search_the_view_completes():
    from store.query import parse_library_filter

    assert parse_library_filter("") == {}
    assert parse_library_filter("  Kursk  Oblast ") == {"search": "Kursk Oblast"}
    assert parse_library_filter("Update: Kursk") == {"search": "Update: Kursk"}


@pytest.mark.parametrize("line, chosen", [
    ("trash:yes", (True, None)),
    ("trash:no", (False, None)),
    ("archived:yes", (False, True)),
    ("archived:no", (False, False)),
    ("trash:yes archived:yes", (True, True)),
    ("Deleted:Y archive:no", (True, False)),
])
def test_library_terms_choose_the_trash_and_the_archive_and_keep_the_trash_out_unless_asked(
        line, chosen):
    from store.query import parse_library_filter

    filters = parse_library_filter(f"harbour {line} wall")
    assert filters == {"search": "harbour wall", "state": None, "trashed": chosen[0],
                       "archived": chosen[1]}


@pytest.mark.parametrize("line, title, advice", [
    ("trash:maybe", "trash:maybe is neither yes nor no",
     "write trash:yes for the trash, trash:no to leave it out"),
    ("archived:", "archived: needs a value",
     "write archived:yes for the archive, archived:no to leave it out"),
    ("trash>=1", "trash>=1 is not a filter", "write trash:yes for the trash, trash:no to leave it out"),
    ("trash:yes trash:no", "trash: appears twice", "keep one trash: term"),
    ("archivd:yes", "unknown filter 'archivd:'", "did you mean 'archived:'?"),
])
def test_a_library_term_that_means_nothing_is_refused_with_advice(line, title, advice):
    from store.query import parse_library_filter

    with pytest.raises(ValidationError) as raised:
        parse_library_filter(line)
    assert raised.value.title == title
    assert raised.value.advice.startswith(advice)


# --- anchors after a revision (issue 10) ------------------------------------------------------

def test_an_anchor_term_takes_a_kind_or_its_beginning():
    assert parse_filter("anchor:changed") == {"anchor": "changed"}
    assert parse_filter("anchor:orph") == {"anchor": "orphan"}
    assert parse_filter("anchor:orphaned") == {"anchor": "orphan"}
    assert parse_filter("anchor:EXACT kind:quote") == {"anchor": "exact", "kind": "quote"}


def test_verified_takes_yes_or_no():
    assert parse_filter("verified:no") == {"verified": False}
    assert parse_filter("verified:yes") == {"verified": True}


@pytest.mark.parametrize("line, title", [
    ("anchor:wobbly", "unknown anchor 'wobbly'"),
    ("anchor:", "anchor: needs a value"),
    ("verified:all", "verified:all is neither yes nor no"),
    ("anchor:moved anchor:exact", "anchor: appears twice"),
])
def test_a_bad_anchor_or_verified_term_is_refused_with_advice(line, title):
    with pytest.raises(ValidationError) as raised:
        parse_filter(line)
    assert raised.value.title == title
    assert raised.value.advice
