#!/usr/bin/env python3
"""Crash safety of `eigw serve`: a 202 is durable and delivered exactly once across SIGKILLs.

    crash_check.py EIGW SOURCE_DIR [--backend sqlite|postgresql] [--dsn DSN] [--shared DIR] [--keep]

Two client threads submit invoices in a loop (each with its own Idempotency-Key) while the server
is killed with SIGKILL 1-2 s into each of three rounds, in the middle of intake and delivery. After
each kill the server is restarted on the same database and every request whose answer was lost is
sent again with its key and body, as an ERP does. At the end, once the outbox has drained:

- every key that got a 202 gets the same invoice again (Idempotent-Replayed: true);
- the tenant's invoices are exactly the ones the client was told about (nothing extra, nothing lost);
- each is delivered, with one `delivered` event and one delivered attempt;
- the drop folder has exactly one file per invoice, the UBL of that invoice, and nothing else
  (leftover hidden temporary files are reported); the files do not change afterwards.

Exit 0 when every check passes, 1 on the first failure, 77 when PostgreSQL cannot be set up.
"""
import http.client
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_harness import (  # noqa: E402
    Failure, Gateway, check, check_eq, gln, main, note, parse_ubl, step)

ROUNDS = 3
THREADS = 2
MAX_PER_THREAD_ROUND = 1000
LEASE_SECONDS = 3
RECIPIENTS = [gln(100 + i) for i in range(3)]


class Submitter(threading.Thread):
    """Submits invoices until told to stop or the server stops answering."""

    def __init__(self, client, inv, round_no, thread_no, ledger):
        super().__init__(daemon=True)
        self.client = client
        self.inv = inv
        self.round_no = round_no
        self.thread_no = thread_no
        self.ledger = ledger
        self.stop = threading.Event()
        self.error = None

    def run(self):
        for i in range(MAX_PER_THREAD_ROUND):
            if self.stop.is_set():
                return
            key = f'crash-r{self.round_no}-t{self.thread_no}-{i:04d}'
            number = f'CR-{self.round_no}-{self.thread_no}-{i:04d}'
            recipient = RECIPIENTS[i % len(RECIPIENTS)]
            body = self.inv.json(number, recipient)
            entry = {'key': key, 'number': number, 'recipient': recipient, 'body': body, 'id': None}
            self.ledger.append(entry)
            try:
                r = self.client.submit(body, key, timeout=20)
            except (OSError, http.client.HTTPException) as e:
                entry['lost'] = repr(e)  # no answer: the ERP does not know whether it was taken
                return
            if r.status != 202:
                self.error = f'POST /v1/invoices (key {key}): expected 202, got {r.describe()}'
                return
            entry['id'] = r.json().get('id')


def wait_progress(client, total, limit_s, stall_s):
    """Waits until total invoices are delivered; fails after limit_s, or after stall_s without progress."""
    started = last_change = time.monotonic()
    last = -1
    while True:
        # While statuses change, an invoice can come twice in a paged list ordered by updated_at
        # (it moves to a later page); the last one seen is its newest state.
        items, _ = client.list_all()
        latest = {it['id']: it['status'] for it in items}
        statuses = {}
        for st in latest.values():
            statuses[st] = statuses.get(st, 0) + 1
        done = statuses.get('delivered', 0)
        if done >= total:
            return
        t = time.monotonic()
        if done != last:
            last, last_change = done, t
        stuck = [(i, st) for i, st in latest.items() if st != 'delivered'][:8]
        if t - last_change > stall_s:
            raise Failure(f'the outbox does not drain: {done} of {total} delivered, no progress for {stall_s} s; '
                          f'statuses {statuses}; e.g. {stuck}')
        if t - started > limit_s:
            raise Failure(f'the outbox does not drain within {limit_s} s: {done} of {total} delivered; '
                          f'statuses {statuses}; e.g. {stuck}')
        time.sleep(0.5)


