#!/usr/bin/env python3
"""The directory's sources end to end: real `eigw serve` processes with a registry dump (a path, a
file:// URL, an http:// URL), the Estonian company status check (ee-erp) and a partner gateway
(protocol gateway), looked at through the ERP API (docs/api.md, "Recipients and the directory").

    sources_check.py EIGW SOURCE_DIR [--only GROUP] [--shared DIR] [--keep]

Dumps are made by scripts/gen_registry_dump.py (deterministic; --changes with a manifest of the
addresses added, changed and removed). Each group runs on fresh gateways (SQLite):

file      A 2,000-entry CSV dump from a path, synced at start: every entry answers can_receive with
          the operator, channel and path the configuration gives (registry operator ids mapped by
          `codes`, a comma list, or by an operator's id: direct; the others roaming through `via`),
          the name, formats, document types and the party's other identifiers; a dump with 300
          changes and POST /v1/directory/sync: additions receive, changes show the new operator or
          name, removals answer not_registered, /v1/directory/status counts = the manifest; the same
          dump again changes nothing; sync requests for one, every and an unknown source; /metrics.
http      A JSON dump from a local HTTP server with ETag and Last-Modified, asked for with the
          source's token and its own directory_interval_seconds: the download is kept beside the
          database; the next sync sends If-None-Match / If-Modified-Since and gets 304 (nothing
          downloaded, data kept, verified again); a changed dump is downloaded; XML, 500 and 404
          answers fail the sync (status: the error, consecutive failures, an earlier retry;
          metrics) while the old data still answers; a 304 afterwards is a success again.
routing   (The dump at a path relative to the configuration.) The directory between the [routing]
          table and the default operator: a dump recipient
          whose registry operator is one of ours goes to that file-drop folder, a roaming one
          through `via`, a table recipient by the table, an unknown one and a removed one to the
          default operator with `e_invoice = false`; GET /v1/invoices says e_invoice and why.
estonia   The ErpDataExchange stand-in (tests/operators/estonia/ee_standin.py, run in this process
          so every CompanyStatusRequest is recorded) as an ee-erp source: 123 invoiced 0191
          recipients are asked in batches of at most 100, active ones can_receive, the others
          not_registered; a company that stops receiving is noticed at the next sync; a recipient
          never invoiced is checked on demand.
watch     recipient.capability events: the tenant that invoiced R is told (webhook, signed, and
          SSE) when R leaves the dump, comes back and changes operator; a tenant that never
          invoiced R is told nothing.
check     On-demand checks with a partner gateway (a second `eigw serve`, POST
          /operator/v1/receivers/check): a fresh answer is not checked, max_age=0 and answers older
          than directory.check_max_age_seconds are (checked_now, the partner's current word); a
          partner that is down gives check_error with the stored answer (or `unknown`).
edges     Three scenarios checked even when one fails: url = file:///path is read as that path;
          identifiers differing only in letter case (0037:...osto, 9918:fi...) answer as the
          dump's and route by it; a change found by an on-demand check (ee-erp, max_age=0) is told
          to the tenant that invoiced the recipient (recipient.capability webhook).

Exit 0 when every group passed, 1 when one failed.
"""
import csv
import datetime
import email.utils
import hashlib
import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET  # only for SOAP requests of our own gateway

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'gateway', 'server'))
sys.path.insert(0, os.path.join(HERE, '..', 'estonia'))
from gateway_harness import (  # noqa: E402
    Client, Failure, Gateway, free_port, SseStream, WebhookReceiver, check, check_eq, expect_problem, expect_status,
    gln, main, note, step, urlquote, wait_for)

GROUPS = ('file', 'http', 'routing', 'estonia', 'watch', 'check', 'edges')


def _take_option(name):
    for i, a in enumerate(sys.argv):
        if a == f'--{name}' and i + 1 < len(sys.argv):
            v = sys.argv[i + 1]
            del sys.argv[i:i + 2]
            return v
        if a.startswith(f'--{name}='):
            del sys.argv[i]
            return a.split('=', 1)[1]
    return None


ONLY = _take_option('only')
if ONLY is not None and ONLY not in GROUPS:
    print(f'--only: one of {", ".join(GROUPS)}', file=sys.stderr)
    sys.exit(2)

REGISTRY = 'fi-registry'
WEBHOOK_SECRET = 'directory-webhook-secret-0123456789'
# Registry operator ids of scripts/gen_registry_dump.py mapped to our operators in the groups.
DIRECT_CODE = '003723327487'   # [operator.fi-direct] codes = DIRECT_CODE, NDEAFIHH
BANK_CODE = 'NDEAFIHH'
ID_CODE = 'HANDFIHH'           # [operator.HANDFIHH]: mapped by its id
MAX_AGE_S = 5                  # check: [directory] check_max_age_seconds


# ---------------------------------------------------------------------------------------------
# Dumps

