"""Exporting 1M responses in every format: `seminarbot export` against `sqlite3 -csv` on the
same rows.

Builds a database of one cohort over the shipped eight-session plan with N responses written
week by week (prompts of a session interleaved, as in a real seminar; made-up words, some cells
that need the formula rule, quotes, commas and line breaks), then, round after round, runs our
exporter once per format as a separate process (start-up included) and the sqlite3 shell on the
equivalent single SELECT (same rows, columns, joins and filters, in index order), each writing a
file; the order is reversed every other round and each format's ratio is taken within a round.
Peak RSS is each process's own (pairs.run_process).

Run: .venv/bin/python benchmarks/export_bench.py [--responses N] [--pairs N] [--formats csv,…]
     [--keep DIR]
"""

from __future__ import annotations

import interrupted  # noqa: F401  first: Ctrl-C during the imports below is one line

# isort: split

import argparse
import csv
import os
import random
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import command_line
from pairs import (
    SEMINARBOT,
    Report,
    Run,
    Spread,
    Target,
    ratios,
    rounds,
    run_process,
)

FORMATS = ("csv", "jsonl", "markdown", "html")
SQLITE3 = shutil.which("sqlite3") or "/usr/bin/sqlite3"
PARTICIPANTS, OPTED_OUT = 300, 5
START = 1767639600  # 2026-01-05T19:00:00Z, a Monday evening
QUERY = (
    "SELECT r.session_id, r.prompt_id, r.outbox_id, r.id, r.participant_id,"
    " COALESCE(n.display_name, p.external_id), r.message_id, r.created_at, r.edited_at, r.body,"
    " 'https://discord.com/channels/1000/' || r.channel_id || '/' || r.message_id"
    " FROM responses r JOIN participants p ON p.id = r.participant_id"
    " LEFT JOIN participant_names n ON n.participant_id = r.participant_id"
    " AND n.community_id = 1"
    " WHERE r.cohort_id = 1 AND r.deleted_at IS NULL AND p.opted_out = 0"
    " ORDER BY r.session_id, r.prompt_id, r.outbox_id, r.created_at, r.id")


def iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def build(path: Path, responses: int) -> None:
    from seminarbot.storage.db import Database
    from seminarbot.syllabus.loader import ContentRoots, load_syllabus

    async def migrate() -> None:
        db = await Database.open(path)
        await db.close()

    command_line.run_async(migrate())
    plan = load_syllabus(ContentRoots.default()).plan
    rng = random.Random(7)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(
        rng.randint(2, 10))) for _ in range(5000)]
    openers = ["=SUM(A1:A9)", "+1", "-", "@here", "'quoted", '"So-called"', "Yes, but", ""]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        conn.execute("INSERT INTO communities VALUES (1, 'discord', '1000', 'Reading group',"
                     " ?)", (iso(START),))
        conn.execute("INSERT INTO cohorts (id, community_id, channel_id, name, plan_id, weekday,"
                     " local_time, timezone, start_date, created_at, updated_at, weekdays)"
                     " VALUES (1, 1, '2000', 'soviets', ?, 0, '19:00', 'Europe/London',"
                     " '2026-01-05', ?, ?, '0')", (plan.id, iso(START), iso(START)))
        outbox = {}
        for week, session in enumerate(plan.sessions):
            for prompt in session.prompts:
                outbox[prompt.id] = len(outbox) + 1
                due = iso(START + week * 604800)
                conn.execute("INSERT INTO outbox (id, cohort_id, session_id, kind, item, due_at,"
                             " state, attempts, posted_at, message_id, thread_id) VALUES"
                             " (?, 1, ?, 'prompt', ?, ?, 'posted', 1, ?, ?, ?)",
                             (outbox[prompt.id], session.id, prompt.id, due, due,
                              str(3000 + outbox[prompt.id]), str(4000 + outbox[prompt.id])))
        conn.executemany(
            "INSERT INTO participants (id, platform, external_id, opted_out, created_at)"
            " VALUES (?, 'discord', ?, ?, ?)",
            [(i, str(10**17 + i), int(i <= OPTED_OUT), iso(START))
             for i in range(1, PARTICIPANTS + 1)])
        conn.executemany(
            "INSERT INTO participant_names (participant_id, community_id, display_name)"
            " VALUES (?, 1, ?)",
            [(i, f"Reader {i}" if i % 7 else f"=Reader {i}") for i in range(1, PARTICIPANTS + 1)])

        def rows() -> Iterator[tuple[object, ...]]:
            per_session = responses // len(plan.sessions) + 1
            for i in range(responses):
                session = plan.sessions[min(i // per_session, len(plan.sessions) - 1)]
                week = session.number - 1
                prompt = rng.choice(session.prompts)
                at = START + week * 604800 + (i % per_session) * 604000 // per_session
                words = rng.choices(vocabulary, k=rng.randint(10, 120))
                if rng.random() < 0.05:
                    words.insert(0, rng.choice(openers))
                if rng.random() < 0.05:
                    words.insert(len(words) // 2, "\n\n")
                edited = iso(at + 600) if rng.random() < 0.02 else None
                deleted = iso(at + 900) if rng.random() < 0.01 else None
                # Written in the prompt's thread: every row gets a message link.
                yield (1, outbox[prompt.id], session.id, prompt.id,
                       rng.randint(1, PARTICIPANTS), "discord", str(5 * 10**17 + i),
                       " ".join(words), iso(at), edited, deleted, str(4000 + outbox[prompt.id]))

        conn.executemany(
            "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
            " platform, message_id, body, created_at, edited_at, deleted_at, channel_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()


def count_csv(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [row[column] for row in csv.DictReader(file)]


def exporter(db: Path, folder: Path, form: str) -> Callable[[], Run]:
    out = folder / f"ours.{form}"
    command = [SEMINARBOT, "export", "--db", str(db), "--cohort", "1",
               "--format", form, "--out", str(out)]
    env = {**os.environ, "SEMINARBOT_DATA_DIR": str(folder)}

    def run() -> Run:
        out.unlink(missing_ok=True)  # deleting the last run's file is not part of either's time
        os.sync()  # neither run pays for writing back the other's file
        return run_process(command, env=env)
    return run


def shell(db: Path, folder: Path) -> Callable[[], Run]:
    out = folder / "sqlite3.csv"

    def run() -> Run:
        out.unlink(missing_ok=True)
        os.sync()
        with out.open("wb") as file:
            return run_process([SQLITE3, "-csv", "-header", str(db), QUERY], stdout=file)
    return run


def formats(text: str) -> list[str]:
    """An argparse type: formats from FORMATS, separated by commas."""
    chosen = [form.strip() for form in text.split(",")]
    if not text.strip() or any(form not in FORMATS for form in chosen):
        raise argparse.ArgumentTypeError(f"expected formats from {', '.join(FORMATS)}, "
                                         f"separated by commas; got {text!r}")
    return list(dict.fromkeys(chosen))


def main() -> None:
    parser = command_line.parser(__doc__, what_pairs="rounds")
    parser.add_argument("--responses", type=command_line.whole(most=10_000_000),
                        default=1_000_000,
                        help="responses in the database (default 1,000,000)")
    parser.add_argument("--formats", type=formats, default=list(FORMATS),
                        help=f"comma-separated, from {','.join(FORMATS)} (default all)")
    parser.add_argument("--keep", metavar="DIR", type=command_line.folder,
                        help="build (or reuse) the database here")
    args = parser.parse_args()
    if args.keep:
        measure(command_line.made(args.keep), args.responses, args.formats, args.pairs, args.json)
    else:
        with command_line.scratch("export-bench-") as folder:
            measure(folder, args.responses, args.formats, args.pairs, args.json)


def measure(folder: Path, responses: int, forms: list[str], pairs: int,
            json_path: str | None) -> None:
    db = folder / f"bench-{responses}.db"
    report = Report(f"Export of {responses:,} responses, each format against sqlite3 -csv",
                    "python benchmarks/export_bench.py")
    if not db.exists():
        started = time.perf_counter()
        with command_line.built(db) as partial:
            build(partial, responses)
        report.note(f"built {responses:,} responses in "
                    f"{time.perf_counter() - started:.0f} s ({db.stat().st_size / 1e6:.0f} MB)")
    runs = {form: exporter(db, folder, form) for form in forms}
    runs["sqlite3"] = shell(db, folder)
    results = rounds(runs, pairs)
    expected = count_csv(folder / "sqlite3.csv", "id")
    for form in forms:
        exported = int(re.search(r"exported (\d+) responses?\b",
                                 results[-1][form].stderr).group(1))  # type: ignore[union-attr]
        if exported != len(expected) or (form == "csv" and sorted(count_csv(
                folder / "ours.csv", "response_id")) != sorted(expected)):
            raise SystemExit(f"{form}: {exported:,} responses exported, sqlite3 "
                             f"{len(expected):,}: not the same responses")
    counted = command_line.plural(pairs, "round")
    report.note(f"{len(expected):,} responses exported by each (deleted and opted-out ones "
                f"left out); {counted}, each format and sqlite3 -csv once per "
                "round, the order reversed every other round")
    figures(report, results, forms)
    report.write(json_path)


def figures(report: Report, results: list[dict[str, Run]], forms: list[str]) -> None:
    base = [r["sqlite3"] for r in results]
    report.add("sqlite3 -csv: wall time", Spread.of([r.wall for r in base]), " s")
    report.add("sqlite3 -csv: CPU time", Spread.of([r.cpu for r in base]), " s")
    report.add("sqlite3 -csv: peak RSS", Spread.of([r.peak_mb for r in base]), " MB", 1)
    for form in forms:
        pairs = [(r[form], r["sqlite3"]) for r in results]
        report.add(f"{form}: wall time", Spread.of([r[form].wall for r in results]), " s")
        report.add(f"{form}: wall time / sqlite3 -csv's", ratios(pairs, lambda r: r.wall),
                   "×", target=Target("<=", 1.5, "×"))
        report.add(f"{form}: CPU time / sqlite3 -csv's", ratios(pairs, lambda r: r.cpu), "×")
        report.add(f"{form}: peak RSS", Spread.of([r[form].peak_mb for r in results]),
                   " MB", 1, target=Target("<=", 100, " MB"))


if __name__ == "__main__":
    command_line.main(main)
