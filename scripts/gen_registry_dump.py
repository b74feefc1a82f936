#!/usr/bin/env python3
"""Writes a deterministic recipient registry dump shaped like the Finnish e-invoice address registry
(TIEKE, ../shared/NETWORKS.md 4.3) for the directory's tests and benchmarks.

  gen_registry_dump.py --format csv|json --entries N --seed S -o FILE
  gen_registry_dump.py --format csv|json --base FILE --changes K --seed S -o FILE [--manifest M.json]

The first form writes N entries (default 1,000,000): address, operator_id, business_id, name.
About 88 % of the addresses are OVT codes (0037 + the 8 digits of the business id + an optional
suffix), some companies have two; about 12 % are Finnish IBANs routed by a bank (BIC as operator).
Business ids carry valid Y-tunnus check digits; names are Finnish-looking with UTF-8 letters,
some with commas and double quotes to exercise CSV quoting. JSON is an array of objects, one a line
(--wrap writes {"entries": [...]} instead).

The second form reads FILE (CSV or JSON, as written by the first form) and writes it again with
K differences: about a third each additions, changes (another operator or name) and removals.
--manifest writes the addresses added, changed and removed as JSON, for delta tests.
Same arguments, same bytes.
"""
import argparse
import csv
import io
import json
import random
import sys

OPERATORS = [  # OVT-style intermediator ids and bank BICs; illustrative, not a real mapping
    "003723327487", "003721291126", "003701011385", "003708599126", "003714377140",
    "003710948874", "003703575029", "003722207029", "003716758983", "003725639518",
    "003701500542", "003723199327", "003712345671", "003726034155",
]
BANKS = ["DABAFIHH", "NDEAFIHH", "OKOYFIHH", "HELSFIHH", "AABAFI22", "HANDFIHH"]
BANK_CODES = {"DABAFIHH": "800", "NDEAFIHH": "100", "OKOYFIHH": "500", "HELSFIHH": "405",
              "AABAFI22": "660", "HANDFIHH": "310"}
FIRST = ["Mäki", "Järvi", "Pöllö", "Kääpä", "Åström", "Sähkö", "Rakennus", "Kuljetus", "Metsä", "Kylä",
         "Hämeen", "Pohjois-Savon", "Lapin", "Kone", "Puu", "Vesi", "Tieto", "Kala", "Leipä", "Sauna",
         "Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Lehtonen", "Ylä-Könnön", "Öljy"]
SECOND = ["palvelu", "tekniikka", "kauppa", "työ", "huolto", "rakennus", "kuljetus", "talo", "asennus",
          "konsultointi", "tuote", "myynti", "pesula", "kahvila", "ravintola", "sähkö", "kone", "metalli"]
