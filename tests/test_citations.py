"""Citations of articles and annotations.

The ``chicago-note``, ``chicago-bib``, ``apa`` and ``mla`` lines expected here are what
citeproc-js (the CSL reference processor) printed as plain text for the same ``csl_item`` with
the official CSL styles: "Chicago Manual of Style 18th edition (notes and bibliography)" (a
first, full note; and the bibliography), "APA Style 7th edition" and "MLA Handbook 9th
edition". The processor is not needed to run these tests; ``tests/test_citeproc.py`` runs it
on a wider spread of articles.
"""

from __future__ import annotations

import json

import pytest

from store.citations import (
    STYLES,
    attribution,
    cite_annotation,
    cite_article,
    csl_item,
    csl_name,
    date_parts,
    quote_span,
    title_case,
)
from store.errors import ValidationError

SAMPLE = {
    "id": "kursk01",
    "title": "North Korean troops concentrated in Kursk Oblast to support border security, "
             "Kyiv says",
    "authors": ["Olga Katsimon"],
    "outlet": "Ukrainska Pravda",
    "url": "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/",
    "published": "2025-09-07T17:21",
    "section": None,
    "language": "en",
}
URL = SAMPLE["url"]
TITLED = ("North Korean Troops Concentrated in Kursk Oblast to Support Border Security, "
          "Kyiv Says")
AS_GIVEN = SAMPLE["title"]

QUOTE = {
    "id": "a1b2",
    "kind": "quote",
    "exact": "There are all the signs that by the end of the year, Russia will fully meet "
             "its recruitment plan.",
    "source": "Vadym Skibitskyi",
    "role": None,
    "via": "interview with Ukrinform",
    "confidence": 68,
    "grade": "B2",
    "note": "",
    "tags": [],
}


def article(**changes) -> dict:
    return {**SAMPLE, **changes}


def annotation(**changes) -> dict:
    return {**QUOTE, **changes}


def cite_all(item: dict) -> dict[str, str]:
    return {style: cite_article(item, style) for style in ("chicago-note", "chicago-bib",
                                                             "apa", "mla")}


# --- the sample article: DESIGN.md's lines, verbatim -----------------------------------------


def test_the_apa_citation_of_the_sample_article_matches_the_reference_processor():
    assert cite_article(SAMPLE, "apa") == (
        "Katsimon, O. (2025, September 7). North Korean troops concentrated in Kursk Oblast to "
        "support border security, Kyiv says. Ukrainska Pravda. "
        "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/")


def test_the_chicago_note_of_the_sample_article_matches_the_reference_processor():
    assert cite_article(SAMPLE, "chicago-note") == (
        "Olga Katsimon, “North Korean Troops Concentrated in Kursk Oblast to Support Border "
        "Security, Kyiv Says,” Ukrainska Pravda, September 7, 2025, "
        "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/.")


def test_the_chicago_bibliography_entry_of_the_sample_article_matches_the_reference_processor():
    assert cite_article(SAMPLE, "chicago-bib") == (
        "Katsimon, Olga. “North Korean Troops Concentrated in Kursk Oblast to Support Border "
        "Security, Kyiv Says.” Ukrainska Pravda, September 7, 2025. "
        "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/.")


def test_the_mla_citation_of_the_sample_article_matches_the_reference_processor():
    assert cite_article(SAMPLE, "mla") == (
        "Katsimon, Olga. “North Korean Troops Concentrated in Kursk Oblast to Support Border "
        "Security, Kyiv Says.” Ukrainska Pravda, 7 Sept. 2025, "
        "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/.")


def test_the_analyst_citation_of_a_quote_leads_with_the_words_and_ends_with_the_judgement():
    assert cite_annotation(QUOTE, SAMPLE, "analyst") == (
        "“There are all the signs that by the end of the year, Russia will fully meet its "
        "recruitment plan.” — Vadym Skibitskyi (interview with Ukrinform). Olga Katsimon, "
        "“North Korean Troops Concentrated in Kursk Oblast to Support Border Security, Kyiv "
        "Says,” Ukrainska Pravda, September 7, 2025, "
        "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/. [quote · likely (68%) · B2]")


def test_the_sources_role_follows_the_name_before_the_channel():
    role = "Deputy Head of Defence Intelligence of Ukraine"
    assert cite_annotation(annotation(role=role), SAMPLE).startswith(
        "“There are all the signs that by the end of the year, Russia will fully meet its "
        "recruitment plan.” — Vadym Skibitskyi, Deputy Head of Defence Intelligence of Ukraine "
        "(interview with Ukrinform). Olga Katsimon, “North Korean Troops")


