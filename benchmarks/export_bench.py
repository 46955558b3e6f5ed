"""Exporting 1M responses to CSV: `seminarbot export` against `sqlite3 -csv` on the same query.

Builds a database of one cohort over the shipped eight-session plan with N responses written
week by week (prompts of a session interleaved, as in a real seminar; made-up words, some cells
that need the formula rule, quotes, commas and line breaks), then times, in the same run and
alternating, our exporter as a separate process (start-up included) and the sqlite3 shell on
the equivalent single SELECT (same rows, columns, joins and filters, in index order), each
writing a file. Peak RSS is each process's own maximum resident set (wait4).

Run: .venv/bin/python benchmarks/export_bench.py [--responses N] [--runs R] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SQLITE3 = shutil.which("sqlite3") or "/usr/bin/sqlite3"
PARTICIPANTS, OPTED_OUT = 300, 5
START = 1767639600  # 2026-01-05T19:00:00Z, a Monday evening
QUERY = (
    "SELECT r.session_id, r.prompt_id, r.outbox_id, r.id, r.participant_id,"
    " COALESCE(n.display_name, p.external_id), r.message_id, r.created_at, r.edited_at, r.body"
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

    asyncio.run(migrate())
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
                yield (1, outbox[prompt.id], session.id, prompt.id,
                       rng.randint(1, PARTICIPANTS), "discord", str(5 * 10**17 + i),
                       " ".join(words), iso(at), edited, deleted)

        conn.executemany(
            "INSERT INTO responses (cohort_id, outbox_id, session_id, prompt_id, participant_id,"
            " platform, message_id, body, created_at, edited_at, deleted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()


def measured(command: list[str], stdout: int | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one process."""
    os.sync()  # neither run pays for writing back the other's file
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def record_ids(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [row[column] for row in csv.DictReader(file)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="build (or reuse) the database here")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="export-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.db"
    try:
        if not db.exists():
            started = time.perf_counter()
            build(db, args.responses)
            print(f"built {args.responses:,} responses in {time.perf_counter() - started:.0f} s "
                  f"({db.stat().st_size / 1e6:.0f} MB)")
        ours_csv, theirs_csv = folder / "ours.csv", folder / "sqlite3.csv"
        env_command = [sys.executable, "-m", "seminarbot", "export", "--db", str(db),
                       "--cohort", "1", "--format", "csv", "--out", str(ours_csv)]
        os.environ["SEMINARBOT_DATA_DIR"] = str(folder)
        ours, theirs = [], []
        for _ in range(args.runs):
            # Each writes a new file: deleting the last run's is not part of either's time.
            ours_csv.unlink(missing_ok=True)
            theirs_csv.unlink(missing_ok=True)
            ours.append(measured(env_command))
            with theirs_csv.open("wb") as out:
                theirs.append(measured([SQLITE3, "-csv", "-header", str(db), QUERY],
                                       stdout=out.fileno()))
        our_ids, their_ids = record_ids(ours_csv, "response_id"), record_ids(theirs_csv, "id")
        same = sorted(our_ids) == sorted(their_ids)
        our_time = statistics.median(t for t, _ in ours)
        their_time = statistics.median(t for t, _ in theirs)
        print(f"rows exported: ours {len(our_ids):,}, sqlite3 {len(their_ids):,} "
              f"({'the same responses' if same else 'DIFFERENT responses'})")
        print(f"seminarbot export   median {our_time:6.2f} s   peak RSS "
              f"{max(r for _, r in ours):6.1f} MB   {ours_csv.stat().st_size / 1e6:.0f} MB")
        print(f"sqlite3 -csv        median {their_time:6.2f} s   peak RSS "
              f"{max(r for _, r in theirs):6.1f} MB   {theirs_csv.stat().st_size / 1e6:.0f} MB")
        print(f"ratio {our_time / their_time:.2f}x (target <= 1.5x); "
              f"runs: ours {[round(t, 2) for t, _ in ours]}, "
              f"sqlite3 {[round(t, 2) for t, _ in theirs]}")
        if not same:
            raise SystemExit(1)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
