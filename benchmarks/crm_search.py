"""CRM at a million clients: quick search as the clerk types, complex searches, the duplicate scan.

Generates `--clients` realistic clients (default 1,000,000; see `benchmarks/crm_data.py`: Hungarian
names with real frequencies, addresses in District XII and elsewhere, emails, phones typed in any
format, loyalty cards, consents, tags, groups, timeline events, ~2 % planted duplicates with typos
and other differences) in a database of its own (`crm_bench` on the DATABASE_URL server, else on
the embedded one), loaded with COPY into the application's tables with the search columns the
application's own functions compute; then times, in this process, through the application's code:

  quick     `crm.selectors.clients_quick_search(query)` and the first page materialised as the
            staff page shows it, for `--queries` typed queries sampled from the data (name
            prefixes in any order with or without accents, email beginnings, phone numbers in
            any format, Hegyvidék Kártya numbers, street and house number): p50/p95/p99/max per
            kind, and how often the sampled client is on the first page;
  baseline  the naive way (`ILIKE '%…%'` over the plain columns) for 20 of those queries;
  complex   `crm.search.clients_matching(expression)` with 5 criteria (demographics, address,
            consents or tags, groups, timeline activity within a period), its count and its first
            page of 50, for `--expressions` varied expressions: p50/p95;
  dedupe    `crm.duplicates.duplicates_scan()` over all clients, and the precision and recall
            of the open pairs against the planted duplicates.

Prints tables and ends with
`RESULT crm_search quick_p95_ms=… complex_p95_ms=… dedupe_s=… dedupe_recall=… dedupe_precision=…`.

    .venv/bin/python benchmarks/crm_search.py                     # 1,000,000 clients
    .venv/bin/python benchmarks/crm_search.py --clients 20000     # a quick check
    .venv/bin/python benchmarks/crm_search.py --keep              # keep the database; reuse it

The database is dropped at the end unless `--keep` is given; with `--keep`, a database that holds
the same number of clients from the same seed is reused without generating again.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "nZfC0a4W9m2r3nyw6XB1y0S8vJm1u2cKk8pQ0Qd9Q8Y=")
os.environ.setdefault("DRAMATIQ_INPROCESS_WORKER", "0")
os.environ["DEBUG"] = "0"  # no query log in memory

from benchmarks import crm_data  # noqa: E402

BENCH_DATABASE = "crm_bench"
GENERATOR_VERSION = 3
CHUNK = 5_000
LOADED_TABLES = (
    "crm_client",
    "crm_clientemail",
    "crm_clientphone",
    "crm_clientaddress",
    "crm_clientconsent",
    "crm_clienttag",
    "crm_groupmembership",
    "crm_timelineentry",
)
QUICK_KINDS = (("name", 45), ("email", 14), ("phone", 15), ("card", 8), ("address", 13), ("postcode", 5))
TARGETS = {"quick_p95_ms": 30, "complex_p95_ms": 300, "dedupe_s": 120, "recall": 0.95, "precision": 0.98}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


# --- the database ---------------------------------------------------------------------------------
def server_params(database: str) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    configured = os.environ.get("DATABASE_URL")
    if configured:
        params = conninfo_to_dict(configured)
    else:
        from backend.embedded_pg import embedded_database_url

        data_dir = Path(os.environ.get("DATA_DIR", Path(__file__).resolve().parent.parent / ".data"))
        params = conninfo_to_dict(embedded_database_url(data_dir, database="postgres"))
    params["dbname"] = database
    return params


def maintenance(params: dict, sql: str) -> None:
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), autocommit=True) as conn:
        conn.execute(sql)


def database_state(params: dict) -> dict | None:
    """The benchmark's own notes in an existing database (`bench_meta`), or None."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        with psycopg.connect(make_conninfo(**params), connect_timeout=5) as conn:
            row = conn.execute("SELECT data FROM bench_meta").fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


# --- generating and loading -----------------------------------------------------------------------
_GENERATOR: crm_data.Generator | None = None


def _make_chunk(bounds: tuple[int, int]) -> crm_data.Chunk:
    assert _GENERATOR is not None
    return crm_data.chunk_rows(_GENERATOR, *bounds)