def resubmit(client, entry):
    r = client.submit(entry['body'], entry['key'])
    if r.status != 202:
        raise Failure(f'after the restart, POST /v1/invoices again with the lost request\'s key {entry["key"]}: '
                      f'expected 202, got {r.describe()}')
    entry['id'] = r.json()['id']
    entry['replayed'] = (r.header('Idempotent-Replayed') or '').lower() == 'true'


def run(suite):
    gw = Gateway(suite, 'crash', conf={
        'outbox': {'max_attempts': '50', 'backoff_initial_ms': '50', 'backoff_max_ms': '200',
                   'lease_seconds': str(LEASE_SECONDS), 'workers': '2'}})
    _, key = gw.add_tenant('acme')
    gw.start()
    client = gw.client(key)
    ledger = []
    rng = random.Random(20261127)

    for round_no in range(1, ROUNDS + 1):
        step(f'round {round_no}: {THREADS} clients submit in a loop; SIGKILL after 1-2 s; restart; '
             f'resend the requests whose answer was lost')
        threads = [Submitter(client, suite.invoices, round_no, t, ledger) for t in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(1.0, 2.0))
        gw.kill()
        for t in threads:
            t.stop.set()
            t.join(30)
            check(not t.is_alive(), 'a client thread still runs 30 s after the kill')
            if t.error:
                raise Failure(t.error)
        mine = [e for e in ledger if e['key'].startswith(f'crash-r{round_no}-')]
        taken = [e for e in mine if e['id']]
        lost = [e for e in mine if not e['id']]
        print(f'  round {round_no}: {len(taken)} answered 202, {len(lost)} without an answer', flush=True)
        if len(mine) >= THREADS * MAX_PER_THREAD_ROUND:
            note(f'round {round_no}: the clients were done before the kill; it did not cut a request')
        check(len(taken) >= 3, f'round {round_no}: only {len(taken)} submissions answered 202 in 1-2 s '
              f'before the kill; the server is too slow for this check to mean anything')
        gw.start()
        client = gw.client(key)
        for e in lost:
            resubmit(client, e)
        if lost:
            print(f'  resent {len(lost)}: {sum(1 for e in lost if e.get("replayed"))} were taken before the kill '
                  f'(replayed), {sum(1 for e in lost if not e.get("replayed"))} were not', flush=True)

    ids = [e['id'] for e in ledger]
    check_eq(len(set(ids)), len(ids), 'distinct invoice ids for distinct keys')
    by_id = {e['id']: e for e in ledger}

    step(f'every 202 is durable: each of the {len(ledger)} keys gets its invoice again, replayed')
    for e in ledger:
        r = client.submit(e['body'], e['key'])
        if r.status != 202 or r.json().get('id') != e['id']:
            raise Failure(f'POST /v1/invoices again with key {e["key"]}: expected 202 with id {e["id"]}, '
                          f'got {r.describe()}')
        check_eq((r.header('Idempotent-Replayed') or '').lower(), 'true', f'replay of key {e["key"]}: Idempotent-Replayed')

    step('the outbox drains: all delivered; then the tenant has exactly these invoices')
    wait_progress(client, len(ids), 120, 20)
    items, _ = client.list_all()
    listed = [it['id'] for it in items]
    check_eq(len(listed), len(set(listed)), 'GET /v1/invoices (nothing changing any more): an id listed twice')
    extra = set(listed) - set(ids)
    missing = set(ids) - set(listed)
    check(not extra and not missing, f'GET /v1/invoices: {len(extra)} invoices nobody was told about '
          f'{sorted(extra)[:5]}, {len(missing)} answered with 202 but missing {sorted(missing)[:5]}')
    check(all(it['status'] == 'delivered' for it in items), 'GET /v1/invoices: not all delivered')

    step('GET /v1/invoices without limit: 100 items and a next_cursor; /metrics eigw_outbox_depth 0 once drained')
    r = client.get('/v1/invoices')
    check_eq(r.status, 200, 'GET /v1/invoices')
    if len(ids) > 100:
        check_eq(len(r.json()['items']), 100, f'GET /v1/invoices (default limit) over {len(ids)} invoices: items')
        check(isinstance(r.json().get('next_cursor'), str), 'GET /v1/invoices (default limit): no next_cursor')
    r = client.with_key(None).get('/metrics')
    check_eq(r.status, 200, 'GET /metrics')
    depth = [l for l in r.body.decode().splitlines() if re.match(r'eigw_outbox_depth(\{[^}]*\})?\s', l)]
    check(depth, f'GET /metrics: no eigw_outbox_depth sample')
    check_eq(sum(float(l.split()[-1]) for l in depth), 0.0, f'GET /metrics: eigw_outbox_depth after the drain ({depth})')

    step('each invoice: one delivered event and one delivered attempt; its number in its file')
    for inv_id in ids:
        inv = client.invoice(inv_id)
        statuses = [ev['status'] for ev in inv['events']]
        check_eq(statuses.count('delivered'), 1, f'{inv_id}: number of delivered events ({statuses})')
        check_eq(statuses[-1], 'delivered', f'{inv_id}: last event')
        outcomes = [a.get('outcome') for a in inv.get('attempts') or []]
        check_eq(outcomes.count('delivered'), 1, f'{inv_id}: number of delivered attempts ({outcomes})')

    step('the drop folder: exactly one file per invoice, in its recipient\'s folder, and no other file')
    folder = gw.drop_folder
    files, hidden = {}, []
    for sub in sorted(os.listdir(folder)):
        subdir = os.path.join(folder, sub)
        if not os.path.isdir(subdir):
            raise Failure(f'{subdir}: a plain file in the drop folder')
        for name in os.listdir(subdir):
            if name.startswith('.'):
                hidden.append(os.path.join(sub, name))
                continue
            check(name.endswith('.xml') and name[:-4] in by_id,
                  f'{os.path.join(subdir, name)}: a file for no invoice the client was told about')
            check(name[:-4] not in files, f'{name}: delivered into two folders ({files.get(name[:-4])} and {subdir})')
            files[name[:-4]] = subdir
    missing = sorted(set(ids) - set(files))
    check(not missing, f'{len(missing)} delivered invoices have no file, e.g. {missing[:5]}')
    if hidden:
        note(f'{len(hidden)} hidden leftover files (temporary files of writes killed mid-way?): {hidden[:5]}')
    stats = {}
    for inv_id, subdir in files.items():
        e = by_id[inv_id]
        check_eq(os.path.basename(subdir), f'0088_{e["recipient"]}', f'{inv_id}: recipient folder')
        path = os.path.join(subdir, f'{inv_id}.xml')
        with open(path, 'rb') as f:
            root, _, number = parse_ubl(f.read(), path)
        check_eq((root, number), ('Invoice', e['number']), f'{path}: root element and invoice number')
        st = os.stat(path)
        stats[path] = (st.st_ino, st.st_mtime_ns, st.st_size)

    step(f'no delivery is repeated later (files unchanged {LEASE_SECONDS + 1.5:g} s on, past the lease)')
    time.sleep(LEASE_SECONDS + 1.5)
    for path, before in stats.items():
        st = os.stat(path)
        check_eq((st.st_ino, st.st_mtime_ns, st.st_size), before, f'{path}: (inode, mtime, size) changed: written again')
    count = sum(len([n for n in os.listdir(os.path.join(folder, s)) if not n.startswith('.')]) for s in os.listdir(folder))
    check_eq(count, len(ids), 'number of files in the drop folder at the end')
    print(f'  {len(ids)} invoices over {ROUNDS} kills, each delivered exactly once', flush=True)
    gw.stop()


if __name__ == '__main__':
    main(__doc__.splitlines()[0], run)
