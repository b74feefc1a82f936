"""Shared harness of the server integration checks (tests/gateway/server/*_check.py).

It runs real `eigw serve` processes on loopback and talks to them over HTTP, with the Python
standard library only:

- `Suite` parses the common command line (`EIGW SOURCE_DIR [--backend sqlite|postgresql]
  [--dsn DSN] [--shared DIR] [--keep]`), makes a temporary folder, and for PostgreSQL starts a
  throw-away cluster with scripts/pg-cluster (unless --dsn names a database) and stops it at the end.
- `Gateway` is one `eigw serve` process: it writes its configuration (port 0, the suite's storage,
  a file-drop operator, small retry delays), makes tenants and keys with the CLI, starts the server,
  waits for `eigw: listening on http://HOST:PORT`, and stops it with SIGTERM (exit status 0 checked)
  or kills it with SIGKILL.
- `Client` sends requests with a tenant's key and has helpers for the ERP API (submit, wait for a
  status, list every page).
- `SseStream` follows /v1/events in a thread; `WebhookReceiver` is a local HTTP server that records
  webhook calls and checks their signatures.

A check function prints what it checks and raises `Failure` with a precise message (request,
expected, got). `main(run)` turns that into the exit status: 0 all passed, 1 a check failed,
77 the environment cannot run the test (PostgreSQL cannot be installed or started).
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77
UBL_INVOICE_NS = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'
UBL_CREDIT_NOTE_NS = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2'
CBC_NS = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
TIMESTAMP_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
LISTENING_RE = re.compile(r'^eigw: listening on http://([^/:\s]+|\[[0-9a-fA-F:]+\]):(\d+)$')


class Failure(Exception):
    """A check failed; the message says what was sent, what was expected and what came back."""


class Skip(Exception):
    """The environment cannot run this test (exit status 77)."""


_STARTED = time.monotonic()


def step(text):
    print(f'check [{time.monotonic() - _STARTED:5.1f} s]: {text}', flush=True)


def note(text):
    print(f'  note: {text}', flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def check_eq(got, want, what):
    if got != want:
        raise Failure(f'{what}: expected {want!r}, got {got!r}')


def wait_for(predicate, timeout, what, interval=0.05):
    """Polls predicate() until it returns a true value (returned) or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise Failure(f'timed out after {timeout:g} s waiting for {what}')
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def gln(n):
    """A valid 13-digit GLN (GS1 check digit) from a small number: 579000 + 6 digits + check."""
    body = f'579000{n:06d}'
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


# ---------------------------------------------------------------------------------------------
# Invoices

class Invoices:
    """Makes ERP JSON invoices from docs/examples/invoice.json with a chosen number and buyer."""

    def __init__(self, source_dir):
        self.source_dir = source_dir
        with open(os.path.join(source_dir, 'docs/examples/invoice.json'), encoding='utf-8') as f:
            self.template = json.load(f)

    def json(self, number, buyer_gln='5790000435975', extra=None):
        doc = json.loads(json.dumps(self.template))
        doc['number'] = number
        doc['payment']['remittance_info'] = number
        doc['buyer']['electronic_address'] = {'id': buyer_gln, 'scheme': '0088'}
        if extra:
            doc.update(extra)
        # Not ASCII-only: the seller is "Nordwind OÜ", so byte identity covers UTF-8.
        return json.dumps(doc, ensure_ascii=False, indent=1).encode('utf-8')

    def path(self, relative):
        return os.path.join(self.source_dir, relative)

    def read(self, relative):
        with open(self.path(relative), 'rb') as f:
            return f.read()


def drop_path(folder, scheme, value, invoice_id):
    return os.path.join(folder, f'{scheme}_{value}', f'{invoice_id}.xml')


def parse_ubl(data, what):
    """Root local name and namespace, and the document's cbc:ID, of a UBL document we produced."""
    import xml.etree.ElementTree as ET  # our own server's output, never outside input
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise Failure(f'{what} is not well-formed XML: {e}; first bytes: {data[:200]!r}')
    m = re.match(r'^\{([^}]*)\}(.*)$', root.tag)
    check(m is not None, f'{what}: the root element {root.tag!r} has no namespace')
    ident = root.find(f'{{{CBC_NS}}}ID')
    return m.group(2), m.group(1), (ident.text if ident is not None else None)


# ---------------------------------------------------------------------------------------------
# HTTP

