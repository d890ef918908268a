"""margin's citations against citeproc-js on many random articles: how many differ.

    python bench/citeproc.py [--articles 2000] [--seed 1] [--show 5]

Not a timing: a bigger, randomised version of ``tests/test_citeproc.py``. Articles are drawn
with a fixed seed from names (people, particles, initials, organisations, non-Latin scripts),
titles (quotes straight and curly, colons, question marks, hyphens, short words), outlets
(domains, inner capitals, protected by hand), dates (full, month, year, none) and days read.
Every article goes through citeproc-js (one node process) and margin; the script prints, for
each style, the number that differ and the first few of them, and exits 1 if any do.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository first (this folder's store.py would hide the store package), then the tests'
# harness.
sys.path[0:1] = [str(ROOT), str(ROOT / "tests")]

import citeproc_harness  # noqa: E402

from store.citations import cite_article, csl_item  # noqa: E402

GIVEN = ["Olga", "John", "Anna-Maria", "C.S.", "Jean-Paul", "Mary Ann", "Kim", "Li", "Sean",
         "Yuliia", "B", "Th.", "Oleksandr", "Ana", "José"]
FAMILY = ["Katsimon", "Smith", "van Gogh", "de la Fontaine", "Le Pen", "al-Assad", "O'Brien",
          "Kovalenko", "von Mises", "Müller", "Dysa", "McCain", "du Pont", "Jong-un"]
ORGANISATIONS = ["Reuters", "BBC News", "Ministry of Defence of Ukraine", "Staff Reporter",
                 "The Associated Press", "AFP", "Institute for the Study of War"]
OTHER_SCRIPTS = ["Ольга Кацимон", "李伟", "Олександр Коваленко"]
WORDS = ["troops", "the", "of", "in", "war", "says", "Kyiv", "NATO", "drone", "on", "a", "and",
         "front", "iPhone", "up-to-date", "to", "from", "over", "Russia's", "it's", "via", "vs.",
         "out-of-town", "EU", "grain", "talks", "about", "40%", "strike", "near", "with"]
OUTLETS = ["Ukrainska Pravda", "POLYGRAPH.info", "Express.co.uk", "rt.com", "the Guardian",
           "Kyiv Post", "RFE/RL", "NV.ua", "iStories", "MediaZona", "theins.ru",
           "the kyiv independent", '<span class="nocase">the Guardian</span>',
           'the <span class="nocase">iPaper</span> weekly', "Meduza", "TASS", ""]
DATES = ["2025-09-07T17:21", "2025-09", "2025", None, "2024-02-29", "2023-12-01T01:00+03:00"]
# The day read: as margin stores it (a day), coarser by hand, or not known (older exports).
ACCESSED = ["2026-03-05", "2025-09-07", "2025-12-31", "2026-03", "2026", None]


def random_title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(2, 10))]
    shape = rng.random()
    if shape < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"\"{words[i]}\""
    elif shape < 0.25:
        i = rng.randrange(len(words))
        words[i] = f"\u201c{words[i]}\u201d"
    elif shape < 0.35:
        words[rng.randrange(len(words))] += ":"
    elif shape < 0.40:
        words[rng.randrange(len(words))] = f"'{rng.choice(WORDS)}'"
    text = " ".join(words).strip(":")
    if rng.random() < 0.15:
        text += rng.choice("?!")
    return text[0].upper() + text[1:]


def random_author(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(ORGANISATIONS)
    if roll < 0.13:
        return rng.choice(OTHER_SCRIPTS)
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    return f"{family}, {given}" if roll < 0.2 else f"{given} {family}"


def random_article(rng: random.Random, number: int) -> dict:
    count = rng.choice([0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 11, 20, 21, 22])
    return {
        "id": f"r{number}",
        "title": random_title(rng),
        "authors": [random_author(rng) for _ in range(count)],
        "outlet": rng.choice(OUTLETS),
        "url": rng.choice(["", f"https://example.org/{number}"]),
        "published": rng.choice(DATES),
        "language": rng.choice(["en", "en", "en", "", "en-GB", "uk"]),
        "accessed": rng.choice(ACCESSED),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    articles = [random_article(rng, n) for n in range(options.articles)]
    expected = citeproc_harness.render([csl_item(a) for a in articles])
    failed = False
    for style in citeproc_harness.STYLES:
        differing = [(a, cite_article(a, style)) for a in articles
                     if cite_article(a, style) != expected[style][a["id"]]]
        print(f"{style:<13} {len(differing)} of {len(articles)} differ")
        for article, ours in differing[:options.show]:
            print(f"    {article['id']} margin   {ours}")
            print(f"    {article['id']} citeproc {expected[style][article['id']]}")
        failed = failed or bool(differing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
