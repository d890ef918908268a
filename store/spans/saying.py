"""Verbs of saying: the words that make "Zelensky said" a statement of who spoke.

Two rules read this one list: the speaker finder, which suggests "Zelensky" as the source of
what follows "Zelensky said", and the label rule, which must not mistake "Zelensky said:" for
an outlet's signpost such as "Source:".
"""

from __future__ import annotations

# Past and present forms of the verbs news copy puts between a speaker and their words. Left
# out: present forms as often plural nouns ("notes", "claims", "comments"), so "Field notes:"
# stays a label, and verbs as often about deeds as words ("asked", "continued", "posted"), so
# "Russia continued shelling" suggests no speaker.
SAYING_VERBS = frozenset("""
    said says told tells stated states reported reports added adds wrote writes noted
    explained explains announced announces declared declares stressed stresses
    emphasised emphasises emphasized emphasizes warned warns claimed replied insisted
    insists commented tweeted
""".split())

# For regular expressions: the verbs as one alternation, longest first.
SAYING = "|".join(sorted(SAYING_VERBS, key=len, reverse=True))
