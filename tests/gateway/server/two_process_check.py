#!/usr/bin/env python3
"""Two `eigw serve` processes on one PostgreSQL database deliver 1,000 invoices exactly once.

    two_process_check.py EIGW SOURCE_DIR [--backend postgresql] [--dsn DSN] [--shared DIR] [--keep]

One throw-away cluster (scripts/pg-cluster), two servers with the same storage and the same drop
folder (the second reaches it through a symbolic link, so each attempt's detail, which names the
written file, tells which process delivered it). 1,000 invoices to 10 recipients are submitted by
8 client threads, half to each process, within a time limit; then:

- each is delivered, with one `delivered` event and one delivered attempt, seen alike from both
  processes;
- the drop folder holds exactly 1,000 files, one per invoice id, in the right recipient folders;
- both processes' workers delivered some (when the attempt detail names the folder);
- one Idempotency-Key sent 20 times at once to both servers makes one invoice, delivered once;
- 600 more invoices to both servers while the second is killed with SIGKILL and restarted (what got
  no answer is sent again to the first with the same key): each is delivered exactly once;
- an SSE stream on each process, open from the start, got every event of the first 1,001 invoices
  exactly once, in increasing seq order, whichever process made it (its verdict comes last, so a
  failure there does not hide the others);
- both stop with SIGTERM and exit status 0.

Exit 0 when every check passes, 1 on the first failure, 77 when PostgreSQL cannot be set up.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_harness import (  # noqa: E402
    Failure, Gateway, SseStream, check, check_eq, gln, main, note, parse_sse_event, parse_ubl, step, wait_for)

TOTAL = 1000
THREADS = 8
RECIPIENTS = [gln(200 + i) for i in range(10)]
SUBMIT_LIMIT_S = 120
DELIVER_LIMIT_S = 180
CRASH_TOTAL = 600


def crash_one(suite, gw1, gw2, clients, key, shared, stored):
    """SIGKILL one of the two servers while both take and deliver invoices; the other finishes its work."""
    step(f'{CRASH_TOTAL} more invoices to both servers; the second is killed (SIGKILL) mid-way and restarted; '
         'clients resend what got no answer to the first; each delivered exactly once')
    ledger = [None] * CRASH_TOTAL
    errors = []
    resent = []

    def worker(t):
        for i in range(t, CRASH_TOTAL, 4):
            number = f'TPK-{i:04d}'
            recipient = RECIPIENTS[i % len(RECIPIENTS)]
            body = suite.invoices.json(number, recipient)
            key_i = f'tpk-{i:04d}'
            for target in (i % 2, 0):
                try:
                    r = clients[target].submit(body, key_i, timeout=20)
                except OSError:
                    resent.append(key_i)
                    continue  # no answer: send it again to the other server, with the same key
                if r.status != 202:
                    errors.append(f'POST /v1/invoices (key {key_i}) to server {target + 1}: expected 202, got {r.describe()}')
                    return
                ledger[i] = (r.json()['id'], number, recipient)
                break
            else:
                errors.append(f'key {key_i}: no answer from either server')
                return
    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    before_kill = sum(1 for e in ledger if e)
    gw2.kill()
    time.sleep(0.5)
    gw2.start()
    clients[1] = gw2.client(key)
    for t in threads:
        t.join(120)
    check(not any(t.is_alive() for t in threads), 'the submissions did not finish within 120 s')
    if errors:
        raise Failure(errors[0])
    print(f'  {before_kill} answered before the kill; {len(resent)} sent again to the first server', flush=True)
    check(0 < before_kill < CRASH_TOTAL, f'the kill did not come mid-way ({before_kill} of {CRASH_TOTAL} answered before it)')
    ids = [e[0] for e in ledger]
    check_eq(len(set(ids)), CRASH_TOTAL, 'distinct invoice ids')
    every = set(stored) | set(ids)

    started = last_change = time.monotonic()
    last = -1
    while True:
        items, _ = clients[0].list_all('status=delivered')
        done = len({it['id'] for it in items})
        if done >= len(every):
            break
        now = time.monotonic()
        if done != last:
            last, last_change = done, now
        check(now - last_change < 30 and now - started < DELIVER_LIMIT_S,
              f'after the kill, {done} of {len(every)} invoices delivered and no progress for 30 s')
        time.sleep(0.5)
    items, _ = clients[0].list_all()
    listed = {it['id'] for it in items}
    check_eq(len(items), len(listed), 'GET /v1/invoices with nothing changing: an id listed twice')
    check(listed == every, f'the tenant\'s invoices after the kill: {len(listed - every)} nobody was told about, '
          f'{len(every - listed)} missing')
    for inv_id, number, recipient in ledger:
        inv = clients[1].invoice(inv_id)
        statuses = [e['status'] for e in inv['events']]
        check_eq(statuses.count('delivered'), 1, f'{inv_id}: delivered events ({statuses})')
        outcomes = [a.get('outcome') for a in inv.get('attempts') or []]
        check_eq(outcomes.count('delivered'), 1, f'{inv_id}: delivered attempts ({outcomes})')
        path = os.path.join(shared, f'0088_{recipient}', f'{inv_id}.xml')
        with open(path, 'rb') as f:
            root, _, ident = parse_ubl(f.read(), path)
        check_eq((root, ident), ('Invoice', number), f'{path}: root and number')
    names = set()
    for sub in os.listdir(shared):
        for name in os.listdir(os.path.join(shared, sub)):
            if not name.startswith('.'):
                check(name[:-4] not in names, f'{name}: in two folders')
                names.add(name[:-4])
    check(names == every, f'the drop folder after the kill: {len(names - every)} files for no invoice, '
          f'{len(every - names)} invoices without a file')


def run(suite):
    shared = os.path.join(suite.tmp, 'outbound')
    link = os.path.join(suite.tmp, 'outbound-via-link')
    os.makedirs(shared)
    os.symlink(shared, link)
    conf = {'outbox': {'max_attempts': '20', 'backoff_initial_ms': '50', 'backoff_max_ms': '200',
                       'lease_seconds': '3', 'workers': '2'}}
    gw1 = Gateway(suite, 'first', conf=dict(conf, **{'operator.local-drop': {'folder': shared}}))
    gw2 = Gateway(suite, 'second', conf=dict(conf, **{'operator.local-drop': {'folder': link}}))
    _, key = gw1.add_tenant('acme')
    step('two servers start on one database')
    gw1.start()
    gw2.start()
    clients = [gw1.client(key), gw2.client(key)]
    for c in clients:
        r = c.get('/readyz')
        check_eq(r.status, 200, f'GET /readyz of the server on port {c.port}')

    streams = [SseStream(c) for c in clients]
    suite.cleanups.extend(st.close for st in streams)
    time.sleep(0.3)

    step(f'{TOTAL} invoices, {THREADS} client threads, half to each server, within {SUBMIT_LIMIT_S} s')
    results = [None] * TOTAL
    errors = []

    def worker(t):
        client = clients[t % 2]
        for i in range(t, TOTAL, THREADS):
            if errors:
                return
            number = f'TP-{i:04d}'
            try:
                d, _ = client.submit_ok(suite.invoices.json(number, RECIPIENTS[i % len(RECIPIENTS)]), f'tp-{i:04d}')
            except Exception as e:  # noqa: BLE001
                errors.append(f'server on port {client.port}: {e}')
                return
            results[i] = (d['id'], number, RECIPIENTS[i % len(RECIPIENTS)], client.port)
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1, SUBMIT_LIMIT_S - (time.monotonic() - started)))
    if errors:
        raise Failure(errors[0])
    check(not any(t.is_alive() for t in threads), f'the submissions took more than {SUBMIT_LIMIT_S} s')
    submit_s = time.monotonic() - started
    check(all(results), f'{sum(1 for r in results if not r)} submissions have no answer')
    ids = [r[0] for r in results]
    check_eq(len(set(ids)), TOTAL, 'distinct invoice ids')
    print(f'  submitted in {submit_s:.1f} s', flush=True)

    step(f'all {TOTAL} delivered within {DELIVER_LIMIT_S} s, both servers see the same list')

    def delivered():
        items, _ = clients[0].list_all('status=delivered')
        return len({it['id'] for it in items}) >= TOTAL and items
    try:
        items = wait_for(delivered, DELIVER_LIMIT_S, f'{TOTAL} delivered invoices', interval=1.0)
    except Failure:
        items, _ = clients[0].list_all()
        stuck = {}
        for it in items:
            stuck[it['status']] = stuck.get(it['status'], 0) + 1
        raise Failure(f'not all {TOTAL} invoices delivered within {DELIVER_LIMIT_S} s: statuses {stuck}')
    print(f'  delivered {time.monotonic() - started:.1f} s after the first submission', flush=True)
    check_eq(sorted(it['id'] for it in items), sorted(ids), 'the delivered invoices')
    items2, _ = clients[1].list_all('status=delivered')
    check_eq(sorted(it['id'] for it in items2), sorted(ids), 'the delivered invoices as the second server lists them')

    step('each invoice: one delivered event and one delivered attempt; which process wrote it')
    by_process = {'first': 0, 'second': 0, 'unknown': 0}
    stored = {}
    for n, (inv_id, number, recipient, port) in enumerate(results):
        inv = clients[n % 2].invoice(inv_id)
        stored[inv_id] = [(e['seq'], e['status']) for e in inv['events']]
        statuses = [e['status'] for e in inv['events']]
        check_eq(statuses.count('delivered'), 1, f'{inv_id}: delivered events ({statuses})')
        done = [a for a in inv.get('attempts') or [] if a.get('outcome') == 'delivered']
        check_eq(len(done), 1, f'{inv_id}: delivered attempts ({inv.get("attempts")})')
        detail = done[0].get('detail') or ''
        if link + os.sep in detail:
            by_process['second'] += 1
        elif shared + os.sep in detail:
            by_process['first'] += 1
        else:
            by_process['unknown'] += 1
    print(f'  deliveries by process: {by_process}', flush=True)
    if by_process['unknown'] == 0:
        check(by_process['first'] > 0 and by_process['second'] > 0,
              f'only one process delivered: {by_process}; the other\'s workers did nothing')
    else:
        note('the attempt details do not name the configured folder: which process delivered is not known')

    step(f'the shared drop folder holds exactly {TOTAL} files, one per invoice, in its recipient\'s folder')
    files = {}
    for sub in sorted(os.listdir(shared)):
        subdir = os.path.join(shared, sub)
        check(os.path.isdir(subdir), f'{subdir}: a plain file in the drop folder')
        for name in os.listdir(subdir):
            check(not name.startswith('.'), f'{subdir}/{name}: a leftover temporary file')
            check(name.endswith('.xml'), f'{subdir}/{name}: not an .xml file')
            check(name[:-4] not in files, f'{name}: in two folders')
            files[name[:-4]] = sub
    check_eq(len(files), TOTAL, 'number of files')
    check_eq(set(files), set(ids), 'the file names against the invoice ids')
    for inv_id, number, recipient, _ in results:
        check_eq(files[inv_id], f'0088_{recipient}', f'{inv_id}: recipient folder')
    for inv_id, number, recipient, _ in results[::50]:
        path = os.path.join(shared, f'0088_{recipient}', f'{inv_id}.xml')
        with open(path, 'rb') as f:
            root, _, ident = parse_ubl(f.read(), path)
        check_eq((root, ident), ('Invoice', number), f'{path}: root and number')

    step('one Idempotency-Key sent 20 times at once, alternately to both servers: one invoice, delivered once')
    body = suite.invoices.json('TP-RACE', RECIPIENTS[0])
    answers = [None] * 20

    def race(i):
        try:
            r = clients[i % 2].submit(body, 'tp-race')
            answers[i] = (r.status, r.json().get('id') or r.json().get('detail'), r.header('Idempotent-Replayed'))
        except Exception as e:  # noqa: BLE001
            answers[i] = ('exception', repr(e), None)
    threads = [threading.Thread(target=race, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    bad = [a for a in answers if a is None or a[0] != 202]
    check(not bad, f'20 concurrent POST /v1/invoices with one key to two servers: expected 202 for all, got {bad[:3]}')
    check_eq(len({a[1] for a in answers}), 1, 'concurrent same-key submissions to two servers: distinct ids')
    check_eq(sum(1 for a in answers if (a[2] or '').lower() != 'true'), 1,
             f'concurrent same-key submissions to two servers: answers not marked replayed ({answers})')
    race_id = answers[0][1]
    inv = clients[1].wait_status(race_id, ('delivered', 'failed', 'rejected'), timeout=30)
    check_eq(inv['status'], 'delivered', f'{race_id}: status')
    check_eq([e['status'] for e in inv['events']].count('delivered'), 1, f'{race_id}: delivered events')
    check(os.path.isfile(os.path.join(shared, f'0088_{RECIPIENTS[0]}', f'{race_id}.xml')), f'{race_id}: no file')

    stored[race_id] = [(e['seq'], e['status']) for e in inv['events']]

    step('SSE: the stream on each server got every event of every invoice once, in seq order')
    want = sorted((seq, inv_id, status) for inv_id, evs in stored.items() for seq, status in evs)
    port_of = {r[0]: r[3] for r in results}
    port_of[race_id] = None
    problems = []
    for st, gw in zip(streams, (gw1, gw2)):
        got = []
        deadline = time.monotonic() + 30
        while len(got) < len(want) and time.monotonic() < deadline:
            ev = st.next(5)  # everything is stored already: 5 s without an event is the end
            if ev is None:
                break
            d = parse_sse_event(ev, f'the stream of {gw.name}')
            got.append((d['seq'], d['invoice_id'], d['status']))
        st.close()
        seqs = [g[0] for g in got]
        dup = len(seqs) - len(set(seqs))
        if dup:
            problems.append(f'the stream of {gw.name}: {dup} events came twice')
        back = [(a, b) for a, b in zip(seqs, seqs[1:]) if b <= a]
        if back:
            problems.append(f'the stream of {gw.name}: seq went back {len(back)} times, e.g. {back[:5]} '
                            f'(a client resuming with Last-Event-ID would miss events)')
        missing = sorted(set(want) - set(got))
        if missing:
            other = sum(1 for m in missing if port_of[m[1]] != gw.port)
            by_status = {}
            for m in missing:
                by_status[m[2]] = by_status.get(m[2], 0) + 1
            problems.append(f'the stream of {gw.name} (port {gw.port}) missed {len(missing)} of {len(want)} events '
                            f'(by status {by_status}; {other} of them of invoices submitted to the other server), '
                            f'e.g. {missing[:4]}')
        extra = sorted(set(got) - set(want))
        if extra:
            problems.append(f'the stream of {gw.name} has {len(extra)} events not stored, e.g. {extra[:5]}')
    if problems:
        print('  FAILED (reported at the end, after the next checks): ' + '; '.join(problems)[:300] + ' ...', flush=True)

    crash_one(suite, gw1, gw2, clients, key, shared, stored)

    if problems:
        raise Failure('; '.join(problems))

    step('both servers stop with SIGTERM, exit status 0')
    gw1.stop()
    gw2.stop()


if __name__ == '__main__':
    main(__doc__.splitlines()[0], run, backends=('postgresql',))