class Response:
    def __init__(self, method, path, status, reason, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self._json = None

    def header(self, name):
        return self.headers.get(name)

    @property
    def content_type(self):
        return (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode('utf-8'))
            except (ValueError, UnicodeDecodeError) as e:
                raise Failure(f'{self.method} {self.path}: the answer ({self.status}) is not JSON: {e}; '
                              f'body: {self.body[:300]!r}')
        return self._json

    def describe(self):
        body = self.body[:600].decode('utf-8', 'replace')
        return f'{self.status} {self.reason}, Content-Type {self.headers.get("Content-Type")!r}, body {body!r}'


class Client:
    """HTTP client of one server with one API key (None: no Authorization header)."""

    def __init__(self, host, port, key=None):
        self.host = host
        self.port = port
        self.key = key

    def with_key(self, key):
        return Client(self.host, self.port, key)

    def connect(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30, conn=None):
        h = {}
        if self.key is not None:
            h['Authorization'] = f'Bearer {self.key}'
        if headers:
            h.update(headers)
        own = conn is None
        if own:
            conn = self.connect(timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return Response(method, path, r.status, r.reason, r.headers, data)
        finally:
            if own:
                conn.close()

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def post_json(self, path, obj, headers=None, **kw):
        h = {'Content-Type': 'application/json'}
        h.update(headers or {})
        return self.request('POST', path, body=json.dumps(obj).encode(), headers=h, **kw)

    # The ERP API ---------------------------------------------------------------------------

    def submit(self, body, key, content_type='application/json', **kw):
        headers = {'Content-Type': content_type}
        if key is not None:
            headers['Idempotency-Key'] = key
        return self.request('POST', '/v1/invoices', body=body, headers=headers, **kw)

    def submit_ok(self, body, key, content_type='application/json'):
        r = self.submit(body, key, content_type)
        if r.status != 202:
            raise Failure(f'POST /v1/invoices (Idempotency-Key {key!r}, {content_type}): expected 202, '
                          f'got {r.describe()}')
        doc = r.json()
        check(isinstance(doc.get('id'), str) and doc['id'].startswith('inv_'),
              f'POST /v1/invoices: 202 without an inv_ id: {doc}')
        return doc, r

    def invoice(self, invoice_id):
        r = self.get(f'/v1/invoices/{invoice_id}')
        if r.status != 200:
            raise Failure(f'GET /v1/invoices/{invoice_id}: expected 200, got {r.describe()}')
        return r.json()

    def wait_status(self, invoice_id, statuses, timeout=30, what=None):
        """Polls GET /v1/invoices/{id} until its status is one of statuses; returns the invoice."""
        if isinstance(statuses, str):
            statuses = (statuses,)
        seen = []

        def poll():
            inv = self.invoice(invoice_id)
            if not seen or seen[-1] != inv.get('status'):
                seen.append(inv.get('status'))
            return inv if inv.get('status') in statuses else None
        try:
            return wait_for(poll, timeout, what or f'invoice {invoice_id} to reach {"/".join(statuses)}')
        except Failure as e:
            inv = self.invoice(invoice_id)
            raise Failure(f'{e}; statuses seen: {seen}; last answer: {json.dumps(inv)[:1500]}')

    def list_all(self, params='', limit=500, max_pages=1000):
        """Every item of GET /v1/invoices?params, following next_cursor; checks the page sizes."""
        items, cursor, pages = [], None, 0
        while True:
            q = f'limit={limit}' + (f'&{params}' if params else '')
            if cursor is not None:
                q += '&cursor=' + urlquote(cursor)
            r = self.get(f'/v1/invoices?{q}')
            if r.status != 200:
                raise Failure(f'GET /v1/invoices?{q}: expected 200, got {r.describe()}')
            doc = r.json()
            check(isinstance(doc.get('items'), list), f'GET /v1/invoices?{q}: no items list: {doc}')
            check(len(doc['items']) <= limit,
                  f'GET /v1/invoices?{q}: {len(doc["items"])} items on a page of limit {limit}')
            items.extend(doc['items'])
            pages += 1
            cursor = doc.get('next_cursor', 'absent')
            check(cursor is None or isinstance(cursor, str),
                  f'GET /v1/invoices?{q}: next_cursor must be a string or null, got {cursor!r}')
            if cursor is None:
                return items, pages
            check(pages < max_pages, f'GET /v1/invoices?{params}: more than {max_pages} pages')


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (for stand-ins and peers)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def urlquote(s):
    from urllib.parse import quote
    return quote(s, safe='')


def expect_status(r, status, what=None):
    if r.status != status:
        raise Failure(f'{what or (r.method + " " + r.path)}: expected {status}, got {r.describe()}')


def expect_problem(r, status, code, what=None):
    """An RFC 9457 problem with this status and stable code; returns the problem object."""
    what = what or f'{r.method} {r.path}'
    if r.status != status:
        raise Failure(f'{what}: expected {status} {code}, got {r.describe()}')
    check(r.content_type == 'application/problem+json',
          f'{what}: expected Content-Type application/problem+json, got {r.headers.get("Content-Type")!r}')
    p = r.json()
    check(isinstance(p, dict), f'{what}: the problem is not an object: {p!r}')
    check_eq(p.get('code'), code, f'{what}: problem code')
    check_eq(p.get('status'), status, f'{what}: problem status member')
    check(isinstance(p.get('title'), str) and p['title'], f'{what}: the problem has no title: {p}')
    check(isinstance(p.get('type'), str) and p['type'].endswith('/' + code),
          f'{what}: the problem type should end with /{code}: {p.get("type")!r}')
    return p


# ---------------------------------------------------------------------------------------------
# Server-Sent Events

class SseStream:
    """GET /v1/events in a thread; parsed events go to a queue as dicts {id, event, data}."""

    def __init__(self, client, last_event_id=None, query=''):
        self.client = client
        self.events = queue.Queue()
        self.closed = threading.Event()
        self.error = None
        headers = {'Accept': 'text/event-stream'}
        if client.key is not None:
            headers['Authorization'] = f'Bearer {client.key}'
        if last_event_id is not None:
            headers['Last-Event-ID'] = str(last_event_id)
        self.conn = http.client.HTTPConnection(client.host, client.port, timeout=60)
        path = '/v1/events' + (f'?{query}' if query else '')
        self.conn.request('GET', path, headers=headers)
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            body = self.response.read()
            self.conn.close()
            raise Failure(f'GET {path} (Accept: text/event-stream, Last-Event-ID {last_event_id}): '
                          f'expected 200, got {self.response.status} {body[:400]!r}')
        ct = (self.response.headers.get('Content-Type') or '').split(';')[0].strip()
        if ct != 'text/event-stream':
            self.conn.close()
            raise Failure(f'GET {path}: expected Content-Type text/event-stream, got {ct!r}')
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        fields = {}
        data_lines = []
        try:
            while True:
                raw = self.response.readline()
                if not raw:
                    break
                line = raw.decode('utf-8').rstrip('\r\n')
                if line == '':
                    if data_lines or fields:
                        self.events.put({'id': fields.get('id'), 'event': fields.get('event'),
                                         'data': '\n'.join(data_lines)})
                    fields, data_lines = {}, []
                    continue
                if line.startswith(':'):
                    continue
                name, _, value = line.partition(':')
                if value.startswith(' '):
                    value = value[1:]
                if name == 'data':
                    data_lines.append(value)
                else:
                    fields[name] = value
        except Exception as e:  # closed by us, or the server went away
            if not self.closed.is_set():
                self.error = e
        finally:
            self.closed.set()

    def next(self, timeout):
        """The next event, or None after timeout seconds."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self):
        self.closed.set()
        try:
            if self.conn.sock is not None:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()
        self.thread.join(5)


def parse_sse_event(ev, what):
    """Checks one SSE event of the ERP API and returns its data object."""
    check_eq(ev['event'], 'invoice.status', f'{what}: event name')
    try:
        data = json.loads(ev['data'])
    except ValueError as e:
        raise Failure(f'{what}: the data line is not JSON ({e}): {ev["data"]!r}')
    for k in ('seq', 'invoice_id', 'status', 'at', 'detail'):
        check(k in data, f'{what}: the event has no {k!r}: {data}')
    check(isinstance(data['seq'], int), f'{what}: seq is not an integer: {data}')
    check_eq(ev['id'], str(data['seq']), f'{what}: the SSE id line against the data seq')
    check(TIMESTAMP_RE.match(data['at'] or ''), f'{what}: "at" is not RFC 3339 UTC with ms: {data["at"]!r}')
    return data


# ---------------------------------------------------------------------------------------------
# Webhook receiver

class WebhookReceiver:
    """A local HTTP server that records every webhook call and checks its signature.

    answer(path, delivery_id, call_number) decides the status code of each call (call_number counts
    the calls with that Webhook-Id on that path, from 1), or (status code, seconds to wait before
    answering)."""

    def __init__(self, answer=lambda path, delivery_id, n: 200):
        self.calls = []
        self.lock = threading.Lock()
        self.answer = answer
        self.secrets = {}  # path -> secret
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def do_POST(self):
                if (self.headers.get('Transfer-Encoding') or '').lower() == 'chunked':
                    body = b''
                    while True:
                        size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                        if size == 0:
                            while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                                pass
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                call = receiver._record(self.path, dict(self.headers.items()), body)
                with receiver.lock:
                    n = sum(1 for c in receiver.calls
                            if c['webhook_id'] == self.headers.get('Webhook-Id') and c['path'] == self.path)
                status = receiver.answer(self.path, self.headers.get('Webhook-Id'), n)
                if isinstance(status, tuple):
                    status, delay = status
                    time.sleep(delay)
                call['answered'] = status
                call['answered_after'] = time.time() - call['received']
                payload = b'{}'
                try:
                    self.send_response(status)
                except OSError:
                    return
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except OSError:  # the gateway gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path='/hook'):
        return f'http://127.0.0.1:{self.port}{path}'

    def _record(self, path, headers, body):
        h = {k.lower(): v for k, v in headers.items()}
        call = {'path': path, 'headers': h, 'body': body, 'received': time.time(),
                'webhook_id': h.get('webhook-id'), 'timestamp': h.get('webhook-timestamp'),
                'signature': h.get('webhook-signature'), 'problems': []}
        secret = self.secrets.get(path)
        if not call['webhook_id']:
            call['problems'].append('no Webhook-Id header')
        if not call['timestamp'] or not re.fullmatch(r'\d+', call['timestamp']):
            call['problems'].append(f'Webhook-Timestamp is not unix seconds: {call["timestamp"]!r}')
        elif abs(int(call['timestamp']) - time.time()) > 300:
            call['problems'].append(f'Webhook-Timestamp {call["timestamp"]} is more than 5 minutes off')
        if secret is None:
            call['problems'].append(f'no secret known for path {path}')
        elif call['webhook_id'] and call['timestamp']:
            signed = f'{call["webhook_id"]}.{call["timestamp"]}.'.encode() + body
            want = 'v1=' + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
            if call['signature'] != want:
                call['problems'].append(f'Webhook-Signature {call["signature"]!r}, expected {want!r} '
                                        f'(HMAC-SHA256 of "<id>.<timestamp>.<body>")')
        ct = (h.get('content-type') or '').split(';')[0].strip()
        if ct != 'application/json':
            call['problems'].append(f'Content-Type {h.get("content-type")!r}, expected application/json')
        try:
            call['event'] = json.loads(body.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            call['event'] = None
            call['problems'].append(f'the body is not JSON: {body[:200]!r}')
        with self.lock:
            self.calls.append(call)
        return call

    def snapshot(self):
        with self.lock:
            return list(self.calls)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------
# Processes

DEFAULT_CONF = {
    'server': {'listen': '127.0.0.1:0', 'threads': '16', 'max_body_bytes': '65536'},
    'outbox': {'workers': '2', 'max_attempts': '3', 'backoff_initial_ms': '50',
               'backoff_max_ms': '200', 'lease_seconds': '5'},
    'webhooks': {'max_attempts': '4', 'backoff_initial_ms': '50', 'backoff_max_ms': '200',
                 'timeout_ms': '2000'},
    'routing': {'default_operator': 'local-drop'},
    'operator.local-drop': {'protocol': 'file-drop', 'folder': 'outbound', 'formats': 'ubl'},
}


class Gateway:
    """One `eigw serve` process with its own configuration file in workdir."""

    def __init__(self, suite, name, conf=None, storage=None):
        self.suite = suite
        self.name = name
        self.workdir = os.path.join(suite.tmp, name)
        os.makedirs(self.workdir, exist_ok=True)
        self.config_path = os.path.join(self.workdir, 'eigw.conf')
        self.conf = json.loads(json.dumps(DEFAULT_CONF))
        self.conf['storage'] = dict(storage or suite.storage())
        for section, values in (conf or {}).items():
            self.conf.setdefault(section, {}).update(values)
        self.write_config()
        self.proc = None
        self.log_path = os.path.join(self.workdir, 'server.log')
        self.log_lines = []
        self.log_lock = threading.Lock()
        self.host = self.port = None
        self.starts = 0
        suite.gateways.append(self)

    def write_config(self):
        lines = [f'# written by tests/gateway/server/gateway_harness.py for {self.name}']
        for section, values in self.conf.items():
            lines.append(f'\n[{section}]')
            lines.extend(f'{k} = {v}' for k, v in values.items())
        with open(self.config_path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    @property
    def drop_folder(self):
        folder = self.conf['operator.local-drop']['folder']
        return folder if os.path.isabs(folder) else os.path.join(self.workdir, folder)

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith('EIGW_')}
        env.update(extra or {})
        return env

    def cli(self, *args):
        cmd = [self.suite.eigw, *args, '--config', self.config_path]
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.env(), timeout=60)
        if r.returncode != 0:
            raise Failure(f'{" ".join(cmd)}: exit status {r.returncode}; stderr: {r.stderr.strip()[:1000]}')
        return r.stdout

    def add_tenant(self, name):
        """eigw tenants add NAME, eigw keys create NAME: returns (tenant id, API key)."""
        out = self.cli('tenants', 'add', name).strip()
        check(re.fullmatch(r'ten_[A-Za-z0-9_-]+', out) is not None,
              f'eigw tenants add {name}: expected a tenant id ten_... on stdout, got {out!r}')
        key_out = self.cli('keys', 'create', name)
        lines = [l for l in key_out.splitlines() if l.strip()]
        check(len(lines) == 1 and ' ' not in lines[0].strip(),
              f'eigw keys create {name}: expected one line with the key only, got {key_out!r}')
        return out, lines[0].strip()

    def start(self, env=None, timeout=60):
        check(self.proc is None, f'{self.name}: started twice')
        os.makedirs(self.drop_folder, exist_ok=True)
        self.starts += 1
        log = open(self.log_path, 'a')
        log.write(f'---- start {self.starts} ----\n')
        log.flush()
        cmd = [self.suite.eigw, 'serve', '--config', self.config_path]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.PIPE,
                                     env=self.env(env), cwd=self.suite.tmp)
        ready = queue.Queue()
        proc = self.proc

        def pump():
            for raw in proc.stderr:
                line = raw.decode('utf-8', 'replace').rstrip('\n')
                log.write(line + '\n')
                log.flush()
                with self.log_lock:
                    self.log_lines.append(line)
                if line.startswith('eigw: listening on'):
                    ready.put(line)
            log.close()
            ready.put(None)
        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        try:
            line = ready.get(timeout=timeout)
        except queue.Empty:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise Failure(f'{self.name}: `{" ".join(cmd)}` printed no "eigw: listening on" line within '
                          f'{timeout} s; log:\n{self.log_tail()}')
        if line is None:
            rc = self.proc.wait()
            self.proc = None
            raise Failure(f'{self.name}: `{" ".join(cmd)}` exited with status {rc} before listening; '
                          f'log:\n{self.log_tail()}')
        m = LISTENING_RE.match(line)
        if m is None:
            self.kill()
            raise Failure(f'{self.name}: the ready line is not "eigw: listening on http://HOST:PORT": {line!r}')
        self.host, self.port = m.group(1).strip('[]'), int(m.group(2))
        check(self.port != 0, f'{self.name}: listening on port 0: {line!r}')
        return self

    def client(self, key=None):
        return Client(self.host, self.port, key)

    def log_tail(self, n=40):
        with self.log_lock:
            return '\n'.join('    ' + l for l in self.log_lines[-n:])

    def listening_lines(self):
        with self.log_lock:
            return [l for l in self.log_lines if l.startswith('eigw: listening on')]

    def stop(self, timeout=30):
        """SIGTERM, then the exit status must be 0 within timeout seconds."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self.pump.join(5)
            raise Failure(f'{self.name}: did not exit within {timeout} s of SIGTERM; log:\n{self.log_tail()}')
        self.pump.join(5)
        if rc != 0:
            raise Failure(f'{self.name}: exit status {rc} after SIGTERM, expected 0; log:\n{self.log_tail()}')

    def kill(self):
        """SIGKILL: the crash."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()
        self.pump.join(5)

    def running(self):
        return self.proc is not None and self.proc.poll() is None


class PgCluster:
    def __init__(self, source_dir):
        self.script = os.path.join(source_dir, 'scripts', 'pg-cluster')
        # Not under the suite's folder: the socket path must stay short, and the postgres user must
        # reach it.
        self.dir = tempfile.mkdtemp(prefix='eigw-pg-', dir='/tmp')
        r = subprocess.run([self.script, 'start', self.dir], capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            subprocess.run([self.script, 'stop', self.dir], capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)
            raise Skip(f'scripts/pg-cluster start failed (status {r.returncode}): {r.stderr.strip()}')
        self.dsn = r.stdout.strip()
        if not re.fullmatch(r'host=127\.0\.0\.1 port=\d+ dbname=eigw user=eigw', self.dsn):
            self.stop()
            raise Failure(f'scripts/pg-cluster start printed {self.dsn!r}, expected '
                          f'"host=127.0.0.1 port=P dbname=eigw user=eigw"')

    def stop(self):
        r = subprocess.run([self.script, 'stop', self.dir], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print(f'warning: scripts/pg-cluster stop {self.dir}: {r.stderr.strip()}', file=sys.stderr)


class Suite:
    def __init__(self, description, backends=('sqlite', 'postgresql'), add_args=None):
        ap = argparse.ArgumentParser(description=description)
        if add_args:
            add_args(ap)  # a check's own options
        ap.add_argument('eigw', help='the eigw binary')
        ap.add_argument('source_dir', help='the eigw source tree')
        ap.add_argument('--backend', choices=backends, default=backends[0])
        ap.add_argument('--dsn', help='PostgreSQL: use this database (libpq keyword string) instead of '
                        'a throw-away cluster; it must be empty')
        ap.add_argument('--shared', help='the shared/ folder (default SOURCE_DIR/../shared)')
        ap.add_argument('--keep', action='store_true', help='keep the temporary folder')
        self.args = ap.parse_args()
        self.eigw = os.path.abspath(self.args.eigw)
        self.source_dir = os.path.abspath(self.args.source_dir)
        self.shared_dir = os.path.abspath(self.args.shared or os.path.join(self.source_dir, '..', 'shared'))
        self.backend = self.args.backend
        self.tmp = tempfile.mkdtemp(prefix='eigw-server-test-')
        self.gateways = []
        self.cleanups = []
        self.pg = None
        self.dsn = self.args.dsn
        self.invoices = Invoices(self.source_dir)

    def setup(self):
        print(f'eigw: {self.eigw}; backend: {self.backend}; work folder: {self.tmp}', flush=True)
        if not os.access(self.eigw, os.X_OK):
            raise Failure(f'{self.eigw} is not an executable')
        if self.backend == 'postgresql' and not self.dsn:
            t = time.monotonic()
            self.pg = PgCluster(self.source_dir)
            self.dsn = self.pg.dsn
            print(f'PostgreSQL cluster in {self.pg.dir} ({self.dsn}), started in {time.monotonic() - t:.1f} s',
                  flush=True)

    def storage(self):
        if self.backend == 'sqlite':
            # Relative to the configuration file's folder, as the format says.
            return {'driver': 'sqlite', 'path': 'eigw.db'}
        return {'driver': 'postgresql', 'url': self.dsn}

    def teardown(self, ok):
        errors = []
        for g in self.gateways:
            if g.running():
                try:
                    g.stop() if ok else g.kill()
                except Failure as e:
                    errors.append(str(e))
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                errors.append(f'cleanup: {e}')
        if self.pg is not None:
            self.pg.stop()
        if ok and not errors and not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f'the work folder is kept: {self.tmp}', flush=True)
        return errors


def main(description, run, backends=('sqlite', 'postgresql'), add_args=None):
    """Runs run(suite) and exits: 0 passed, 1 failed, 77 skipped. add_args(parser) adds options."""
    suite = Suite(description, backends, add_args)
    started = time.monotonic()
    ok = False
    status = 1
    try:
        suite.setup()
        run(suite)
        ok = True
        status = 0
    except Skip as e:
        print(f'SKIP: {e}', flush=True)
        ok = True
        status = SKIP
    except Failure as e:
        print(f'\nFAIL: {e}', flush=True)
        for g in suite.gateways:
            if g.log_lines:
                print(f'--- last lines of {g.name} ({g.log_path}):\n{g.log_tail(25)}', flush=True)
    except Exception:  # noqa: BLE001  a bug of the check itself, or an unexpected answer
        print('\nFAIL: unexpected error in the check:', flush=True)
        traceback.print_exc()
        for g in suite.gateways:
            if g.log_lines:
                print(f'--- last lines of {g.name} ({g.log_path}):\n{g.log_tail(25)}', flush=True)
    finally:
        errors = suite.teardown(ok and status in (0, SKIP))
        if errors and status == 0:
            print('\nFAIL: ' + '\n'.join(errors), flush=True)
            status = 1
    print(f'{"PASS" if status == 0 else "SKIP" if status == SKIP else "FAIL"} '
          f'({time.monotonic() - started:.1f} s)', flush=True)
    sys.exit(status)
