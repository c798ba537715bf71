"""Bulk printing of handover notices (issue 10 §Numbers): 1,000 notices by two workers in
under 90 s, at least 80 % of raw WeasyPrint's page rate for the same template measured in the
same run, a merged PDF under 30 MB; and one notice on demand over HTTP with a p95 under 1 s.

A throw-away PostgreSQL database (two worker processes write to it at once) gets a project with
eleven buildings through the services (with their milestones; 竣工验收 recorded complete):
ten of 100 flats for the job's batch and one of 40 flats for the notices asked on demand.
Households are written in bulk (bench/seed_selection.py) and so are their selections (one flat
each, settlement balances varied, no selection day: nothing measured here reads it); batches,
slots and appointments come from the handover services.

1. Two `manage.py run_worker` processes (TASKS_BACKEND=database) are started and idle; the
   notices job of the 1,000-household batch is started (handover.printing.job_start) and timed
   until its merged PDF and ZIP are stored. Pages per second = the notices' pages / that time.
2. Raw WeasyPrint: the same 1,000 notices (the same template and context, with their numbers)
   rendered to HTML here, then HTML(string).render(font_config).write_pdf() in a plain loop
   split over two processes, each with one font configuration as the product keeps; pages per
   second over the wall time of both.
3. On demand: gunicorn (2 workers) serves the notice of each of the 40 other households once
   (rendered and stored on that request) to a logged-in clerk, and the login page (a trivial
   view) as many times; p95 of each. Without the notice page (handover:notice, from the handover
   pages), the notice is timed in-process instead (paper_issue) and said so.

Run: .venv/bin/python bench/handover_printing.py [DATABASE_URL]
"""

import datetime
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from common import ROOT, environment, gunicorn, migrate, percentile, report, setup_django
from postgres import temporary_database

HOUSEHOLDS = 1_000
ON_DEMAND = 40
WORKERS = 2
TARGET_SECONDS = 90.0
TARGET_RATIO = 0.80
TARGET_MERGED_MB = 30.0
TARGET_ON_DEMAND_S = 1.0
D = Decimal


def seed():
    """(the job's batch, the on-demand batch, a clerk)."""
    import seed_selection as seed
    from django.contrib.auth.models import Group
    from django.db.models import F
    from django.utils import timezone

    from resettlement.accounts.models import Role, User
    from resettlement.handover.models import HalfDay
    from resettlement.handover.services import appointments_assign, batch_open, slots_add
    from resettlement.households.models import Household, HouseholdStatus
    from resettlement.housing.models import Flat, FlatStatus
    from resettlement.housing.services import flats_generate
    from resettlement.progress.models import BuildingMilestone, MilestoneRole
    from resettlement.progress.setup import building_create
    from resettlement.selection.models import SelectedFlat, Selection

    project = seed.project()
    project.maintenance_fund_rate = D("60.00")
    project.property_fee_rate = D("1.50")
    project.property_fee_months = 12
    project.handover_phone = "029-00000000"
    project.save()
    seed.households_add(project, HOUSEHOLDS + ON_DEMAND)
    buildings = []
    for number in range(1, 12):
        floors = 25 if number <= 10 else 10
        building = building_create(project=project, code=f"{number}#", floors=floors, stairwells=2)
        flats_generate(building=building, positions=seed.POSITIONS)
        buildings.append(building)
    done = datetime.date(2026, 5, 1)
    BuildingMilestone.objects.filter(
        building__in=buildings, milestone_type__role=MilestoneRole.COMPLETION_ACCEPTANCE
    ).update(percent=100, actual_start=done, actual_finish=done)
    flats = list(Flat.objects.filter(building__in=buildings).order_by("building__sort_key", "code"))
    households = list(Household.objects.filter(project=project).order_by("agreement_no"))
    selections = Selection.objects.bulk_create(
        Selection(
            household=household,
            entitled_area=household.entitled_area,
            total_area=flat.gross_area,
            excess_area=max(flat.gross_area - household.entitled_area, D(0)),
            shortfall_area=max(household.entitled_area - flat.gross_area, D(0)),
            excess_amount=D(0),
            refund_amount=D(0),
            floor_amount=D(n % 5 * 1000),
            balance=(flat.gross_area - household.entitled_area) * 4000 + n % 5 * 1000,
        )
        for n, (household, flat) in enumerate(zip(households, flats, strict=False))
    )
    SelectedFlat.objects.bulk_create(
        SelectedFlat(selection=selection, flat=flat, area=flat.gross_area)
        for selection, flat in zip(selections, flats, strict=False)
    )
    Flat.objects.filter(selections__isnull=False).update(status=FlatStatus.SELECTED)
    Household.objects.filter(project=project).update(
        status=HouseholdStatus.ALLOCATED, selection_order=F("pk")
    )
    today = timezone.localdate()
    batches = []
    for name, members, desks in (("第一批交房", buildings[:10], 5), ("按需", buildings[10:], 1)):
        batch = batch_open(project=project, name=name, buildings=members, place="社区服务中心")
        slots_add(
            batch=batch,
            days=[today + datetime.timedelta(days=7 + d) for d in range(10)],
            half_days=[HalfDay.MORNING, HalfDay.AFTERNOON],
            desks=desks,
            capacity=10,
        )
        assigned = appointments_assign(batch=batch)
        assert assigned.waiting == 0, assigned
        batches.append(batch)
    clerk = User.objects.create_user(username="bench-clerk", password="bench-only-password")
    clerk.groups.add(Group.objects.get(name=Role.SELECTION_CLERK))
    clerk.projects.add(project)
    return batches[0], batches[1], clerk


