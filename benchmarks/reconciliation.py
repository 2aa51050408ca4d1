"""Bank-statement reconciliation at a year's volume: parse a camt.053, match it to open orders.

Generates `--orders` open orders (default 100,000; fixed fees and odd amounts, Hungarian names
with the namesakes a real district has, half of the payers with a known account) and a
camt.053.001.02 statement of `--lines` credit entries (default 100,000) of mixed kinds,
keeping the ground truth of each entry:

  exact        RF reference in the structured field or the remittance, amount due
  spaced       the reference in lower case, split oddly, with dashes or across Ustrd lines
  typo         one character wrong, added, left out or two swapped (now and then paid by a
               relative, whose name does not agree)
  body         the reference without "RF" and check digits
  multi        two or three orders of one payer in one transfer (now and then one mistyped)
  name         no reference: payer's name (as the bank writes it) and amount, half with IBAN
  partial/over exact reference, less or more than due; some partials are completed later
  noise        unrelated credits: random payers, references of already paid orders, their
               typos, namesakes paying an open order's fee for something else, payers of open
               orders paying another (already paid) order's reference from their known account

Then times, with `time.perf_counter` (wall) and `time.process_time` (CPU):
  parse   `payments.statements.parse_statement(data)` on the file's bytes,
  index   `payments.matching.Matcher(orders)`,
  match   `Matcher.match_all(lines)`;
prints a table (phase, seconds, lines/s), the outcome per kind, the precision and recall of
automatic matches against the truth and the share of the review queue, and ends with
`RESULT reconciliation lines_per_s=<lines / (parse+match wall s)> precision=<…> recall=<…>`.

    .venv/bin/python benchmarks/reconciliation.py --orders 100000 --lines 100000 --seed 1

No database, no Django setup: the parser and the matcher are pure functions of their input.
The statement is written to `--out` (default: a temporary file, removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import string
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")  # only read if a parse error is translated
os.environ.setdefault("SECRET_KEY", "benchmark-only")

from payments.matching import AUTO, IGNORED, Matcher, OpenOrder  # noqa: E402
from payments.references import reference_create, reference_format  # noqa: E402

ACCOUNT_IBAN = "HU42117730161111101800000000"
FIRST_ORDER_NUMBER = 200_000  # open orders; numbers below are orders paid long ago
START = date(2025, 1, 1)

# Frequencies roughly as in Hungary: a few family names are very common (namesakes matter).
SURNAMES = (
    ["Nagy"] * 9 + ["Kovács"] * 8 + ["Tóth"] * 7 + ["Szabó"] * 7 + ["Horváth"] * 6 + ["Varga"] * 5
    + ["Kiss"] * 5 + ["Molnár"] * 4 + ["Németh"] * 4 + ["Farkas"] * 3 + ["Balogh"] * 3 + ["Papp"] * 2
    + ["Takács", "Juhász", "Lakatos", "Mészáros", "Oláh", "Simon", "Rácz", "Fekete", "Szilágyi", "Török",
       "Fehér", "Balázs", "Gál", "Kis", "Szűcs", "Kocsis", "Orsós", "Pintér", "Fodor", "Szalai", "Sipos",
       "Magyar", "Lukács", "Gulyás", "Biró", "Király", "Katona", "László", "Jakab", "Bogdán", "Balog",
       "Sándor", "Boros", "Fazekas", "Kelemen", "Antal", "Orosz", "Somogyi", "Fülöp", "Veres", "Budai",
       "Vincze", "Hegedűs", "Deák", "Pap", "Bálint", "Illés", "Pál", "Vass", "Szőke", "Fábián", "Vörös",
       "Lengyel", "Bognár", "Jónás", "Szekeres", "Hajdu", "Kozma", "Major", "Soós", "Mátyás", "Hegyi",
       "Bakos", "Csonka", "Márton", "Lovász", "Dudás", "Halász", "Vida", "Kun", "Szücs", "Erdős", "Sárközi"]
)  # fmt: skip
GIVEN = (
    "László István József János Zoltán Sándor Gábor Ferenc Attila Péter Tamás Zsolt Tibor András "
    "Csaba Imre Lajos György Balázs Gyula Mihály Róbert Norbert Dávid Ádám Bence Máté Levente Márk "
    "Mária Erzsébet Katalin Éva Ilona Anna Zsuzsanna Margit Judit Ágnes Andrea Erika Krisztina Ildikó "
    "Irén Eszter Anikó Gabriella Mónika Viktória Edit Szilvia Julianna Nikolett Dóra Réka Lilla Zsófia"
).split()
FEES = [2_000, 3_000, 5_000, 5_000, 5_000, 8_000, 10_000, 10_000, 12_500, 15_000, 20_000, 25_000, 40_000, 60_000]
PURPOSES = [
    "parkolási engedély",
    "hatósági bizonyítvány díja",
    "közterület-használati díj",
    "fakivágási engedély",
    "igazgatási szolgáltatási díj",
    "ebrendészeti hozzájárulás",
    "befizetés",
    "díj",
    "",
]
NOISE_TEXTS = ["albérleti díj", "kölcsön vissza", "adó", "számla 2025/113", "támogatás", "visszautalás", "", "ajándék"]

KINDS = [  # (kind, share of the lines)
    ("exact", 0.34),
    ("spaced", 0.10),
    ("typo", 0.10),
    ("body", 0.03),
    ("multi", 0.05),
    ("name", 0.12),
    ("partial/over", 0.08),
    ("noise", 0.18),
]


@dataclass
class Payer:
    name: str
    iban: str


@dataclass
class Entry:
    """One generated credit entry and its truth."""

    kind: str
    amount: int
    name: str
    iban: str = ""
    remittance: list[str] = field(default_factory=list)  # Ustrd elements
    structured: str = ""
    end_to_end: str = ""
    truth: frozenset[int] = frozenset()
    bank_reference: str = ""
    booked: date = START


def iban_of(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(24))
    check = 98 - int(bban + "173000") % 97
    return f"HU{check:02d}{bban}"


def person(rng: random.Random) -> str:
    given = rng.choice(GIVEN)
    if rng.random() < 0.2:
        given += " " + rng.choice(GIVEN)
    name = f"{rng.choice(SURNAMES)} {given}"
    return ("dr. " + name) if rng.random() < 0.03 else name


def as_bank_writes(rng: random.Random, name: str) -> str:
    """The account holder's name in the form a bank sends it."""
    from payments.matching.names import TITLES

    words = [word for word in name.split() if word.rstrip(".").casefold() not in TITLES]
    roll = rng.random()
    if roll < 0.55:  # capitals, no accents
        return strip_accents(" ".join(words)).upper()
    if roll < 0.75:
        return name
    if roll < 0.87:  # family name last
        return strip_accents(" ".join(words[1:] + words[:1])).upper()
    if roll < 0.95:  # given name as initial
        return strip_accents(f"{words[0]} {words[1][0]}.").upper()
    return " ".join(words).lower()