def test_analyst_is_the_default_style_and_cites_an_article_alone_as_a_chicago_note():
    assert cite_annotation(QUOTE, SAMPLE) == cite_annotation(QUOTE, SAMPLE, "analyst")
    assert cite_article(SAMPLE) == cite_article(SAMPLE, "chicago-note")


def test_the_time_and_offset_of_publication_do_not_change_the_date_cited():
    for published in ("2025-09-07", "2025-09-07T17:21", "2025-09-07T17:21+03:00",
                      "2025-09-07T17:21:05Z"):
        assert cite_all(article(published=published)) == cite_all(SAMPLE)


# --- authors -------------------------------------------------------------------------------


def test_two_authors_are_joined_as_each_style_joins_them():
    assert cite_all(article(authors=["Olga Katsimon", "John Paul Smith"])) == {
        "chicago-note": f"Olga Katsimon and John Paul Smith, “{TITLED},” Ukrainska Pravda, "
                        f"September 7, 2025, {URL}.",
        "chicago-bib": f"Katsimon, Olga, and John Paul Smith. “{TITLED}.” Ukrainska Pravda, "
                       f"September 7, 2025. {URL}.",
        "apa": f"Katsimon, O., & Smith, J. P. (2025, September 7). {AS_GIVEN}. Ukrainska "
               f"Pravda. {URL}",
        "mla": f"Katsimon, Olga, and John Paul Smith. “{TITLED}.” Ukrainska Pravda, 7 Sept. "
               f"2025, {URL}.",
    }


def test_three_authors_are_one_and_et_al_in_a_chicago_note_and_in_mla():
    # Chicago 18th: a note names the first of three or more authors and adds "et al.".
    assert cite_all(article(authors=["Olga Katsimon", "John Smith", "Jean-Paul Doe"])) == {
        "chicago-note": f"Olga Katsimon et al., “{TITLED},” Ukrainska Pravda, September 7, "
                        f"2025, {URL}.",
        "chicago-bib": f"Katsimon, Olga, John Smith, and Jean-Paul Doe. “{TITLED}.” Ukrainska "
                       f"Pravda, September 7, 2025. {URL}.",
        "apa": f"Katsimon, O., Smith, J., & Doe, J.-P. (2025, September 7). {AS_GIVEN}. "
               f"Ukrainska Pravda. {URL}",
        "mla": f"Katsimon, Olga, et al. “{TITLED}.” Ukrainska Pravda, 7 Sept. 2025, {URL}.",
    }


def test_four_authors_shorten_to_et_al_in_a_note_but_not_in_a_bibliography():
    cited = cite_all(article(authors=["Olga Katsimon", "John Smith", "Jean-Paul Doe",
                                      "Mary Ann Roe"]))
    assert cited["chicago-note"].startswith("Olga Katsimon et al., “North Korean")
    assert cited["chicago-bib"].startswith(
        "Katsimon, Olga, John Smith, Jean-Paul Doe, and Mary Ann Roe. “North Korean")
    assert cited["apa"].startswith("Katsimon, O., Smith, J., Doe, J.-P., & Roe, M. A. (2025")
    assert cited["mla"].startswith("Katsimon, Olga, et al. “North Korean")


def test_long_author_lists_are_cut_as_chicago_and_apa_prescribe():
    given = ("Anna Boris Chen Dana Emil Fedir Galyna Hanna Ivan Jana Kateryna Lev Maria Nina "
             "Oleh Petro Roman Sofia Taras Uliana Vira Yurii").split()
    family = ("Adams Bondar Chen Dudko Ernst Franko Gonchar Hrytsenko Ilchenko Jovanovic "
              "Kovalenko Lysenko Melnyk Novak Oliynyk Petrenko Rudenko Savchenko Tkachenko "
              "Usenko Vovk Yatsenko").split()
    cited = cite_all(article(authors=[f"{g} {f}" for g, f in zip(given, family)]))
    # Chicago 18th: seven or more authors, the first three and "et al."
    assert cited["chicago-bib"].startswith(
        "Adams, Anna, Boris Bondar, Chen Chen, et al. “North Korean")
    # APA 7th: more than twenty, the first nineteen, an ellipsis, and the last.
    assert cited["apa"].startswith(
        "Adams, A., Bondar, B., Chen, C., Dudko, D., Ernst, E., Franko, F., Gonchar, G., "
        "Hrytsenko, H., Ilchenko, I., Jovanovic, J., Kovalenko, K., Lysenko, L., Melnyk, M., "
        "Novak, N., Oliynyk, O., Petrenko, P., Rudenko, R., Savchenko, S., Tkachenko, T., … "
        "Yatsenko, Y. (2025, September 7).")
    assert cited["chicago-note"].startswith("Anna Adams et al., “North Korean")
    assert cited["mla"].startswith("Adams, Anna, et al. “North Korean")


