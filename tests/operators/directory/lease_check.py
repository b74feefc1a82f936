#!/usr/bin/env python3
"""Two `eigw serve` processes on one PostgreSQL database never sync the same directory source at once.

    lease_check.py EIGW SOURCE_DIR [--dsn DSN] [--shared DIR] [--keep] [--break-lease]

One throw-away cluster (scripts/pg-cluster), a stand-in partner operator (docs/operator-protocol.md,
GET /operator/v1/receivers: 50 receivers in two pages, then empty deltas in two pages) that holds
every answer HOLD_S seconds, and two servers whose `[operator.partner]` differ only in the bearer
token (so the stand-in tells them apart while both claim the source `partner`), with
`[directory] interval_seconds = 10, jitter_seconds = 0`. `eigw directory sync --source partner`
runs beside them from both configurations, each run with a token of its own
(EIGW_OPERATOR_PARTNER_TOKEN). Then:

- contested rounds: while a sync is in its first page, one sync from each configuration: both
  exit 1 ("being synced by another process") without calling the partner;
- free rounds: pairs of syncs at a steady pace, unaligned with the servers' schedule; each either
  synced (exit 0, exactly its two pages) or was turned away (exit 1, no call);
- the servers sync on their own schedule again afterwards;
- the stand-in never had list requests of two callers in flight, and every sync's two pages came
  one right after the other, from the same caller (no sync started between another's pages); the
  first sync is full, the rest deltas (a second full one is let pass: a server may claim the
  source right after another's first sync with the state it read before, a note says so);
- sampled while one request was in flight: the lease in directory_sources (psql) is held by that
  caller (`cli-<pid>` for a CLI run, one `dir_...` owner per server) until about now + 600 s;
- both servers: /v1/directory/status shows the source synced without errors and 50 entries;
  GET /v1/recipients/{id} says can_receive for each of the 50;
- both stop with SIGTERM, exit status 0; afterwards the lease is free (owner '', until 0), the
  cursor is the stand-in's last one, nothing failed.

How it could fail: without the lease (ClaimSource always true, or a claim that ignored
lease_until_ms) a contender of a contested round would call the stand-in during the holder's page,
which makes two callers' requests in flight at once and a sync between another's pages.
--break-lease shows it: in the first contested round, while the holder reads its first page, it
sets lease_until_ms = 0 (as if the lease had run out), so that run must FAIL.

Exit 0 when every check passes, 1 when one fails, 77 when PostgreSQL cannot be set up.
"""
import glob
import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'gateway', 'server'))
from gateway_harness import (  # noqa: E402
    Failure, Gateway, check, check_eq, expect_status, gln, main, note, step, wait_for)

BREAK_LEASE = '--break-lease' in sys.argv
if BREAK_LEASE:
    sys.argv.remove('--break-lease')

SOURCE = 'partner'
HOLD_S = 2.0               # each list answer is held this long: a sync (two pages) takes about 4 s
INTERVAL_S = 10            # [directory] interval_seconds (the smallest allowed)
LEASE_MS = 600000          # the lease the scheduler takes (gateway/cli/serve_command.cc)
CONTESTED_ROUNDS = 2
FREE_ROUNDS_S = 10.0
FREE_ROUND_EVERY_S = 1.2
BUSY = 'being synced by another process'
SYNCED_RE = re.compile(r'eigw: directory: partner: (full|delta) sync, \d+ entries read, \d+ added, \d+ changed, '
                       r'\d+ removed in \d+ ms')
RECEIVERS = [{'id': f'0088:{gln(500 + i)}', 'name': f'Lease Buyer {i}', 'channel': 'direct', 'path': [SOURCE],
              'document_types': ['invoice', 'credit_note'], 'formats': ['ubl'], 'removed': False}
             for i in range(50)]
# since -> (receivers, next_cursor, more, page of a sync). The full list and every delta take two
# pages, so a sync has a moment between its pages when no request is in flight.
PAGES = {None: (RECEIVERS[:25], 'full-2', True, 1), 'full-2': (RECEIVERS[25:], 'v1', False, 2),
         'v1': ([], 'delta-2', True, 1), 'delta-2': ([], 'v1', False, 2)}


