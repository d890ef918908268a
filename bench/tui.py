"""How fast the reader opens and answers keys, against a bare Textual app measured in the same run.

    python bench/tui.py [--runs N] [--keys N]

Each figure comes from a fresh subprocess (so peak memory, ``ru_maxrss``, belongs to one app),
the median of ``--runs`` runs. The baseline is a bare app whose only widget is a read-only,
soft-wrapped ``TextArea`` holding the same text. Targets:

- first paint of the real article: margin ≤ 1.3 × bare
- opening a 2.5 MB article (the real one's paragraphs repeated) with 10,000 annotations:
  margin ≤ 1.5 × bare
- a cursor move and a selection extension in that article: p95 over ``--keys`` keys, from the
  key event to the end of the refresh it causes, ≤ 16 ms
- peak memory: margin ≤ 1.5 × bare

Both apps run headless at 120×36; every frame is also turned into the bytes a terminal would be
sent, since a headless app skips that step and a real one does not. First paint is timed from
``App.run()`` to the first frame that shows the article; the bottom row's key hints follow one
frame later, as with Textual's own footer, and the row "everything drawn" times that frame.
The other rows "for information" add the figure with imports counted, and the reader screen
pushed by an app that does nothing else, to show where the time goes. A key's time ends with
the frame that shows the cursor moved (the status line is in the same frame).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
SIZE = (120, 36)
BIG_BYTES = 2_500_000
BIG_ANNOTATIONS = 10_000
KEY_INTERVAL = 0.040

TARGETS = {"first paint": 1.3, "open 2.5 MB + 10k annotations": 1.5, "peak memory": 1.5,
           "key p95 ms": 16.0}


# --- fixtures, made once by the parent ------------------------------------------------------

def make_fixtures(folder: Path) -> dict[str, str]:
    """Two databases (the real article; the 2.5 MB one with annotations) and their texts."""
    sys.path.insert(0, str(ROOT))
    from store.articles import add_article
    from store.bulk import add_annotations_bulk
    from store.db import open_db
    from store.ingest import Draft, read_source

    real = read_source(str(KURSK))
    paragraphs = real.text.split("\n\n")
    chunks, size = [], 0
    while size < BIG_BYTES:
        for paragraph in paragraphs:
            chunks.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 2
    big_text = "\n\n".join(chunks)

    fixtures = {}
    for name, draft in (("real", real),
                        ("big", Draft(text=big_text, title="A long article", authors=["Bench"],
                                      format="txt", source="bench"))):
        db_path = folder / f"{name}.db"
        db = open_db(db_path)
        article, _ = add_article(db, draft)
        if name == "big":
            add_annotations_bulk(db, _annotation_rows(article["id"], big_text))
        db.conn.close()
        text_path = folder / f"{name}.txt"
        text_path.write_text(draft.text, encoding="utf-8")
        fixtures[name] = json.dumps({"db": str(db_path), "article": article["id"],
                                     "text": str(text_path)})
    return fixtures


def _annotation_rows(article_id: str, text: str):
    """Ten thousand claims and quotes of a few words each, spread evenly over the text."""
    rng = random.Random(7)
    step = len(text) // BIG_ANNOTATIONS
    for i in range(BIG_ANNOTATIONS):
        start = i * step + rng.randrange(0, max(1, step // 2))
        while start < len(text) and not text[start].isalnum():
            start += 1
        end = min(len(text), start + rng.randrange(8, 60))
        if end > start:
            yield {"article_id": article_id, "kind": "claim" if i % 3 else "quote",
                   "start": start, "end": end, "source": f"Source {i % 40}",
                   "confidence": (i * 7) % 101}


# --- one measurement, in a child process ----------------------------------------------------

def child(app_kind: str, fixture: dict, keys: int) -> dict:
    """Open one app, time its first paint of the article (and keys), report peak memory."""
    started = time.perf_counter()
    from textual.app import App

    if app_kind == "bare":
        from textual.widgets import TextArea

        text = Path(fixture["text"]).read_text(encoding="utf-8")

        class Bare(App):
            def compose(self):
                yield TextArea(text, read_only=True, soft_wrap=True)

        app = Bare()

        def showing(screen) -> bool:
            return bool(screen.query(TextArea)) and screen.query_one(TextArea).size.height > 0

        complete = showing
    else:
        sys.path.insert(0, str(ROOT))
        from tui.screens.reader import ReaderScreen

        if app_kind == "margin":
            from tui.app import MarginApp

            app = MarginApp(Path(fixture["db"]), open_article=fixture["article"])
        else:  # "reader": the reader screen alone, in an app that does nothing else
            from store.db import open_db

            from tui.keymap import effective_actions

            class ReaderOnly(App):
                # The screens read the keys in force from the app, as MarginApp keeps them.
                actions = effective_actions({})

                def on_mount(self) -> None:
                    self.db = open_db(fixture["db"])
                    self.push_screen(ReaderScreen(fixture["article"]))

            app = ReaderOnly()

        def showing(screen) -> bool:
            return isinstance(screen, ReaderScreen) and screen.view.size.height > 0

        def complete(screen) -> bool:
            from tui.widgets.key_bar import KeyBar

            bars = list(screen.query(KeyBar)) if isinstance(screen, ReaderScreen) else []
            return showing(screen) and all(bar.showing_keys for bar in bars)

    result: dict = {}
    painted = asyncio.Event()
    display = app._display

    def timed_display(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is None or not hasattr(renderable, "render_segments"):
            return
        renderable.render_segments(app.console)  # the bytes a real terminal would get
        now = time.perf_counter()
        if "first_paint" not in result and showing(screen):
            result["first_paint"] = now - running
            result["first_paint_with_imports"] = now - started
        if "first_paint" in result and "all_drawn" not in result and complete(screen):
            result["all_drawn"] = now - running
        painted.set()

    app._display = timed_display

    async def drive(pilot) -> None:
        while "first_paint" not in result or "all_drawn" not in result:
            await asyncio.sleep(0.001)
        await pilot.pause()
        if keys:
            widget = app.screen.focused
            widget.focus()
            for key in ("right", "shift+right"):
                result[f"{key} ms"] = await _time_keys(app, painted, key, keys)
        app.exit()

    running = time.perf_counter()
    app.run(headless=True, size=SIZE, auto_pilot=drive)
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


async def _time_keys(app, painted: asyncio.Event, key: str, count: int) -> list[float]:
    """Milliseconds from posting each key to the end of the frame it causes."""
    from textual import events

    times = []
    for _ in range(count):
        painted.clear()
        start = time.perf_counter()
        app.post_message(events.Key(key, None))
        try:
            await asyncio.wait_for(painted.wait(), timeout=2)
        except asyncio.TimeoutError:
            continue
        times.append((time.perf_counter() - start) * 1000)
        # Keys 40 ms apart, as fast as a held key repeats. Closer together, a key would wait
        # for Textual's next frame slot (it draws at most 60 frames a second), and the figure
        # would measure that cap rather than the work a key causes.
        await asyncio.sleep(KEY_INTERVAL)
    return times


# --- the parent: run, compare, print -------------------------------------------------------

def run_child(app_kind: str, fixture: str, keys: int = 0) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", app_kind, "--fixture", fixture, "--keys",
         str(keys)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    if output.returncode != 0:
        raise SystemExit(f"{app_kind} failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--child")
    parser.add_argument("--fixture")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, json.loads(args.fixture), args.keys)))
        return

    with tempfile.TemporaryDirectory() as folder:
        print("making fixtures (2.5 MB article, 10,000 annotations)…", flush=True)
        fixtures = make_fixtures(Path(folder))
        rows, notes = [], []
        failed = False

        def medians(fixture: str, fields: list[str], kinds=("bare", "margin", "reader")):
            """Median of each field over the runs, per app; runs interleave so that changes
            in the machine's load fall on every app alike."""
            samples = {kind: {field: [] for field in fields} for kind in kinds}
            for _ in range(args.runs):
                for kind in kinds:
                    result = run_child(kind, fixtures[fixture])
                    for field in fields:
                        samples[kind][field].append(result[field])
            return {kind: {field: statistics.median(values) for field, values in by.items()}
                    for kind, by in samples.items()}

        def target(label: str, ours: float, bare: float, unit: str) -> None:
            nonlocal failed
            ratio = ours / bare
            ok = ratio <= TARGETS[label]
            failed |= not ok
            rows.append((label, f"{ours:.0f} {unit}", f"{bare:.0f} {unit}", f"{ratio:.2f}×",
                         f"≤ {TARGETS[label]}×", "PASS" if ok else "FAIL"))

        def note(label: str, ours: float, bare: float, unit: str) -> None:
            notes.append((label, f"{ours:.0f} {unit}", f"{bare:.0f} {unit}",
                          f"{ours / bare:.2f}×", "", "(for information)"))

        fields = ["first_paint", "all_drawn", "first_paint_with_imports", "maxrss_kb"]
        real = medians("real", fields)
        target("first paint", real["margin"]["first_paint"] * 1000,
               real["bare"]["first_paint"] * 1000, "ms")
        note("first paint, everything drawn", real["margin"]["all_drawn"] * 1000,
             real["bare"]["first_paint"] * 1000, "ms")
        note("first paint, reader pushed by a bare app", real["reader"]["first_paint"] * 1000,
             real["bare"]["first_paint"] * 1000, "ms")
        note("first paint, counting imports", real["margin"]["first_paint_with_imports"] * 1000,
             real["bare"]["first_paint_with_imports"] * 1000, "ms")

        big = medians("big", fields)
        target("open 2.5 MB + 10k annotations", big["margin"]["first_paint"] * 1000,
               big["bare"]["first_paint"] * 1000, "ms")
        target("peak memory", big["margin"]["maxrss_kb"] / 1024, big["bare"]["maxrss_kb"] / 1024,
               "MB")
        note("open 2.5 MB, reader screen alone", big["reader"]["first_paint"] * 1000,
             big["bare"]["first_paint"] * 1000, "ms")

        ours = run_child("margin", fixtures["big"], keys=args.keys)
        bare = run_child("bare", fixtures["big"], keys=args.keys)
        for key, label in (("right", "cursor move"), ("shift+right", "selection extension")):
            ours_p95, bare_p95 = p95(ours[f"{key} ms"]), p95(bare[f"{key} ms"])
            ok = ours_p95 <= TARGETS["key p95 ms"]
            failed |= not ok
            rows.append((f"{label} p95 ({key})", f"{ours_p95:.1f} ms", f"{bare_p95:.1f} ms",
                         f"{ours_p95 / bare_p95:.2f}×", f"≤ {TARGETS['key p95 ms']:.0f} ms",
                         "PASS" if ok else "FAIL"))
            notes.append((f"{label} median", f"{statistics.median(ours[f'{key} ms']):.1f} ms",
                          f"{statistics.median(bare[f'{key} ms']):.1f} ms", "", "",
                          "(for information)"))

    header = ("measure", "margin", "bare TextArea", "ratio", "target", "")
    table = [header, *rows, *notes]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"\nmedians of {args.runs} runs; key figures over {args.keys} keys each, in the 2.5 MB "
          "article; first paint is timed from App.run(), imports apart; load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