def test_an_organisation_as_author_is_cited_as_written():
    cited = cite_all(article(authors=["Reuters"], published="2024-12-31"))
    assert cited["chicago-note"] == (f"Reuters, “{TITLED},” Ukrainska Pravda, December 31, "
                                     f"2024, {URL}.")
    assert cited["chicago-bib"] == (f"Reuters. “{TITLED}.” Ukrainska Pravda, December 31, "
                                    f"2024. {URL}.")
    assert cited["apa"] == (f"Reuters. (2024, December 31). {AS_GIVEN}. Ukrainska Pravda. "
                            f"{URL}")
    assert cited["mla"] == f"Reuters. “{TITLED}.” Ukrainska Pravda, 31 Dec. 2024, {URL}."


def test_particles_and_suffixes_sit_where_each_style_puts_them():
    cited = cite_all(article(authors=["Vincent van Gogh", "Martin Luther King Jr."]))
    assert cited["chicago-note"].startswith(
        "Vincent van Gogh and Martin Luther King Jr., “North Korean")
    assert cited["chicago-bib"].startswith(
        "Gogh, Vincent van, and Martin Luther King Jr. “North Korean")
    assert cited["apa"].startswith("van Gogh, V., & King, M. L., Jr. (2025, September 7).")
    assert cited["mla"].startswith("van Gogh, Vincent, and Martin Luther King Jr. “North")


def test_apostrophes_in_names_are_curled():
    cited = cite_all(article(authors=["Cathy O'Neil"]))
    assert cited["apa"].startswith("O’Neil, C. (2025")
    assert cited["chicago-note"].startswith("Cathy O’Neil, “North")


# --- missing parts -------------------------------------------------------------------------


def test_without_an_author_each_style_starts_with_what_it_puts_in_the_authors_place():
    assert cite_all(article(authors=[])) == {
        "chicago-note": f"“{TITLED},” Ukrainska Pravda, September 7, 2025, {URL}.",
        # Chicago's bibliography files a newspaper article without a byline under the paper.
        "chicago-bib": f"Ukrainska Pravda. “{TITLED}.” September 7, 2025. {URL}.",
        "apa": f"{AS_GIVEN}. (2025, September 7). Ukrainska Pravda. {URL}",
        "mla": f"“{TITLED}.” Ukrainska Pravda, 7 Sept. 2025, {URL}.",
    }


def test_without_a_date_chicago_and_apa_say_no_date_and_mla_leaves_it_out():
    assert cite_all(article(published=None)) == {
        "chicago-note": f"Olga Katsimon, “{TITLED},” Ukrainska Pravda, n.d., {URL}.",
        "chicago-bib": f"Katsimon, Olga. “{TITLED}.” Ukrainska Pravda, n.d. {URL}.",
        # APA asks for "Retrieved <date> from"; with no access date the style keeps the word.
        "apa": f"Katsimon, O. (n.d.). {AS_GIVEN}. Ukrainska Pravda. Retrieved {URL}",
        "mla": f"Katsimon, Olga. “{TITLED}.” Ukrainska Pravda, {URL}.",
    }


def test_an_unreadable_date_is_cited_as_no_date():
    assert cite_all(article(published="sometime in September")) == cite_all(
        article(published=None))


def test_without_a_url_the_citation_ends_after_the_date():
    assert cite_all(article(url=None)) == {
        "chicago-note": f"Olga Katsimon, “{TITLED},” Ukrainska Pravda, September 7, 2025.",
        "chicago-bib": f"Katsimon, Olga. “{TITLED}.” Ukrainska Pravda, September 7, 2025.",
        "apa": f"Katsimon, O. (2025, September 7). {AS_GIVEN}. Ukrainska Pravda.",
        "mla": f"Katsimon, Olga. “{TITLED}.” Ukrainska Pravda, 7 Sept. 2025.",
    }


def test_without_author_or_outlet_the_title_leads_unquoted():
    assert cite_all(article(authors=[], outlet=None, published="2025-02-03")) == {
        "chicago-note": f"{TITLED}, February 3, 2025, {URL}.",
        "chicago-bib": f"{TITLED}. February 3, 2025. {URL}.",
        "apa": f"{AS_GIVEN}. (2025, February 3). {URL}",
        "mla": f"{TITLED}. 3 Feb. 2025, {URL}.",
    }


@pytest.mark.parametrize("outlet", ["POLYGRAPH.info", "Express.co.uk", "rt.com", "iStories",
                                    "MediaZona", "theins.ru"])