FORMS = ["Oy", "Oy", "Oy", "Oy Ab", "Ky", "Tmi", "Osuuskunta", "Ay", "Oyj"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
FIELDS = ["address", "operator_id", "business_id", "name"]


def check_digit(seven):
    rem = sum(int(d) * w for d, w in zip(seven, WEIGHTS)) % 11
    return None if rem == 1 else (0 if rem == 0 else 11 - rem)


def business_ids(rng):
    """Distinct valid Y-tunnus: an affine bijection over 1000000..9999999, invalid ones skipped."""
    span, a, b = 9_000_000, 7_000_003, rng.randrange(9_000_000)  # gcd(a, span) == 1
    for j in range(span):
        seven = str(1_000_000 + (a * j + b) % span)
        c = check_digit(seven)
        if c is not None:
            yield f"{seven}-{c}"


def fi_iban(bank_code, account):
    bban = (bank_code + f"{account:011d}")[:14]
    rem = int(bban + "151800") % 97  # F=15, I=18, then "00"
    return f"FI{98 - rem:02d}{bban}"


def company_name(rng):
    r = rng.random()
    base = rng.choice(FIRST) + rng.choice(SECOND)
    if r < 0.02:
        return f'{base} "{rng.choice(FIRST)}" {rng.choice(FORMS)}'
    if r < 0.04:
        return f"{rng.choice(FIRST)}, {rng.choice(FIRST)} {rng.choice(FORMS)}"
    return f"{base} {rng.choice(FORMS)}"


def new_entries(rng, count, id_source, account_start):
    """Yields (address, operator_id, business_id, name) tuples."""
    account = account_start
    made = 0
    while made < count:
        bid = next(id_source)
        name = company_name(rng)
        if rng.random() < 0.12:
            bank = rng.choice(BANKS)
            account += 1 + rng.randrange(50)
            yield (fi_iban(BANK_CODES[bank], account), bank, bid, name)
            made += 1
            continue
        op = rng.choice(OPERATORS)
        ovt = "0037" + bid.replace("-", "")
        r = rng.random()
        suffix = "" if r < 0.7 else str(rng.randrange(100, 100000)) if r < 0.95 else rng.choice(["LASKU", "OSTO", "TALO"])
        yield (ovt + suffix, op, bid, name)
        made += 1
        if made < count and rng.random() < 0.05:  # a second address of the same company
            yield (ovt + ("OSTO" if suffix == "" else ""), rng.choice(OPERATORS), bid, name)
            made += 1


def read_dump(path):
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    if text.lstrip()[:1] in ("[", "{"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = data["entries"]
        return [tuple(d.get(k, "") for k in FIELDS) for d in data]
    rows = list(csv.reader(io.StringIO(text)))
    idx = [rows[0].index(k) for k in FIELDS]
    return [tuple(r[i] for i in idx) for r in rows[1:] if r]


def write_dump(entries, fmt, out, wrap):
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(FIELDS)
        w.writerows(entries)
        return
    out.write('{"generated": "deterministic", "entries": [\n' if wrap else "[\n")
    last = len(entries) - 1
    for i, e in enumerate(entries):
        out.write(json.dumps(dict(zip(FIELDS, e)), ensure_ascii=False))
        out.write(",\n" if i < last else "\n")
    out.write("]}\n" if wrap else "]\n")


def apply_changes(base, k, rng):
    entries = list(base)
    added, changed, removed = [], [], []
    n_add, n_change = k // 3, k // 3
    n_remove = k - n_add - n_change
    picks = rng.sample(range(len(entries)), n_change + n_remove)
    for i in picks[:n_change]:
        a, op, bid, name = entries[i]
        if a[:2] == "FI" or rng.random() < 0.5:
            name = name + " (uusi)"
        else:
            op = rng.choice([o for o in OPERATORS if o != op])
        entries[i] = (a, op, bid, name)
        changed.append(a)
    gone = set(picks[n_change:])
    removed = [entries[i][0] for i in sorted(gone)]
    entries = [e for i, e in enumerate(entries) if i not in gone]
    used = {e[2] for e in base}
    addresses = {e[0] for e in base}
    ids = (b for b in business_ids(rng) if b not in used)
    for e in new_entries(rng, n_add, ids, 90_000_000_000 + rng.randrange(1_000_000)):
        if e[0] in addresses:
            continue
        entries.insert(rng.randrange(len(entries) + 1), e)
        added.append(e[0])
    return entries, {"added": added, "changed": changed, "removed": removed}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--wrap", action="store_true", help='JSON: {"entries": [...]} instead of an array')
    p.add_argument("--base", help="the dump to change (with --changes)")
    p.add_argument("--changes", type=int, default=0)
    p.add_argument("--manifest", help="with --changes: write the added, changed, removed addresses here")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    rng = random.Random(args.seed)
    if args.changes and not args.base:
        p.error("--changes needs --base")
    if args.base:
        entries, manifest = apply_changes(read_dump(args.base), args.changes, rng)
        if args.manifest:
            with open(args.manifest, "w", encoding="utf-8") as m:
                json.dump(manifest, m, indent=1)
    else:
        entries = list(new_entries(rng, args.entries, business_ids(rng), rng.randrange(10**9)))
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        write_dump(entries, args.format, out, args.wrap)
    print(f"{args.output}: {len(entries)} entries", file=sys.stderr)


if __name__ == "__main__":
    main()
