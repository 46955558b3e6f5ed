"""Every benchmark runs, in a tiny configuration (`run_all.py --quick`). Nothing here reads
a time: speed is measured by `make bench`, not asserted by tests."""

import asyncio
import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
def bench(name: str) -> Any:
    """A module of benchmarks/, imported as the scripts import each other (as siblings)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


NAMES = ["export", "ingest", "term", "scale", "matrix", "discord", "scheduler", "cold start"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_benchmark_runs_and_reports_its_figures(name: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCHMARKS / "run_all.py"), "--quick", "--only",
                           name, "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "results-quick.md").read_text()
    assert "FAILED" not in page and "| figure | median (min–max) |" in page, page


def test_the_benchmark_list_is_the_one_run_all_runs() -> None:
    run_all = bench("run_all")
    assert [name for name, _, _ in run_all.BENCHMARKS] == NAMES


def test_a_report_says_whether_each_target_is_met(tmp_path: Path) -> None:
    pairs = bench("pairs")
    Report, Spread, Target = pairs.Report, pairs.Spread, pairs.Target
    report = Report("t", "c")
    report.add("all pairs", Spread(1.0, 1.2, 1.4), "×", target=Target("<=", 1.5))
    report.add("median only", Spread(1.0, 1.2, 1.6), "×", target=Target("<=", 1.5))
    report.add("none", Spread(1.6, 1.7, 1.8), "×", target=Target("<=", 1.5))
    report.add("at least", Spread(0.3, 0.4, 0.5), "×", target=Target(">=", 0.35))
    report.write(str(tmp_path / "r.json"))
    verdicts = [f["verdict"] for f in json.loads((tmp_path / "r.json").read_text())["figures"]]
    assert verdicts == ["met", "met at the median, not in every pair", "not met",
                        "met at the median, not in every pair"]


SCRIPTS = ["cold_start.py", "discord_bench.py", "export_bench.py", "flood_bench.py",
           "ingest_bench.py", "matrix_bench.py", "scale_bench.py", "scheduler_bench.py",
           "term_bench.py"]


def run_script(*args: str, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=BENCHMARKS, **kwargs)


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("bad", [["--pairs", "0"], ["--pairs", "-3"], ["--pairs", "many"],
                                 ["--json", ""], ["--json", "."],
                                 ["--json", "no-such-folder/figures.json"],
                                 ["--json", "/proc/figures.json"], ["--pairs", "10000000"]])
def test_a_bad_argument_is_one_sentence_before_anything_runs(script: str, bad: list[str],
                                                            tmp_path: Path) -> None:
    if script == "flood_bench.py" and bad[0] in ("--pairs", "--json"):
        bad = ["--flood", bad[1]]  # it takes neither: its own counts are checked the same way
    done = run_script(script, *bad, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith(f"{script}: error: argument {bad[0]}: expected "), error
    assert list(tmp_path.iterdir()) == []  # nothing was started


def test_each_count_is_checked_the_same_way() -> None:
    for script, argument in [("discord_bench.py", "--messages"), ("discord_bench.py",
                             "--channels"), ("ingest_bench.py", "--in-flight"),
                             ("ingest_bench.py", "--messages"), ("term_bench.py", "--concurrent"),
                             ("matrix_bench.py", "--rooms"), ("matrix_bench.py", "--replies"),
                             ("scale_bench.py", "--concurrent"), ("scheduler_bench.py",
                             "--cohorts"), ("export_bench.py", "--responses")]:
        done = run_script(script, argument, "0")
        assert done.returncode == 2 and f"argument {argument}: expected" in done.stderr, (
            script, done.stderr)
    done = run_script("discord_bench.py", "--messages", "150")
    assert "a multiple of 100" in done.stderr


@pytest.mark.parametrize(("script", "argument", "most"), [
    ("discord_bench.py", "--messages", 100_000), ("discord_bench.py", "--channels", 500),
    ("ingest_bench.py", "--messages", 1_000_000), ("ingest_bench.py", "--in-flight", 1_000_000),
    ("term_bench.py", "--concurrent", 100_000), ("matrix_bench.py", "--rooms", 1_000),
    ("matrix_bench.py", "--replies", 100_000), ("scale_bench.py", "--cohorts", 100_000),
    ("scale_bench.py", "--responses", 10_000_000), ("scale_bench.py", "--concurrent", 100_000),
    ("scheduler_bench.py", "--cohorts", 100_000), ("export_bench.py", "--responses", 10_000_000),
    ("flood_bench.py", "--flood", 100_000)])
def test_no_count_is_more_than_the_machine_holds(script: str, argument: str, most: int) -> None:
    """Each count has a ceiling it names: a client, a message or a row per unit, made in
    memory or on disk (`ingest_bench.py --in-flight 99999999` grew to 24 GB before)."""
    done = run_script(script, argument, str(most + 100))
    assert done.returncode == 2, done.stderr
    said = done.stderr.strip().splitlines()[-1]
    assert f"argument {argument}: expected a whole number from " in said, said
    assert f" to {most:,}" in said and said.endswith(f"got '{most + 100}'"), said


def test_ingest_takes_no_more_clients_than_messages() -> None:
    done = run_script("ingest_bench.py", "--messages", "10", "--in-flight", "11")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == ("ingest_bench.py: error: argument "
                                                    "--in-flight: expected at most --messages "
                                                    "(10), got 11")


def test_ctrl_c_ends_a_run_with_one_line_and_its_scratch_folder_removed(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "term_bench.py", "--pairs", "1000", "--concurrent", "500"],
        cwd=BENCHMARKS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)}, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(1200):  # up to two minutes for it to open its database
            if any(tmp_path.glob("seminarbot-term-*/t.db")) or process.poll() is not None:
                break
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert stderr.strip() == "term_bench.py: interrupted; no figures were written"
    assert list(tmp_path.iterdir()) == []


def test_a_failure_is_one_line_even_with_a_thread_left_running() -> None:
    body = ("import threading, time, command_line\n"
            "threading.Thread(target=time.sleep, args=(3600,)).start()\n"
            "def main():\n    raise RuntimeError('the fake stopped\\nat round 3')\n"
            "command_line.main(main)\n")
    done = run_script("-c", body)
    assert done.returncode == 1
    assert done.stderr.strip() == ("-c: failed: RuntimeError: the fake stopped … at round 3 "
                                   "(BENCH_TRACEBACK=1 shows where)")


def test_a_single_sample_is_shown_as_one_not_as_a_spread() -> None:
    Spread = bench("pairs").Spread
    assert Spread.of([0.25]).show(" s") == "0.25 s (one sample)"
    assert Spread.of([0.25, 0.5]).show(" s") == "0.38 s (0.25–0.50)"


def test_keep_refuses_what_is_not_a_folder_and_reuses_no_half_built_file(tmp_path: Path) -> None:
    for script in ("export_bench.py", "scale_bench.py"):
        for bad in ("", "/dev/null"):
            done = run_script(script, "--keep", bad)
            assert done.returncode == 2 and "argument --keep: expected a folder" in done.stderr
    command_line = bench("command_line")
    target = tmp_path / "bench.db"
    with pytest.raises(KeyboardInterrupt), command_line.built(target) as partial:
        partial.write_text("half")
        partial.with_name(partial.name + "-wal").write_text("its journal")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []  # nothing half-built is left; the next run builds it
    with command_line.built(target) as partial:
        assert not partial.exists()  # what the interrupted build left is gone
        partial.write_text("whole")
    assert target.read_text() == "whole"


@pytest.mark.parametrize(("script", "refused"), [
    ("export_bench.py", ["--pairs", "0"]), ("scale_bench.py", ["--concurrent", "50",
                                                               "--cohorts", "10"])])
def test_a_refused_command_line_leaves_no_keep_folder(script: str, refused: list[str],
                                                      tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    done = run_script(script, "--keep", str(kept), *refused)
    assert done.returncode == 2, done.stderr
    assert not kept.exists()
    done = run_script(script, "--keep", str(tmp_path / "no" / "such"))
    assert done.returncode == 2 and "argument --keep: expected a folder that can be made; " \
        f"{tmp_path / 'no'} does not exist" in done.stderr, done.stderr
    (tmp_path / "a-file").write_text("")
    done = run_script(script, "--keep", str(tmp_path / "a-file" / "kept"))
    assert done.returncode == 2 and f"{tmp_path / 'a-file'} is not a folder" in done.stderr
    done = run_script(script, "--keep", "/proc/kept")  # refused even where os.access says yes
    assert done.returncode == 2 and "argument --keep: expected a folder this user can write; " \
        "/proc is not" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_json_on_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "figures.json"
    os.mkfifo(fifo)
    done = run_script("cold_start.py", "--json", str(fifo), timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith(
        f"argument --json: expected a regular file, {str(fifo)!r} is not one")


def test_a_run_that_ends_leaves_no_grandchild_behind(tmp_path: Path) -> None:
    """A child that outlives the grace is killed with its own children (/usr/bin/time's
    command, say), which would otherwise be left running, orphaned."""
    pids = tmp_path / "pids"
    child = ("import signal, subprocess, sys\n"
             "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
             "grandchild = subprocess.Popen(['sleep', '3600'])\n"
             f"open({str(pids)!r}, 'w').write(str(grandchild.pid))\n"
             "grandchild.wait()\n")
    body = ("import os, subprocess, sys, time, command_line\n"
            "def main():\n"
            f"    subprocess.Popen([sys.executable, '-c', {child!r}])\n"
            f"    while not os.path.exists({str(pids)!r}) or not open({str(pids)!r}).read():\n"
            "        time.sleep(0.05)\n"
            "    raise RuntimeError('stopped')\n"
            "command_line.main(main)\n")
    done = run_script("-c", body, timeout=60)
    grandchild = int(pids.read_text())
    try:
        assert done.returncode == 1, done.stderr
        for _ in range(100):  # SIGKILL is delivered at once; init reaps the orphan
            if not Path(f"/proc/{grandchild}").exists():
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the grandchild was left running")
    finally:  # not a pid used again since: only the sleep it was
        with contextlib.suppress(OSError):
            if Path(f"/proc/{grandchild}/cmdline").read_bytes().startswith(b"sleep\0"):
                os.kill(grandchild, signal.SIGKILL)


def test_the_code_floor_loads_no_more_than_run_does_when_ready() -> None:
    """bare/discord_client.py --bot-modules is a floor only while it loads nothing `run` leaves
    for later (the commands' machinery, the time zones)."""
    from tests.test_architecture import RUN_LEAVES_FOR_LATER

    modules = bench("bare.discord_client").BOT_MODULES
    script = ("import importlib, sys\n"
              f"for name in {modules!r}:\n    importlib.import_module(name)\n"
              f"print([m for m in {RUN_LEAVES_FOR_LATER!r} if m in sys.modules])\n")
    done = run_script("-c", script)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_process_that_dies_is_noticed_at_once_not_at_the_deadline() -> None:
    Live, poll = bench("live").Live, bench("matrix_bench").poll

    async def check() -> None:
        live = await Live.start([sys.executable, "-c", "print('starting'); raise SystemExit(3)"],
                                dict(os.environ))
        with pytest.raises(RuntimeError, match="exited before 'ready'"):
            await asyncio.wait_for(live.wait_line("ready", within=3600), 60)
        with pytest.raises(RuntimeError, match="exited before the rows"):
            await asyncio.wait_for(poll(lambda: False, "the rows", within=3600, live=live), 60)
        await live.stop()

    asyncio.run(check())


@pytest.mark.parametrize("sigint", [signal.SIG_DFL, signal.SIG_IGN])
def test_a_benchmark_stopped_by_sigterm_cleans_up_as_on_ctrl_c(sigint: signal.Handlers,
                                                               tmp_path: Path) -> None:
    # SIGINT ignored: a background job of a non-interactive shell (`make bench &`, then kill)
    process = subprocess.Popen(
        [sys.executable, "term_bench.py", "--pairs", "1000", "--concurrent", "500"],
        cwd=BENCHMARKS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
    try:
        for _ in range(1200):
            if any(tmp_path.glob("seminarbot-term-*/t.db")) or process.poll() is not None:
                break
            time.sleep(0.1)
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert stderr.strip() == "term_bench.py: interrupted; no figures were written"
    assert list(tmp_path.iterdir()) == []


def test_run_all_sent_sigterm_alone_stops_its_benchmark_at_once(tmp_path: Path) -> None:
    """As `kill PID` does to a `make bench` in the background, where SIGINT is ignored: the
    benchmark under way (which no signal reached) is stopped at once and cleans up, and the
    folder made for --out is not left behind empty."""
    out = tmp_path / "made" / "out"
    process = subprocess.Popen(
        [sys.executable, "run_all.py", "--quick", "--only", "term,export", "--out", str(out)],
        cwd=BENCHMARKS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        for _ in range(1200):
            if any(tmp_path.glob("seminarbot-*/*.db")) or process.poll() is not None:
                break
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "run_all.py: interrupted; no figures were written"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("terminated", [True, False])
def test_a_benchmark_no_signal_reached_is_sent_one_at_once(terminated: bool,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """run_all's SIGTERM reached it alone: its benchmark is sent one at once, where after a
    Ctrl-C (which reached the benchmark too) it is first given 5 s to clean up."""
    done: list[object] = []

    class Child:
        def wait(self, timeout: float) -> int:
            done.append(("wait", timeout))
            raise subprocess.TimeoutExpired("bench", timeout)

        def terminate(self) -> None:
            done.append("terminate")

        def kill(self) -> None:
            done.append("kill")

    run_all = bench("run_all")
    monkeypatch.setattr(bench("command_line"), "TERMINATED", terminated)
    run_all.stop(Child())
    grace = run_all.STOP_GRACE
    assert done == (["terminate", ("wait", grace), "kill"] if terminated
                    else [("wait", 5), "terminate", ("wait", grace), "kill"])


@pytest.mark.parametrize("script", ["ingest_bench.py", "discord_bench.py", "run_all.py"])
def test_ctrl_c_while_a_script_is_still_importing_is_one_line_too(script: str,
                                                                  tmp_path: Path) -> None:
    # Sent at some multiples of the interpreter's own start-up with the signal module (before
    # which nothing of ours runs), so that the imports are under way on a slow machine too.
    def start_up() -> float:
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import signal"], check=True)
        return time.perf_counter() - began

    start = max(start_up() for _ in range(3))
    for factor in (2, 3, 5):
        process = subprocess.Popen(
            [sys.executable, script, "--pairs", "1"] if script != "run_all.py"
            else [sys.executable, script, "--quick", "--out", str(tmp_path / "out")],
            cwd=BENCHMARKS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TMPDIR": str(tmp_path)}, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(start * factor)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        said = stderr.strip().splitlines()  # run_all may have named a benchmark it started
        assert process.returncode == 130 and "Traceback" not in stderr, (factor, stderr)
        assert said[-1] == f"{script}: interrupted; no figures were written", (factor, stderr)
    assert [path.name for path in tmp_path.iterdir()] in ([], ["out"])


def test_a_reader_gone_away_is_one_line_as_for_an_export() -> None:
    process = subprocess.Popen(
        [sys.executable, "term_bench.py", "--pairs", "1", "--concurrent", "50"], cwd=BENCHMARKS,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.close()  # as `| head -0` does
    stderr = process.communicate(timeout=120)[1]
    assert (process.returncode, stderr.strip()) == (
        1, "term_bench.py: standard output was closed before the figures were all written")


def test_a_closed_standard_output_is_refused_not_a_silent_run() -> None:
    done = subprocess.run([sys.executable, "term_bench.py", "--pairs", "1"], cwd=BENCHMARKS,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=60, check=False,
                          preexec_fn=lambda: os.close(1))  # as `>&-` leaves it
    assert (done.returncode, done.stderr.strip()) == (
        2, "term_bench.py: standard output is closed, so the figures would be lost; run it "
        "with standard output open")


def test_every_line_a_benchmark_says_is_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGINT's handler runs between bytecodes, and `print` writes its text and its newline
    apart: a Ctrl-C between the two put "interrupted" at the end of run_all's first line (seen
    in CI). Each line goes out in one write, and no script prints to standard error itself."""
    writes: list[str] = []

    class Recorder:
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stderr", Recorder())
    bench("interrupted").say("run_all.py: running term_bench.py …")
    assert writes == ["run_all.py: running term_bench.py …\n"]
    printing = [path.name for path in BENCHMARKS.glob("*.py")
                if "file=sys.stderr" in path.read_text()]
    assert printing == []