def test_an_outlet_that_is_a_domain_or_has_inner_capitals_keeps_its_own_capitals(outlet):
    cited = cite_all(article(outlet=outlet))
    assert f"” {outlet}, September 7, 2025, https" in cited["chicago-note"]
    assert f"” {outlet}, September 7, 2025. https" in cited["chicago-bib"]
    assert f". {outlet}. https" in cited["apa"]
    assert f"” {outlet}, 7 Sept. 2025, https" in cited["mla"]
    assert f"*{outlet}*, September 7, 2025" in cite_article(article(outlet=outlet), "markdown")


def test_an_outlet_in_plain_words_is_still_title_cased():
    cited = cite_all(article(outlet="the kyiv independent"))
    assert "” The Kyiv Independent, September 7" in cited["chicago-note"]
    assert ". The Kyiv Independent. https" in cited["apa"]


def test_the_csl_item_protects_an_outlet_that_keeps_its_own_capitals_as_zotero_users_do():
    protected = csl_item(article(outlet="POLYGRAPH.info"))
    assert protected["container-title"] == '<span class="nocase">POLYGRAPH.info</span>'
    exported = json.loads(cite_article(article(outlet="Express.co.uk"), "csl-json"))
    assert exported[0]["container-title"] == '<span class="nocase">Express.co.uk</span>'
    assert csl_item(SAMPLE)["container-title"] == "Ukrainska Pravda"


def test_an_outlet_the_analyst_protected_is_neither_title_cased_nor_protected_twice():
    written = '<span class="nocase">the Guardian</span>'
    assert csl_item(article(outlet=written))["container-title"] == written
    cited = cite_all(article(outlet=written))
    assert "” the Guardian, September 7, 2025, https" in cited["chicago-note"]
    assert ". the Guardian. https" in cited["apa"]
    partly = cite_article(article(outlet='the <span class="nocase">iPaper</span> weekly'),
                          "chicago-note")
    assert "” The iPaper Weekly, September 7" in partly


def test_a_month_without_a_day_is_cited_as_a_month():
    cited = cite_all(article(published="2025-05"))
    assert "Ukrainska Pravda, May 2025, https" in cited["chicago-note"]
    assert "Ukrainska Pravda, May 2025. https" in cited["chicago-bib"]
    assert cited["apa"].startswith("Katsimon, O. (2025, May). North")
    assert "Ukrainska Pravda, May 2025, https" in cited["mla"]


@pytest.mark.parametrize(("month", "mla"), list(enumerate(
    ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
     "Dec."], start=1)))
def test_mla_abbreviates_months_as_the_handbook_does(month, mla):
    cited = cite_article(article(published=f"2024-{month:02d}-09"), "mla")
    assert f"Ukrainska Pravda, 9 {mla} 2024, https" in cited


# --- titles --------------------------------------------------------------------------------


def test_chicago_and_mla_capitalise_a_headline_and_apa_keeps_it_as_given():
    headline = ("a plan to join NATO as a member: what to do in kyiv until the end, through "
                "talks between allies and about the iPhone")
    capitalised = ("A Plan to Join NATO as a Member: What to Do in Kyiv until the End, "
                   "through Talks between Allies and about the iPhone")
    cited = cite_all(article(title=headline, published="2025-06-01"))
    assert cited == {
        "chicago-note": f"Olga Katsimon, “{capitalised},” Ukrainska Pravda, June 1, 2025, {URL}.",
        "chicago-bib": f"Katsimon, Olga. “{capitalised}.” Ukrainska Pravda, June 1, 2025. {URL}.",
        "apa": f"Katsimon, O. (2025, June 1). {headline}. Ukrainska Pravda. {URL}",
        "mla": f"Katsimon, Olga. “{capitalised}.” Ukrainska Pravda, 1 June 2025, {URL}.",
    }


def test_a_title_ending_in_a_question_mark_keeps_it_and_merges_what_follows():
    title = "Will Russia meet its recruitment plan by the end of the year?"
    cited = cite_all(article(title=title))
    # citeproc-js keeps the comma of a note after the question mark: “…?,”
    assert cited["chicago-note"].startswith(
        "Olga Katsimon, “Will Russia Meet Its Recruitment Plan by the End of the Year?,” "
        "Ukrainska Pravda,")
    assert "the Year?” Ukrainska Pravda, September 7, 2025. https" in cited["chicago-bib"]
    assert f"(2025, September 7). {title} Ukrainska Pravda. https" in cited["apa"]
    assert "the Year?” Ukrainska Pravda, 7 Sept. 2025, https" in cited["mla"]