class Partner:
    """The stand-in operator: answers the receivers list slowly and records every call (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.callers = {}      # bearer token -> caller name
        self.calls = []        # {n, caller, since, page, started, answered, ended}
        self.in_flight = {}    # n -> call
        self.max_in_flight = 0
        self.overlaps = []
        self.problems = []
        partner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                partner.serve(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}'
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def caller(self, name):
        token = f'tok-{name}-{secrets.token_hex(12)}'
        with self.lock:
            self.callers[token] = name
        return token

    def serve(self, h):
        auth = h.headers.get('Authorization') or ''
        url = urlsplit(h.path)
        query = parse_qs(url.query, keep_blank_values=True)
        since = query.get('since', [None])[0]
        with self.lock:
            caller = self.callers.get(auth[7:]) if auth.startswith('Bearer ') else None
        if caller is None:
            return self.refuse(h, 401, 'unauthorized', f'GET {h.path} with Authorization {auth[:20]!r}...')
        if url.path != '/operator/v1/receivers':
            return self.refuse(h, 404, 'not_found', f'{caller}: GET {h.path}')
        limit = query.get('limit', ['1000'])[0]
        if not limit.isdigit() or not 1 <= int(limit) <= 10000:
            return self.refuse(h, 400, 'invalid_parameter', f'{caller}: GET {h.path}: limit {limit!r}')
        if since not in PAGES:
            return self.refuse(h, 400, 'cursor_invalid', f'{caller}: GET {h.path}: cursor {since!r}')
        receivers, next_cursor, more, page = PAGES[since]
        call = {'caller': caller, 'since': since, 'page': page, 'started': time.monotonic(), 'answered': None,
                'ended': None}
        with self.lock:
            call['n'] = len(self.calls)
            self.calls.append(call)
            self.in_flight[call['n']] = call
            # Callers, not requests: a caller's next page may come a moment before this thread has
            # taken its previous request off the list, and one caller is one sync.
            callers = sorted({c['caller'] for c in self.in_flight.values()})
            if len(callers) > 1:
                self.overlaps.append(callers)
            self.max_in_flight = max(self.max_in_flight, len(callers))
        try:
            time.sleep(HOLD_S)
            with self.lock:
                call['answered'] = time.monotonic()
            body = json.dumps({'receivers': receivers, 'next_cursor': next_cursor, 'more': more}).encode()
            h.send_response(200)
            h.send_header('Content-Type', 'application/json')
            h.send_header('Content-Length', str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError as e:
            with self.lock:
                self.problems.append(f'{caller}: GET {h.path}: the answer could not be sent ({e})')
        finally:
            with self.lock:
                call['ended'] = time.monotonic()
                del self.in_flight[call['n']]

    def refuse(self, h, status, code, what):
        with self.lock:
            self.problems.append(f'{what}: answered {status} {code}')
        body = json.dumps({'type': f'about:blank/{code}', 'title': code, 'status': status, 'code': code}).encode()
        h.send_response(status)
        h.send_header('Content-Type', 'application/problem+json')
        h.send_header('Content-Length', str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def snapshot(self):
        """Every call so far, and the callers of the requests being held now (n -> caller)."""
        with self.lock:
            return ([dict(c) for c in self.calls],
                    {n: c['caller'] for n, c in self.in_flight.items() if c['answered'] is None})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Psql:
    """Queries the suite's database with psql (the cluster trusts loopback)."""

    def __init__(self, dsn):
        found = sorted(glob.glob('/usr/lib/postgresql/*/bin/psql'), key=lambda p: int(p.split('/')[4]), reverse=True)
        self.psql = found[0] if found else shutil.which('psql')
        check(self.psql is not None, 'psql not found (/usr/lib/postgresql/*/bin/psql or on PATH)')
        self.dsn = dsn

    def rows(self, sql):
        r = subprocess.run([self.psql, '-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql, self.dsn],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 0, f'psql -c "{sql}": exit status {r.returncode}: {r.stderr.strip()}')
        return [line.split('\t') for line in r.stdout.splitlines()]

    def lease(self):
        rows = self.rows(f"SELECT lease_owner, lease_until_ms FROM directory_sources WHERE name = '{SOURCE}'")
        return (rows[0][0], int(rows[0][1])) if rows else None


class CliSync:
    """One `eigw directory sync --source partner` run with a token of its own, started at once."""

    def __init__(self, suite, gw, partner, name):
        self.name = name
        env = gw.env({'EIGW_OPERATOR_PARTNER_TOKEN': partner.caller(name)})
        self.started = time.monotonic()
        self.proc = subprocess.Popen([suite.eigw, 'directory', 'sync', '--source', SOURCE, '--config', gw.config_path],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env, cwd=suite.tmp)
        self.pid = self.proc.pid
        self.rc = self.stderr = self.ended = None

    def wait(self):
        if self.rc is None:
            try:
                _, self.stderr = self.proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()
                raise Failure(f'{self.name}: eigw directory sync did not finish within 60 s')
            self.rc, self.ended = self.proc.returncode, time.monotonic()
        return self

    @property
    def turned_away(self):
        return self.rc == 1 and BUSY in self.stderr


def pairs(calls, problems, stopped=(), stop_times=None):
    """The syncs the stand-in saw, as (page 1, page 2) pairs in the order they came. `stopped`: the
    servers whose log says SIGTERM stopped a sync between pages; `stop_times`: when each server was
    sent SIGTERM (time.monotonic())."""
    syncs, open_ = [], None
    stop_times = stop_times or {}
    for c in sorted(calls, key=lambda c: c['started']):
        if c['page'] == 1:
            # A sync that SIGTERM stopped after its first page ends there: once its server was told to
            # stop and gave the lease back, the other server, still running, may start its own.
            ended_by_stop = (open_ is not None and open_['caller'] in stopped
                             and c['started'] >= stop_times.get(open_['caller'], float('inf')))
            if open_ is not None and not ended_by_stop:
                problems.append(f'{c["caller"]} started a sync (since={c["since"]}) between the pages of '
                                f'{open_["caller"]}\'s sync')
            open_ = c
        elif open_ is None or open_['caller'] != c['caller'] or PAGES[open_['since']][1] != c['since']:
            before = 'no page 1' if open_ is None else f'{open_["caller"]}\'s page 1 (since={open_["since"]})'
            problems.append(f'{c["caller"]} asked page 2 (since={c["since"]}) right after {before}')
            open_ = None
        else:
            syncs.append((open_, c))
            open_ = None
    # A server's sync that SIGTERM stopped after its first page (it logs so) ends there.
    if open_ is not None and open_['caller'] not in stopped:
        problems.append(f'{open_["caller"]}\'s sync asked page 1 and never page 2')
    return syncs


def run(suite):
    partner = Partner()
    suite.cleanups.append(partner.close)
    db = Psql(suite.dsn)
    conf = {'directory': {'interval_seconds': str(INTERVAL_S), 'jitter_seconds': '0'},
            'operator.partner': {'protocol': 'gateway', 'url': partner.url, 'formats': 'ubl', 'timeout_ms': '20000'}}
    gws = []
    for name in ('server-a', 'server-b'):
        c = json.loads(json.dumps(conf))
        c['operator.partner']['token'] = partner.caller(name)
        gws.append(Gateway(suite, name, conf=c))
    gw_a, gw_b = gws
    _, key = gw_a.add_tenant('acme')
    problems = []

    # The lease as psql sees it whenever exactly one request is in flight the whole time of the query.
    samples, stop_sampling = [], threading.Event()

    def sample():
        while not stop_sampling.is_set():
            _, before = partner.snapshot()
            try:
                lease = db.lease()
            except Failure as e:
                problems.append(f'sampling the lease: {e}')
                return
            at_ms = int(time.time() * 1000)
            _, after = partner.snapshot()
            same = set(before) & set(after)
            if len(before) == len(after) == 1 and same:
                samples.append((before[same.pop()], lease, at_ms))
            stop_sampling.wait(0.15)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    suite.cleanups.append(stop_sampling.set)

    step(f'two servers on one database, both with source {SOURCE} (the stand-in, {HOLD_S:g} s per answer), '
         f'interval {INTERVAL_S} s, no jitter')
    for g in gws:
        g.start()
    clients = [g.client(key) for g in gws]
    runs = []

    step(f'{CONTESTED_ROUNDS} contested rounds: while a sync reads its first page, `eigw directory sync` from '
         'both configurations: both turned away, no call to the stand-in')
    counter = [0]

    def cli(gw, kind):
        counter[0] += 1
        r = CliSync(suite, gw, partner, f'cli-{kind}-{counter[0]}')
        runs.append(r)
        return r

    for round_ in range(CONTESTED_ROUNDS):
        starter = None

        def fresh_first_page():
            nonlocal starter
            calls, flying = partner.snapshot()
            now = time.monotonic()
            for n, caller in flying.items():
                c = calls[n]
                if c['page'] == 1 and now - c['started'] < 0.3:
                    return c
            if not flying and (starter is None or starter.proc.poll() is not None):
                starter = cli(gws[round_ % 2], 'starter')
            return None
        deadline = time.monotonic() + 30
        while not (holder := fresh_first_page()):
            check(time.monotonic() < deadline, 'no sync began within 30 s')
            time.sleep(0.02)
        if BREAK_LEASE and round_ == 0:
            db.rows(f"UPDATE directory_sources SET lease_until_ms = 0 WHERE name = '{SOURCE}'")
            note('--break-lease: lease_until_ms set to 0 during the sync of ' + holder['caller'])
        contenders = [cli(gw_a, 'a'), cli(gw_b, 'b')]
        for r in contenders:
            r.wait()
        calls, _ = partner.snapshot()
        held = [c for c in calls if c['caller'] == holder['caller'] and c['started'] >= holder['started']][:2]
        released = held[-1]['ended'] if len(held) == 2 and held[-1]['ended'] else None
        for r in contenders:
            if r.turned_away:
                continue
            mine = [c['started'] for c in calls if c['caller'] == r.name]
            if r.rc == 0 and mine and released and min(mine) >= released:
                note(f'{r.name} started {r.started - holder["started"]:.2f} s into the sync of {holder["caller"]} but '
                     'claimed the source only after it ended (a slow start): this contender proves nothing')
                continue
            problems.append(f'{r.name}, started {r.started - holder["started"]:.2f} s into the sync of '
                            f'{holder["caller"]}: expected exit 1 ("{BUSY}") and no call, got exit {r.rc} and '
                            f'{len(mine)} calls; stderr: {r.stderr.strip()[:400]}')
        print(f'  round {round_ + 1}: {holder["caller"]} held the source; '
              + ', '.join(f'{r.name} exit {r.rc} in {r.ended - r.started:.2f} s' for r in contenders), flush=True)

    step(f'free rounds for {FREE_ROUNDS_S:g} s: a sync from each configuration every {FREE_ROUND_EVERY_S:g} s')
    free_started = time.monotonic()
    while time.monotonic() - free_started < FREE_ROUNDS_S:
        cli(gw_a, 'a')
        cli(gw_b, 'b')
        time.sleep(FREE_ROUND_EVERY_S)
    for r in runs:
        r.wait()
    quiet_from = max(r.ended for r in runs)

    step(f'the servers sync on their own again (within {INTERVAL_S + 5} s of the last CLI run)')

    def server_sync_after():
        calls, _ = partner.snapshot()
        return [c for c in calls if c['caller'].startswith('server-') and c['started'] > quiet_from]
    wait_for(server_sync_after, INTERVAL_S + 5, 'a scheduled sync by a server', interval=0.2)

    step('status and lookups on both servers: the source synced without errors, the 50 receivers can receive')
    for g, c in zip(gws, clients):
        try:
            check_server(g, c)
        except Failure as e:  # reported with the rest: the stand-in's record says more
            problems.append(str(e))

    step('both servers stop with SIGTERM (exit status 0); the lease is free afterwards')
    stop_times = {}
    for g in gws:
        stop_times[g.name] = time.monotonic()
        g.stop()
    stop_sampling.set()
    sampler.join(10)
    rows = db.rows('SELECT name, lease_owner, lease_until_ms, cursor, failures, errors, last_error,'
                   ' last_success_ms > 0, last_finished_ms = last_success_ms FROM directory_sources')
    want = [[SOURCE, '', '0', 'v1', '0', '0', '', 't', 't']]
    if rows != want:
        problems.append(f'directory_sources after the run (name, lease_owner, lease_until_ms, cursor, failures, '
                        f'errors, last_error, synced, last run succeeded): expected {want}, got {rows}')

    step('the stand-in: never two list requests in flight; each sync\'s pages back to back from one caller; '
         'the CLI exit statuses match the calls; the lease held by the caller in flight')
    calls, _ = partner.snapshot()
    problems.extend(partner.problems)
    if partner.max_in_flight > 1:
        problems.insert(0, f'the stand-in had list requests of {partner.max_in_flight} callers in flight at once '
                        f'({len(partner.overlaps)} times, e.g. {partner.overlaps[:3]})')
    stopped = {g.name for g in gws
               if any(l.endswith('sync stopped for the shutdown; it runs again at the next start') for l in g.log_lines)}
    syncs = pairs(calls, problems, stopped, stop_times)
    for r in runs:
        mine = [c for c in calls if c['caller'] == r.name]
        if r.rc == 0:
            if len(mine) != 2:
                problems.append(f'{r.name}: exit 0, expected its two pages at the stand-in, saw {len(mine)} calls')
            lines = [l for l in r.stderr.splitlines() if l.startswith(('eigw: directory', 'eigw directory'))]
            if not lines or not all(SYNCED_RE.fullmatch(l) for l in lines):
                problems.append(f'{r.name}: exit 0, but it did not just report its sync: {r.stderr.strip()[:400]!r}')
        elif r.turned_away:
            if mine:
                problems.append(f'{r.name}: turned away ("{BUSY}") but called the stand-in {len(mine)} times')
        else:
            problems.append(f'{r.name}: exit {r.rc}; stderr: {r.stderr.strip()[:400]}')
    owners = check_samples(samples, runs, problems)
    for g in gws:
        for line in g.log_lines:
            # A sync running when SIGTERM came is stopped between pages (not a failure of the source).
            stopped = line.endswith('sync stopped for the shutdown; it runs again at the next start')
            if line.startswith('eigw: directory:') and not SYNCED_RE.fullmatch(line) and not stopped:
                problems.append(f'{g.name} logged: {line[:400]}')

    by_caller = {}
    for first, _ in syncs:
        by_caller.setdefault(first['caller'], []).append(first)
    turned = [r.name for r in runs if r.turned_away]
    synced = [r.name for r in runs if r.rc == 0]
    servers = sorted(c for c in by_caller if c.startswith('server-'))
    full = [first['caller'] for first, _ in syncs if first['since'] is None]
    gaps = [b[0]['started'] - a[1]['ended'] for a, b in zip(syncs, syncs[1:])]
    # A scheduled sync sooner than the interval after the previous one started: the server read the
    # schedule before the previous sync recorded its run, and claimed the source once it was over.
    early = [(b[0]['caller'], round(b[0]['started'] - a[0]['started'], 1)) for a, b in zip(syncs, syncs[1:])
             if b[0]['caller'].startswith('server-') and b[0]['started'] - a[0]['started'] < INTERVAL_S - 0.5]
    print(f'  {len(calls)} list requests, {len(syncs)} syncs ({len(full)} full: {full}); by the servers: '
          + ', '.join(f'{s} {len(by_caller[s])}' for s in servers)
          + f'; CLI runs: {len(synced)} synced, {len(turned)} turned away; {len(samples)} lease samples '
          f'(server lease owners {owners}); shortest gap between syncs {min(gaps) if gaps else 0:.3f} s', flush=True)
    t0 = calls[0]['started'] if calls else 0
    print('  syncs (seconds from the first call): ' + ', '.join(
        f'{a["caller"]} {"full" if a["since"] is None else "delta"} {a["started"] - t0:.2f}-{b["ended"] - t0:.2f}'
        for a, b in syncs), flush=True)
    if early:
        note(f'scheduled syncs sooner than {INTERVAL_S} s after the previous one (the schedule read before the '
             f'previous sync recorded its run): {early}')
    if not syncs:
        problems.append('the stand-in saw no whole sync (page 1, then page 2 of the same caller)')
    elif syncs[0][0]['since'] is not None or len(full) > 2:
        problems.append(f'expected the first sync to be the only full one (or a second after a stale read of '
                        f'the cursor), got full syncs by {full}')
    if not servers:
        problems.append('no server synced the source')
    if not synced or not turned:
        problems.append(f'expected CLI runs that synced and CLI runs turned away; synced {synced}, '
                        f'turned away {turned}')
    if not samples:
        problems.append('no lease sample was taken while a request was in flight')
    if problems:
        raise Failure(f'{len(problems)} problems:\n  ' + '\n  '.join(problems[:20]))


def check_server(g, c):
    r = c.get('/v1/directory/status')
    expect_status(r, 200, f'{g.name}: GET /v1/directory/status')
    doc = r.json()
    check_eq(doc.get('entries'), len(RECEIVERS), f'{g.name}: directory entries')
    check_eq([s.get('name') for s in doc.get('sources', [])], [SOURCE], f'{g.name}: directory sources')
    s = doc['sources'][0]
    check(s.get('last_success_at') and s.get('last_run_at') and s.get('next_run_at'),
          f'{g.name}: source {SOURCE} has run and is scheduled: {s}')
    check((s.get('errors'), s.get('consecutive_failures'), s.get('last_error')) == (0, 0, None),
          f'{g.name}: source {SOURCE} without errors: {s}')
    for rec in RECEIVERS:
        r = c.get(f'/v1/recipients/{rec["id"]}')
        expect_status(r, 200, f'{g.name}: GET /v1/recipients/{rec["id"]}')
        got = r.json()
        check((got.get('can_receive'), got.get('source'), got.get('operator'), got.get('name')) ==
              (True, SOURCE, SOURCE, rec['name']), f'{g.name}: GET /v1/recipients/{rec["id"]}: {got}')


def check_samples(samples, runs, problems):
    """The lease sampled while one caller's request was in flight is that caller's; returns the servers' owners."""
    pids = {r.name: r.pid for r in runs}
    owners = {}
    for caller, lease, at_ms in samples:
        if lease is None or not lease[0] or lease[1] < at_ms + LEASE_MS - 60000:
            problems.append(f'while {caller} was reading a page, the lease in directory_sources was {lease} '
                            f'(at {at_ms}): expected held by it until about {at_ms + LEASE_MS}')
            continue
        want = f'cli-{pids[caller]}' if caller in pids else 'dir_...'
        if (caller in pids and lease[0] != want) or (caller not in pids and not lease[0].startswith('dir_')):
            problems.append(f'while {caller} was reading a page, the lease owner was {lease[0]!r}, expected {want}')
        elif caller not in pids:
            owners.setdefault(caller, set()).add(lease[0])
    for caller, seen in owners.items():
        if len(seen) != 1:
            problems.append(f'{caller}: the lease was held under {len(seen)} owners: {sorted(seen)}')
    flat = [o for seen in owners.values() for o in seen]
    if len(flat) != len(set(flat)):
        problems.append(f'the two servers hold the lease under the same owner: {owners}')
    return {k: sorted(v) for k, v in owners.items()}

if __name__ == '__main__':
    main(__doc__.splitlines()[0], run, backends=('postgresql',))