def load(args, conninfo: str, *, migrate_seconds: float) -> dict:
    """Generate and COPY the clients; returns timings and counts."""
    import multiprocessing

    import psycopg
    from django.db import connections

    from crm.models import ClientGroup, Tag

    global _GENERATOR
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name, _ in crm_data.TAGS]
    group_ids = [ClientGroup.objects.get_or_create(name=name)[0].pk for name, _ in crm_data.GROUPS]
    reference = crm_data.Reference.load(tag_ids=tag_ids, group_ids=group_ids)
    _GENERATOR = crm_data.Generator(seed=args.seed, total=args.clients, reference=reference)
    connections.close_all()  # no connection may cross the fork

    timings: dict[str, float] = {"migrate": migrate_seconds}
    counts: Counter = Counter()
    roles: Counter = Counter()
    truth: list[tuple[int, int, str]] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        started = time.perf_counter()
        dropped = drop_indexes(conn)
        timings["drop indexes"] = time.perf_counter() - started

        started = time.perf_counter()
        bounds = [(start, min(start + CHUNK, args.clients + 1)) for start in range(1, args.clients + 1, CHUNK)]
        emails = EmailRegister()
        context = multiprocessing.get_context("fork")
        copy_seconds = 0.0
        with context.Pool(args.workers) as pool:
            for number, chunk in enumerate(pool.imap(_make_chunk, bounds), start=1):
                copy_started = time.perf_counter()
                with conn.transaction():
                    for table, text in chunk.tables.items():
                        if text:
                            copy_text(conn, table, crm_data.TABLE_COLUMNS[table], text)
                            counts[table] += text.count("\n")
                    email_text = emails.rows(chunk.emails)
                    if email_text:
                        copy_text(conn, "crm_clientemail", crm_data.EMAIL_COLUMNS, email_text)
                        counts["crm_clientemail"] += email_text.count("\n")
                copy_seconds += time.perf_counter() - copy_started
                truth += chunk.truth
                roles.update(chunk.roles)
                if number % 20 == 0 or number == len(bounds):
                    done = bounds[number - 1][1] - 1
                    rate = done / (time.perf_counter() - started)
                    print(f"  generated and copied {done:,} clients ({rate:,.0f}/s)", file=sys.stderr, flush=True)
        timings["generate + COPY"] = time.perf_counter() - started
        timings["  of which COPY (main process)"] = copy_seconds

        started = time.perf_counter()
        restore_indexes(conn, dropped)
        timings["indexes + constraints"] = time.perf_counter() - started

        started = time.perf_counter()
        for table in LOADED_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        conn.execute("CREATE TABLE bench_truth (a bigint NOT NULL, b bigint NOT NULL, changes text NOT NULL)")
        with conn.cursor() as cursor, cursor.copy("COPY bench_truth (a, b, changes) FROM STDIN") as copy:
            for row in truth:
                copy.write_row(row)
        conn.execute("VACUUM (ANALYZE) " + ", ".join(LOADED_TABLES))
        timings["VACUUM ANALYZE"] = time.perf_counter() - started
        meta = {
            "clients": args.clients,
            "seed": args.seed,
            "version": GENERATOR_VERSION,
            "roles": dict(roles),
            "rows": dict(counts),
            "emails_renamed": emails.renamed,
            "timings": list(timings.items()),  # jsonb would reorder an object
        }
        conn.execute("CREATE TABLE bench_meta (data jsonb NOT NULL)")
        conn.execute("INSERT INTO bench_meta VALUES (%s)", [json.dumps(meta)])
    return meta


def copy_text(conn, table: str, columns: tuple[str, ...], text: str) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(text.encode())


