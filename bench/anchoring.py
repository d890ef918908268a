"""How well and how fast annotations are re-anchored in a revised article.

    python bench/anchoring.py [--cases 300] [--seed 0]

(a) Accuracy: revisions of the shared corpus's articles made by ``tests/revision_generator.py``
    (which knows each annotation's right answer), per edit kind: wrong anchors (target at most
    0.2% overall and 0 on lookalikes) and right anchors where a place is expected (at least 99%).
(b) Speed: ``anchor_all`` on a 2.5 MB text (the corpus texts concatenated and repeated) with 40
    edits and 10,000 annotations, against the diff alone and against reading and folding the
    two texts, timed in the same run; the accuracy of that run is printed too.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from revision_generator import (  # noqa: E402
    EDIT_KINDS, UNTOUCHED, corpus_texts, make_case, new_places, truth, verdict)
from store.anchoring import anchor_all  # noqa: E402
from store.anchoring.diff import diff  # noqa: E402
from store.anchoring.fold import FoldedText  # noqa: E402

WRONG_TARGET, RIGHT_TARGET = 0.002, 0.99


def judge(cases) -> dict:
    """Verdicts counted per edit kind over ``(case, anchors)`` pairs."""
    counts = collections.defaultdict(collections.Counter)
    for case, anchors in cases:
        places = new_places(case)
        for selector, anchor in zip(case.selectors, anchors):
            known = truth(case, selector, places)
            kind = case.kind_of(selector)
            counts[kind][verdict(case, selector, anchor, known)] += 1
            counts[kind]["annotations"] += 1
            counts[kind]["place expected"] += known.survived >= 0.9
            counts[kind]["right where expected"] += (known.survived >= 0.9
                                                     and verdict(case, selector, anchor, known) == "right")
    return counts


def report(counts: dict) -> bool:
    print(f"{'edit kind':<20}{'annotations':>12}{'wrong':>8}{'wrong %':>9}"
          f"{'place expected':>16}{'right there %':>15}")
    total = collections.Counter()
    for kind in (*EDIT_KINDS, UNTOUCHED):
        c = counts.get(kind, collections.Counter())
        total.update(c)
        print(f"{kind:<20}{c['annotations']:>12,}{c['wrong']:>8}"
              f"{100 * c['wrong'] / max(1, c['annotations']):>9.3f}{c['place expected']:>16,}"
              f"{100 * c['right where expected'] / max(1, c['place expected']):>15.2f}")
    wrong_rate = total["wrong"] / max(1, total["annotations"])
    right_rate = total["right where expected"] / max(1, total["place expected"])
    lookalike_wrong = counts.get("lookalike", collections.Counter())["wrong"]
    print(f"{'all':<20}{total['annotations']:>12,}{total['wrong']:>8}{100 * wrong_rate:>9.3f}"
          f"{total['place expected']:>16,}{100 * right_rate:>15.2f}")
    ok = wrong_rate <= WRONG_TARGET and lookalike_wrong == 0 and right_rate >= RIGHT_TARGET
    print(f"wrong {100 * wrong_rate:.3f}% (target <= 0.2%), on lookalikes {lookalike_wrong} "
          f"(target 0), right {100 * right_rate:.2f}% where a place is expected (target >= 99%): "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def accuracy(cases: int, seed: int) -> bool:
    texts = corpus_texts()
    made = []
    for n in range(cases):
        rng = random.Random(seed * 100_000 + n)
        base = texts[n % len(texts)]
        pool = [p for t in texts if t is not base for p in t.split("\n") if len(p) > 80]
        case = make_case(base, rng, edits=8, annotations=60, pool=pool)
        made.append((case, anchor_all(case.old, case.new, case.selectors)))
    print(f"(a) {cases} revisions of {len(texts)} corpus articles, 8 edits and 60 annotations each")
    return report(judge(made))


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def speed(seed: int) -> None:
    texts = corpus_texts()
    joined = "\n\n".join(texts)
    big = "\n\n".join([joined] * (2_500_000 // len(joined) + 1))[:2_500_000]
    big = big[:big.rfind("\n\n")]
    rng = random.Random(seed)
    pool = [p for t in texts for p in t.split("\n") if len(p) > 80]
    case = make_case(big, rng, edits=40, annotations=10_000, pool=pool)
    print(f"\n(b) {len(case.old) / 1e6:.2f} MB, {len(case.edits)} edits applied, "
          f"{len(case.selectors):,} annotations; load average {os.getloadavg()[0]:.1f}")
    anchors = []
    engine = best_of(3, lambda: anchors.append(anchor_all(case.old, case.new, case.selectors)))
    plain = best_of(3, lambda: diff(case.old, case.new))
    folding = best_of(3, lambda: (FoldedText(case.old), FoldedText(case.new)))
    print(f"anchor_all {engine:.2f} s; the diff alone {plain:.2f} s ({engine / plain:.2f}x); "
          f"folding both texts {folding:.2f} s; diff + folding {plain + folding:.2f} s "
          f"({engine / (plain + folding):.2f}x)")
    report(judge([(case, anchors[-1])]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    ok = accuracy(args.cases, args.seed)
    speed(args.seed)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
