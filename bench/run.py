"""The benchmark, end to end, from one command (see README, « Performances »).

    python bench/run.py                      # 1,500 quartiers, 50,000 agents, 2,000,000 observations
    python bench/run.py --quick              # the same database, shorter measures (a few minutes)
    python bench/run.py --quartiers 30 --agents 1000 --observations 30000 --database aq_bench_small

1. creates the PostgreSQL database if needed, migrates it and seeds it with `seed_scale` (or
   reuses a database seeded before: the sizes found are reported);
2. serves the app with two gunicorn instances on two ports against that same database (web
   nodes share nothing but PostgreSQL, Redis and the media storage);
3. signs in a few personas (sessions created with Django's SessionStore);
4. from a second process (bench/load.py), measures median and 95th percentile latency and
   throughput of each page, and of a minimal view (`bench/views.py`) that every page is
   reported as a ratio to;
5. times the agenda PDF and the diagnostic PDF of the largest quartier in their own processes,
   with their peak memory (ru_maxrss);
6. runs 50 concurrent users for a bounded time and counts errors;
7. writes `EXPLAIN (ANALYZE, BUFFERS)` plans of the pages' queries into bench/plans/, and the
   results into bench/results/<date>.json and bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PLANS = BENCH / "plans"
PYTHON = sys.executable
DIAGNOSTIC_QUARTIER = "banc-d-essai"  # seeded by bench/diagnostic_pdf.py
BENCH_SECRET = "bench-only-not-a-secret"  # noqa: S105 - a throwaway key for a local benchmark


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quartiers", type=int, default=1500)
    parser.add_argument("--agents", type=int, default=50_000)
    parser.add_argument("--observations", type=int, default=2_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="aq_bench", help="database name (created if missing)")
    parser.add_argument("--database-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--database-port", default=os.environ.get("PGPORT", "5432"))
    parser.add_argument("--database-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed again")
    parser.add_argument("--ports", default="8101,8102", help="one gunicorn instance per port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per page")
    parser.add_argument("--concurrency", type=int, default=4, help="connections per page measure")
    parser.add_argument("--users", type=int, default=50, help="concurrent users of the soak test")
    parser.add_argument("--soak", type=float, default=300, help="seconds of the soak test")
    parser.add_argument("--think", type=float, default=3, help="mean think time of a soak user (s)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="paired measures of every page, in alternating order; the median ratio is reported",
    )
    parser.add_argument(
        "--sizes",
        default="",
        help="observation counts, e.g. 20000,200000,2000000: one database and one run each, "
        "then the growth of each page's ratio from the smallest to the largest",
    )
    parser.add_argument(
        "--haproxy",
        action="store_true",
        help="the soak test goes through HAProxy in front of the web nodes (Debian's haproxy)",
    )
    parser.add_argument("--output", default="", help="write this run's JSON here (used by --sizes)")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2 s a page, a 20 s soak")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.soak = min(args.duration, 2), min(args.soak, 20)
        args.rounds = min(args.rounds, 3)
    return args


def database_url(args) -> str:
    return (
        f"postgres://{args.database_user}@{args.database_host}:{args.database_port}/{args.database}"
    )


def redis_url() -> str:
    """Use the local Redis (shared cache of the web nodes) when one answers, as in production."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return url
    except OSError:
        return ""


def app_environment(args) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args),
        "SECRET_KEY": BENCH_SECRET,
        "DEBUG": "0",
        "TESTING": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_HTTPS": "0",
        "BENCH_MINIMAL_VIEW": "1",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        # The partner key of the Open311 row is measured, not throttled.
        "OPEN311_RATE_LIMIT": "1000000000",
        "PYTHONPATH": str(ROOT),
    }
    env["REDIS_URL"] = redis_url()
    return env


def log(message: str) -> None:
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S} UTC] {message}", flush=True)


def manage(env: dict, *arguments: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *arguments], env=env, cwd=ROOT, check=True)


# 1. The database ---------------------------------------------------------------------------


def ensure_database(args, env: dict) -> None:
    import psycopg

    admin = f"host={args.database_host} port={args.database_port} user={args.database_user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if exists and args.reseed:
            log(f"dropping {args.database}")
            conn.execute(f'DROP DATABASE "{args.database}"')
            exists = None
        if not exists:
            log(f"creating {args.database}")
            conn.execute(f'CREATE DATABASE "{args.database}"')
    manage(env, "migrate", "--noinput", "-v", "0")
    # Fresh planner statistics: a migration that rebuilds an expression index (the full-text
    # one) leaves it without statistics until the next ANALYZE, and plans go astray meanwhile.
    with psycopg.connect(
        admin.replace("dbname=postgres", f"dbname={args.database}"), autocommit=True
    ) as conn:
        conn.execute("ANALYZE")