def start_workers(env: dict) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for _ in range(WORKERS)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in workers:
        process.wait(timeout=60)


def run_job(batch):
    from resettlement.handover.models import PrintJob, PrintKind
    from resettlement.handover.printing import job_start

    start = time.perf_counter()
    job = job_start(batch=batch, kind=PrintKind.NOTICES)
    last = -1
    while not PrintJob.objects.get(pk=job.pk).finished:
        time.sleep(0.5)
        done = PrintJob.objects.get(pk=job.pk).done
        if done // 100 != last // 100:
            print(f"  {done} households printed after {time.perf_counter() - start:.0f} s")
        last = done
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    return job, seconds


def notice_htmls(job) -> list[str]:
    """The job's notices as HTML: the same template and context as paper_layout."""
    from django.template.loader import render_to_string

    from resettlement.archive.models import IssuedKind
    from resettlement.handover.documents import TEMPLATES, paper_context

    htmls = []
    for item in job.items.prefetch_related("documents").order_by("position"):
        for document in item.documents.all():
            context = paper_context(document.kind, document.subject, document)
            htmls.append(render_to_string(TEMPLATES[IssuedKind(document.kind)], context))
    return htmls


def _raw_render(htmls: list[str]) -> int:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    # One font configuration for the loop, as the product keeps one per thread: the baseline
    # is WeasyPrint used well, so that the ratio measures what the job adds to it.
    fonts = FontConfiguration()
    pages = 0
    for html in htmls:
        document = weasyprint.HTML(string=html, base_url="/").render(font_config=fonts)
        document.write_pdf()
        pages += len(document.pages)
    return pages


def raw_weasyprint(htmls: list[str]) -> tuple[int, float]:
    """(pages, seconds) for a plain loop of HTML(...).write_pdf() over two processes."""
    halves = [htmls[index::WORKERS] for index in range(WORKERS)]
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with context.Pool(WORKERS) as pool:
        pages = sum(pool.map(_raw_render, halves))
    return pages, time.perf_counter() - start


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def fetch(url: str, cookie: str = "") -> float:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local server)
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local server)
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - start