def strip_accents(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def typo(rng: random.Random, reference: str) -> str:
    """One mistake in the body or check digits (residents copy "RF" right)."""
    chars = list(reference)
    kind = rng.choice(["substitution", "insertion", "deletion", "transposition"])
    position = rng.randrange(2, len(chars) - 1)
    if kind == "substitution":
        if chars[position] == "0" and rng.random() < 0.2:
            chars[position] = "O"  # the letter for the digit
        else:
            chars[position] = rng.choice([c for c in string.digits if c != chars[position]])
    elif kind == "insertion":
        chars.insert(position, rng.choice(string.digits))
    elif kind == "deletion":
        del chars[position]
    else:
        while chars[position] == chars[position + 1]:
            position = rng.randrange(2, len(chars) - 1)
        chars[position], chars[position + 1] = chars[position + 1], chars[position]
    result = "".join(chars)
    return result if result != reference else typo(rng, reference)


def spaced(rng: random.Random, reference: str) -> str:
    roll = rng.random()
    if roll < 0.25:
        return reference.lower()
    if roll < 0.5:
        return reference_format(reference).lower()
    if roll < 0.75:
        cuts = sorted(rng.sample(range(2, len(reference)), 2))
        return " ".join((reference[: cuts[0]], reference[cuts[0] : cuts[1]], reference[cuts[1] :]))
    return "-".join(reference_format(reference).split())


def with_text(rng: random.Random, reference_text: str) -> str:
    purpose = rng.choice(PURPOSES)
    return rng.choice([f"{reference_text} {purpose}", f"{purpose} {reference_text}", reference_text]).strip()


def generate(n_orders: int, n_lines: int, seed: int) -> tuple[list[OpenOrder], list[Entry]]:
    rng = random.Random(seed)
    orders: list[OpenOrder] = []
    payers: dict[int, Payer] = {}
    for i in range(n_orders):
        number = FIRST_ORDER_NUMBER + i
        amount = rng.choice(FEES) if rng.random() < 0.7 else rng.randrange(1_000, 200_000, 10)
        payer = Payer(person(rng), iban_of(rng) if rng.random() < 0.5 else "")
        payers[number] = payer
        orders.append(OpenOrder(number, reference_create(number), amount, payer.name, payer.iban, START))
    by_id = {order.order_id: order for order in orders}
    unpaid = [order.order_id for order in orders]
    rng.shuffle(unpaid)

    def take() -> OpenOrder:
        return by_id[unpaid.pop()]

    def old_reference() -> tuple[str, int]:  # an order paid long ago: not open
        return reference_create(rng.randrange(1, FIRST_ORDER_NUMBER)), rng.choice(FEES)

    entries: list[Entry] = []
    followers: list[tuple[Entry, Entry]] = []  # (a partial payment, the later one completing it)
    for kind, share in KINDS:
        count = int(share * n_lines) if kind != "noise" else n_lines - len(entries) - len(followers)
        for _ in range(count):
            entries.append(make_entry(rng, kind, take, old_reference, payers, by_id, unpaid, followers))
    rng.shuffle(entries)
    # a completing payment comes after its partial: a random place later in the statement
    keyed = [(index / len(entries), entry) for index, entry in enumerate(entries)]
    place = {id(entry): key for key, entry in keyed}
    for partial, rest in followers:
        key = place[id(partial)]
        keyed.append((key + rng.random() * (1 - key), rest))
    keyed.sort(key=lambda pair: pair[0])
    result = [entry for _key, entry in keyed]
    for index, entry in enumerate(result):
        entry.bank_reference = f"B{seed:02d}{index:09d}"
        entry.booked = START + timedelta(days=index * 28 // len(result))
    return orders, result


def make_entry(rng, kind, take, old_reference, payers, by_id, unpaid, followers) -> Entry:
    if kind in ("exact", "spaced", "typo", "body", "name"):
        order = take()
        payer = payers[order.order_id]
        entry = Entry(kind, order.amount_due, as_bank_writes(rng, payer.name), truth=frozenset({order.order_id}))
        if rng.random() < 0.5:
            entry.iban = payer.iban
        if kind == "exact":
            if rng.random() < 0.4:
                entry.structured = order.reference
                entry.remittance = [rng.choice(PURPOSES)]
            elif rng.random() < 0.1:
                entry.end_to_end = order.reference
            else:
                shown = reference_format(order.reference) if rng.random() < 0.5 else order.reference
                entry.remittance = [with_text(rng, shown)]
        elif kind == "spaced":
            text = with_text(rng, spaced(rng, order.reference))
            if rng.random() < 0.3 and len(text) > 12:  # wrapped over two Ustrd lines
                cut = rng.randrange(4, len(text) - 4)
                entry.remittance = [text[:cut], text[cut:]]
            else:
                entry.remittance = [text]
        elif kind == "typo":
            entry.remittance = [with_text(rng, typo(rng, order.reference))]
            if rng.random() < 0.15:  # a relative pays
                entry.name, entry.iban = as_bank_writes(rng, person(rng)), ""
        elif kind == "body":
            entry.remittance = [with_text(rng, order.reference[4:])]
        else:  # name + amount only
            entry.remittance = [rng.choice(PURPOSES)]
        return entry
    if kind == "multi":
        size = rng.choice([2, 2, 3])
        group = [take() for _ in range(size)]
        payer = payers[group[0].order_id]
        texts = [order.reference for order in group]
        if rng.random() < 0.1:
            texts[0] = typo(rng, texts[0])
        entry = Entry(
            kind,
            sum(order.amount_due for order in group),
            as_bank_writes(rng, payer.name),
            payer.iban if rng.random() < 0.5 else "",
            [rng.choice([", ", " ", "; ", " és "]).join(texts)],
            truth=frozenset(order.order_id for order in group),
        )
        return entry
    if kind == "partial/over":
        order = take()
        payer = payers[order.order_id]
        completed = rng.random() < 0.6 * 0.4  # partial, the rest follows later in the statement
        if completed or rng.random() < 0.6 * 0.6 / (1 - 0.6 * 0.4):
            paid = max(10, order.amount_due * rng.choice([25, 50, 75]) // 100)
        else:
            paid = order.amount_due + rng.choice([100, 1_000, order.amount_due])
        entry = Entry(
            kind,
            paid,
            as_bank_writes(rng, payer.name),
            remittance=[with_text(rng, order.reference)],
            truth=frozenset({order.order_id}),
        )
        if completed:
            rest = Entry(
                kind,
                order.amount_due - paid,
                as_bank_writes(rng, payer.name),
                remittance=[with_text(rng, order.reference)],
                truth=frozenset({order.order_id}),
            )
            followers.append((entry, rest))
        return entry
    # noise: nothing open is paid by it
    roll = rng.random()
    if roll < 0.35:
        return Entry(
            kind,
            rng.randrange(100, 500_000, 10),
            as_bank_writes(rng, person(rng)),
            remittance=[rng.choice(NOISE_TEXTS)],
        )
    if roll < 0.55:  # an already paid order's reference, paid again
        reference, amount = old_reference()
        return Entry(kind, amount, as_bank_writes(rng, person(rng)), remittance=[with_text(rng, reference)])
    if roll < 0.65:  # a typo of an already paid order's reference
        reference, amount = old_reference()
        return Entry(kind, amount, as_bank_writes(rng, person(rng)), remittance=[with_text(rng, typo(rng, reference))])
    if roll < 0.85:  # a namesake of an open order's payer pays the same amount for something else
        order = by_id[rng.choice(unpaid)]
        return Entry(
            kind,
            order.amount_due,
            as_bank_writes(rng, payers[order.order_id].name),
            remittance=[rng.choice(NOISE_TEXTS)],
        )
    # the payer of an open order, from the known account, pays an old order again
    order = by_id[rng.choice(unpaid)]
    payer = payers[order.order_id]
    reference, _amount = old_reference()
    return Entry(kind, order.amount_due, as_bank_writes(rng, payer.name), payer.iban, [with_text(rng, reference)])


def camt053(entries: list[Entry], seed: int) -> bytes:
    """A camt.053.001.02 BankToCustomerStatement with one Ntry (one TxDtls) per entry."""
    total = sum(entry.amount for entry in entries)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt>"
        f"<GrpHdr><MsgId>BENCH-{seed}</MsgId><CreDtTm>2025-02-01T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>BENCH-{seed}-2025-01</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2025-02-01T06:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>2025-01-01T00:00:00</FrDtTm><ToDtTm>2025-01-31T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{ACCOUNT_IBAN}</IBAN></Id><Ccy>HUF</Ccy></Acct>"
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="HUF">0.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-01-01</Dt></Dt></Bal>"
        f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="HUF">{total}.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-01-31</Dt></Dt></Bal>"
    )
    parts = [head]
    for entry in entries:
        day = entry.booked.isoformat()
        refs = f"<AcctSvcrRef>{entry.bank_reference}</AcctSvcrRef>"
        refs += f"<EndToEndId>{escape(entry.end_to_end) or 'NOTPROVIDED'}</EndToEndId>"
        parties = f"<Dbtr><Nm>{escape(entry.name)}</Nm></Dbtr>"
        if entry.iban:
            parties += f"<DbtrAcct><Id><IBAN>{entry.iban}</IBAN></Id></DbtrAcct>"
        remittance = "".join(f"<Ustrd>{escape(text[:140])}</Ustrd>" for text in entry.remittance if text)
        if entry.structured:
            remittance += (
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
                f"<Ref>{entry.structured}</Ref></CdtrRefInf></Strd>"
            )
        parts.append(
            f'<Ntry><Amt Ccy="HUF">{entry.amount}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>{entry.bank_reference}</AcctSvcrRef>"
            "<BkTxCd><Prtry><Cd>GIRO</Cd></Prtry></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs>{refs}</Refs><RltdPties>{parties}</RltdPties>"
            f"{'<RmtInf>' + remittance + '</RmtInf>' if remittance else ''}</TxDtls></NtryDtls></Ntry>"
        )
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode("utf-8")


def lines_without_parser(entries: list[Entry]):
    """The lines a parser would return, built directly (used only if the parser is missing)."""
    from payments.statements.types import StatementLine, normalise_iban

    return [
        StatementLine(
            booking_date=entry.booked,
            value_date=entry.booked,
            amount=entry.amount,
            currency="HUF",
            counterparty_name=" ".join(entry.name.split()),
            counterparty_iban=normalise_iban(entry.iban) if entry.iban else "",
            remittance=" ".join(" ".join(entry.remittance).split()),
            end_to_end_id=entry.end_to_end,
            bank_reference=entry.bank_reference,
            structured_reference=entry.structured,
        )
        for entry in entries
    ]


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="open orders (default 100000)")
    parser.add_argument("--lines", type=int, default=100_000, help="credit entries in the statement (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="keep the camt.053 file here (default: temporary)")
    args = parser.parse_args()
    paying = sum(share * (7 / 3 if kind == "multi" else 1) for kind, share in KINDS if kind != "noise")
    if args.orders < paying * args.lines * 1.02 + 10:
        raise SystemExit(
            f"--orders must be at least ~{paying * 1.02:.2f} × --lines: each payment settles its own orders"
        )

    print(f"generating {args.orders} open orders and a camt.053 of {args.lines} credit entries (seed {args.seed}) …")
    orders, entries = generate(args.orders, args.lines, args.seed)
    data = camt053(entries, args.seed)
    if args.out is None:
        handle, name = tempfile.mkstemp(prefix="reconciliation-", suffix=".xml")
        os.close(handle)
        out = Path(name)
    else:
        out = args.out
    out.write_bytes(data)
    print(f"statement: {out} ({len(data) / 1e6:.1f} MB)")
    data = out.read_bytes()

    try:
        from payments.statements import parse_statement
    except ImportError as exc:
        parse_statement = None
        print(f"NOTE: payments.statements.parse_statement is not importable ({exc}); lines are built directly")

    if parse_statement is not None:
        statement, parse_wall, parse_cpu = timed(lambda: parse_statement(data, filename=out.name))
        lines = statement.lines
    else:
        lines, parse_wall, parse_cpu = lines_without_parser(entries), 0.0, 0.0
    if args.out is None:
        out.unlink()
    matcher, index_wall, index_cpu = timed(lambda: Matcher(orders))
    results, match_wall, match_cpu = timed(lambda: matcher.match_all(lines))

    n = len(lines)
    print(f"\n{'phase':<16}{'wall s':>9}{'cpu s':>9}{'lines/s':>12}")
    for phase, wall, cpu in (
        ("parse", parse_wall, parse_cpu),
        ("index orders", index_wall, index_cpu),
        ("match", match_wall, match_cpu),
        ("total", parse_wall + index_wall + match_wall, parse_cpu + index_cpu + match_cpu),
    ):
        print(f"{phase:<16}{wall:>9.3f}{cpu:>9.3f}{n / wall if wall else float('nan'):>12,.0f}")

    truth = {entry.bank_reference: entry for entry in entries}
    per_kind: dict[str, Counter] = defaultdict(Counter)
    auto = auto_right = positives = queued = 0
    wrong: list[str] = []
    for line, result in zip(lines, results, strict=True):
        entry = truth[line.bank_reference]
        counts = per_kind[entry.kind]
        counts["lines"] += 1
        counts[result.decision] += 1
        positives += bool(entry.truth)
        if result.decision == AUTO:
            auto += 1
            if frozenset(result.order_ids) == entry.truth:
                auto_right += 1
                counts["auto right"] += 1
            else:
                wrong.append(f"{entry.kind}: {line.remittance!r} {line.counterparty_name!r} → {result.order_ids}")
        elif result.decision != IGNORED:
            queued += 1
            if entry.truth and result.best is not None and frozenset(result.best.order_ids) == entry.truth:
                counts["review, right first"] += 1
    precision = auto_right / auto if auto else 1.0
    recall = auto_right / positives if positives else 1.0

    columns = ("lines", "auto", "auto right", "review", "review, right first", "none")
    print(f"\n{'kind':<14}" + "".join(f"{column:>21}" for column in columns))
    for kind, _share in KINDS:
        print(f"{kind:<14}" + "".join(f"{per_kind[kind][column]:>21}" for column in columns))
    print(
        f"\nautomatic: {auto} ({auto / n:.1%}), of which right {auto_right}; precision {precision:.5f}, "
        f"recall {recall:.5f} (of {positives} lines that pay open orders); review queue {queued / n:.1%}"
    )
    for sample in wrong[:5]:
        print(f"  wrong: {sample}")
    print(
        f"RESULT reconciliation lines_per_s={n / (parse_wall + match_wall):.0f} "
        f"precision={precision:.5f} recall={recall:.5f}"
    )


if __name__ == "__main__":
    main()
