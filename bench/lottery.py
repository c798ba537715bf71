"""A 100,000-entry lottery on PostgreSQL: draw and store under 10 s; the stand-alone verifier on
the published files under 3 s.

A project gets 100,000 signed households with an entitled area (written in bulk; every 7th is
elderly, so the roster has two priority groups). Then, through resettlement.lottery.services
and .lifecycle as staff run it: lottery_create (mode order), roster_build, lottery_freeze
(informational figures),
and the measured step, lottery_draw with the witnesses' public input: it computes the draw
(algorithm v1) and writes the 100,000 LotteryResult rows. The published files (roster.csv,
result.csv, from published_files) go to a temporary folder and the verifier runs on them as a
notary runs it, in its own process: `python -S -m resettlement.lottery_verify ...` with the
secret, public input, commitment and both digests (-S: no site-packages, so no Django); it must
exit 0 and print "verified". Its wall time (the median of 3 runs, all printed) is the second
figure.
Publication (lottery_publish: every household takes its selection order, and the notice's
result table is stored) is informational; the notice PDF it enqueues is left to a worker (the
task is recorded, not run: 100,000 rows make a notice of some 2,200 pages).

By default a fresh PostgreSQL database resettlement_bench_lottery_<pid> on 127.0.0.1 is created,
migrated and dropped (SKIPPED if PostgreSQL does not answer); or give DATABASE_URL.
Run: .venv/bin/python bench/lottery.py [DATABASE_URL]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    background_tasks_queued_only,
    environment,
    migrate,
    report,
    setup_django,
)
from postgres import temporary_database

HOUSEHOLDS = 100_000
VERIFIER_RUNS = 3
TARGET_DRAW_S = 10.0
TARGET_VERIFY_S = 3.0


def clock(label: str, function):
    """Run `function`, print how long it took, return (result, seconds)."""
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.2f} s")
    return result, seconds


def verifier(lottery, folder: Path) -> tuple[float, str]:
    """The verifier on the published files, as a notary runs it: wall time and its output."""
    command = [
        PYTHON,
        "-S",
        "-m",
        "resettlement.lottery_verify",
        str(folder / "roster.csv"),
        str(folder / "result.csv"),
        "--secret",
        lottery.secret,
        "--public-input",
        lottery.public_input,
        "--commitment",
        lottery.commitment,
        "--roster-digest",
        lottery.roster_digest,
        "--result-digest",
        lottery.result_digest,
    ]
    start = time.perf_counter()
    run = subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if run.returncode or "verified" not in run.stdout:
        sys.exit(f"verifier failed (exit {run.returncode}):\n{run.stdout}{run.stderr}")
    return seconds, run.stdout


def main(database_url: str) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    background_tasks_queued_only()
    import seed_selection as seed

    from resettlement.households.models import HouseholdStatus
    from resettlement.lottery import lifecycle, services
    from resettlement.lottery.files import published_files
    from resettlement.lottery.models import LotteryResult, LotteryStatus
    from resettlement.selection.lotteries import lottery_publish

    project = seed.project()
    clock(
        f"seed {HOUSEHOLDS:,} households (bulk)", lambda: seed.households_add(project, HOUSEHOLDS)
    )
    lottery = services.lottery_create(
        project=project, name="第一批摇号", mode="order", **seed.NOTICE_DETAILS
    )
    roster, _seconds = clock(
        "roster_build (informational)", lambda: services.roster_build(lottery=lottery)
    )
    if roster.added != HOUSEHOLDS or roster.refused:
        sys.exit(f"roster: {roster.added} added, {len(roster.refused)} refused")
    clock("lottery_freeze (informational)", lambda: lifecycle.lottery_freeze(lottery=lottery))

    _lottery, draw_seconds = clock(
        "lottery_draw",
        lambda: lifecycle.lottery_draw(
            lottery=lottery, public_input=seed.PUBLIC_INPUT, witnesses=seed.WITNESSES
        ),
    )
    stored = LotteryResult.objects.filter(lottery=lottery).count()
    if stored != HOUSEHOLDS or lottery.status != LotteryStatus.DRAWN:
        sys.exit(f"draw stored {stored:,} results, lottery {lottery.status}")
    ok = report(
        f"draw and store a {HOUSEHOLDS:,}-entry lottery (lottery_draw)",
        draw_seconds,
        "s",
        TARGET_DRAW_S,
    )

    files, _seconds = clock("published_files (informational)", lambda: published_files(lottery))
    with tempfile.TemporaryDirectory(prefix="bench-lottery-") as name:
        folder = Path(name)
        for filename, text in files.items():
            (folder / filename).write_text(text, encoding="utf-8")
            print(f"    {filename}: {len(text.encode()) / 1e6:.2f} MB")
        runs = [verifier(lottery, folder) for _ in range(VERIFIER_RUNS)]
    print("  verifier output:\n" + "".join(f"    {line}\n" for line in runs[0][1].splitlines()))
    times = [seconds for seconds, _output in runs]
    print(f"  verifier wall times: {', '.join(f'{t:.2f} s' for t in times)}")
    ok &= report(
        f"stand-alone verifier (python -S) on {HOUSEHOLDS:,} entries, median of {VERIFIER_RUNS}",
        statistics.median(times),
        "s",
        TARGET_VERIFY_S,
    )

    clock("lottery_publish (informational)", lambda: lottery_publish(lottery=lottery))
    ordered = project.households.filter(status=HouseholdStatus.ORDERED).count()
    if ordered != HOUSEHOLDS:
        sys.exit(f"publication ordered {ordered:,} households")
    return ok


if __name__ == "__main__":
    with temporary_database("lottery", sys.argv[1] if len(sys.argv) > 1 else None) as url:
        met = main(url)
    sys.exit(0 if met else 1)