def on_demand(env: dict, batch, clerk) -> tuple[list[float], list[float], str]:
    """(notice seconds, trivial view seconds, how the notice was asked)."""
    from django.urls import NoReverseMatch, reverse

    from resettlement.archive.models import IssuedKind
    from resettlement.handover.documents import paper_issue

    appointments = list(batch.appointments.order_by("order_no"))
    try:
        urls = [reverse("handover:notice", args=[a.pk]) for a in appointments]
    except NoReverseMatch:
        urls = []
    trivial: list[float] = []
    notices: list[float] = []
    with gunicorn(env, workers=2) as (base_url, _server):
        fetch(f"{base_url}/accounts/login/")  # warm up both workers
        fetch(f"{base_url}/accounts/login/")
        cookie = session_cookie(clerk)
        for index, appointment in enumerate(appointments):
            trivial.append(fetch(f"{base_url}/accounts/login/"))
            if urls:
                notices.append(fetch(base_url + urls[index], cookie))
            else:
                start = time.perf_counter()
                paper_issue(IssuedKind.HANDOVER_NOTICE, appointment)
                notices.append(time.perf_counter() - start)
    how = "over HTTP (handover:notice)" if urls else "in-process (paper_issue): no notice page here"
    return notices, trivial, how


def ratio_report(ratio: float) -> bool:
    ok = ratio >= TARGET_RATIO
    verdict = "OK" if ok else "MISSED"
    print(f"job pages/s ÷ raw WeasyPrint pages/s: {ratio:.2f} (target ≥ {TARGET_RATIO}) {verdict}")
    return ok


def main() -> int:
    database_url = sys.argv[1] if len(sys.argv) > 1 else None
    with temporary_database("printing", database_url) as url:
        env = {**environment(url), "TASKS_BACKEND": "database"}
        migrate(env)
        setup_django(env)
        print(f"Seeding {HOUSEHOLDS} + {ON_DEMAND} allocated households with appointments…")
        started = time.perf_counter()
        batch, demand_batch, clerk = seed()
        print(f"  seeded in {time.perf_counter() - started:.0f} s")

        workers = start_workers(env)
        try:
            time.sleep(3)  # both workers up and idle
            job, seconds = run_job(batch)
        finally:
            stop_workers(workers)
        from resettlement.handover.models import ItemStatus

        assert job.status == "done" and job.done == HOUSEHOLDS, (job.status, job.done)
        merged_mb = job.merged.size / 1_000_000
        pages = sum(job.items.filter(status=ItemStatus.DONE).values_list("page_count", flat=True))
        rate = pages / seconds

        htmls = notice_htmls(job)
        raw_pages, raw_seconds = raw_weasyprint(htmls)
        raw_rate = raw_pages / raw_seconds

        notices, trivial, how = on_demand(env, demand_batch, clerk)

        cpus = os.cpu_count()
        load = os.getloadavg()[0]
        print(f"CPUs: {cpus}, load average (1 min) at the end: {load:.2f}")
        print(
            f"job: {HOUSEHOLDS} notices, {pages} pages in {seconds:.1f} s with {WORKERS} "
            f"workers: {rate:.1f} pages/s"
        )
        print(
            f"raw WeasyPrint, same notices in a plain loop over {WORKERS} processes: "
            f"{raw_pages} pages in {raw_seconds:.1f} s: {raw_rate:.1f} pages/s"
        )
        print(f"ZIP of per-household PDFs: {job.zip.size / 1_000_000:.1f} MB (informational)")
        print(f"on-demand notice {how}; trivial view (login page) over HTTP beside it:")
        print(
            f"  notice p95 {percentile(notices, 0.95) * 1000:.0f} ms, "
            f"login page p95 {percentile(trivial, 0.95) * 1000:.0f} ms (n={len(notices)})"
        )
        results = [
            report("1,000 notices, two workers", seconds, "s", TARGET_SECONDS),
            ratio_report(rate / raw_rate),
            report("merged PDF", merged_mb, "MB", TARGET_MERGED_MB),
            report(
                "one notice on demand, p95",
                percentile(notices, 0.95),
                "s",
                TARGET_ON_DEMAND_S,
            ),
        ]
        return 0 if all(results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
