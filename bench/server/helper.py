#!/usr/bin/env python3
"""Helpers of the server benchmark (bench/server/run); Python standard library only.

  helper.py smoke URL KEY BODY NONCE             POST the invoice once, expect 202, wait until it
                                                  is `delivered` (30 s); prints its id
  helper.py metrics URL                           prints the gateway's gauges as JSON
  helper.py drain URL CLIENT_202 IN_FLIGHT TIMEOUT LOAD_START LOAD_END OUT.json
                                                  polls GET /metrics until eigw_outbox_depth is 0,
                                                  then checks that every invoice the server answered
                                                  202 is delivered and nothing else is there, and that
                                                  the server's 202 answers are the client's
                                                  (CLIENT_202) plus at most IN_FLIGHT (the requests
                                                  wrk had sent when it stopped, whose answers it does
                                                  not read); writes what it saw to OUT.json; exit 1
                                                  when a check fails or the timeout passes
  helper.py ids URL KEY OUT                       GET /v1/invoices?limit=500, one id per line to OUT
  helper.py report RESULTS.jsonl SETTINGS.json OUT.md
                                                  the Markdown report of the run
"""
import http.client
import json
import re
import sys
import time
import urllib.parse

METRIC_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$')


def die(msg):
    print(f'bench/server/helper.py: {msg}', file=sys.stderr)
    sys.exit(1)


def conn_for(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def request(url, method, path, body=None, headers=None):
    c = conn_for(url)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def metrics(url):
    status, body = request(url, 'GET', '/metrics')
    if status != 200:
        die(f'GET /metrics answered {status}: {body[:300]!r}')
    out = {'invoices': {}}
    for line in body.decode().splitlines():
        if not line or line.startswith('#'):
            continue
        m = METRIC_RE.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or '', float(m.group(3))
        if name == 'eigw_invoices':
            st = re.search(r'status="([^"]*)"', labels)
            if st:
                out['invoices'][st.group(1)] = int(value)
        elif name in ('eigw_outbox_depth', 'eigw_outbox_oldest_age_seconds'):
            out[name[len('eigw_'):]] = value
        elif (name == 'eigw_http_requests_total' and 'route="/v1/invoices"' in labels
              and 'method="POST"' in labels):
            sc = re.search(r'status="([^"]*)"', labels)
            if sc:
                out.setdefault('post_invoices', {})[sc.group(1)] = int(value)
        elif name == 'eigw_delivery_attempts_total':
            oc = re.search(r'outcome="([^"]*)"', labels)
            if oc:
                out.setdefault('delivery_attempts', {})[oc.group(1)] = int(value)
    return out


def cmd_smoke(url, key, body_path, nonce):
    with open(body_path, 'rb') as f:
        body = f.read()
    headers = {'Authorization': f'Bearer {key}', 'Content-Type': 'application/json',
               'Idempotency-Key': f'smoke-{nonce}'}
    status, answer = request(url, 'POST', '/v1/invoices', body, headers)
    if status != 202:
        die(f'POST /v1/invoices of {body_path}: expected 202, got {status}: {answer[:800]!r}')
    inv_id = json.loads(answer)['id']
    deadline = time.monotonic() + 30
    last = None
    while time.monotonic() < deadline:
        status, answer = request(url, 'GET', f'/v1/invoices/{inv_id}',
                                 headers={'Authorization': f'Bearer {key}'})
        if status != 200:
            die(f'GET /v1/invoices/{inv_id}: expected 200, got {status}: {answer[:300]!r}')
        last = json.loads(answer)
        if last['status'] == 'delivered':
            print(inv_id)
            return
        if last['status'] in ('rejected', 'failed'):
            die(f'the smoke invoice {inv_id} ended {last["status"]}: failure {last.get("failure")}, '
                f'findings {json.dumps(last.get("findings"))[:1500]}')
        time.sleep(0.05)
    die(f'the smoke invoice {inv_id} is not delivered after 30 s: {json.dumps(last)[:1500]}')


def machine_ticks():
    """Busy and total CPU ticks of the machine (idle and I/O wait are not busy)."""
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)