def seeded_sizes() -> dict:
    from django.db import connection

    from bench.seeding import SCALE_SLUG_PREFIX
    from teams.models import Agent, Quartier

    sizes = {
        "quartiers": Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).count(),
        "agents": Agent.objects.count(),
    }
    with connection.cursor() as cursor:
        for key, table in (
            ("observations", "observations_observation"),
            ("meetings", "meetings_meeting"),
            ("diagnostics", "diagnostics_diagnostic"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            sizes[key] = cursor.fetchone()[0]
    return sizes


def ensure_seeded(args, env: dict) -> dict:
    sizes = seeded_sizes()
    common = [
        "--quartiers", str(args.quartiers), "--agents", str(args.agents),
        "--observations", str(args.observations), "--years", str(args.years), "--seed", str(args.seed),
    ]  # fmt: skip
    if not sizes["quartiers"]:
        log("seeding (this takes a while for millions of observations)")
        manage(env, "seed_scale", *common)
    else:
        missing = [stage for stage in ("meetings", "diagnostics") if not sizes[stage]]
        if missing:
            log(f"adding {', '.join(missing)} to the seeded database")
            manage(env, "seed_scale", *common, "--stages", ",".join(missing))
        if (
            sizes["quartiers"] != args.quartiers
            # (bench/diagnostic_pdf.py adds its own quartier of 30,000 observations)
            or abs(sizes["observations"] - args.observations) > 0.02 * args.observations + 30_000
        ):
            log(f"reusing a database of another size: {sizes} (use --reseed to rebuild it)")
    return seeded_sizes()


def collect_static(env: dict) -> None:
    """DEBUG is off, as in production: static files need their manifest (rebuilt when stale)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = [ROOT / "static", ROOT / "node_modules" / "bootstrap" / "dist"]
    newest = max(
        (f.stat().st_mtime for d in sources if d.exists() for f in d.rglob("*") if f.is_file()),
        default=0,
    )
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        log("collectstatic")
        manage(env, "collectstatic", "--noinput", "-v", "0")


# 2. Personas and pages ---------------------------------------------------------------------


def session_cookie(agent) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(agent.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def ensure_points(quartier) -> str:
    """The big quartier's observations get a point (once, spread over a 2 by 3 km square, as
    the map would have them), so the map row serves a real area. Returns the bbox of the view."""
    from django.db import models
    from django.db.models import F, Value
    from django.db.models.functions import Cast, Mod

    from observations.models import Observation

    located = Observation.objects.filter(quartier=quartier)
    if not located.filter(latitude__isnull=False).exists():
        located.update(
            latitude=Cast(
                Value(50.28) + Mod(F("id"), 997) * Value(0.00002),
                output_field=models.DecimalField(max_digits=9, decimal_places=6),
            ),
            longitude=Cast(
                Value(2.74) + Mod(F("id"), 991) * Value(0.00003),
                output_field=models.DecimalField(max_digits=9, decimal_places=6),
            ),
        )
    return "2.745,50.285,2.760,50.295"  # a street-level view: a quarter of the square


def ensure_booking_week(quartier, agents: list) -> str:
    """The big quartier's MSP, with a week of bookings of its ten resources (six a day each,
    this week): created once, kept by later runs. Returns the place's slug."""
    import datetime

    from django.utils import timezone

    from bookings.models import Booking, Place, Resource

    place, created = Place.objects.get_or_create(
        slug=f"msp-{quartier.slug}"[:200], defaults={"name": f"MSP {quartier.name}"[:200]}
    )
    place.quartiers.add(quartier)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    if Booking.objects.filter(resource__place=place, start__date__gte=monday).exists():
        return place.slug
    kinds = [Resource.Kind.ROOM, Resource.Kind.VEHICLE] + [Resource.Kind.BIKE] * 8
    bookings = []
    for index, kind in enumerate(kinds):
        resource, _ = Resource.objects.get_or_create(
            place=place, name=f"{kind} {index + 1}", defaults={"kind": kind}
        )
        for day in range(7):
            for slot in range(6):
                start = timezone.make_aware(
                    datetime.datetime.combine(
                        monday + datetime.timedelta(days=day), datetime.time(8 + 2 * slot)
                    )
                )
                bookings.append(
                    Booking(
                        resource=resource,
                        booker=agents[(index + day + slot) % len(agents)],
                        start=start,
                        end=start + datetime.timedelta(minutes=90),
                        purpose="Tournée",
                    )
                )
    Booking.objects.bulk_create(bookings)
    return place.slug


