"""Which outlet published a web page: the one rule for the outlet of an imported page.

Every citation prints the outlet, so it must be the name a reader would look for, never a
label that merely travels with the page. In order:

1. The name the page gives itself as a site: ``og:site_name``, then ``application-name``,
   then the publisher of its article in linked data. A candidate is passed over when it is
   a social-media handle ("@politifact") or an address, when it is only the first label of
   the page's host ("Hosted" on hosted.ap.org: a hosting service, not the outlet), or when
   it repeats the article's title (MSN's ``application-name``).
2. A site name in capitals that is the initials of the publisher's name gives way to that
   name ("WSJ" to "Wall Street Journal"): a citation spells the outlet out.
3. With no such name, the site's domain as the page's own title spells it ("PolitiFact" in
   "… | PolitiFact West Virginia" on politifact.com), then the domain itself
   ("sputniknews.com"): an analyst can trust and check a domain, not a guessed name. A
   social-media handle is never used, however the domain is spelt there.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from store.ingest.draft import clean_field
from store.ingest.linked_data import linked_data_publisher, plain_letters

# What pages put between a headline and their own name in <title>: "Headline - The Paradigm",
# "Headline | Al Bawaba", "Site — Headline".
TITLE_SEPARATOR_RE = re.compile(r"\s+(?:[-–—|·»:]|::)\s+")
# Words left out of initials: "The Wall Street Journal" is WSJ.
_MINOR_WORDS = frozenset("a an and for in of on the".split())


def page_outlet(tree: Any, url: str | None, title: str | None) -> str | None:
    """The outlet of a parsed page fetched from (or stating) ``url``, whose title is ``title``."""
    host = _host(url)
    names = [name for name in _self_names(tree) if _names_an_outlet(name, host, title)]
    if names:
        first = names[0]
        fuller = next((name for name in names[1:] if _is_initials_of(first, name)), None)
        return fuller or first
    domain = _domain(url)
    if not domain:
        return None
    return _domain_as_titled(domain, _title_element(tree)) or domain


def site_names(tree: Any) -> list[str]:
    """Every name the page gives itself as a site, trusted or not (for trimming its title)."""
    return _self_names(tree)


def _self_names(tree: Any) -> list[str]:
    """The page's names for itself, in the order they are trusted."""
    names = [_meta(tree, "og:site_name"), _meta(tree, "application-name"), linked_data_publisher(tree)]
    return [name for name in (clean_field(name or "") for name in names) if name]


def _meta(tree: Any, key: str) -> str | None:
    """The content of the first <meta> whose property or name is ``key``."""
    for meta in tree.iterfind(".//meta"):
        if key in ((meta.get("property") or "").strip().lower(), (meta.get("name") or "").strip().lower()):
            content = (meta.get("content") or "").strip()
            if content:
                return content
    return None


def _names_an_outlet(name: str, host: str | None, title: str | None) -> bool:
    """Whether a name the page gives itself can stand as its outlet (see the module's rule)."""
    if name.startswith("@") or re.match(r"^[a-z][a-z0-9+.-]*://", name, re.IGNORECASE):
        return False
    if title and plain_letters(name) == plain_letters(title):
        return False
    if host:
        labels = host.split(".")
        if len(labels) > 2 and plain_letters(name) == plain_letters(labels[0]):
            return False
    return True


def _is_initials_of(short: str, name: str) -> bool:
    """Whether ``short`` is ``name``'s initials in capitals ("WSJ", "Wall Street Journal")."""
    words = [word for word in re.findall(r"[^\W\d_]+", name) if word.casefold() not in _MINOR_WORDS]
    return (len(short) >= 2 and short.isalpha() and short.isupper()
            and "".join(word[0] for word in words).upper() == short)


def _domain_as_titled(domain: str, title: str | None) -> str | None:
    """The site's name as the page's <title> spells it: the words at the start of its first
    or last part whose letters are the domain's name ("PolitiFact" for politifact.com)."""
    if not title:
        return None
    parts = TITLE_SEPARATOR_RE.split(title)
    if len(parts) < 2:
        return None
    wanted = plain_letters(domain.split(".")[0])
    for part in (parts[-1], parts[0]):
        words = part.split()
        for count in range(1, len(words) + 1):
            spelt = plain_letters(" ".join(words[:count]))
            if spelt == wanted:
                return " ".join(words[:count])
            if not wanted.startswith(spelt):
                break
    return None


def _title_element(tree: Any) -> str | None:
    """The text of the page's <title>, where sites put their own name beside the headline."""
    element = tree.find(".//title")
    return clean_field(element.text_content()) if element is not None else None


def _host(url: str | None) -> str | None:
    """The host name of ``url`` without a leading "www.", in lower case."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return re.sub(r"^www\d*\.", "", host) if host else None


def _domain(url: str | None) -> str | None:
    """The registered domain of ``url`` ("ap.org" for hosted.ap.org); None for a bare address."""
    if not url:
        return None
    from courlan import extract_domain  # trafilatura's own helper, with the public-suffix list

    return extract_domain(url)