def test_quotation_marks_inside_a_title_are_curled_and_nested():
    cited = cite_all(article(title='Zelensky says "we will not give up" as Russia\'s '
                                   "offensive stalls"))
    assert "“Zelensky Says ‘We Will Not Give up’ as Russia’s Offensive Stalls,”" in cited[
        "chicago-note"]
    assert "“Zelensky Says ‘We Will Not Give up’ as Russia’s Offensive Stalls.”" in cited["mla"]
    assert "Zelensky says “we will not give up” as Russia’s offensive stalls. Ukrainska" in (
        cited["apa"])


def test_punctuation_goes_inside_a_quotation_that_ends_a_title():
    cited = cite_all(article(title='Zelensky: "we will win"'))
    assert "“Zelensky: ‘We Will Win,’” Ukrainska Pravda" in cited["chicago-note"]
    assert "“Zelensky: ‘We Will Win.’” Ukrainska Pravda" in cited["chicago-bib"]
    assert "Zelensky: “we will win.” Ukrainska Pravda" in cited["apa"]


def test_a_title_in_another_language_is_not_title_cased():
    title = "Північнокорейські війська зосереджені в Курській області"
    cited = cite_all(article(title=title, language="uk", outlet="Українська правда"))
    assert cited["chicago-note"] == (f"Olga Katsimon, “{title},” Українська правда, "
                                     f"September 7, 2025, {URL}.")
    assert cited["mla"] == f"Katsimon, Olga. “{title}.” Українська правда, 7 Sept. 2025, {URL}."
    english_lowercase = article(title="troops in kursk", language="en-GB")
    assert "“Troops in Kursk,”" in cite_article(english_lowercase, "chicago-note")
    not_english = article(title="troops in kursk", language="uk")
    assert "“troops in kursk,”" in cite_article(not_english, "chicago-note")
    unknown = article(title="troops in kursk", language=None)
    assert "“Troops in Kursk,”" in cite_article(unknown, "chicago-note")


@pytest.mark.parametrize(("given", "expected"), [
    ("north korean troops in kursk", "North Korean Troops in Kursk"),
    ("a war between states", "A War between States"),           # first word always
    ("what they fought for", "What They Fought For"),           # last word always
    ("the plan: a test of will", "The Plan: A Test of Will"),   # after a colon
    ("is it over? a look back", "Is It over? A Look Back"),     # "over" is a preposition
    ("talks until the end, through winter", "Talks until the End, through Winter"),
    ("NATO and the iPhone", "NATO and the iPhone"),             # capitals are left alone
    ("kyiv-based analysts on up-to-date maps", "Kyiv-Based Analysts on up-to-Date Maps"),
    ("out-of-town reporters", "Out-of-Town Reporters"),
    ("plan b for x", "Plan b for x"),                           # single letters stay
    ("as the war goes on", "As the War Goes On"),
    ("", ""),
])
def test_title_case_follows_the_reference_processor(given, expected):
    assert title_case(given) == expected


# --- the CSL-JSON item ---------------------------------------------------------------------


def test_the_csl_item_of_the_sample_article():
    assert csl_item(SAMPLE) == {
        "id": "kursk01",
        "type": "article-newspaper",
        "title": AS_GIVEN,
        "author": [{"family": "Katsimon", "given": "Olga"}],
        "container-title": "Ukrainska Pravda",
        "URL": URL,
        "issued": {"date-parts": [[2025, 9, 7]]},
        "language": "en",
    }


def test_the_csl_item_leaves_out_what_the_article_does_not_have():
    item = csl_item({"id": 7, "title": "Untitled dispatch", "authors": [], "outlet": None,
                     "url": None, "published": None, "section": None, "language": None})
    assert item == {"id": "7", "type": "article-newspaper", "title": "Untitled dispatch"}