def ensure_document_spaces(quartier, agents: list, *, big: int = 3000, each: int = 20) -> int:
    """Document spaces: `big` documents in the big quartier's, `each` in every other scale
    quartier's, each with one version and extracted text (the trigger fills the search vector):
    created once, kept by later runs. Returns the big space's pk."""
    from django.utils import timezone

    from bench.seeding import SCALE_SLUG_PREFIX
    from documents.models import Document, DocumentVersion, Space
    from teams.models import Quartier

    space, _ = Space.objects.get_or_create(quartier=quartier)
    if Document.objects.filter(space=space).exists():
        return space.pk
    quartiers = Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exclude(pk=quartier.pk)
    Space.objects.bulk_create(
        [Space(quartier_id=pk) for pk in quartiers.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )
    words = ["éclairage", "voirie", "médiathèque", "jardins", "tranquillité", "jeunesse"]
    now = timezone.now()
    for space_pk, count in [(space.pk, big)] + [
        (pk, each) for pk in Space.objects.exclude(pk=space.pk).values_list("pk", flat=True)
    ]:
        documents = Document.objects.bulk_create(
            [
                Document(
                    space_id=space_pk,
                    title=f"Compte rendu {n} — {words[n % len(words)]}",
                    description="Relevé de l'équipe de quartier.",
                    extracted_text=" ".join(words[(n + k) % len(words)] for k in range(60)),
                    created_by=agents[n % len(agents)],
                    created_at=now,
                    updated_at=now,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        versions = DocumentVersion.objects.bulk_create(
            [
                DocumentVersion(
                    document=document,
                    number=1,
                    file=f"bench/{document.pk}.pdf",
                    original_name="compte-rendu.pdf",
                    content_type="application/pdf",
                    extension="pdf",
                    size=40_000,
                    checksum="0" * 64,
                    uploaded_by=document.created_by,
                    text_status="ready",
                )  # fmt: skip
                for document in documents
            ],
            batch_size=2000,
        )
        for document, version in zip(documents, versions, strict=True):
            document.current_version = version
        Document.objects.bulk_update(documents, ["current_version"], batch_size=2000)
    return space.pk


def settle_added_rows() -> None:
    """VACUUM (ANALYZE) of the tables the bench adds rows to: what autovacuum does to a table
    after many inserts in production. Without it, an index-only count still reads every row
    (no visibility map yet): the document spaces' counts read 3,000 heap rows, not an index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) documents_space, documents_document, documents_documentversion, "
            "bookings_booking, observations_observation"
        )


def personas_and_pages() -> tuple[dict, list[dict], dict]:
    from django.db.models import Exists, OuterRef

    from bench.seeding import SCALE_SLUG_PREFIX
    from meetings.models import Meeting
    from meetings.services import feed_token_renew
    from observations.models import Category, Comment, Escalation, Observation
    from teams.models import Agent, Membership, Quartier, Service

    big = Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("pk").first()
    chef = Membership.objects.active().get(quartier=big, role="chef").agent
    agent = (
        Agent.objects.filter(
            memberships__quartier=big, memberships__role="membre", service__isnull=False
        )
        .order_by("pk")
        .first()
    )
    responsable = (
        Service.objects.get(slug="services-techniques").responsables.order_by("pk").first()
    )
    comite = Agent.objects.filter(is_comite_direction=True).order_by("pk").first()
    people = {"chef": chef, "agent": agent, "responsable": responsable, "comite": comite}
    cookies = {role: session_cookie(person) for role, person in people.items()}

    in_big = Observation.objects.filter(quartier=big, confidentiality="equipe")
    detail = (
        in_big.filter(Exists(Comment.objects.filter(observation=OuterRef("pk"))), status="traitee")
        .order_by("-id")
        .first()
    )
    deep_cursor = in_big.order_by("id").values_list("id", flat=True)[200]
    category = Category.objects.get(slug="proprete")
    deep_escalations = max(1, Escalation.objects.count() * 9 // 10 // 20)  # 20 a page
    token = feed_token_renew(agent=chef).token
    msp = ensure_booking_week(big, [agent, chef])
    doc_space = ensure_document_spaces(big, [agent, chef])
    from documents.models import Document

    doc_cursor = (
        Document.objects.filter(space_id=doc_space).order_by("id").values_list("id", flat=True)[200]
    )
    view = ensure_points(big)
    settle_added_rows()
    search = urllib.parse.urlencode({"q": "dépôt sauvage"})
    from open311.services import api_key_create

    _, open311_key = api_key_create(partner="Banc d'essai", quartiers=[big])
    pages = [
        ("minimal view (reference)", "/bench/minimal/", "agent"),
        ("quartier home", f"/quartiers/{big.slug}/", "chef"),
        ("dashboard", "/", "chef"),
        ("observation list, first page", "/observations/", "agent"),
        ("observation list, deep page", f"/observations/?apres={deep_cursor}", "agent"),
        (
            "observation list, filtered",
            f"/observations/?status=traitee&category={category.pk}",
            "agent",
        ),
        ("observation list, full-text search", f"/observations/?{search}", "agent"),
        ("observation detail", f"/observations/{detail.pk}/", "agent"),
        ("service queue", "/observations/a-traiter/", "responsable"),
        ("emerging phenomena", f"/observations/phenomenes-emergents/?quartier={big.slug}", "chef"),
        ("calendar feed (iCalendar)", f"/reunions/agenda/{token}.ics", None),
        ("booking week view", f"/reservations/lieux/{msp}/", "agent"),
        ("document list", f"/documents/espaces/{doc_space}/", "agent"),
        (
            "document list, deep page",
            f"/documents/espaces/{doc_space}/?apres={doc_cursor}",
            "agent",
        ),
        ("document search, words inside files", "/documents/?q=m%C3%A9diath%C3%A8que", "agent"),
        (
            "observation map, points in view",
            f"/observations/carte/points.geojson?quartier={big.pk}&bbox={view}",
            "agent",
        ),
        ("comité de direction escalations", "/observations/remontees/", "comite"),
        (
            "comité de direction escalations, deep page",
            f"/observations/remontees/?page={deep_escalations}",
            "comite",
        ),
        # A partner's page of 50 (the pagination extension), as the minimal view's 50 rows; the
        # spec's default answer (up to 1,000 requests) is a bulk read, not a page.
        (
            "Open311 API, request list",
            f"/open311/v2/requests.json?api_key={open311_key}&page_size=50",
            None,
        ),
    ]
    page_list = [
        {"name": name, "path": path, "cookie": cookies[role] if role else "", "role": role}
        for name, path, role in pages
    ]
    meeting = (
        Meeting.objects.filter(quartier=big, kind="equipe", status="planned")
        .order_by("start")
        .first()
        or Meeting.objects.filter(quartier=big).order_by("-start").first()
    )
    context = {
        "big_quartier": {
            "slug": big.slug,
            "observations": Observation.objects.filter(quartier=big).count(),
        },
        "agenda_meeting": meeting.pk if meeting else None,
        "people": {role: person.email for role, person in people.items()},
    }
    return people, page_list, context


# 3. Servers --------------------------------------------------------------------------------


def start_servers(args, env: dict) -> list[subprocess.Popen]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    servers = []
    for port in [int(p) for p in args.ports.split(",")]:
        logfile = open(RESULTS / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed with the process
        servers.append(
            subprocess.Popen(
                [
                    str(Path(PYTHON).parent / "gunicorn"),
                    "arras_quartiers.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--worker-class",
                    "gthread",
                    "--timeout",
                    "120",
                    "--keep-alive",
                    "30",
                    "--log-level",
                    "warning",
                ],  # fmt: skip
                env=env,
                cwd=ROOT,
                stdout=logfile,
                stderr=subprocess.STDOUT,
            )
        )
    for port in [int(p) for p in args.ports.split(",")]:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    stop_servers(servers)
                    raise SystemExit(
                        f"gunicorn did not start on port {port}: see {RESULTS}/gunicorn-{port}.log"
                    ) from None
                time.sleep(0.3)
    return servers


HAPROXY_PORT = 8180


def start_haproxy(ports: list[int]) -> subprocess.Popen:
    """HAProxy in front of the two web nodes with production's own configuration
    (deploy/haproxy.cfg: health checks on /sante/, retries and redispatch), for the soak test."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        raise SystemExit("--haproxy: Debian's haproxy is not installed (apt-get install haproxy)")
    if len(ports) != 2:
        raise SystemExit("--haproxy: deploy/haproxy.cfg has two web nodes; give two --ports")
    config = ROOT / "deploy" / "haproxy.cfg"
    addresses = {
        "HAPROXY_BIND": f"127.0.0.1:{HAPROXY_PORT}",
        "WEB1_ADDR": f"127.0.0.1:{ports[0]}",
        "WEB2_ADDR": f"127.0.0.1:{ports[1]}",
    }
    process = subprocess.Popen(
        [binary, "-f", str(config), "-db"],
        env={**os.environ, **addresses},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", HAPROXY_PORT), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("HAProxy did not start: see " + str(config)) from None
            time.sleep(0.2)
    time.sleep(2.5)  # its first health checks mark the nodes up
    return process


def stop_servers(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def load(plan: dict) -> dict:
    """Run the load generator in its own process."""
    completed = subprocess.run(
        [PYTHON, str(BENCH / "load.py")],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


# 4. PDFs in their own processes --------------------------------------------------------------


def measure_process(command: list[str], env: dict) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "command": " ".join(Path(c).name if i < 2 else c for i, c in enumerate(command)),
        "exit_code": process.returncode,
        "wall_seconds": round(wall, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
    }
    for line in reversed(out.strip().splitlines()):
        try:
            result["reported"] = json.loads(line)
            break
        except ValueError:
            continue
    if process.returncode:
        result["error"] = err.strip().splitlines()[-5:]
    return result


def measure_pdfs(env: dict, context: dict) -> dict:
    pdf_env = env  # production settings, as the web nodes (DEBUG off, collected static files)
    pdfs = {}
    if context["agenda_meeting"]:
        log("agenda PDF")
        pdfs["agenda"] = measure_process(
            [
                PYTHON,
                str(BENCH / "agenda_pdf.py"),
                str(context["agenda_meeting"]),
                "--output",
                str(RESULTS / "agenda.pdf"),
            ],
            pdf_env,
        )
    script = BENCH / "diagnostic_pdf.py"
    if not script.exists():
        pdfs["diagnostic"] = {"error": "bench/diagnostic_pdf.py is missing"}
        return pdfs
    from observations.models import Observation

    if Observation.objects.filter(quartier__slug=DIAGNOSTIC_QUARTIER).count() < 20_000:
        # The diagnostics benchmark seeds its own quartier once: 20,000 observations in a year.
        log("seeding the diagnostic benchmark's quartier (bench/diagnostic_pdf.py)")
        subprocess.run([PYTHON, str(script)], env=pdf_env, cwd=ROOT, check=True)
    log("diagnostic PDF")
    pdfs["diagnostic"] = measure_process([PYTHON, str(script), "--measure"], pdf_env)
    return pdfs


# 5. Query plans --------------------------------------------------------------------------------

BIG_TABLES = ("observations_", "meetings_", "diagnostics_")


def explain_queries(label: str, queries: list[dict]) -> dict:
    from django.db import connection

    lines = [
        f"# {label}",
        f"# {len(queries)} SQL queries; plans of those that read the large tables",
        "",
    ]
    uses = set()
    conditions = set()
    slowest = 0.0
    with connection.cursor() as cursor:
        for number, query in enumerate(queries, 1):
            sql = query["sql"]
            if "set_config(" in sql:
                # The page's own setting for its transaction (the search's work_mem): the plans
                # below run one by one, so it is applied to the session until the page's end.
                cursor.execute(sql.replace(", true)", ", false)"))
                lines += [f"-- query {number}", sql, ""]
                continue
            if not sql.lstrip().upper().startswith("SELECT") or not any(
                t in sql for t in BIG_TABLES
            ):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for line in plan.splitlines():
                if "Execution Time" in line:
                    slowest = max(slowest, float(line.split(":")[1].split()[0]))
                if " using " in line.lower() or "Bitmap Index Scan on" in line:
                    uses.add(line.split(" on ")[-1].split()[0] if " on " in line else line.strip())
                if "Index Cond:" in line:
                    conditions.add(line.split("Index Cond:", 1)[1].strip())
            lines += [f"-- query {number}", sql, "", plan, ""]
        cursor.execute("RESET work_mem")
    return {
        "text": "\n".join(lines),
        "indexes": sorted(uses),
        "index_conditions": sorted(conditions),
        "slowest_ms": slowest,
    }


def write_plans(people: dict, pages: list[dict], big_slug: str) -> dict:
    """Render each page in-process with a test client, capture its SQL, explain the big ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from diagnostics import indicators
    from teams.models import Quartier

    PLANS.mkdir(parents=True, exist_ok=True)
    summary = {}
    for page in pages:
        client = Client()
        if page["role"]:
            client.force_login(people[page["role"]])
        client.get(page["path"])  # warm caches, as in the measures
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
        name = page["name"].split(" (")[0].replace(",", "").replace(" ", "-").replace("é", "e")
        explained = explain_queries(
            f"{page['name']}: GET {page['path']} ({response.status_code})",
            captured.captured_queries,
        )
        (PLANS / f"{name}.txt").write_text(explained["text"])
        summary[page["name"]] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "indexes": explained["indexes"],
            "index_conditions": explained["index_conditions"],
            "slowest_query_ms": explained["slowest_ms"],
        }
    big = Quartier.objects.get(slug=big_slug)
    from django.utils import timezone

    year = timezone.localdate().year - 1  # the last complete year
    with CaptureQueriesContext(connection) as captured:
        indicators.compute(big, year)
    explained = explain_queries(
        f"diagnostic indicators of {big.slug} for {year}", captured.captured_queries
    )
    (PLANS / "diagnostic-indicators.txt").write_text(explained["text"])
    summary["diagnostic indicators"] = {
        "queries": len(captured.captured_queries),
        "indexes": explained["indexes"],
        "slowest_query_ms": explained["slowest_ms"],
    }
    return summary


# 6. Report -------------------------------------------------------------------------------------


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    memory = ""
    cpu = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()[0].split()
        memory = f"{int(meminfo[1]) / 1024 / 1024:.1f} GiB"
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration, IndexError, ValueError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgresql": pg,
        "work_mem": work_mem,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def paired_summary(rounds: list[list[dict]]) -> dict[str, dict]:
    """Each page's ratio to the minimal view, per round; the median of the rounds and their
    spread (two runs of one round each disagreed by up to 2x on a busy machine)."""
    per_page: dict[str, list[dict]] = {}
    for round_ in rounds:
        for pair in round_:
            per_page.setdefault(pair["name"], []).append(pair)
    summary = {}
    for name, pairs in per_page.items():
        ratios = sorted(p["p95_ms"] / p["reference"]["p95_ms"] for p in pairs)
        median_ratios = sorted(p["median_ms"] / p["reference"]["median_ms"] for p in pairs)
        summary[name] = {
            "rounds": len(pairs),
            "p95_ms": round(statistics.median(p["p95_ms"] for p in pairs), 1),
            "reference_p95_ms": round(
                statistics.median(p["reference"]["p95_ms"] for p in pairs), 1
            ),
            "median_ms": round(statistics.median(p["median_ms"] for p in pairs), 1),
            "errors": sum(p["errors"] + p["reference"]["errors"] for p in pairs),
            "p95_ratio": round(statistics.median(ratios), 2),
            "p95_ratio_min": round(ratios[0], 2),
            "p95_ratio_max": round(ratios[-1], 2),
            "median_ratio": round(statistics.median(median_ratios), 2),
        }
    return summary


def budgets(results: dict) -> dict:
    """The issue's budgets. Ratios come from the paired measure (each page alternating with the
    minimal view, so both see the same background load)."""
    pages = {p["name"]: p for p in results["pages"]}
    checks = {}
    for name, page in pages.items():
        if "paired" not in page:
            continue
        checks[f"p95 of {name} within 2x the minimal view"] = page["paired"]["p95_ratio"] <= 2
    for first_name, deep_name in (
        ("observation list, first page", "observation list, deep page"),
        ("comité de direction escalations", "comité de direction escalations, deep page"),
        ("document list", "document list, deep page"),
    ):
        first, deep = pages[first_name], pages[deep_name]
        checks[f"{deep_name} not slower than the first page (p95 ratio, 1.5x margin)"] = (
            deep["paired"]["p95_ratio"] <= 1.5 * first["paired"]["p95_ratio"]
        )
    checks["no error while measuring pages"] = all(
        p["errors"] == 0 and p.get("paired", {}).get("errors", 0) == 0 for p in pages.values()
    )
    plans = results.get("plans", {})
    if plans:
        # The person's quartier read from the text index with the words (migration 0012), not
        # the city's matches filtered afterwards.
        searched = plans.get("observation list, full-text search", {})
        checks["full-text search reads its quartier's matches from the GIN index"] = (
            "obs_search_fr_people" in searched.get("indexes", [])
            and any(
                "quartier_id = " in c and "search_document @@" in c
                for c in searched.get("index_conditions", [])
            )
        )
    if "soak" in results:
        soak = results["soak"]
        checks[f"{soak['users']} concurrent users, zero errors"] = soak["errors"] == 0
        reference = soak["pages"].get("minimal view (reference)", {}).get("p95_ms")
        if reference:
            checks["soak p95 within 3x the minimal view's p95 in the same run"] = (
                soak["p95_ms"] <= 3 * reference
            )
    return checks


# The Markdown table goes into the (French) README: page names in French there.
LABELS = {
    "minimal view (reference)": "vue minimale (référence)",
    "quartier home": "accueil du quartier",
    "dashboard": "tableau de bord",
    "observation list, first page": "observations, première page",
    "observation list, deep page": "observations, page lointaine",
    "observation list, filtered": "observations filtrées",
    "observation list, full-text search": "observations, recherche plein texte",
    "observation detail": "fiche d'une observation",
    "service queue": "file du service",
    "emerging phenomena": "phénomènes émergents",
    "calendar feed (iCalendar)": "flux d'agenda (iCalendar)",
    "booking week view": "semaine des réservations de la MSP",
    "document list": "documents partagés, première page",
    "document list, deep page": "documents partagés, page lointaine",
    "document search, words inside files": "documents partagés, recherche dans le texte des fichiers",
    "observation map, points in view": "carte des observations, points de la zone affichée",
    "comité de direction escalations": "remontées (comité de direction)",
    "comité de direction escalations, deep page": "remontées, page lointaine",
    "Open311 API, request list": "API Open311, liste des demandes (page de 50)",
}


def number(value, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def markdown(results: dict) -> str:
    m, s, settings = results["machine"], results["sizes"], results["settings"]
    lines = [
        f"Mesuré le {results['date'][:10]} : {m['nproc']} processeurs ({m['cpu']}), {m['memory']} "
        f"de mémoire, PostgreSQL {m['postgresql'].split()[0]} (work_mem {m.get('work_mem', '?')}), "
        f"Python {m['python']} ; deux instances "
        f"gunicorn ({settings['workers']} processus × {settings['threads']} threads chacune) ; "
        f"{number(s['quartiers'])} quartiers, {number(s['agents'])} agents, "
        f"{number(s['observations'])} observations, {number(s['meetings'])} réunions ; "
        f"{settings['concurrency']} connexions, {settings['duration']:g} s par page seule, puis "
        f"{settings.get('rounds', 1)} tours de {settings['duration']:g} s par page en alternant "
        "requête par requête avec la vue minimale, l'ordre des pages inversé d'un tour à l'autre "
        "(colonne du rapport : médiane des tours, puis le plus petit et le plus grand).",
        "",
        "| page | médiane (ms) | p95 (ms) | requêtes/s | p95 ÷ vue minimale (médiane ; min.–max. ; ms) | requêtes SQL |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    plans = results.get("plans", {})
    for page in results["pages"]:
        paired = page.get("paired")
        ratio = (
            f"{number(paired['p95_ratio'], 2)} ; {number(paired.get('p95_ratio_min', paired['p95_ratio']), 2)}–"
            f"{number(paired.get('p95_ratio_max', paired['p95_ratio']), 2)} ; "
            f"{number(paired['p95_ms'])} / {number(paired['reference_p95_ms'])}"
            if paired
            else "1"
        )
        queries = plans.get(page["name"], {}).get("queries", "")
        lines.append(
            f"| {LABELS.get(page['name'], page['name'])} | {number(page['median_ms'])} | "
            f"{number(page['p95_ms'])} | {number(page['throughput_rps'], 1)} | {ratio} | {queries} |"
        )
    pdfs = results.get("pdfs", {})
    if pdfs:
        lines += ["", "| document | durée (s) | mémoire max. (Mio) |", "|---|---:|---:|"]
        names = {"agenda": "ordre du jour (PDF)", "diagnostic": "diagnostic (PDF)"}
        for name, pdf in pdfs.items():
            if "wall_seconds" not in pdf:
                continue
            reported = pdf.get("reported", {})
            observations = reported.get("observations")
            label = names.get(name, name) + (
                f", une année de {number(observations)} observations" if observations else ""
            )
            seconds = reported.get("seconds", reported.get("total_seconds", pdf["wall_seconds"]))
            lines.append(
                f"| {label} | {number(seconds, 1)} (processus entier : {number(pdf['wall_seconds'], 1)}) | "
                f"{number(pdf['peak_rss_mib'])} |"
            )
    if "soak" in results:
        soak = results["soak"]
        think = soak.get("think_seconds", 0)
        reference = soak["pages"].get("minimal view (reference)", {}).get("p95_ms")
        lines += [
            "",
            f"{soak['users']} utilisateurs simultanés pendant {number(soak['seconds'])} s ("
            + (
                f"temps de réflexion moyen {number(think, 1)} s"
                if think
                else "sans temps de réflexion"
            )
            + (", à travers HAProxy" if soak.get("through") == "haproxy" else "")
            + f") : {number(soak['requests'])} requêtes, **{soak['errors']} erreur(s)**, "
            f"{number(soak['throughput_rps'], 1)} requêtes/s, médiane {number(soak['median_ms'])} ms, "
            f"p95 {number(soak['p95_ms'])} ms"
            + (
                f" (vue minimale dans la même charge : p95 {number(reference)} ms)."
                if reference
                else "."
            ),
        ]
    lines += ["", "Budgets :", ""]
    lines += [
        f"- {'✅' if ok else '❌'} {budget_label(name)}" for name, ok in results["budgets"].items()
    ]
    return "\n".join(lines) + "\n"


def budget_label(name: str) -> str:
    if name.startswith("p95 of ") and name.endswith(" within 2x the minimal view"):
        page = name.removeprefix("p95 of ").removesuffix(" within 2x the minimal view")
        return (
            f"p95 « {LABELS.get(page, page)} » ≤ 2 × celui de la vue minimale (médiane des tours)"
        )
    if name.startswith("growth of ") and name.endswith(" ratio within 1.3"):
        page = name.removeprefix("growth of ").removesuffix(" ratio within 1.3")
        return (
            f"« {LABELS.get(page, page)} » : ratio de la plus grande base ÷ ratio de la plus "
            "petite ≤ 1,3"
        )
    if name.endswith(" not slower than the first page (p95 ratio, 1.5x margin)"):
        page = name.removesuffix(" not slower than the first page (p95 ratio, 1.5x margin)")
        return f"« {LABELS.get(page, page)} » pas plus lente que la première page (marge 1,5 ×)"
    return {
        "no error while measuring pages": "aucune erreur pendant les mesures",
        "full-text search reads its quartier's matches from the GIN index": "la recherche plein texte lit les résultats de son quartier dans l'index GIN",
        "soak p95 within 3x the minimal view's p95 in the same run": (
            "p95 des utilisateurs simultanés ≤ 3 × celui de la vue minimale dans la même charge"
        ),
    }.get(
        name, name.replace("concurrent users, zero errors", "utilisateurs simultanés, zéro erreur")
    )


def run_sizes(args) -> None:
    """One run of this script per size, each on its own database, then the growth of every
    page's ratio between the smallest and the largest: the cost must not grow with the data."""
    sizes = sorted(int(size) for size in args.sizes.split(","))
    runs = {}
    for size in sizes:
        output = RESULTS / f"size-{size}.json"
        command, skip = [], False
        for arg in sys.argv[1:]:  # this run's arguments but --sizes
            if skip or arg.startswith("--sizes="):
                skip = False
                continue
            skip = arg == "--sizes"
            if not skip:
                command.append(arg)
        database = f"{args.database}_{size}"
        log(f"size {size}: database {database}")
        subprocess.run(
            [PYTHON, str(BENCH / "run.py"), *command, "--observations", str(size),
             "--database", database, "--output", str(output)],
            check=True,
        )  # fmt: skip
        runs[size] = json.loads(output.read_text())
    results = growth(runs)
    table = growth_markdown(results, runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sizes.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    latest = markdown(runs[sizes[-1]]) + "\n" + table
    (RESULTS / "latest.md").write_text(latest)
    print(latest)


def growth(runs: dict[int, dict]) -> dict:
    smallest, largest = min(runs), max(runs)
    pages = {}
    for page in runs[largest]["pages"]:
        name = page["name"]
        ratios = {}
        for size, run in runs.items():
            found = next((p for p in run["pages"] if p["name"] == name), None)
            if found and "paired" in found:
                ratios[size] = found["paired"]["p95_ratio"]
        if smallest in ratios and largest in ratios:
            pages[name] = {
                "ratios": ratios,
                "growth": round(ratios[largest] / ratios[smallest], 2),
            }
    budgets_ = {
        f"growth of {name} ratio within 1.3": p["growth"] <= 1.3 for name, p in pages.items()
    }
    return {"sizes": sorted(runs), "pages": pages, "budgets": budgets_}


def growth_markdown(results: dict, runs: dict[int, dict]) -> str:
    sizes = results["sizes"]
    lines = [
        "Croissance avec les données : ratio p95 ÷ vue minimale de chaque page à chaque taille "
        "(nombre d'observations), puis le ratio de la plus grande base divisé par celui de la "
        "plus petite.",
        "",
        "| page | " + " | ".join(number(size) for size in sizes) + " | plus grande ÷ plus petite |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for name, page in results["pages"].items():
        cells = " | ".join(number(page["ratios"].get(size, float("nan")), 2) for size in sizes)
        lines.append(f"| {LABELS.get(name, name)} | {cells} | {number(page['growth'], 2)} |")
    lines += ["", "Budgets :", ""]
    lines += [f"- {'✅' if ok else '❌'} {budget_label(n)}" for n, ok in results["budgets"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    if args.sizes:
        run_sizes(args)
        return
    env = app_environment(args)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "arras_quartiers.settings"
    ensure_database(args, env)
    import django

    django.setup()
    sizes = ensure_seeded(args, env)
    log(f"database {args.database}: {sizes}")
    collect_static(env)
    people, pages, context = personas_and_pages()
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": sizes,
        "context": context,
        "settings": {
            "workers": args.workers,
            "threads": args.threads,
            "ports": args.ports,
            "duration": args.duration,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "redis": bool(env["REDIS_URL"]),
        },  # fmt: skip
    }
    if not args.no_plans:
        log("query plans")
        results["plans"] = write_plans(people, pages, context["big_quartier"]["slug"])
    servers = start_servers(args, env)
    ports = [int(p) for p in args.ports.split(",")]
    try:
        log(f"measuring {len(pages)} pages, {args.duration:g} s each, on ports {args.ports}")
        results["pages"] = load(
            {
                "mode": "pages",
                "ports": ports,
                "duration": args.duration,
                "concurrency": args.concurrency,
                "pages": pages,
            }
        )["pages"]
        log(
            f"{args.rounds} rounds of each page alternating request by request with the minimal "
            f"view ({args.duration:g} s a page a round)"
        )
        rounds = []
        for number_ in range(args.rounds):
            # Alternate the order of the pages from one round to the next, so that no page is
            # always measured just after the same neighbour or at the same moment of the run.
            order = pages[1:] if number_ % 2 == 0 else pages[:0:-1]
            rounds.append(
                load(
                    {
                        "mode": "paired",
                        "ports": ports,
                        "duration": args.duration,
                        "concurrency": args.concurrency,
                        "pages": [pages[0], *order],
                    }
                )["paired"]
            )
        by_name = {page["name"]: page for page in results["pages"]}
        for name, paired in paired_summary(rounds).items():
            by_name[name]["paired"] = paired
        log(f"{args.users} concurrent users for {args.soak:g} s")
        soak_ports = ports
        if args.haproxy:
            servers.append(start_haproxy(ports))
            soak_ports = [HAPROXY_PORT]
        results["soak"] = load(
            {
                "mode": "soak",
                "ports": soak_ports,
                "duration": args.soak,
                "users": args.users,
                "think": args.think,
                "pages": pages,
                "sessions": [
                    {role: session_cookie(person) for role, person in people.items()}
                    for _ in range(args.users)
                ],
            }
        )["soak"]
        results["soak"]["through"] = "haproxy" if args.haproxy else "web nodes"
    finally:
        stop_servers(servers)
    if not args.no_pdf:
        results["pdfs"] = measure_pdfs(env, context)
    results["budgets"] = budgets(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False))
        return
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    table = markdown(results)
    (RESULTS / "latest.md").write_text(table)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(table)
    log(f"results: {RESULTS / (stamp + '.json')}")


if __name__ == "__main__":
    main()