class Dumps:
    """scripts/gen_registry_dump.py and reading its output."""

    def __init__(self, suite):
        self.script = os.path.join(suite.source_dir, 'scripts', 'gen_registry_dump.py')

    def _run(self, *args):
        r = subprocess.run([sys.executable, self.script, *args], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise Failure(f'gen_registry_dump.py {" ".join(args)}: exit status {r.returncode}: {r.stderr.strip()}')

    def make(self, path, entries, seed, fmt='csv'):
        self._run('--format', fmt, '--entries', str(entries), '--seed', str(seed), '-o', path)
        return self.read(path)

    def change(self, base, path, changes, seed, fmt='csv'):
        """Writes base with `changes` differences to path; returns (entries, manifest)."""
        manifest = path + '.manifest.json'
        self._run('--format', fmt, '--base', base, '--changes', str(changes), '--seed', str(seed), '-o', path,
                  '--manifest', manifest)
        with open(manifest, encoding='utf-8') as f:
            return self.read(path), json.load(f)

    @staticmethod
    def read(path):
        """[(address, operator_id, business_id, name)] in file order (CSV or JSON as the script writes)."""
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if text.lstrip()[:1] in ('[', '{'):
            data = json.loads(text)
            data = data['entries'] if isinstance(data, dict) else data
            return [(d['address'], d['operator_id'], d['business_id'], d['name']) for d in data]
        rows = list(csv.reader(io.StringIO(text)))
        idx = [rows[0].index(k) for k in ('address', 'operator_id', 'business_id', 'name')]
        return [tuple(r[i] for i in idx) for r in rows[1:] if r]

    @staticmethod
    def write_csv(path, entries):
        """Writes entries as the script's CSV, atomically (the gateway may read the file at any time)."""
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8', newline='') as f:
            w = csv.writer(f, lineterminator='\n')
            w.writerow(['address', 'operator_id', 'business_id', 'name'])
            w.writerows(entries)
        os.replace(tmp, path)


def ident(address):
    """The directory identifier of a registry address: 9918:<IBAN> or 0037:<OVT code>."""
    return ('9918:' if address[:2].isalpha() else '0037:') + address


class Expect:
    """What the directory should answer for the entries of a dump, given the operator mapping."""

    def __init__(self, entries, mapping, via, formats):
        self.mapping = mapping  # registry operator id -> our operator id
        self.via = via
        self.formats = formats
        self.by_id = {ident(e[0]): e for e in entries}
        parties = {}
        for e in entries:
            parties.setdefault(e[2], set()).add(ident(e[0]))
        self.parties = parties

    def route(self, entry):
        op = entry[1]
        if op in self.mapping:
            return self.mapping[op], 'direct', []
        return op, 'roaming', ([self.via] if self.via else []) + [op]

    def answer(self, identifier):
        e = self.by_id[identifier]
        operator, channel, path = self.route(e)
        return {'can_receive': True, 'reason': None, 'name': e[3], 'operator': operator, 'channel': channel,
                'path': path, 'source': REGISTRY, 'formats': self.formats,
                'document_types': ['invoice', 'credit_note'],
                # The directory keeps identifiers in lower case (they match case-insensitively).
                'identifiers': sorted(i.lower() for i in self.parties[e[2]] - {identifier})}


ANSWER_KEYS = ('can_receive', 'reason', 'name', 'operator', 'channel', 'path', 'source', 'formats',
               'document_types', 'identifiers')


def compare_answer(got, want, what):
    diff = {k: (want[k], got.get(k, '<absent>')) for k in want if got.get(k, '<absent>') != want[k]}
    check(not diff, f'{what}: (expected, got) {diff}; the answer: {json.dumps(got, ensure_ascii=False)}')


# ---------------------------------------------------------------------------------------------
# The ERP API of the directory

def lookup(client, identifier, query=''):
    r = client.get(f'/v1/recipients/{identifier}{query}')
    expect_status(r, 200, f'GET /v1/recipients/{identifier}{query}')
    return r.json()


def check_many(client, identifiers):
    """POST /v1/recipients/check in batches of 100: {identifier: answer}."""
    out = {}
    for at in range(0, len(identifiers), 100):
        batch = identifiers[at:at + 100]
        r = client.post_json('/v1/recipients/check', {'ids': batch})
        expect_status(r, 200, f'POST /v1/recipients/check ({len(batch)} ids)')
        results = r.json().get('results')
        check(isinstance(results, list) and len(results) == len(batch),
              f'POST /v1/recipients/check: {len(batch)} ids, results {str(results)[:300]}')
        for i, res in zip(batch, results):
            check_eq(res.get('id'), i, 'POST /v1/recipients/check: results in the order asked')
            out[i] = res
    return out


def directory_status(client):
    r = client.get('/v1/directory/status')
    expect_status(r, 200, 'GET /v1/directory/status')
    doc = r.json()
    check(isinstance(doc.get('entries'), int) and isinstance(doc.get('sources'), list),
          f'GET /v1/directory/status: {doc}')
    return doc


def source_of(client, name):
    doc = directory_status(client)
    found = [s for s in doc['sources'] if s.get('name') == name]
    return doc, (found[0] if found else None)


def wait_first_sync(client, name, timeout=60):
    def done():
        doc, s = source_of(client, name)
        return (doc, s) if s and (s.get('last_success_at') or s.get('errors')) else None
    return wait_for(done, timeout, f'the first sync of source {name}')


def sync(client, name, timeout=60, body=None):
    """POST /v1/directory/sync {"source": name}; waits until that run is recorded; returns (status, source)."""
    _, before = source_of(client, name)
    marker = (before.get('last_success_at'), before.get('errors')) if before else (None, 0)
    r = client.post_json('/v1/directory/sync', {'source': name} if body is None else body)
    expect_status(r, 202, f'POST /v1/directory/sync {{"source": "{name}"}}')
    check(name in (r.json().get('requested') or []), f'POST /v1/directory/sync: requested {r.json()}')

    def done():
        doc, s = source_of(client, name)
        return (doc, s) if s and (s.get('last_success_at'), s.get('errors')) != marker else None
    return wait_for(done, timeout, f'the requested sync of {name} to be recorded in /v1/directory/status')


def check_success(s, what, added=None, changed=None, removed=None):
    check(s.get('last_success_at') is not None and s.get('last_error') is None and
          s.get('consecutive_failures') == 0, f'{what}: a successful sync expected: {s}')
    check(isinstance(s.get('duration_ms'), int) and s['duration_ms'] >= 0 and s.get('next_run_at') is not None
          and s.get('last_run_at') is not None, f'{what}: duration, last and next run: {s}')
    for key, want in (('added', added), ('changed', changed), ('removed', removed)):
        if want is not None:
            check_eq(s.get(key), want, f'{what}: {key}')


def seconds_between(a, b):
    """b - a for two RFC 3339 UTC timestamps with milliseconds."""
    parse = lambda t: datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%S.%fZ')  # noqa: E731
    return (parse(b) - parse(a)).total_seconds()


def metrics(client):
    r = Client(client.host, client.port).get('/metrics')
    expect_status(r, 200, 'GET /metrics')
    values = {}
    for line in r.body.decode('utf-8').splitlines():
        if line.startswith('#') or not line.strip():
            continue
        name, _, value = line.rpartition(' ')
        values[name] = float(value)
    return values


def check_metrics(client, source, entries, errors, failures):
    m = metrics(client)
    label = f'{{source="{source}"}}'
    check_eq(m.get('eigw_directory_entries'), float(entries), 'metric eigw_directory_entries')
    for name in ('eigw_directory_sync_duration_seconds', 'eigw_directory_last_success_age_seconds',
                 'eigw_directory_sync_errors_total', 'eigw_directory_consecutive_failures'):
        check(name + label in m, f'/metrics has no {name}{label}: '
              f'{sorted(k for k in m if k.startswith("eigw_directory"))}')
    check(0 <= m['eigw_directory_sync_duration_seconds' + label] < 60,
          f'eigw_directory_sync_duration_seconds{label} = {m["eigw_directory_sync_duration_seconds" + label]}')
    age = m['eigw_directory_last_success_age_seconds' + label]
    check(0 <= age < 120, f'eigw_directory_last_success_age_seconds{label} = {age} (synced moments ago)')
    check_eq(m['eigw_directory_sync_errors_total' + label], float(errors), f'eigw_directory_sync_errors_total{label}')
    check_eq(m['eigw_directory_consecutive_failures' + label], float(failures),
             f'eigw_directory_consecutive_failures{label}')
    return m


# ---------------------------------------------------------------------------------------------
# Invoices

def invoice_for(suite, number, scheme, value, extra=None):
    doc = json.loads(suite.invoices.json(number))
    doc['buyer']['electronic_address'] = {'id': value, 'scheme': scheme}
    if extra:
        extra(doc)
    return json.dumps(doc, ensure_ascii=False).encode('utf-8')


def submit(client, suite, number, identifier, extra=None):
    scheme, value = identifier.split(':', 1)
    d, _ = client.submit_ok(invoice_for(suite, number, scheme, value, extra), f'key-{number}')
    return d['id']


def listed(client):
    items, _ = client.list_all()
    return {i['id']: i for i in items}


def drop_operator(g, op_id, extra=None):
    folder = os.path.join(g.workdir, op_id + '-out')
    os.makedirs(folder, exist_ok=True)
    sec = {'protocol': 'file-drop', 'folder': folder, 'formats': 'ubl'}
    sec.update(extra or {})
    g.conf[f'operator.{op_id}'] = sec
    return folder


def dump_gateway(suite, name, url, conf=None, registry_extra=None):
    """A gateway whose directory has the registry-dump source fi-registry; fi-direct (codes),
    HANDFIHH (named by its id) and fi-roam (via) are file-drop operators. Returns (gateway, {operator id: folder})."""
    g = Gateway(suite, name, {'node': {'operator_id': 'gw-fi'},
                              'directory': {'jitter_seconds': '0'}})
    folders = {'fi-direct': drop_operator(g, 'fi-direct', {'codes': f'{DIRECT_CODE}, {BANK_CODE}'}),
               ID_CODE: drop_operator(g, ID_CODE),
               'fi-roam': drop_operator(g, 'fi-roam')}
    reg = {'protocol': 'registry-dump', 'url': url, 'via': 'fi-roam'}
    reg.update(registry_extra or {})
    g.conf[f'operator.{REGISTRY}'] = reg
    for section, values in (conf or {}).items():
        g.conf.setdefault(section, {}).update(values)
    g.write_config()
    return g, folders


MAPPING = {DIRECT_CODE: 'fi-direct', BANK_CODE: 'fi-direct', ID_CODE: ID_CODE}


def check_all(client, expect, identifiers, what):
    answers = check_many(client, identifiers)
    for i in identifiers:
        compare_answer(answers[i], expect.answer(i), f'{what}: {i}')
    return answers


# ---------------------------------------------------------------------------------------------
# file: a dump from a path

def run_file(suite, dumps):
    work = os.path.join(suite.tmp, 'file-dumps')
    os.makedirs(work)
    path = os.path.join(work, 'registry.csv')
    base = dumps.make(path, 2000, seed=7)
    g, _ = dump_gateway(suite, 'file', path, registry_extra={'formats': 'ubl, cii'})
    _, key = g.add_tenant('erp')
    g.start()
    c = g.client(key)

    step('file: the 2,000-entry dump is synced at start: status and every entry as configured')
    doc, s = wait_first_sync(c, REGISTRY)
    check_success(s, 'the first sync', added=len(base), changed=0, removed=0)
    check_eq(doc['entries'], len(base), '/v1/directory/status entries')
    expect = Expect(base, MAPPING, 'fi-roam', ['ubl', 'cii'])
    ids = [ident(e[0]) for e in base]
    kinds = {k: [i for i in ids if expect.route(expect.by_id[i])[1] == k] for k in ('direct', 'roaming')}
    check(len(kinds['direct']) > 50 and len(kinds['roaming']) > 500, f'the dump mixes channels: '
          f'{ {k: len(v) for k, v in kinds.items()} }')
    check(any(i.startswith('9918:') for i in ids) and any(expect.parties[e[2]] - {ident(e[0])} for e in base),
          'the dump has IBAN addresses and companies with two addresses')
    check_all(c, expect, ids, 'after the first sync')
    # Some of each kind through GET (also the freshness fields): mapped by codes, by id, roaming.
    for code in (DIRECT_CODE, BANK_CODE, ID_CODE, expect.by_id[kinds['roaming'][0]][1]):
        for e in [e for e in base if e[1] == code][:5]:
            got = lookup(c, ident(e[0]))
            compare_answer(got, expect.answer(ident(e[0])), f'GET /v1/recipients/{ident(e[0])}')
            check(got.get('verified_at') and 0 <= got.get('age_seconds', -1) < 120 and got.get('checked_now') is False,
                  f'freshness of {ident(e[0])}: {got}')
    for code in (DIRECT_CODE, BANK_CODE, ID_CODE):
        check(any(e[1] == code for e in base), f'the dump has entries of registry operator {code}')
    got = lookup(c, '0037:003712345678')
    check_eq((got['can_receive'], got['reason'], got['checked_now']), (False, 'unknown', False),
             'a recipient the dump does not list')
    got = lookup(c, urlquote(ids[0]))
    check_eq(got.get('id'), ids[0], 'GET /v1/recipients/{scheme%3Avalue}')
    check_metrics(c, REGISTRY, len(base), 0, 0)

    step('file: 300 changes (manifest) and POST /v1/directory/sync: status counts, additions, changes, removals')
    changed_path = os.path.join(work, 'registry-2.csv')
    after, manifest = dumps.change(path, changed_path, 300, seed=8)
    check(len(manifest['added']) > 50 and len(manifest['changed']) == 100 and len(manifest['removed']) == 100,
          f'the manifest: { {k: len(v) for k, v in manifest.items()} }')
    os.replace(changed_path, path)
    doc, s = sync(c, REGISTRY)
    check_success(s, 'the sync of the changed dump', added=len(manifest['added']),
                  changed=len(manifest['changed']), removed=len(manifest['removed']))
    check_eq(doc['entries'], len(after), '/v1/directory/status entries after the changes')
    expect2 = Expect(after, MAPPING, 'fi-roam', ['ubl', 'cii'])
    check_all(c, expect2, [ident(a) for a in manifest['added']], 'an added entry')
    answers = check_all(c, expect2, [ident(a) for a in manifest['changed']], 'a changed entry')
    old = {ident(e[0]): e for e in base}
    moved = renamed = 0
    for i, a in answers.items():
        moved += a['operator'] != expect.answer(i)['operator']
        renamed += a['name'] != old[i][3]
    check(moved > 10 and renamed > 10, f'changes of operator ({moved}) and of name ({renamed}) both shown')
    removed = check_many(c, [ident(a) for a in manifest['removed']])
    for i, a in removed.items():
        check(a['can_receive'] is False and a['reason'] == 'not_registered' and a['source'] == REGISTRY
              and a.get('verified_at'), f'a removed entry {i}: {a}')
    # The rest did not change.
    rest = [ident(e[0]) for e in after if e[0] not in set(manifest['added']) | set(manifest['changed'])]
    check_all(c, expect2, rest, 'an unchanged entry')
    check_metrics(c, REGISTRY, len(after), 0, 0)

    step('file: the same dump again: nothing added, changed or removed; verified again')
    before = lookup(c, rest[0])
    time.sleep(0.1)
    doc, s = sync(c, REGISTRY)
    check_success(s, 'a sync of an unchanged dump', added=0, changed=0, removed=0)
    check_eq(doc['entries'], len(after), 'entries after an unchanged dump')
    again = lookup(c, rest[0])
    check(again['verified_at'] > before['verified_at'], f'verified_at moves on: {before["verified_at"]} -> '
          f'{again["verified_at"]}')

    step('file: sync requests: no body = every source, an unknown source = 404 not_found, bad bodies = 400')
    r = c.post_json('/v1/directory/sync', {})
    expect_status(r, 202, 'POST /v1/directory/sync {}')
    check_eq(r.json().get('requested'), [REGISTRY], 'POST /v1/directory/sync {}: requested')
    r = c.request('POST', '/v1/directory/sync')
    expect_status(r, 202, 'POST /v1/directory/sync without a body')
    p = expect_problem(c.post_json('/v1/directory/sync', {'source': 'nope'}), 404, 'not_found',
                       'POST /v1/directory/sync {"source": "nope"}')
    check('nope' in p.get('detail', '') and REGISTRY in p.get('detail', ''),
          f'the problem names the source asked for and the sources there are: {p}')
    expect_problem(c.post_json('/v1/directory/sync', {'source': 5}), 400, 'invalid_parameter',
                   'POST /v1/directory/sync {"source": 5}')
    expect_problem(Client(g.host, g.port, None).post_json('/v1/directory/sync', {}), 401, 'unauthorized',
                   'POST /v1/directory/sync without a key')
    # The data stays as it was (the forced runs read the same dump).
    wait_for(lambda: source_of(c, REGISTRY)[1]['last_success_at'] > s['last_success_at'], 30,
             'the forced runs of every source')
    check_eq(directory_status(c)['entries'], len(after), 'entries after the forced runs')
    g.stop()


# ---------------------------------------------------------------------------------------------
# http: a dump over HTTP with an ETag

class DumpServer:
    """Serves one dump at /registry.json with a strong ETag (its SHA-256) and a Last-Modified, and
    answers 304 to a matching If-None-Match. mode: 'ok', 'xml' (an XML document instead, with its
    own validators), '500', '404'."""

    def __init__(self):
        self.body = b''
        self.mode = 'ok'
        self.calls = []  # (If-None-Match, If-Modified-Since, status)
        self.authorization = []  # the Authorization header of each request
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def do_GET(self):
                with server.lock:
                    mode, body = server.mode, server.body
                if mode == 'xml':
                    body = b'<?xml version="1.0"?><registry><entry address="003712345678"/></registry>\n'
                etag, modified = DumpServer.validators(body)
                inm = self.headers.get('If-None-Match')
                status = int(mode) if mode in ('500', '404') else 304 if inm == etag else 200
                with server.lock:
                    server.calls.append((inm, self.headers.get('If-Modified-Since'), status))
                    server.authorization.append(self.headers.get('Authorization'))
                if status in (500, 404):
                    payload = b'<html><body>%d</body></html>' % status
                    self.send_response(status)
                    self.send_header('Content-Type', 'text/html')
                    self.send_header('Content-Length', str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(status)
                self.send_header('ETag', etag)
                self.send_header('Last-Modified', modified)
                if status == 304:
                    self.end_headers()
                    return
                self.send_header('Content-Type', 'application/xml' if mode == 'xml' else 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, path, mode='ok'):
        with self.lock:
            if path:
                with open(path, 'rb') as f:
                    self.body = f.read()
            self.mode = mode

    @staticmethod
    def validators(body):
        """(ETag, Last-Modified) of a body: both follow its content."""
        digest = hashlib.sha256(body).hexdigest()
        return f'"{digest[:32]}"', email.utils.formatdate(1.7e9 + int(digest[:6], 16), usegmt=True)

    def etag(self):
        return DumpServer.validators(self.body)

    def snapshot(self):
        with self.lock:
            return list(self.calls)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def run_http(suite, dumps):
    work = os.path.join(suite.tmp, 'http-dumps')
    os.makedirs(work)
    path = os.path.join(work, 'registry.json')
    base = dumps.make(path, 600, seed=21, fmt='json')
    server = DumpServer()
    suite.cleanups.append(server.close)
    server.serve(path)
    token = 'registry-token-' + hashlib.sha256(os.urandom(8)).hexdigest()[:16]
    token_file = os.path.join(work, 'token')
    with open(token_file, 'w') as f:
        f.write(token + '\n')
    # directory_interval_seconds: this source's own interval (the [directory] one is 900).
    g, _ = dump_gateway(suite, 'http', f'http://127.0.0.1:{server.port}/registry.json',
                        registry_extra={'token_file': token_file, 'directory_interval_seconds': '3600'})
    _, key = g.add_tenant('erp')
    g.start()
    c = g.client(key)
    expect = Expect(base, MAPPING, 'fi-roam', [])
    ids = [ident(e[0]) for e in base]

    step('http: the first sync downloads the dump (no validators sent), every entry answers')
    doc, s = wait_first_sync(c, REGISTRY)
    check_success(s, 'the first sync over HTTP', added=len(base), changed=0, removed=0)
    check_eq(server.snapshot(), [(None, None, 200)], 'requests the dump server saw (If-None-Match, '
             'If-Modified-Since, status)')
    check_eq(server.authorization, [f'Bearer {token}'], 'the Authorization header (token_file)')
    check_eq(seconds_between(s['last_run_at'], s['next_run_at']), 3600.0,
             'next_run_at - last_run_at (directory_interval_seconds = 3600, jitter 0)')
    spool = os.path.join(g.workdir, f'directory-{REGISTRY}.dump')
    with open(spool, 'rb') as f:
        check_eq(f.read(), server.body, f'the downloaded dump kept beside the database ({spool})')
    check_all(c, expect, ids, 'after the download')

    step('http: the next sync sends If-None-Match and gets 304: nothing downloaded, data kept, verified again')
    before = lookup(c, ids[0])
    time.sleep(0.1)
    doc, s = sync(c, REGISTRY)
    check_success(s, 'a sync answered 304', added=0, changed=0, removed=0)
    check_eq(server.snapshot()[1:], [(*server.etag(), 304)], 'the second request (If-None-Match, '
             'If-Modified-Since, status)')
    check_eq(doc['entries'], len(base), 'entries after a 304')
    after_304 = lookup(c, ids[0])
    check(after_304['verified_at'] > before['verified_at'] and after_304['can_receive'] is True,
          f'a 304 confirms the entries: {before["verified_at"]} -> {after_304}')
    check_all(c, expect, ids, 'after the 304')

    step('http: a changed dump (new ETag) is downloaded: the manifest\'s changes')
    changed_path = os.path.join(work, 'registry-2.json')
    after, manifest = dumps.change(path, changed_path, 90, seed=22, fmt='json')
    server.serve(changed_path)
    doc, s = sync(c, REGISTRY)
    check_success(s, 'the sync of the changed dump', added=len(manifest['added']), changed=len(manifest['changed']),
                  removed=len(manifest['removed']))
    check_eq(server.snapshot()[-1][2], 200, 'the changed dump was downloaded')
    check_eq(doc['entries'], len(after), 'entries after the changed dump')
    expect2 = Expect(after, MAPPING, 'fi-roam', [])
    ids2 = [ident(e[0]) for e in after]
    check_all(c, expect2, ids2, 'after the changed dump')
    gone = ident(manifest['removed'][0])
    check_eq(lookup(c, gone)['reason'], 'not_registered', f'{gone} removed by the changed dump')
    last_ok = s['last_success_at']
    good_etag = server.etag()

    step('http: an XML document instead of the dump: the sync fails, the error is shown, the data stays')
    server.serve(None, 'xml')
    doc, s = sync(c, REGISTRY)
    check(s.get('last_error') and s.get('consecutive_failures') == 1 and s.get('errors') == 1
          and s.get('last_success_at') == last_ok, f'the status after an XML answer: {s}')
    check('registry dump' in s['last_error'] and 'XML' in s['last_error'],
          f'last_error says the dump is XML: {s["last_error"]!r}')
    check_eq(server.snapshot()[-1], (*good_etag, 200), 'the XML request (the last good dump\'s validators)')
    check(0 < seconds_between(s['last_run_at'], s['next_run_at']) < 3600,
          f'a failed sync is retried sooner than the interval: {s}')
    check_eq(doc['entries'], len(after), 'entries after a failed sync')
    check_all(c, expect2, ids2, 'after the XML answer')
    check_eq(lookup(c, gone)['reason'], 'not_registered', f'{gone} after the failed sync')

    step('http: 500 answers: a second failure in a row, the data stays; metrics count the errors')
    server.serve(None, '500')
    doc, s = sync(c, REGISTRY)
    check(s.get('consecutive_failures') == 2 and s.get('errors') == 2 and '500' in (s.get('last_error') or '')
          and s.get('last_success_at') == last_ok, f'the status after a 500: {s}')
    check_eq(doc['entries'], len(after), 'entries after the 500')
    check_all(c, expect2, ids2[:200], 'after the 500')
    m = metrics(c)
    label = f'{{source="{REGISTRY}"}}'
    check_eq((m.get('eigw_directory_sync_errors_total' + label), m.get('eigw_directory_consecutive_failures' + label),
              m.get('eigw_directory_entries')), (2.0, 2.0, float(len(after))), 'metrics after two failed syncs')

    step('http: 404: a third failure, named with the URL')
    server.serve(None, '404')
    doc, s = sync(c, REGISTRY)
    check(s.get('consecutive_failures') == 3 and '404' in (s.get('last_error') or '')
          and f'127.0.0.1:{server.port}' in s['last_error'], f'the status after a 404: {s}')
    check_eq(doc['entries'], len(after), 'entries after the 404')

    step('http: the good dump again: If-None-Match of the last good one, 304, success; failures reset')
    server.serve(changed_path)
    doc, s = sync(c, REGISTRY)
    check_success(s, 'the sync after the failures', added=0, changed=0, removed=0)
    check_eq(s.get('errors'), 3, 'errors (all time) after the recovery')
    check_eq(server.snapshot()[-1], (*good_etag, 304), 'the request after the failures')
    check(all(a == f'Bearer {token}' for a in server.authorization), f'Authorization: {set(server.authorization)}')
    check_all(c, expect2, ids2[:200], 'after the recovery')
    check_metrics(c, REGISTRY, len(after), 3, 0)
    g.stop()


# ---------------------------------------------------------------------------------------------
# routing: the directory between the [routing] table and the default operator

def run_routing(suite, dumps):
    work = os.path.join(suite.tmp, 'routing-dumps')
    os.makedirs(work)
    path = os.path.join(work, 'registry.csv')
    base = dumps.make(path, 300, seed=31)
    pick = {}
    for e in base:
        if e[0].startswith('0037') and e[1] == DIRECT_CODE:
            pick.setdefault('direct', []).append(e)
        elif e[0].startswith('0037') and e[1] not in MAPPING:
            pick.setdefault('roaming', []).append(e)
    check(len(pick.get('direct', [])) >= 3 and len(pick.get('roaming', [])) >= 1,
          f'the dump has OVT entries of {DIRECT_CODE} and of unmapped operators')
    direct, table, gone = pick['direct'][:3]
    roaming = pick['roaming'][0]
    unknown = '0037:003799999998'
    # A path relative to the configuration file's folder.
    g, folders = dump_gateway(suite, 'routing', os.path.join('..', 'routing-dumps', 'registry.csv'), conf={
        'routing': {'default_operator': 'print', f'recipient.{ident(table[0])}': 'local-drop'}})
    folders['print'] = drop_operator(g, 'print', {'e_invoice': 'false'})
    g.write_config()
    _, key = g.add_tenant('erp')
    g.start()
    c = g.client(key)
    wait_first_sync(c, REGISTRY)
    check_success(source_of(c, REGISTRY)[1], 'the first sync (a relative path)', added=len(base))

    step('routing: the dump removes one recipient, then invoices for each kind of recipient')
    Dumps.write_csv(path, [e for e in base if e != gone])
    _, s = sync(c, REGISTRY)
    check_success(s, 'the sync without one entry', removed=1)
    cases = {  # name: (identifier, operator, e_invoice, channel, words the reason must have)
        'direct': (ident(direct[0]), 'fi-direct', True, 'direct', [REGISTRY, 'direct']),
        'roaming': (ident(roaming[0]), 'fi-roam', True, 'roaming', [REGISTRY, 'roaming', roaming[1]]),
        'table': (ident(table[0]), 'local-drop', True, None, [f'[routing] recipient.{ident(table[0])}']),
        'unknown': (unknown, 'print', False, None, ['not an e-invoice channel', 'default_operator']),
        'removed': (ident(gone[0]), 'print', False, None, ['not an e-invoice channel', 'not_registered',
                                                           'default_operator']),
    }
    ids = {name: submit(c, suite, f'RT-{name.upper()}', case[0]) for name, case in cases.items()}
    for name, (identifier, operator, e_invoice, channel, words) in cases.items():
        inv = c.wait_status(ids[name], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq((inv['status'], inv['route']['operator']), ('delivered', operator), f'{name} ({identifier}): status, '
                 f'operator; route {inv.get("route")}, failure {inv.get("failure")}')
        scheme, value = identifier.split(':', 1)
        folder = folders.get(operator) or g.drop_folder
        drop = os.path.join(folder, f'{scheme}_{value}', f'{ids[name]}.xml')
        check(os.path.exists(drop), f'{name}: the document is not in {operator}\'s folder: {drop}; '
              f'there: {sorted(os.listdir(folder))}')
        produced = c.get(f'/v1/invoices/{ids[name]}/documents/produced').body
        with open(drop, 'rb') as f:
            check_eq(f.read(), produced, f'{name}: the dropped file is the produced document')
    for other, folder in folders.items():
        if other not in ('fi-direct', 'fi-roam', 'print'):
            check_eq(os.listdir(folder), [], f'nothing delivered to {other}')

    step('routing: GET /v1/invoices says whether each went out as an e-invoice, and why')
    items = listed(c)
    for name, (identifier, operator, e_invoice, channel, words) in cases.items():
        item = items.get(ids[name])
        check(item is not None, f'{ids[name]} is not in GET /v1/invoices')
        reason = item.get('e_invoice_reason')
        check_eq(item.get('e_invoice'), e_invoice, f'{name} ({identifier}): e_invoice; item {item}')
        check(isinstance(reason, str) and operator in reason and all(w in reason for w in words),
              f'{name} ({identifier}): e_invoice_reason should name {operator} and {words}: {reason!r}')
        if channel:
            check(f'({channel})' in reason, f'{name}: the reason names the channel {channel}: {reason!r}')
    g.stop()


# ---------------------------------------------------------------------------------------------
# estonia: the Estonian company status check as a source

class RecordingStandIn:
    """tests/operators/estonia/ee_standin.py in this process: every CompanyStatusRequest's
    RegNumbers are recorded (the stand-in itself keeps only the last request)."""

    def __init__(self, suite):
        import ee_standin
        self.module = ee_standin
        ee_standin.STATE = ee_standin.State(os.path.join(HERE, '..', 'estonia', 'data'), suite.shared_dir)
        self.status_requests = []  # [(authPhrase, [RegNumber])]
        self.lock = threading.Lock()
        outer = self

        class Handler(ee_standin.Handler):
            def soap(self, raw):
                try:
                    root = ET.fromstring(raw)
                    for el in root.iter():
                        if el.tag == '{%s}CompanyStatusRequest' % ee_standin.ERP_NS:
                            numbers = [(n.text or '').strip() for n in el if n.tag.rsplit('}', 1)[-1] == 'RegNumber']
                            with outer.lock:
                                outer.status_requests.append((el.get('authPhrase'), numbers))
                except ET.ParseError:
                    pass
                return super().soap(raw)

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.phrase = ee_standin.STATE.auth_phrase

    def requests(self):
        with self.lock:
            return list(self.status_requests)

    def set_active(self, reg_number, active):
        with self.module.STATE.lock:
            self.module.STATE.companies[reg_number] = active

    def active(self, reg_number):
        return self.module.STATE.companies.get(reg_number) == 'YES'

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def estonian_invoice(doc, code):
    doc['buyer']['legal_registration_id'] = {'id': code}


def run_estonia(suite, dumps):
    standin = RecordingStandIn(suite)
    suite.cleanups.append(standin.close)
    phrase_file = os.path.join(suite.tmp, 'ee-phrase')
    with open(phrase_file, 'w') as f:
        f.write(standin.phrase + '\n')
    g = Gateway(suite, 'estonia', {
        'node': {'operator_id': 'gw-ee'},
        'directory': {'jitter_seconds': '0'},
        'outbox': {'max_attempts': '2'},
        'operator.ee': {'protocol': 'ee-erp', 'url': f'http://127.0.0.1:{standin.port}',
                        'auth_phrase_file': phrase_file, 'formats': 'ee-einvoice', 'timeout_ms': '5000'},
    })
    _, key = g.add_tenant('seller')
    g.start()
    c = g.client(key)
    wait_first_sync(c, 'ee')
    check_eq(standin.requests(), [], 'CompanyStatusRequests before anything was invoiced')

    codes = [str(10000000 + n) for n in range(120) if n != 99] + ['14000001', '14000002', '19999999', '10000120']
    step(f'estonia: {len(codes)} invoices to 0191 recipients (default operator: local-drop)')
    invoices = [submit(c, suite, f'EE-{code}', f'0191:{code}', lambda d, code=code: estonian_invoice(d, code))
                for code in codes]
    # Delivered before the sync, so the route of none of them changes under the worker.
    for inv_id in invoices:
        inv = c.wait_status(inv_id, ('delivered', 'failed', 'rejected'), timeout=60)
        check_eq((inv['status'], inv['route']['operator']), ('delivered', 'local-drop'), f'{inv_id} status and operator')

    step('estonia: POST /v1/directory/sync {"source": "ee"}: CompanyStatusRequests of at most 100 codes, each '
         'invoiced code asked once')
    doc, s = sync(c, 'ee')
    active = [code for code in codes if standin.active(code)]
    check_success(s, 'the ee sync', added=len(active), changed=0)
    reqs = standin.requests()
    check(len(reqs) >= 2 and all(len(r[1]) <= 100 for r in reqs) and all(r[0] == standin.phrase for r in reqs),
          f'CompanyStatusRequests (authPhrase, count): {[(r[0], len(r[1])) for r in reqs]}')
    asked = [n for r in reqs for n in r[1]]
    check_eq(sorted(asked), sorted(codes), 'the RegNumbers asked (each invoiced 0191 code once)')
    check_eq(doc['entries'], len(active), 'live entries (the active companies)')
    answers = check_many(c, [f'0191:{code}' for code in codes])
    for code in codes:
        a = answers[f'0191:{code}']
        if code in active:
            check(a['can_receive'] is True and a['source'] == 'ee' and a['operator'] == 'ee' and a['channel'] == 'direct',
                  f'active company {code}: {a}')
        else:
            check(a['can_receive'] is False and a['reason'] == 'not_registered' and a['source'] == 'ee',
                  f'company {code} that receives no e-invoices: {a}')
    check(len(active) >= 40 and len(codes) - len(active) >= 80, f'{len(active)} active of {len(codes)}')

    step('estonia: a company stops receiving: the next sync asks again (also the not-registered ones) and '
         'tells not_registered')
    standin.set_active('10000003', 'NO')
    n_before = len(standin.requests())
    doc, s = sync(c, 'ee')
    check_success(s, 'the second ee sync', added=0, changed=0, removed=1)
    again = [n for r in standin.requests()[n_before:] for n in r[1]]
    check_eq(sorted(again), sorted(codes), 'the RegNumbers of the second sync')
    got = lookup(c, '0191:10000003')
    check_eq((got['can_receive'], got['reason'], got['source']), (False, 'not_registered', 'ee'),
             '0191:10000003 after it stopped receiving')
    check_eq(doc['entries'], len(active) - 1, 'live entries after the second sync')

    step('estonia: a 0191 recipient nobody invoiced is checked on demand (one RegNumber); fresh answers are not')
    n_before = len(standin.requests())
    got = lookup(c, '0191:10000099')
    check_eq((got['can_receive'], got['checked_now'], got['source'], got['operator']), (True, True, 'ee', 'ee'),
             'GET /v1/recipients/0191:10000099 (never invoiced, active at the stand-in)')
    new = standin.requests()[n_before:]
    check_eq([r[1] for r in new], [['10000099']], 'the on-demand CompanyStatusRequest')
    got = lookup(c, '0191:10000099')
    check_eq((got['can_receive'], got['checked_now']), (True, False), 'asked again at once: the stored answer')
    check_eq(len(standin.requests()), n_before + 1, 'no second on-demand request for a fresh answer')
    got = lookup(c, '0191:10000099', '?max_age=0')
    check_eq((got['can_receive'], got['checked_now']), (True, True), 'max_age=0: checked now')
    check_eq([r[1] for r in standin.requests()[n_before + 1:]], [['10000099']], 'the max_age=0 request')
    g.stop()


# ---------------------------------------------------------------------------------------------
# watch: recipient.capability events

def capability_events(receiver, path):
    calls = [c for c in receiver.snapshot() if c['path'] == path]
    for call in calls:
        check(not call['problems'], f'webhook call to {path}: {"; ".join(call["problems"])}')
        check(call['signature'] and call['signature'].startswith('v1='), f'Webhook-Signature: {call["signature"]!r}')
    return [call['event'] for call in calls if (call['event'] or {}).get('type') == 'recipient.capability']


def sse_capability(stream, recipient_id, status, timeout, what):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ev = stream.next(max(0.05, deadline - time.monotonic()))
        if ev is None:
            break
        seen.append((ev['event'], ev['data'][:200]))
        if ev['event'] != 'recipient.capability':
            continue
        data = json.loads(ev['data'])
        check_eq(ev['id'], str(data.get('seq')), f'{what}: the SSE id against seq')
        if data.get('recipient_id') == recipient_id and data.get('status') == status:
            return data
    raise Failure(f'{what}: no SSE recipient.capability event for {recipient_id} {status} within {timeout} s; '
                  f'seen: {seen}')


def run_watch(suite, dumps):
    work = os.path.join(suite.tmp, 'watch-dumps')
    os.makedirs(work)
    path = os.path.join(work, 'registry.csv')
    base = dumps.make(path, 200, seed=41)
    ovt = [e for e in base if e[0].startswith('0037') and e[1] not in MAPPING]
    r_entry, r2_entry, r3_entry = ovt[0], ovt[1], ovt[2]
    R, R2, R3 = ident(r_entry[0]), ident(r2_entry[0]), ident(r3_entry[0])
    g, _ = dump_gateway(suite, 'watch', path)
    _, key1 = g.add_tenant('erp-one')
    _, key2 = g.add_tenant('erp-two')
    g.start()
    c1, c2 = g.client(key1), g.client(key2)
    wait_first_sync(c1, REGISTRY)
    receiver = WebhookReceiver()
    suite.cleanups.append(receiver.close)
    for client, hook in ((c1, '/one'), (c2, '/two')):
        receiver.secrets[hook] = WEBHOOK_SECRET
        r = client.post_json('/v1/webhooks', {'url': receiver.url(hook), 'secret': WEBHOOK_SECRET})
        expect_status(r, 201, f'POST /v1/webhooks ({hook})')
    sse = SseStream(c1)
    suite.cleanups.append(sse.close)

    step(f'watch: erp-one invoices R={R} and R2={R2}, erp-two invoices R3={R3} only')
    ids = [submit(c1, suite, 'W-1', R), submit(c1, suite, 'W-2', R2), submit(c2, suite, 'W-3', R3)]
    for inv_id, client in zip(ids, (c1, c1, c2)):
        inv = client.wait_status(inv_id, ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq((inv['status'], inv['route']['operator']), ('delivered', 'fi-roam'), f'{inv_id}')
    for hook in ('/one', '/two'):  # both receive webhooks at all (so "no event" below means something)
        wait_for(lambda: [x for x in receiver.snapshot() if x['path'] == hook and not x['problems']
                          and (x['event'] or {}).get('type') == 'invoice.status'], 20, f'invoice.status webhooks at {hook}')

    step('watch: R leaves the dump; after the sync erp-one is told (webhook and SSE), erp-two is not')
    Dumps.write_csv(path, [e for e in base if e != r_entry])
    _, s = sync(c1, REGISTRY)
    check_success(s, 'the sync without R', removed=1)
    events = wait_for(lambda: capability_events(receiver, '/one'), 20, 'a recipient.capability webhook for erp-one')
    check_eq(len(events), 1, f'recipient.capability webhooks of erp-one: {events}')
    e = events[0]
    check_eq((e.get('type'), e.get('recipient_id'), e.get('status')), ('recipient.capability', R, 'not_registered'),
             f'the webhook event {e}')
    check(isinstance(e.get('seq'), int) and isinstance(e.get('at'), str), f'seq and at: {e}')
    rec = e.get('recipient') or {}
    check_eq((rec.get('id'), rec.get('can_receive'), rec.get('reason'), rec.get('source')),
             (R, False, 'not_registered', REGISTRY), f'the event\'s recipient answer: {rec}')
    data = sse_capability(sse, R, 'not_registered', 10, 'SSE of erp-one')
    check_eq(data.get('seq'), e['seq'], 'the SSE event and the webhook event are one event')
    time.sleep(1.5)
    check_eq(capability_events(receiver, '/two'), [], 'recipient.capability webhooks of erp-two (never invoiced R)')
    check_eq(len(capability_events(receiver, '/one')), 1, 'no event for R2 (unchanged) nor a second one for R')

    step('watch: R comes back and R2 moves to another operator: erp-one is told both')
    r2_moved = (r2_entry[0], DIRECT_CODE, r2_entry[2], r2_entry[3])
    Dumps.write_csv(path, [r2_moved if e == r2_entry else e for e in base])
    _, s = sync(c1, REGISTRY)
    check_success(s, 'the sync with R back and R2 moved', added=0, changed=2, removed=0)

    def two_more():
        ev = capability_events(receiver, '/one')
        return ev if len(ev) >= 3 else None
    events = wait_for(two_more, 20, 'two more recipient.capability webhooks for erp-one')
    check_eq(len(events), 3, f'recipient.capability webhooks of erp-one: {events}')
    got = {ev['recipient_id']: ev for ev in events[1:]}
    check_eq(sorted(got), sorted([R, R2]), 'the recipients of the new events')
    check_eq((got[R]['status'], got[R]['recipient']['can_receive']), ('can_receive', True), f'R is back: {got[R]}')
    check_eq((got[R2]['status'], got[R2]['recipient']['operator'], got[R2]['recipient']['channel']),
             ('can_receive', 'fi-direct', 'direct'), f'R2 moved to fi-direct: {got[R2]}')
    sse_capability(sse, R, 'can_receive', 10, 'SSE of erp-one (R back)')
    time.sleep(1.0)
    check_eq(capability_events(receiver, '/two'), [], 'recipient.capability webhooks of erp-two')
    sse.close()
    g.stop()


# ---------------------------------------------------------------------------------------------
# check: on-demand checks with a partner gateway

def run_check(suite, dumps):
    ports = {'gw-a': free_port(), 'gw-b': free_port()}
    tokdir = os.path.join(suite.tmp, 'check-tokens')
    os.makedirs(tokdir)
    tok, tok_back = os.path.join(tokdir, 'a-to-b'), os.path.join(tokdir, 'b-to-a')
    for path in (tok, tok_back):
        with open(path, 'w') as f:
            f.write(os.path.basename(path) + '-' + hashlib.sha256(os.urandom(16)).hexdigest() + '\n')
    b = Gateway(suite, 'check-b', {
        'server': {'listen': f'127.0.0.1:{ports["gw-b"]}'},
        'node': {'operator_id': 'gw-b'},
        'operator.gw-a': {'protocol': 'gateway', 'url': f'http://127.0.0.1:{ports["gw-a"]}', 'formats': 'ubl',
                          'token_file': tok_back, 'inbound_token_file': tok, 'directory': 'false'},
    })
    a = Gateway(suite, 'check-a', {
        'server': {'listen': f'127.0.0.1:{ports["gw-a"]}'},
        'node': {'operator_id': 'gw-a'},
        'directory': {'jitter_seconds': '0', 'check_max_age_seconds': str(MAX_AGE_S)},
        'operator.gw-b': {'protocol': 'gateway', 'url': f'http://127.0.0.1:{ports["gw-b"]}', 'formats': 'ubl',
                          'token_file': tok, 'inbound_token_file': tok_back, 'timeout_ms': '3000',
                          'connect_timeout_ms': '1000'},
    })
    kept, leaving, later = f'0088:{gln(601)}', f'0088:{gln(602)}', f'0088:{gln(603)}'
    b.add_tenant('buyer')
    for i in (kept, leaving):
        b.cli('tenants', 'identifiers', 'add', 'buyer', i)
    _, key = a.add_tenant('erp')
    b.start()
    a.start()
    c = a.client(key)
    _, s = wait_first_sync(c, 'gw-b')
    check_success(s, 'A\'s first sync of gw-b\'s receivers')

    step('check: a fresh stored answer is given as it is; max_age=0 asks gw-b now')
    got = lookup(c, kept)
    check_eq((got['can_receive'], got['source'], got['operator'], got['checked_now'], 'check_error' in got),
             (True, 'gw-b', 'gw-b', False, False), f'{kept}, synced moments ago')
    got = lookup(c, kept, '?max_age=0')
    check_eq((got['can_receive'], got['source'], got['checked_now'], got['age_seconds']), (True, 'gw-b', True, 0),
             f'{kept}?max_age=0')
    expect_problem(c.get(f'/v1/recipients/{kept}?max_age=soon'), 400, 'invalid_parameter', 'max_age=soon')
    expect_problem(c.get(f'/v1/recipients/{kept}?max_age=-1'), 400, 'invalid_parameter', 'max_age=-1')

    step('check: gw-b drops one identifier and adds another: the stored answer until asked; max_age=0 and '
         'unknown recipients get gw-b\'s word now')
    b.cli('tenants', 'identifiers', 'remove', 'buyer', leaving)
    b.cli('tenants', 'identifiers', 'add', 'buyer', later)
    got = lookup(c, leaving, '?max_age=60')
    check_eq((got['can_receive'], got['checked_now']), (True, False), f'{leaving}?max_age=60: the stored answer')
    got = lookup(c, leaving, '?max_age=0')
    check_eq((got['can_receive'], got['reason'], got['checked_now'], got['source']),
             (False, 'not_registered', True, 'gw-b'), f'{leaving}?max_age=0 after gw-b dropped it')
    got = lookup(c, later)
    check_eq((got['can_receive'], got['checked_now'], got['source']), (True, True, 'gw-b'),
             f'{later}: nothing stored, checked at once')

    step(f'check: [directory] check_max_age_seconds = {MAX_AGE_S}: an answer older than that is checked again')
    got = lookup(c, kept)
    check_eq(got['checked_now'], False, f'{kept} right after a check')
    time.sleep(MAX_AGE_S + 0.5)
    got = lookup(c, kept)
    check_eq((got['can_receive'], got['checked_now']), (True, True), f'{kept} {MAX_AGE_S + 0.5} s after the last check')

    step('check: gw-b is down: max_age=0 gives the stored answer with check_error')
    b.stop()
    got = lookup(c, kept, '?max_age=0')
    check(got.get('can_receive') is True and got.get('checked_now') is False and got.get('source') == 'gw-b'
          and isinstance(got.get('check_error'), str) and 'gw-b' in got['check_error'],
          f'{kept}?max_age=0 with gw-b down: {got}')
    got = lookup(c, leaving, '?max_age=0')
    check(got.get('can_receive') is False and got.get('reason') == 'not_registered' and got.get('check_error'),
          f'{leaving}?max_age=0 with gw-b down: {got}')
    never = f'0088:{gln(609)}'
    got = lookup(c, never)
    check(got.get('can_receive') is False and got.get('reason') == 'unknown' and got.get('checked_now') is False
          and got.get('check_error'), f'{never} (nothing stored) with gw-b down: {got}')
    a.stop()


# ---------------------------------------------------------------------------------------------
# edges: the file:// form of url, identifiers in another letter case, a change an on-demand check finds

def run_edges(suite, dumps):
    """Each scenario is checked even when an earlier one failed; the failures are reported together."""
    work = os.path.join(suite.tmp, 'edges-dumps')
    os.makedirs(work)
    path = os.path.join(work, 'registry.csv')
    base = dumps.make(path, 400, seed=51)
    url_path = os.path.join(work, 'by-url.csv')
    by_url = dumps.make(url_path, 50, seed=52)
    standin = RecordingStandIn(suite)
    suite.cleanups.append(standin.close)
    phrase_file = os.path.join(suite.tmp, 'edges-phrase')
    with open(phrase_file, 'w') as f:
        f.write(standin.phrase + '\n')
    g, folders = dump_gateway(suite, 'edges', path, conf={
        'operator.fi-url': {'protocol': 'registry-dump', 'url': 'file://' + url_path, 'via': 'fi-roam'},
        'operator.ee': {'protocol': 'ee-erp', 'url': f'http://127.0.0.1:{standin.port}',
                        'auth_phrase_file': phrase_file, 'formats': 'ee-einvoice', 'timeout_ms': '5000'}})
    _, key = g.add_tenant('erp')
    g.start()
    c = g.client(key)
    wait_first_sync(c, REGISTRY)
    wait_first_sync(c, 'fi-url')
    wait_first_sync(c, 'ee')
    receiver = WebhookReceiver()
    suite.cleanups.append(receiver.close)
    receiver.secrets['/edges'] = WEBHOOK_SECRET
    expect_status(c.post_json('/v1/webhooks', {'url': receiver.url('/edges'), 'secret': WEBHOOK_SECRET}), 201,
                  'POST /v1/webhooks')
    failures = []

    def scenario(text, fn):
        step('edges: ' + text)
        try:
            fn()
        except Failure as e:
            failures.append(f'{text}: {e}')
            print(f'  FAIL (the group goes on): {e}', flush=True)

    def file_url():
        _, s = source_of(c, 'fi-url')
        check_success(s, 'the source with url = file://' + url_path, added=len(by_url))
        got = lookup(c, ident(by_url[0][0]))
        check_eq((got['can_receive'], got['source']), (True, 'fi-url'), f'{ident(by_url[0][0])} from the file:// dump')

    def letter_case():
        lettered = [e for e in base if e[1] in (DIRECT_CODE, BANK_CODE) and re.search('[A-Z]', e[0])]
        check(lettered, f'the dump has addresses with letters at {DIRECT_CODE} or {BANK_CODE}')
        expect = Expect(base, MAPPING, 'fi-roam', [])
        problems = []
        for e in lettered[:2]:
            upper, lower = ident(e[0]), ident(e[0]).lower()
            got = lookup(c, lower)
            want = expect.answer(upper)
            if (got['can_receive'], got['operator'], got['name']) != (True, want['operator'], want['name']):
                problems.append(f'GET /v1/recipients/{lower}: can_receive {got["can_receive"]}, reason '
                                f'{got["reason"]}, operator {got["operator"]!r} (as {upper}: {want["operator"]})')
            got = check_many(c, [lower])[lower]
            if got['can_receive'] is not True:
                problems.append(f'POST /v1/recipients/check [{lower}]: can_receive {got["can_receive"]}, '
                                f'reason {got["reason"]}')
        e = lettered[0]
        lower = ident(e[0]).lower()
        inv = c.wait_status(submit(c, suite, 'EDGE-CASE', lower), ('delivered', 'failed', 'rejected'), timeout=30)
        if inv['route']['operator'] != 'fi-direct':
            problems.append(f'an invoice for {lower} (the dump lists {ident(e[0])} at fi-direct) was routed to '
                            f'{inv["route"]["operator"]}: {inv["route"]["reason"]}')
        check(not problems, 'participant values are case-insensitive (STYLE.md), the directory\'s are not: ' +
              '; '.join(problems))

    def on_demand_change():
        code = '10000006'
        who = f'0191:{code}'
        got = lookup(c, who)
        check_eq((got['can_receive'], got['checked_now']), (True, True), f'{who}: checked on demand, active')
        inv = c.wait_status(submit(c, suite, 'EDGE-EE', who, lambda d: estonian_invoice(d, code)),
                            ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['route']['operator'], 'ee', f'the invoice for {who}: route {inv["route"]}')
        standin.set_active(code, 'NO')
        got = lookup(c, who, '?max_age=0')
        check_eq((got['can_receive'], got['reason'], got['checked_now']), (False, 'not_registered', True),
                 f'{who}?max_age=0 after it stopped receiving')

        def told():
            return [x['event'] for x in receiver.snapshot()
                    if (x['event'] or {}).get('type') == 'recipient.capability' and x['event'].get('recipient_id') == who]
        try:
            events = wait_for(told, 5, f'a recipient.capability event for {who}')
        except Failure:
            raise Failure(f'the tenant invoiced {who} while it could receive; an on-demand check (max_age=0) '
                          f'found it not_registered, but no recipient.capability event came within 5 s')
        check_eq([(x['status'], x['recipient']['reason']) for x in events], [('not_registered', 'not_registered')],
                 f'the events for {who}')

    scenario('url = file:///... is read as that path', file_url)
    scenario('identifiers differing only in letter case: lookups, batch checks and routing', letter_case)
    scenario('a change an on-demand check finds is told to the tenant that invoiced the recipient', on_demand_change)
    g.stop()
    if failures:
        raise Failure('\n    '.join([f'{len(failures)} of 3 scenarios failed:'] + failures))


# ---------------------------------------------------------------------------------------------

def run(suite):
    dumps = Dumps(suite)
    groups = [ONLY] if ONLY else list(GROUPS)
    failures = []
    for group in groups:
        t = time.monotonic()
        try:
            {'file': run_file, 'http': run_http, 'routing': run_routing, 'estonia': run_estonia,
             'watch': run_watch, 'check': run_check, 'edges': run_edges}[group](suite, dumps)
            note(f'PASS {group} ({time.monotonic() - t:.1f} s)')
        except Failure as e:
            failures.append(f'{group}: {e}')
            print(f'\n  FAIL {group}: {e}', flush=True)
            for g in suite.gateways:
                if g.name.startswith(group) or g.name.startswith(f'{group}-'):
                    print(f'  --- last lines of {g.name} ({g.log_path}):\n{g.log_tail(15)}', flush=True)
                    g.kill()
    if failures:
        raise Failure('\n  ' + '\n  '.join(f[:2000] for f in failures))


if __name__ == '__main__':
    main('The directory\'s sources end to end (registry dumps, ee-erp, partner checks)', run, backends=('sqlite',))