class EmailRegister:
    """No two unrelated clients share a mailbox: a generated address already taken by someone
    else gets a number, as the provider would have made its owner choose. An address shared on
    purpose (a duplicate's, a household's) follows its owner's final spelling."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.suffix: dict[tuple[int, str], str] = {}  # (owner client id, normalised) -> number added
        self.renamed = 0

    def rows(self, emails: list[tuple]) -> str:
        from crm.cleansing import email_key

        lines = []
        per_client: dict[int, set[str]] = defaultdict(set)
        for row_id, client_id, address, kind, is_default, shared_with, created in emails:
            key = email_key(address)
            if shared_with:
                number = self.suffix.get((shared_with, key), "")
                if number:
                    local, _, domain = address.partition("@")
                    address = f"{local}{number}@{domain}"
                    key = email_key(address)
            else:
                number, base = "", address
                while key in self.taken:
                    local, _, domain = base.partition("@")
                    number = str(int(number or 1) + 1)
                    address = f"{local}{number}@{domain}"
                    key = email_key(address)
                if number:
                    self.renamed += 1
                    self.suffix[(client_id, email_key(base))] = number
                self.taken.add(key)
            if key in per_client[client_id]:
                continue
            per_client[client_id].add(key)
            lines.append(
                f"{row_id}\t{client_id}\t{address}\t{key}\t{kind}\t{'t' if is_default else 'f'}\tvalid\t\t\\N\t{created}"
            )
        return "\n".join(lines) + "\n" if lines else ""


def drop_indexes(conn) -> list[tuple[str, str]]:
    """Drop the loaded tables' secondary indexes, unique and foreign key constraints (COPY is
    several times faster without them); returns what to run to restore them."""
    tables = list(LOADED_TABLES)
    constraints = conn.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
        FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')
        """,
        [tables],
    ).fetchall()
    restore = []
    for table, name, definition, _kind in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        restore.append((name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    indexes = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
        """,
        [tables],
    ).fetchall()
    for name, definition in indexes:
        conn.execute(f'DROP INDEX "{name}"')
        restore.insert(0, (name, definition))  # indexes first: the unique ones back the FKs' checks
    return restore


def restore_indexes(conn, restore: list[tuple[str, str]]) -> None:
    for name, sql in restore:
        started = time.perf_counter()
        conn.execute(sql)
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


# --- quick search ---------------------------------------------------------------------------------
def sample_clients(rng: random.Random, total: int, count: int) -> list[dict]:
    from django.db import connection

    ids = rng.sample(range(1, total + 1), min(total, count))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, c.family_name, c.given_names, c.loyalty_card_number,
                   (SELECT e.address FROM crm_clientemail e WHERE e.client_id = c.id ORDER BY e.id LIMIT 1),
                   (SELECT p.national FROM crm_clientphone p WHERE p.client_id = c.id ORDER BY p.id LIMIT 1),
                   a.street_name, a.street_type, a.house_number, a.postcode
            FROM crm_client c
            LEFT JOIN crm_clientaddress a ON a.client_id = c.id AND a.is_default
            WHERE c.id = ANY(%s)
            """,
            [ids],
        )
        columns = ("id", "family", "given", "card", "email", "phone", "street", "street_type", "number", "postcode")
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    rows.sort(key=lambda row: ids.index(row["id"]) if len(ids) < 5000 else row["id"])
    return rows


def typed_queries(rng: random.Random, clients: list[dict], count: int) -> list[tuple[str, str, int]]:
    """(kind, query, the client it was taken from) as a clerk would type them."""
    kinds = crm_data._weighted(QUICK_KINDS)
    queries = []
    pool = list(clients)
    while len(queries) < count and pool:
        client = pool.pop()
        kind = crm_data._pick(rng, kinds)
        query = None
        if kind == "name" and client["family"] and client["given"]:
            query = name_query(rng, client["family"], client["given"])
        elif kind == "email" and client["email"]:
            query = email_query(rng, client["email"])
        elif kind == "phone" and client["phone"]:
            query = phone_query(rng, client["phone"])
        elif kind == "card" and client["card"]:
            digits = client["card"][2:]
            query = rng.choice(
                [f"HK {digits[:4]} {digits[4:]}", client["card"], client["card"].lower(), f"HK-{digits}"]
            )
        elif kind == "address" and client["street"] and client["number"]:
            street = client["street"]
            if rng.random() < 0.4:
                street = crm_data.strip_accents(street)
            street = street.lower() if rng.random() < 0.7 else street
            query = rng.choice(
                [
                    f"{street} {client['number']}",
                    f"{street} {client['number']}",
                    f"{street} {client['street_type']} {client['number']}",
                    f"{client['postcode']} {street} {client['number']}",
                    f"{client['family'].lower()} {street.split()[0]}",  # "kovács böszörményi"
                ]
            )
        elif kind == "postcode" and client["postcode"] and client["street"]:
            query = rng.choice([client["postcode"], f"{client['postcode']} {client['street'].split()[0][:5].lower()}"])
        if query:
            queries.append((kind, query, client["id"]))
    return queries


def name_query(rng: random.Random, family: str, given: str) -> str:
    family_words = family.replace("-", " ").split()
    given_words = given.split()
    fam, first = family_words[0], given_words[0]
    roll = rng.random()
    if roll < 0.30:  # "kov jan"
        words = [fam[: rng.randint(3, 4)], first[: rng.randint(2, 4)]]
    elif roll < 0.45:  # "Kovács János"
        words = [fam, first]
    elif roll < 0.55:  # "jános kovács"
        words = [first, fam]
    elif roll < 0.65:  # "nagy e"
        words = [fam, first[:1]]
    elif roll < 0.75:  # "kovács jános péter"
        words = [*family_words, *given_words]
    elif roll < 0.85:  # "kovác"
        words = [fam[: rng.randint(4, max(4, len(fam)))]]
    elif roll < 0.92:  # "jan kov"
        words = [first[:3], fam[:3]]
    else:  # the second given name and the family name: "pet kovacs"
        words = [given_words[-1][:4], fam]
    text = " ".join(words)
    if rng.random() < 0.45:
        text = crm_data.strip_accents(text)
    return text.lower() if rng.random() < 0.75 else text


def email_query(rng: random.Random, address: str) -> str:
    local, _, domain = address.partition("@")
    roll = rng.random()
    if roll < 0.55:
        return address[: rng.randint(min(4, len(local)), len(local))].lower()
    if roll < 0.85:
        return f"{local}@{domain[: rng.randint(1, len(domain))]}".lower()
    return address


def phone_query(rng: random.Random, national: str) -> str:
    area, rest = (national[:1], national[1:]) if national.startswith("1") else (national[:2], national[2:])
    full = [
        f"06 {area} {rest[:3]} {rest[3:]}",
        f"+36{national}",
        f"{area}/{rest[:3]}-{rest[3:]}",
        f"06{national}",
        f"+36 {area} {rest[:3]} {rest[3:]}",
        f"{national}",
    ]
    if rng.random() < 0.2:  # still typing
        return rng.choice([f"06 {area} {rest[:3]}", f"+36{area}{rest[:4]}", f"{area}{rest[:3]}"])
    return rng.choice(full)


def materialise(result) -> int:
    """What `crm/admin/search_results.html` reads of every client on the page."""
    size = 0
    for client in result.clients:
        parts = [client.display_name or str(client.pk), str(client.birth_date or "")]
        parts += [email.address for email in client.emails.all()[:1]]
        parts += [phone.number for phone in client.phones.all()[:1]]
        parts += [address.one_line for address in client.addresses.all()[:1]]
        size += sum(len(part) for part in parts)
    return size


def run_quick(queries: list[tuple[str, str, int]], warmup: list[tuple[str, str, int]]) -> dict:
    from crm.selectors import clients_quick_search

    for _kind, query, _id in warmup:
        materialise(clients_quick_search(query))
    times: dict[str, list[float]] = defaultdict(list)
    found: Counter = Counter()
    more: Counter = Counter()
    read_as: Counter = Counter()
    slowest: list[tuple[float, str, str]] = []
    for kind, query, client_id in queries:
        started = time.perf_counter()
        result = clients_quick_search(query)
        materialise(result)
        elapsed = (time.perf_counter() - started) * 1000
        times[kind].append(elapsed)
        slowest.append((elapsed, kind, query))
        found[kind] += any(client.pk == client_id for client in result.clients)
        more[kind] += result.more
        read_as[(kind, result.kind)] += 1
    slowest.sort(reverse=True)
    return {"times": times, "found": found, "more": more, "read_as": read_as, "slowest": slowest[:10]}


def naive_ids(kind: str, query: str) -> list[int]:
    """The search a first version would write: ILIKE '%…%' over the plain columns (no index can
    serve it), ordered by name, first page."""
    from django.db import connection

    page = "ORDER BY c.family_name, c.given_names, c.id LIMIT 20"
    with connection.cursor() as cursor:
        if kind in ("name", "address", "postcode"):
            conditions, params = [], []
            for word in query.split():
                like = f"%{word}%"
                conditions.append(
                    "(c.family_name ILIKE %s OR c.given_names ILIKE %s OR EXISTS (SELECT 1 FROM crm_clientaddress a "
                    "WHERE a.client_id = c.id AND (a.street_name ILIKE %s OR a.house_number ILIKE %s "
                    "OR a.postcode ILIKE %s)))"
                )
                params += [like] * 5
            sql = f"SELECT c.id FROM crm_client c WHERE c.state = 'active' AND {' AND '.join(conditions)} {page}"  # noqa: S608
        elif kind == "email":
            sql = (
                "SELECT c.id FROM crm_client c WHERE c.state = 'active' AND EXISTS (SELECT 1 FROM crm_clientemail e "
                f"WHERE e.client_id = c.id AND e.address ILIKE %s) {page}"
            )
            params = [f"%{query}%"]
        elif kind == "phone":
            digits = "".join(ch for ch in query if ch.isdigit())
            sql = (
                "SELECT c.id FROM crm_client c WHERE c.state = 'active' AND EXISTS (SELECT 1 FROM crm_clientphone p "
                f"WHERE p.client_id = c.id AND p.number ILIKE %s) {page}"
            )
            params = [f"%{digits[-7:]}%"]
        else:
            sql = f"SELECT c.id FROM crm_client c WHERE c.state = 'active' AND c.loyalty_card_number ILIKE %s {page}"
            params = [f"%{query.replace(' ', '')}%"]
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def run_baseline(queries: list[tuple[str, str, int]]) -> tuple[list[float], list[float]]:
    from crm.models import Client
    from crm.selectors import QuickSearchResult, _with_contacts, clients_quick_search

    quick, naive = [], []
    for kind, query, _id in queries:
        started = time.perf_counter()
        materialise(clients_quick_search(query))
        quick.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        ids = naive_ids(kind, query)
        clients = list(_with_contacts(Client.objects.filter(pk__in=ids)))
        materialise(QuickSearchResult(clients, len(ids), False, kind))
        naive.append((time.perf_counter() - started) * 1000)
    return quick, naive


# --- complex search -------------------------------------------------------------------------------
def expressions(rng: random.Random, count: int) -> list[dict]:
    """Varied 5-criteria searches of the kinds staff build, with their values drawn at random."""
    from crm.models import ClientGroup, Tag

    tags = list(Tag.objects.values_list("pk", flat=True))
    groups = list(ClientGroup.objects.values_list("pk", flat=True))
    xii = crm_data.Reference.load(tag_ids=tags, group_ids=groups).xii_streets
    streets = [f"{name} {street_type}" for _postcode, name, street_type in xii]
    kinds = [kind for kind, _weight in crm_data.TIMELINE_KINDS]

    def criterion(field: str, operator: str, value, **extra) -> dict:
        return {"field": field, "operator": operator, "value": value, **extra}

    def age() -> dict:
        low = rng.randint(18, 70)
        return criterion("age", "between", {"min": low, "max": low + rng.choice((5, 10, 15, 20, 30))})

    def period() -> dict:
        if rng.random() < 0.5:
            return {"last_days": rng.choice((30, 90, 180, 365, 730))}
        start = crm_data.TODAY.toordinal() - rng.randint(60, 1000)
        end = start + rng.randint(30, 365)
        return {
            "from": datetime.date.fromordinal(start).isoformat(),
            "to": datetime.date.fromordinal(min(end, crm_data.TODAY.toordinal())).isoformat(),
        }

    def activity() -> dict:
        return criterion("activity", "exists", {"kind": rng.choice(kinds), **period()})

    def gender() -> dict:
        return criterion("gender", "eq", rng.choice(("female", "male")))

    def where() -> dict:
        roll = rng.random()
        if roll < 0.5:
            return criterion("district", "eq", 12)
        if roll < 0.7:
            return criterion("district", "in", sorted(rng.sample(range(1, 24), 3)))
        if roll < 0.85:
            return criterion("postcode", "starts_with", rng.choice(("112", "1121", "1124", "2040", "11")))
        return criterion("street", "eq", rng.choice(streets))

    def reachable() -> dict:
        return {
            "op": "or",
            "items": [
                criterion("consent", "eq", {"channel": "newsletter", "granted": True}),
                criterion("tag", "any_of", rng.sample(tags, rng.randint(1, 2))),
            ],
        }

    templates = [
        lambda: [age(), gender(), where(), reachable(), activity()],
        lambda: [
            age(),
            where(),
            criterion("group", "member_of", rng.choice(groups)),
            criterion("has_email", "eq", True),
            activity(),
        ],
        lambda: [
            gender(),
            where(),
            {"op": "or", "items": [activity(), activity()]},
            criterion("consent", "eq", {"channel": "sms", "granted": rng.random() < 0.5}),
            criterion("tag", "none_of", [rng.choice(tags)]),
        ],
        lambda: [
            age(),
            {"op": "or", "items": [criterion("district", "eq", 12), criterion("postcode", "starts_with", "20")]},
            reachable(),
            criterion("created", "between", period()),
            criterion("has_phone", "eq", True),
        ],
        lambda: [
            criterion("age", "gte", rng.choice((60, 65, 70))),
            where(),
            criterion("tag", "any_of", [rng.choice(tags)]),
            criterion("activity", "not_exists", {"kind": "newsletter.opened", "last_days": 365}),
            criterion("source", "in", rng.sample(["staff", "import", "newsletter", "contact_centre", "account"], 2)),
        ],
    ]
    return [{"op": "and", "items": rng.choice(templates)()} for _ in range(count)]


def run_complex(exprs: list[dict]) -> dict:
    """Each search as the results screen runs it: checked, counted, and its first page of 50
    clients read with their district, email and tags (`results_page`)."""
    from crm.search.expression import clients_matching
    from crm.search.results import results_page

    for expression in exprs[:5]:  # warm-up
        results_page(clients_matching(expression), page=1)
    times, totals, slowest = [], [], []
    for expression in exprs:
        started = time.perf_counter()
        page, rows = results_page(clients_matching(expression), page=1)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        totals.append(page.paginator.count)
        slowest.append((elapsed, page.paginator.count, len(rows), expression))
    slowest.sort(key=lambda row: -row[0])
    return {"times": times, "totals": totals, "slowest": slowest[:3]}


# --- duplicates -----------------------------------------------------------------------------------
def run_dedupe() -> dict | None:
    from django.db import connection

    try:
        from crm.duplicates import THRESHOLD, duplicates_scan
    except ImportError as exc:
        print(f"duplicate scan skipped: crm.duplicates.duplicates_scan is not importable ({exc})")
        return None
    from crm.models import DuplicatePair, DuplicateState

    DuplicatePair.objects.all().delete()
    started = time.perf_counter()
    summary = duplicates_scan()
    seconds = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute("SELECT a, b, changes FROM bench_truth")
        planted = cursor.fetchall()
    # a person entered three times is three pairs
    clusters: dict[int, set[int]] = defaultdict(set)
    changes_of: dict[tuple[int, int], str] = {}
    for original, duplicate, changes in planted:
        clusters[original].add(duplicate)
        changes_of[(original, duplicate)] = changes
    truth: dict[tuple[int, int], str] = {}
    for original, duplicates in clusters.items():
        members = sorted({original, *duplicates})
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                truth[(a, b)] = changes_of.get((a, b), "two duplicates of one original")
    found = {
        (a, b): (score, reasons)
        for a, b, score, reasons in DuplicatePair.objects.filter(
            state=DuplicateState.OPEN, score__gte=THRESHOLD
        ).values_list("client_a_id", "client_b_id", "score", "reasons")
    }
    hits = found.keys() & truth.keys()
    recall = len(hits) / len(truth) if truth else float("nan")
    precision = len(hits) / len(found) if found else float("nan")

    def signature(reasons) -> str:
        return "+".join(sorted(reason["code"] for reason in reasons))

    false_positives = Counter(signature(found[pair][1]) for pair in found.keys() - truth.keys())
    missed = Counter()
    for pair in truth.keys() - found.keys():
        for change in truth[pair].split(","):
            missed[change] += 1
    planted_changes = Counter(change for changes in truth.values() for change in changes.split(","))
    return {
        "seconds": seconds,
        "summary": summary,
        "truth": len(truth),
        "found": len(found),
        "hits": len(hits),
        "recall": recall,
        "precision": precision,
        "false_positives": false_positives,
        "missed": missed,
        "planted_changes": planted_changes,
    }


def namesakes() -> int:
    """Pairs of different people with the same name and date of birth: the data's own trap."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH groups AS (
                SELECT search_name, birth_date, array_agg(id) AS ids FROM crm_client
                WHERE birth_date IS NOT NULL AND search_name <> '' GROUP BY 1, 2 HAVING count(*) > 1
            )
            SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (
                SELECT cardinality(ids) AS n FROM groups
            ) g
            """
        )
        pairs = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM bench_truth t JOIN crm_client a ON a.id = t.a JOIN crm_client b ON b.id = t.b
            WHERE a.search_name = b.search_name AND a.birth_date = b.birth_date
            """
        )
        planted = cursor.fetchone()[0]
    return int(pairs) - int(planted)


# --- report ---------------------------------------------------------------------------------------
def table(title: str, header: list[str], rows: list[list], widths: list[int] | None = None) -> None:
    widths = widths or [max(len(str(x)) for x in column) + 2 for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("".join(f"{h:>{w}}" if i else f"{h:<{w}}" for i, (h, w) in enumerate(zip(header, widths, strict=True))))
    for row in rows:
        print("".join(f"{x:>{w}}" if i else f"{x:<{w}}" for i, (x, w) in enumerate(zip(row, widths, strict=True))))


def ms(value: float) -> str:
    return f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="clients to generate (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=1000, help="quick-search queries (default 1000)")
    parser.add_argument("--expressions", type=int, default=120, help="complex searches (default 120)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="generator processes")
    parser.add_argument("--database", default=BENCH_DATABASE, help=f"database to create (default {BENCH_DATABASE})")
    parser.add_argument("--keep", action="store_true", help="keep the database; reuse one with the same clients")
    parser.add_argument("--no-dedupe", action="store_true", help="skip the duplicate scan")
    args = parser.parse_args()
    if not args.database.replace("_", "").isalnum():
        raise SystemExit("--database: letters, digits and underscores only")

    from backend.stackkit import conninfo_to_url

    params = server_params(args.database)
    state = database_state(params) if args.keep else None
    reuse = bool(
        state
        and state.get("clients") == args.clients
        and state.get("seed") == args.seed
        and state.get("version") == GENERATOR_VERSION
    )
    if not reuse:
        maintenance(params, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        maintenance(params, f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = conninfo_to_url(params, args.database)

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import translation
    from psycopg.conninfo import make_conninfo

    translation.activate("en")
    try:
        print(f"CRM benchmark: {args.clients:,} clients in database {args.database!r}", flush=True)
        if reuse:
            meta = state
            print("  reusing the kept database (same clients, seed and generator)")
        else:
            started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            migrate_s = time.perf_counter() - started
            meta = load(args, make_conninfo(**params), migrate_seconds=migrate_s)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        rows = meta["rows"]
        table(
            "Data",
            ["table", "rows"],
            [[name, f"{rows.get(name, 0):,}"] for name in LOADED_TABLES]
            + [["planted duplicates", f"{meta['roles'].get('duplicate', 0):,}"]]
            + [["household members, ifj.", f"{meta['roles'].get('household', 0) + meta['roles'].get('junior', 0):,}"]]
            + [["database size", size]],
        )
        table(
            "Loading" + (" (when the kept database was made)" if reuse else ""),
            ["step", "seconds"],
            [[step, f"{seconds:.1f}"] for step, seconds in meta["timings"]],
        )

        rng = random.Random(args.seed * 31 + 7)
        clients = sample_clients(rng, args.clients, int(args.queries * 1.6) + 200)
        warmup = typed_queries(rng, clients[:150], 100)
        queries = typed_queries(rng, clients[150:], args.queries)
        quick = run_quick(queries, warmup)
        all_times = [t for times in quick["times"].values() for t in times]
        rows = []
        for kind, _weight in QUICK_KINDS:
            times = quick["times"].get(kind, [])
            if times:
                rows.append(
                    [
                        kind,
                        len(times),
                        ms(percentile(times, 0.5)),
                        ms(percentile(times, 0.95)),
                        ms(percentile(times, 0.99)),
                        ms(max(times)),
                        f"{quick['found'][kind] / len(times):.0%}",
                        f"{quick['more'][kind] / len(times):.0%}",
                    ]
                )
        rows.append(
            [
                "all",
                len(all_times),
                ms(percentile(all_times, 0.5)),
                ms(percentile(all_times, 0.95)),
                ms(percentile(all_times, 0.99)),
                ms(max(all_times)),
                f"{sum(quick['found'].values()) / len(all_times):.0%}",
                f"{sum(quick['more'].values()) / len(all_times):.0%}",
            ]
        )
        table(
            "Quick search (ms, query + first page materialised; 'on page': the sampled client is among the first 20)",
            ["kind", "n", "p50", "p95", "p99", "max", "on page", "400+"],
            rows,
        )
        print("  slowest: " + "; ".join(f"{q!r} ({k}) {ms(t)}" for t, k, q in quick["slowest"][:6]))

        sample = [queries[i] for i in range(0, len(queries), max(1, len(queries) // 20))][:20]
        quick_ms, naive_ms = run_baseline(sample)
        ratio = statistics.median(naive_ms) / statistics.median(quick_ms)
        table(
            "Baseline: the same 20 queries, naive ILIKE '%…%' scan vs quick search (ms)",
            ["search", "p50", "p95", "max"],
            [
                ["quick search", ms(percentile(quick_ms, 0.5)), ms(percentile(quick_ms, 0.95)), ms(max(quick_ms))],
                ["naive ILIKE", ms(percentile(naive_ms, 0.5)), ms(percentile(naive_ms, 0.95)), ms(max(naive_ms))],
            ],
        )
        print(f"  naive / quick (p50): {ratio:.0f}x")

        exprs = expressions(random.Random(args.seed * 17 + 3), args.expressions)
        complex_result = run_complex(exprs)
        times = complex_result["times"]
        table(
            "Complex search, 5 criteria (ms: validate, count and first page of 50 with their rows, as the results screen)",
            ["n", "p50", "p95", "max", "median count"],
            [
                [
                    len(times),
                    ms(percentile(times, 0.5)),
                    ms(percentile(times, 0.95)),
                    ms(max(times)),
                    f"{statistics.median(complex_result['totals']):,.0f}",
                ]
            ],
        )
        slow_ms, slow_total, _page, slow_expr = complex_result["slowest"][0]
        print(f"  slowest ({ms(slow_ms)} ms, {slow_total:,} found): {json.dumps(slow_expr, ensure_ascii=False)}")

        dedupe = None if args.no_dedupe else run_dedupe()
        if dedupe:
            summary = dedupe["summary"]
            table(
                "Duplicate scan",
                ["measure", "value"],
                [
                    ["seconds", f"{dedupe['seconds']:.1f}"],
                    ["candidate pairs", f"{getattr(summary, 'candidates', '?'):,}"],
                    ["pairs at or above the threshold", f"{dedupe['found']:,}"],
                    ["planted pairs", f"{dedupe['truth']:,}"],
                    ["planted pairs found", f"{dedupe['hits']:,}"],
                    ["recall", f"{dedupe['recall']:.3f}"],
                    ["precision", f"{dedupe['precision']:.3f}"],
                    ["namesakes: same name and birth date, not planted", f"{namesakes():,}"],
                ],
            )
            if dedupe["false_positives"]:
                print(
                    "  false positives by rules: "
                    + ", ".join(f"{k} {v}" for k, v in dedupe["false_positives"].most_common(6))
                )
            if dedupe["missed"]:
                print(
                    "  missed by what was changed: "
                    + ", ".join(f"{k} {v}/{dedupe['planted_changes'][k]}" for k, v in dedupe["missed"].most_common(8))
                )
        quick_p95 = percentile(all_times, 0.95)
        complex_p95 = percentile(times, 0.95)
        print(
            f"\nTargets (2 cores): quick p95 <= {TARGETS['quick_p95_ms']} ms: {'met' if quick_p95 <= TARGETS['quick_p95_ms'] else 'MISSED'}; "
            f"complex p95 <= {TARGETS['complex_p95_ms']} ms: {'met' if complex_p95 <= TARGETS['complex_p95_ms'] else 'MISSED'}"
            + (
                f"; dedupe <= {TARGETS['dedupe_s']} s: {'met' if dedupe['seconds'] <= TARGETS['dedupe_s'] else 'MISSED'}, "
                f"recall >= {TARGETS['recall']}: {'met' if dedupe['recall'] >= TARGETS['recall'] else 'MISSED'}, "
                f"precision >= {TARGETS['precision']}: {'met' if dedupe['precision'] >= TARGETS['precision'] else 'MISSED'}"
                if dedupe
                else ""
            )
        )
        dedupe_part = (
            f"dedupe_s={dedupe['seconds']:.1f} dedupe_recall={dedupe['recall']:.3f} dedupe_precision={dedupe['precision']:.3f}"
            if dedupe
            else "dedupe_s=nan dedupe_recall=nan dedupe_precision=nan"
        )
        print(f"RESULT crm_search quick_p95_ms={quick_p95:.1f} complex_p95_ms={complex_p95:.1f} {dedupe_part}")
    finally:
        connections.close_all()
        if not args.keep:
            maintenance(params, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