def cmd_drain(url, client_202, in_flight, timeout, load_start, load_end, out_path):
    ticks0 = machine_ticks()
    started = time.time()
    first = metrics(url)
    samples = [(started, first)]
    m = first
    while m.get('outbox_depth', 0) > 0:
        if time.time() - started > timeout:
            break
        time.sleep(0.2)  # each GET /metrics counts the tables: a few ms of server CPU at 10k invoices
        m = metrics(url)
        samples.append((time.time(), m))
    drained_at = samples[-1][0]
    ticks1 = machine_ticks()
    drained = m.get('outbox_depth', 0) == 0
    delivered = m['invoices'].get('delivered', 0)
    others = {k: v for k, v in m['invoices'].items() if k != 'delivered' and v}
    server_202 = m.get('post_invoices', {}).get('202', 0)
    expected = server_202
    unseen = server_202 - client_202  # answered by the server after wrk stopped reading
    backlog = int(first.get('outbox_depth', 0))
    drain_s = max(drained_at - load_end, 1e-9)
    result = {
        'drained': drained,
        'timeout_s': timeout,
        'backlog_at_load_end': backlog,
        'delivered_at_load_end': first['invoices'].get('delivered', 0),
        'statuses_at_load_end': first['invoices'],
        'drain_s': drain_s,
        'drain_rate': backlog / drain_s if drained else None,
        'end_to_end_s': drained_at - load_start,
        'machine_busy_during_drain': ((ticks1[0] - ticks0[0]) / (ticks1[1] - ticks0[1])
                                      if ticks1[1] > ticks0[1] else None),
        'processing_done_s': next((round(t - load_end, 2) for t, x in samples
                                   if x['invoices'].get('received', 0) == 0), None),
        'delivered': delivered,
        'expected_delivered': expected,
        'client_202': client_202,
        'server_202': server_202,
        'answers_unread_by_wrk': unseen,
        'server_post_statuses': m.get('post_invoices', {}),
        'other_statuses': others,
        'delivery_attempts': m.get('delivery_attempts', {}),
        'ok': drained and delivered == expected and not others and 0 <= unseen <= in_flight,
        # seconds after the load, outbox depth, invoices received (not yet processed), delivered
        'samples': [[round(t - load_end, 2), int(x.get('outbox_depth', 0)), x['invoices'].get('received', 0),
                     x['invoices'].get('delivered', 0)] for t, x in samples],
    }
    with open(out_path, 'w') as f:
        json.dump(result, f, indent=1)
    if not drained:
        die(f'the outbox did not drain within {timeout:g} s: depth {m.get("outbox_depth")}, '
            f'invoices {m["invoices"]}')
    if delivered != expected or others:
        die(f'after the drain: {delivered} invoices delivered, expected {expected} (the server\'s 202 '
            f'answers to POST /v1/invoices); other statuses: {others}')
    if not 0 <= unseen <= in_flight:
        die(f'the server answered POST /v1/invoices with 202 {server_202} times, the client counted '
            f'{client_202}: the difference should be between 0 and {in_flight} (requests in flight when '
            f'wrk stopped)')


def cmd_ids(url, key, out_path):
    status, answer = request(url, 'GET', '/v1/invoices?limit=500',
                             headers={'Authorization': f'Bearer {key}'})
    if status != 200:
        die(f'GET /v1/invoices?limit=500: expected 200, got {status}: {answer[:300]!r}')
    ids = [item['id'] for item in json.loads(answer)['items']]
    if not ids:
        die('GET /v1/invoices?limit=500 returned no invoices')
    with open(out_path, 'w') as f:
        f.write('\n'.join(ids) + '\n')
    print(len(ids))


# ------------------------------------------------------------------------------------------------
# Report

def ms(us):
    return '–' if us is None else f'{us / 1000:.1f} ms'


def pct(x):
    return '–' if x is None else f'{x * 100:.0f} %'


def num(x, digits=0):
    if x is None:
        return '–'
    return f'{x:,.{digits}f}'