@pytest.mark.parametrize(("written", "name"), [
    ("Olga Katsimon", {"family": "Katsimon", "given": "Olga"}),
    ("John Paul Smith", {"family": "Smith", "given": "John Paul"}),
    ("Katsimon, Olga", {"family": "Katsimon", "given": "Olga"}),
    ("C.S. Lewis", {"family": "Lewis", "given": "C. S."}),
    ("Vincent van Gogh", {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}),
    ("Ursula von der Leyen",
     {"family": "Leyen", "given": "Ursula", "non-dropping-particle": "von der"}),
    ("Bashar al-Assad", {"family": "Assad", "given": "Bashar", "non-dropping-particle": "al-"}),
    ("Marine Le Pen", {"family": "Le Pen", "given": "Marine"}),
    ("Martin Luther King Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
    ("King, Martin Luther, Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
    ("Ольга Кацимон", {"family": "Кацимон", "given": "Ольга"}),
    ("Reuters", {"literal": "Reuters"}),
    ("BBC News", {"literal": "BBC News"}),
    ("Ministry of Defence of Ukraine", {"literal": "Ministry of Defence of Ukraine"}),
    ("Staff Reporter", {"literal": "Staff Reporter"}),
    ("习近平", {"literal": "习近平"}),
    ("  Olga   Katsimon ", {"family": "Katsimon", "given": "Olga"}),
])
def test_authors_are_split_into_csl_names_sensibly(written, name):
    assert csl_name(written) == name


def test_authors_written_as_one_string_are_split_at_semicolons():
    assert csl_item(article(authors="Olga Katsimon; Reuters"))["author"] == [
        {"family": "Katsimon", "given": "Olga"}, {"literal": "Reuters"}]


def test_blank_authors_are_dropped():
    assert csl_name("  ") is None
    assert csl_item(article(authors=["", "Olga Katsimon"]))["author"] == [
        {"family": "Katsimon", "given": "Olga"}]


@pytest.mark.parametrize(("published", "parts"), [
    ("2025-09-07", [2025, 9, 7]), ("2025-09-07T17:21", [2025, 9, 7]),
    ("2025-09-07T17:21+03:00", [2025, 9, 7]), ("2025-09-08T01:30+03:00", [2025, 9, 8]),
    ("2025-09", [2025, 9]), ("2025", [2025]),
    (None, None), ("", None), ("yesterday", None), ("2025-13-01", None), ("2025-02-30", None),
])
def test_publication_dates_become_csl_date_parts_in_the_articles_own_time_zone(published,
                                                                                parts):
    assert date_parts(published) == parts


def test_the_csl_json_style_is_the_article_as_a_one_item_list():
    text = cite_article(article(title="Зеленський: «ми переможемо»"), "csl-json")
    assert json.loads(text) == [csl_item(article(title="Зеленський: «ми переможемо»"))]
    assert "Зеленський" in text  # not escaped
    assert text.startswith('[\n  {\n    "id": "kursk01"')  # indented by two
    assert cite_annotation(QUOTE, SAMPLE, "csl-json") == cite_article(SAMPLE, "csl-json")


# --- styles --------------------------------------------------------------------------------


def test_the_styles_are_the_seven_of_the_design():
    assert STYLES == ("analyst", "chicago-note", "chicago-bib", "apa", "mla", "markdown",
                      "csl-json")
    for style in STYLES:
        assert cite_article(SAMPLE, style)
        assert cite_annotation(QUOTE, SAMPLE, style)


@pytest.mark.parametrize("style", ["harvard", "APA", "", "chicago"])
def test_an_unknown_style_is_refused_with_the_list_of_styles(style):
    for cite in (lambda: cite_article(SAMPLE, style),
                 lambda: cite_annotation(QUOTE, SAMPLE, style)):
        with pytest.raises(ValidationError) as raised:
            cite()
        assert raised.value.field == "style"
        assert all(name in raised.value.advice for name in STYLES)


# --- annotations ---------------------------------------------------------------------------


def test_a_quote_in_any_style_leads_with_its_words_then_the_article_in_that_style():
    lead = ("“There are all the signs that by the end of the year, Russia will fully meet its "
            "recruitment plan.” — Vadym Skibitskyi (interview with Ukrinform). ")
    for style in ("chicago-note", "chicago-bib", "apa", "mla"):
        assert cite_annotation(QUOTE, SAMPLE, style) == lead + cite_article(SAMPLE, style)


def test_a_claim_is_introduced_as_a_claim_not_put_in_quotation_marks():
    claim = annotation(kind="claim", exact="About 6,000 North Korean troops are in Kursk",
                       source="Vadym Skibitskyi", role=None, via=None, confidence=None,
                       grade=None)
    assert cite_annotation(claim, SAMPLE) == (
        "Claim: About 6,000 North Korean troops are in Kursk — Vadym Skibitskyi. "
        f"{cite_article(SAMPLE, 'chicago-note')} [claim]")


def test_a_claim_with_nobody_named_ends_as_a_sentence_before_the_citation():
    claim = annotation(kind="claim", exact="Troops were moved to Kursk", source=None,
                       via=None)
    assert cite_annotation(claim, SAMPLE, "apa") == (
        f"Claim: Troops were moved to Kursk. {cite_article(SAMPLE, 'apa')}")


def test_a_quote_with_nobody_named_is_its_words_then_the_citation():
    anonymous = annotation(source=None, role=None, via=None)
    assert cite_annotation(anonymous, SAMPLE, "chicago-note") == (
        "“There are all the signs that by the end of the year, Russia will fully meet its "
        f"recruitment plan.” {cite_article(SAMPLE, 'chicago-note')}")


@pytest.mark.parametrize(("source", "role", "via", "said"), [
    ("Vadym Skibitskyi", None, None, "Vadym Skibitskyi"),
    ("Vadym Skibitskyi", "deputy head", None, "Vadym Skibitskyi, deputy head"),
    ("Vadym Skibitskyi", "deputy head", "Ukrinform", "Vadym Skibitskyi, deputy head (Ukrinform)"),
    (None, "a military source", None, "a military source"),
    (None, None, "interview with Ukrinform", "interview with Ukrinform"),
    (None, "a military source", "Ukrinform", "a military source (Ukrinform)"),
    ("  Vadym   Skibitskyi ", "", "  ", "Vadym Skibitskyi"),
    (None, None, None, ""),
])
def test_missing_parts_of_an_attribution_leave_no_stray_commas_or_brackets(source, role, via,
                                                                            said):
    assert attribution(annotation(source=source, role=role, via=via)) == said


@pytest.mark.parametrize(("role", "via", "said"), [
    ("deputy head of the Defence Intelligence of Ukraine (DIU)", "Ukrinform",
     "Vadym Skibitskyi, deputy head of the Defence Intelligence of Ukraine (DIU), via Ukrinform"),
    ("deputy head (DIU)", "via Ukrinform", "Vadym Skibitskyi, deputy head (DIU), via Ukrinform"),
    ("deputy head", "Ukrinform (interview)",
     "Vadym Skibitskyi, deputy head, via Ukrinform (interview)"),
])
def test_via_is_never_a_second_or_nested_parenthesis(role, via, said):
    assert attribution(annotation(role=role, via=via)) == said
    cited = cite_annotation(annotation(role=role, via=via), SAMPLE, "chicago-note")
    assert f"— {said}. Olga Katsimon" in cited
    assert ") (" not in cited


def test_a_source_ending_in_a_period_does_not_get_a_second_one():
    quote = annotation(source="Martin Luther King Jr.", via=None)
    assert "” — Martin Luther King Jr. Olga Katsimon," in cite_annotation(quote, SAMPLE)


def test_line_breaks_inside_a_span_become_spaces_in_a_one_line_citation():
    quote = annotation(exact="First line,\nsecond line.", via=None)
    assert cite_annotation(quote, SAMPLE).startswith(
        "“First line, second line.” — Vadym Skibitskyi. Olga")


@pytest.mark.parametrize(("changes", "tally"), [
    ({}, "[quote · likely (68%) · B2]"),
    ({"confidence": None, "grade": None}, "[quote]"),
    ({"confidence": None}, "[quote · B2]"),
    ({"grade": None, "confidence": 3}, "[quote · almost no chance (3%)]"),
    ({"kind": "claim", "confidence": None, "grade": None}, "[claim]"),
    ({"kind": "claim", "confidence": 0, "grade": "F6"}, "[claim · almost no chance (0%) · F6]"),
])
def test_the_analyst_style_ends_with_what_is_known_of_kind_confidence_and_grade(changes,
                                                                                tally):
    assert cite_annotation(annotation(**changes), SAMPLE).endswith(f"/. {tally}")


def test_the_markdown_style_is_a_blockquote_then_the_attribution_and_a_linked_citation():
    assert cite_annotation(QUOTE, SAMPLE, "markdown") == (
        "> There are all the signs that by the end of the year, Russia will fully meet its "
        "recruitment plan.\n"
        "\n"
        "— Vadym Skibitskyi (interview with Ukrinform). Olga Katsimon, “North Korean Troops "
        "Concentrated in Kursk Oblast to Support Border Security, Kyiv Says,” *Ukrainska "
        "Pravda*, September 7, 2025, [https://www.pravda.com.ua/eng/news/2025/09/7/7529739/]"
        "(https://www.pravda.com.ua/eng/news/2025/09/7/7529739/).")


def test_a_markdown_blockquote_keeps_every_line_of_the_span():
    quote = annotation(exact="First paragraph.\n\nSecond paragraph.", source=None, via=None)
    cited = cite_annotation(quote, SAMPLE, "markdown")
    assert cited.startswith("> First paragraph.\n>\n> Second paragraph.\n\nOlga Katsimon, “")


def test_a_markdown_citation_of_an_article_alone_is_just_the_citation_line():
    cited = cite_article(article(outlet="the *star* [daily]"), "markdown")
    assert cited == (
        f"Olga Katsimon, “{TITLED},” *The \\*star\\* \\[Daily\\]*, September 7, 2025, "
        f"[{URL}]({URL}).")
    assert "\n" not in cited


def test_a_markdown_citation_without_an_outlet_puts_the_title_in_italics():
    cited = cite_article(article(outlet=None, url="https://example.org/a (1)"), "markdown")
    assert cited == (f"Olga Katsimon, *{TITLED}*, September 7, 2025, "
                     "[https://example.org/a (1)](<https://example.org/a (1)>).")


# --- boundaries (issue 8) --------------------------------------------------------------------

TWENTY_ONE = [f"{given} {family}" for given, family in zip(
    "Anna Boris Chen Dana Emil Fedir Galyna Hanna Ivan Jana Kateryna Lev Maria Nina Oleh Petro "
    "Roman Sofia Taras Uliana Vira".split(),
    "Adams Bondar Chen Dudko Ernst Franko Gonchar Hrytsenko Ilchenko Jovanovic Kovalenko Lysenko "
    "Melnyk Novak Oliynyk Petrenko Rudenko Savchenko Tkachenko Usenko Vovk".split())]
NINETEEN_APA = ("Adams, A., Bondar, B., Chen, C., Dudko, D., Ernst, E., Franko, F., Gonchar, G., "
                "Hrytsenko, H., Ilchenko, I., Jovanovic, J., Kovalenko, K., Lysenko, L., "
                "Melnyk, M., Novak, N., Oliynyk, O., Petrenko, P., Rudenko, R., Savchenko, S., "
                "Tkachenko, T., ")


def test_apa_lists_twenty_authors_in_full_and_cuts_twenty_one_to_nineteen_and_the_last():
    twenty = cite_article(article(authors=TWENTY_ONE[:20]), "apa")
    assert twenty.startswith(NINETEEN_APA + "& Usenko, U. (2025, September 7).")
    twenty_one = cite_article(article(authors=TWENTY_ONE), "apa")
    assert twenty_one.startswith(NINETEEN_APA + "… Vovk, V. (2025, September 7).")
    assert "Usenko" not in twenty_one


@pytest.mark.parametrize("name", ["Who Said It?", "Stop Them!"])
@pytest.mark.parametrize("style", ["analyst", "chicago-note", "apa", "mla"])
def test_a_source_name_ending_in_a_question_or_exclamation_mark_gets_no_extra_period(name, style):
    bare = cite_annotation(annotation(source=name, role=None, via=None), SAMPLE, style)
    assert f"— {name} " in bare and f"{name}." not in bare and f"{name}," not in bare


# --- a span with the article's own quotation marks ------------------------------------------

@pytest.mark.parametrize("exact, shown", [
    # The article's quotation at the start: nested in single marks, not doubled.
    ('"There is no plan," he said', "“‘There is no plan,’ he said”"),
    ("“There is no plan,” he said", "“‘There is no plan,’ he said”"),
    ("he said: 'Nothing.'", "“he said: ‘Nothing.’”"),
    # The span is one quotation: margin's marks replace the article's.
    ('"There is no plan."', "“There is no plan.”"),
    ("“There is no plan”.", "“There is no plan.”"),
    ("‘There is no plan.’", "“There is no plan.”"),
    ("«Плану немає»", "“Плану немає”"),
    # Quotations within quotations alternate, however the article typed them.
    ("“He said: ‘We will \"never\" give up.’”", "“He said: ‘We will “never” give up.’”"),
    ('He said: "We will \'never\' give up."', "“He said: ‘We will “never” give up.’”"),
    # A quotation running past the span's edge: no mark of its own at that edge, and the
    # inner one kept, at its depth.
    ("“There is no plan", "“There is no plan”"),
    ('no plan," he said', "“no plan,’ he said”"),
    # Apostrophes are not quotation marks.
    ("the soldiers’ rifles and Russia's plan", "“the soldiers’ rifles and Russia’s plan”"),
])
def test_a_span_is_shown_in_one_pair_of_quotation_marks_with_its_own_nested(exact, shown):
    assert quote_span(exact) == shown


def test_a_cut_span_keeps_its_closing_mark_after_the_ellipsis():
    assert quote_span('"There is no plan at all," he said', 20) == "“‘There is no plan a…”"


def test_a_quote_whose_span_starts_with_the_articles_marks_is_cited_without_doubled_marks():
    quote = annotation(exact='"There is no plan," he said', via=None)
    assert cite_annotation(quote, SAMPLE, "mla").startswith(
        "“‘There is no plan,’ he said” — Vadym Skibitskyi. Katsimon, Olga.")
    assert cite_annotation(quote, SAMPLE).startswith(
        "“‘There is no plan,’ he said” — Vadym Skibitskyi. Olga Katsimon,")