def cmd_report(results_path, settings_path, out_path):
    with open(settings_path) as f:
        s = json.load(f)
    runs = []
    with open(results_path) as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    target_rate = s['target_rate']
    target_p99_us = s['target_p99_ms'] * 1000

    def accepted_rate(r):
        sub = r['submit']
        return sub['ok'] / (sub['duration_us'] / 1e6)

    best = {}
    for r in runs:
        if r['submit']['p99_us'] <= target_p99_us and r['submit']['bad'] == 0:
            b = best.get(r['backend'])
            if b is None or accepted_rate(r) > accepted_rate(b):
                best[r['backend']] = r

    L = []
    L.append('# Server benchmark: latest run')
    L.append('')
    L.append(f'Made by `bench/server/run` ([bench/server/README.md](../server/README.md)) on {s["date"]}; '
             f'eigw built (Release) from commit {s["built_from"]}.')
    L.append('')
    L.append(f'**Machine**: {s["cpu_model"]}, {s["cpus"]} CPUs, {s["mem_gib"]} GiB, {s["kernel"]}; '
             f'before the run the CPUs were {s["busy_before"]} % busy (load average {s["load_before"]}).')
    L.append('')
    L.append(f'**Settings**: {s["duration"]} s of `POST /v1/invoices` per run (the 10-line invoice '
             f'`bench/server/invoice-10-lines.json`, {s["body_bytes"]} bytes of ERP JSON, a new '
             f'Idempotency-Key per request), then {s["get_duration"]} s of `GET /v1/invoices/{{id}}` on '
             f'{s["get_ids"]} of the submitted ids; wrk {s["wrk_version"]}, {s["wrk_threads"]} thread(s), '
             f'keep-alive; a fresh server and database per run. Pinning: {s["pinning"]}. '
             f'Server: `server.threads = {s["server_threads"]}` (a keep-alive connection holds a thread), '
             f'{"`storage.pool = %s`" % s["storage_pool"] if s.get("storage_pool") else "`storage.pool` default (8)"}, '
             f'`outbox.workers = {s["outbox_workers"]}`, other keys at their defaults; delivery by the '
             f'file-drop operator (UBL) into a temp folder. '
             f'Durability as shipped: SQLite WAL with `synchronous=FULL`; PostgreSQL {s["pg_version"]} with '
             f'{s["pg_durability"]}.')
    L.append('')
    L.append(f'Target (SQLite): at least {target_rate:,} accepted invoices/s with p99 under '
             f'{s["target_p99_ms"]} ms.')
    L.append('')
    L.append('| backend | connections | accepted/s | p50 | p99 | max | errors | GET/s | GET p99 '
             '| backlog at end | drain | drain rate | end to end | delivered |')
    L.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    for r in runs:
        sub, get, dr = r['submit'], r.get('get'), r.get('drain') or {}
        errors = sub['bad'] + sum(sub['socket_errors'].values())
        err_text = str(errors) if errors == 0 else f'**{errors}** ({r.get("error_detail", "")})'
        mark = ' ★' if best.get(r['backend']) is r else ''
        get_rate = get['ok'] / (get['duration_us'] / 1e6) if get else None
        get_err = ''
        if get and (get['bad'] or sum(get['socket_errors'].values())):
            get_err = f' (**{get["bad"] + sum(get["socket_errors"].values())} errors**)'
        delivered = ('–' if not dr else
                     (f'{dr["delivered"]:,} of {dr["expected_delivered"]:,} ✓' if dr.get('ok')
                      else f'**{dr.get("delivered", 0):,} of {dr.get("expected_delivered", 0):,}** '
                           f'{dr.get("other_statuses") or ""} (client counted {dr.get("client_202")})'))
        e2e = (dr['delivered'] / dr['end_to_end_s']) if dr.get('drained') else None
        L.append(f'| {r["backend"]}{mark} | {r["connections"]} | {num(accepted_rate(r))} | {ms(sub["p50_us"])} '
                 f'| {ms(sub["p99_us"])} | {ms(sub["max_us"])} | {err_text} '
                 f'| {num(get_rate)}{get_err} | {ms(get["p99_us"]) if get else "–"} '
                 f'| {num(dr.get("backlog_at_load_end"))} '
                 f'| {num(dr.get("drain_s"), 1) + " s" if dr.get("drained") else "**not drained**"} '
                 f'| {num(dr.get("drain_rate"))}/s | {num(e2e)}/s | {delivered} |')
    L.append('')
    L.append('★ the run with the best accepted/s whose p99 stays within the target and that had no error. '
             '**accepted/s** counts 202 answers only, over wrk\'s measured duration; **p50/p99/max** are '
             'wrk\'s latencies of all requests of the run; **errors** are answers other than 202 plus '
             'socket errors (connect, read, write, timeout). **GET/s**: `GET /v1/invoices/{id}` answered '
             '200, same connection count. **backlog at end**: invoices still in the outbox (not yet '
             'delivered) when the submissions stopped; **drain**: from the end of the submissions until '
             '`eigw_outbox_depth` is 0; **drain rate** = backlog ÷ drain; **end to end** = invoices '
             'delivered ÷ (submission time + drain), the rate at which the gateway accepted, converted, '
             'validated, archived and delivered; **delivered**: `eigw_invoices{status="delivered"}` '
             'against the server\'s count of 202 answers to `POST /v1/invoices` (checked to be wrk\'s '
             'count + 1 smoke invoice + at most one request per connection that was in flight when wrk '
             'stopped and whose answer wrk did not read); nothing may end in another status.')
    L.append('')
    for backend in sorted({r['backend'] for r in runs}):
        b = best.get(backend)
        if backend == 'sqlite':
            if b is None:
                L.append(f'**SQLite target: missed**: no run kept p99 under {s["target_p99_ms"]} ms without errors.')
            else:
                okay = accepted_rate(b) >= target_rate
                L.append(f'**SQLite target: {"met" if okay else "missed"}**: {num(accepted_rate(b))} accepted/s '
                         f'with p99 {ms(b["submit"]["p99_us"])} at {b["connections"]} connections.')
    L.append('')
    L.append('Where the time went. **machine busy**: the busy share of all CPUs during the submissions '
             '(every process: gateway, PostgreSQL, wrk; idle and I/O wait are not busy); well under '
             '100 % means the CPUs were not the limit. **gateway CPU** and **PostgreSQL CPU**: user + '
             'system seconds of those processes during the submissions (the gateway\'s include its outbox '
             'workers); **per invoice** = gateway CPU ÷ accepted invoices. **machine busy during the '
             'drain**: the same share from the end of the submissions until the outbox was empty.')
    L.append('')
    L.append('| backend | connections | machine busy | gateway CPU | PostgreSQL CPU | gateway CPU per invoice '
             '| requests | machine busy during the drain |')
    L.append('|---|---:|---:|---:|---:|---:|---:|---:|')
    for r in runs:
        sub = r['submit']
        cpu = r.get('cpu', {})
        dr = r.get('drain') or {}
        per = (cpu.get('gateway_s', 0) / sub['ok'] * 1e6) if sub['ok'] else None
        pg = cpu.get('postgres_s')
        busy = cpu.get('machine_busy')
        L.append(f'| {r["backend"]} | {r["connections"]} | {"–" if busy is None else f"{busy * 100:.0f} %"} '
                 f'| {num(cpu.get("gateway_s"), 1)} s '
                 f'| {"–" if pg is None else num(pg, 1) + " s"} | {num(per)} µs | {sub["requests"]:,} '
                 f'| {pct(dr.get("machine_busy_during_drain"))} |')
    L.append('')
    L.append(f'Raw results: `{s["raw_dir"]}` (wrk output, server logs, metrics).')
    L.append('')
    text = '\n'.join(L)
    with open(out_path, 'w') as f:
        f.write(text)
    print(text)


def main(argv):
    if len(argv) < 2:
        die(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == 'smoke' and len(args) == 4:
        cmd_smoke(*args)
    elif cmd == 'metrics' and len(args) == 1:
        print(json.dumps(metrics(args[0])))
    elif cmd == 'drain' and len(args) == 7:
        cmd_drain(args[0], int(args[1]), int(args[2]), float(args[3]), float(args[4]), float(args[5]), args[6])
    elif cmd == 'ids' and len(args) == 3:
        cmd_ids(*args)
    elif cmd == 'report' and len(args) == 3:
        cmd_report(*args)
    else:
        die(__doc__)


if __name__ == '__main__':
    main(sys.argv)
