#!/usr/bin/env python3
"""Roaming between gateways: real `eigw serve` processes speaking the gateway operator protocol
(docs/operator-protocol.md) to each other on loopback, each with its own SQLite database.

    roaming_check.py EIGW SOURCE_DIR [--only flow|faults|protocol|tls] [--keep] [--stop-on-failure]

Three gateways gw-a, gw-b, gw-c, each with `[node] operator_id`, a receipt signer of the test PKI
(certs/pki/make_test_pki.sh, made at test time: gw-a and gw-c sign with the RSA signer, gw-b with the
ECDSA one) and `trust` = the test CA, and `[operator.<peer>] protocol = gateway` sections with bearer
tokens generated here (token_file / inbound_token_file). Ports are chosen before start-up (each
configuration names its peers' URLs).

Groups (--only runs one; without it all four run, each on fresh gateways):

flow      A's ERP submits for B's recipient: delivered with a signed receipt (xmlsec1 verifies it
          against the test CA; MessageId, DocumentSha256 = sha256 of the produced document); B's
          inbox, its webhook and SSE; the document in B's inbox format (UBL); ack (AB) and the
          responses accepted, paid travel back: A's events, SSE and webhook. Roaming A -> B -> C
          (disposition forwarded, from_operator gw-b, status back through B, nothing at B). A loop
          A -> B -> A (forwarding_failed, via B's status callback). under_query, then rejected by
          B's ERP (rejected_by_recipient); the inbox paged. An unknown recipient at B
          (delivery_refused, recipient_not_found).
faults    B down while A delivers (failed_retrying, then exactly one delivery); a stand-in HTTP
          server between A and B (answers 500/401/408/429, answers after A's timeout, corrupts the
          receipt's signed content, strips its signature, re-signs it with the intruder, changes its
          MessageId or DocumentSha256 under a trusted signature): A retries and records the real
          receipt, B has one inbox item each time; 422 and a signed `rejected` receipt are final
          (delivery_refused after one attempt); the same envelope twice (duplicate: true, same
          receipt, one item, also after B restarts), the same message id with another document
          (409 message_id_conflict); an invalid UBL (disposition rejected with the rule; kept as a
          rejected inbox item; 409 conflict to a response).
tls       B serves HTTPS with server.tls_client_ca; gw-a delivers with its client certificate
          (inbound_cert_sha256 at B); no certificate, or another certificate of the CA: 401.
protocol  Authentication (401 without or with a wrong token or with an ERP key; 400 envelope_invalid
          when the path does not end with the caller), the envelope checks (loop_detected,
          too_many_hops, recipient_not_found for a non-roaming caller), GET /operator/v1/receivers
          (direct and roaming entries, paging, `since` after an identifier is added with the CLI
          while B runs, cursor_invalid), POST /operator/v1/receivers/check (100 ids in order, 101
          too_many_ids), POST /operator/v1/statuses (404 for another operator and unknown ids,
          applied true then false, too_many_hops); a tenant with --inbox-format json.

Every scenario of a group runs even when an earlier one failed (unless --stop-on-failure); the
exit status is 0 when all passed, 1 when any failed, 77 when the test PKI cannot be made.
"""
import base64
import copy
import datetime
import hashlib
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import xml.etree.ElementTree as ET  # only for documents our own gateways wrote

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'gateway', 'server'))
import gateway_harness  # noqa: E402
from gateway_harness import (  # noqa: E402
    TIMESTAMP_RE, UBL_INVOICE_NS, Client, Failure, Gateway, Skip, free_port, SseStream, WebhookReceiver, check,
    check_eq, expect_problem, expect_status, gln, main, note, parse_sse_event, parse_ubl, sha256_hex,
    step, urlquote, wait_for)

GROUPS = ('flow', 'faults', 'protocol', 'tls')


def _take_option(name, has_value):
    """Removes --name [VALUE] from sys.argv (the harness's parser does not know it)."""
    for i, a in enumerate(sys.argv):
        if a == f'--{name}':
            if has_value:
                if i + 1 >= len(sys.argv):
                    print(f'--{name} needs a value', file=sys.stderr)
                    sys.exit(2)
                v = sys.argv[i + 1]
                del sys.argv[i:i + 2]
                return v
            del sys.argv[i]
            return True
        if has_value and a.startswith(f'--{name}='):
            del sys.argv[i]
            return a.split('=', 1)[1]
    return None


ONLY = _take_option('only', True)
STOP_ON_FAILURE = bool(_take_option('stop-on-failure', False))
if ONLY is not None and ONLY not in GROUPS:
    print(f'--only: one of {", ".join(GROUPS)}', file=sys.stderr)
    sys.exit(2)

RECEIPT_NS = 'urn:eigw:operator-protocol:1'
DS_NS = 'http://www.w3.org/2000/09/xmldsig#'
CBC_NS = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
OPERATOR_TIMEOUT_MS = 1500       # [operator.gw-b] timeout_ms at A in the faults group
STANDIN_SLOW_S = 3.0              # the stand-in answers this late: past A's timeout
INBOX_ITEM_KEYS = ('id', 'message_id', 'state', 'from_operator', 'sender', 'recipient', 'document_type',
                   'format', 'invoice_number', 'currency', 'payable_amount', 'seller_name', 'received_at',
                   'acknowledged_at', 'findings', 'responses', 'document_href')
WEBHOOK_SECRET = 'roaming-webhook-secret-0123456789'


SOFT = []  # failures of checks that do not stop their scenario (headers, details): reported at the end


def soft(condition, message):
    """A check whose failure is reported but lets the scenario go on (later steps do not depend on it)."""
    if not condition:
        SOFT.append(message)
        print(f'  FAIL (the scenario goes on): {message}', flush=True)
    return condition


def soft_eq(got, want, what):
    return soft(got == want, f'{what}: expected {want!r}, got {got!r}')


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def statuses(inv):
    return [e['status'] for e in inv.get('events', [])]


# ---------------------------------------------------------------------------------------------
# Invoices and documents

class InvoiceMaker:
    """The 10-line ERP JSON invoice of the server benchmark with a chosen number and buyer (0088 GLN)."""

    def __init__(self, source_dir):
        with open(os.path.join(source_dir, 'bench/server/invoice-10-lines.json'), encoding='utf-8') as f:
            self.template = json.load(f)
        ea = self.template['seller']['electronic_address']
        self.seller_endpoint = f'{ea["scheme"]}:{ea["id"]}'
        self.seller_name = self.template['seller']['name']

    def json(self, number, buyer_gln):
        doc = copy.deepcopy(self.template)
        doc['number'] = number
        doc['payment']['remittance_info'] = number
        doc['buyer']['electronic_address'] = {'id': buyer_gln, 'scheme': '0088'}
        return json.dumps(doc, indent=1).encode('utf-8')


def envelope(message_id, receiver, document, path, *, sender='9930:DE202526944', fmt='ubl', hops=None,
             document_type='invoice'):
    return {'envelope': {'message_id': message_id, 'sender': sender, 'receiver': receiver,
                         'document_type': document_type, 'format': fmt,
                         'hops': len(path) if hops is None else hops, 'path': list(path)},
            'document': base64.b64encode(document).decode('ascii')}


def parse_receipt(xml_text, what):
    """The receipt's fields (MessageId, ...), its findings and whether it carries a ds:Signature."""
    data = xml_text.encode('utf-8') if isinstance(xml_text, str) else xml_text
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise Failure(f'{what}: the receipt is not well-formed XML ({e}): {data[:300]!r}')
    check_eq(root.tag, f'{{{RECEIPT_NS}}}Receipt', f'{what}: the receipt\'s root element')
    fields = {}
    for child in root:
        if child.tag.startswith(f'{{{RECEIPT_NS}}}'):
            name = child.tag.split('}', 1)[1]
            if name != 'Finding':
                fields[name] = (child.text or '').strip()
    findings = [dict(f.attrib, text=(f.text or '').strip()) for f in root.findall(f'{{{RECEIPT_NS}}}Finding')]
    fields['_findings'] = findings
    fields['_signed'] = root.find(f'{{{DS_NS}}}Signature') is not None
    fields['_x509'] = root.find(f'.//{{{DS_NS}}}X509Certificate') is not None
    return fields


class XmlSec:
    """xmlsec1 --verify --trusted-pem CA: installed with apt-get when missing; None when impossible."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.tool = shutil.which('xmlsec1')
        if self.tool is None and shutil.which('apt-get') and os.geteuid() == 0:
            note('xmlsec1 is missing: apt-get install -y xmlsec1')
            subprocess.run(['apt-get', 'install', '-y', '-qq', 'xmlsec1'], capture_output=True, timeout=300,
                           env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
            self.tool = shutil.which('xmlsec1')
        if self.tool is None:
            note('xmlsec1 is not available: receipt signatures are not checked with it')
        self.n = 0

    def verify(self, xml, trusted_pem):
        """(verified, output) or (None, why) when xmlsec1 is not there."""
        if self.tool is None:
            return None, 'xmlsec1 missing'
        self.n += 1
        path = os.path.join(self.tmp, f'receipt-{self.n}.xml')
        with open(path, 'wb') as f:
            f.write(xml.encode('utf-8') if isinstance(xml, str) else xml)
        r = subprocess.run([self.tool, '--verify', '--trusted-pem', trusted_pem, path],
                           capture_output=True, text=True, timeout=60)
        return r.returncode == 0, (r.stdout + r.stderr).strip()


# ---------------------------------------------------------------------------------------------
# The network: gateways that know each other

class Net:
    """Gateways of one group: ports chosen first, tokens per ordered pair, configurations written
    with every peer's URL."""

    def __init__(self, ctx, tag, ops):
        self.ctx = ctx
        self.tag = tag
        self.ops = ops
        self.ports = {op: free_port() for op in ops}
        self.tokens = {(a, b): f'{a}-to-{b}-' + secrets.token_hex(20) for a in ops for b in ops if a != b}
        self.nodes = {}

    def url(self, op):
        return f'http://127.0.0.1:{self.ports[op]}'

    def node(self, op, signer, peers, routing, url_override=None, outbox=None):
        """peers: {peer id: extra keys of [operator.<peer>]}; routing: {GLN: operator}."""
        name = f'{self.tag}-{op}'
        conf = {
            'server': {'listen': f'127.0.0.1:{self.ports[op]}', 'threads': '32', 'max_body_bytes': '1048576'},
            # With --backend postgresql, B (the receiving and forwarding gateway) keeps its inbox,
            # receivers and statuses in PostgreSQL; A and C stay on SQLite.
            'storage': (self.ctx.suite.storage() if op == 'gw-b' else {'driver': 'sqlite', 'path': 'eigw.db'}),
            'node': {'operator_id': op, 'name': f'Gateway {op}',
                     'signing_key': os.path.join(self.ctx.pki, f'{signer}.key'),
                     'signing_cert': os.path.join(self.ctx.pki, f'{signer}.pem'),
                     'trust': os.path.join(self.ctx.pki, 'ca.pem')},
            'outbox': {'workers': '2', 'max_attempts': '8', 'backoff_initial_ms': '200', 'backoff_max_ms': '1000',
                       'poll_ms': '50', 'lease_seconds': '10'},
            'webhooks': {'max_attempts': '6', 'backoff_initial_ms': '100', 'backoff_max_ms': '500',
                         'timeout_ms': '2000'},
        }
        conf['outbox'].update(outbox or {})
        g = Gateway(self.ctx.suite, name, conf)
        # The harness's defaults route everything to a file-drop operator: not here (an unknown
        # recipient must be refused at intake). The drop operator stays (the harness makes its folder).
        g.conf['routing'] = {f'recipient.0088:{gln_}': target for gln_, target in routing.items()}
        if not g.conf['routing']:
            del g.conf['routing']
        tokdir = os.path.join(g.workdir, 'tokens')
        os.makedirs(tokdir, exist_ok=True)
        for peer, extra in peers.items():
            out_file = os.path.join(tokdir, f'to-{peer}')
            in_file = os.path.join(tokdir, f'from-{peer}')
            with open(out_file, 'w') as f:
                f.write(self.tokens[(op, peer)] + '\n')
            with open(in_file, 'w') as f:
                f.write(self.tokens[(peer, op)] + '\n')
            sec = {'protocol': 'gateway', 'name': f'Gateway {peer}',
                   'url': (url_override or {}).get(peer, self.url(peer)),
                   'token_file': out_file, 'inbound_token_file': in_file, 'formats': 'ubl',
                   'timeout_ms': '5000', 'connect_timeout_ms': '1000'}
            sec.update(extra)
            g.conf[f'operator.{peer}'] = {k: v for k, v in sec.items() if v is not None}
        g.write_config()
        g.op_id = op
        self.nodes[op] = g
        return g

    def op_client(self, caller, target):
        """A client of `target`'s /operator/v1 with `caller`'s token."""
        return Client('127.0.0.1', self.ports[target], self.tokens[(caller, target)])

    def erp(self, op, key):
        return Client('127.0.0.1', self.ports[op], key)


class TlsClient(Client):
    """Client over HTTPS with an SSL context (trusting the test CA, optionally with a client certificate)."""

    def __init__(self, port, key, context):
        super().__init__('127.0.0.1', port, key)
        self.context = context

    def connect(self, timeout=30):
        return http.client.HTTPSConnection('127.0.0.1', self.port, timeout=timeout, context=self.context)


def make_tls_cert(pki, name, subject, server):
    """A certificate of the test CA for TLS: server (SAN IP 127.0.0.1, serverAuth) or client (clientAuth)."""
    key, csr, pem, ext = (os.path.join(pki, f'{name}.{x}') for x in ('key', 'csr', 'pem', 'ext'))
    with open(ext, 'w') as f:
        f.write('basicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature, keyEncipherment\n' +
                ('extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1, DNS:localhost\n' if server
                 else 'extendedKeyUsage = clientAuth\n'))
    env = dict(os.environ, OPENSSL_CONF='/dev/null')
    for cmd in (['openssl', 'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', subject,
                 '-out', csr],
                ['openssl', 'x509', '-req', '-in', csr, '-CA', os.path.join(pki, 'ca.pem'),
                 '-CAkey', os.path.join(pki, 'ca.key'), '-CAcreateserial', '-days', '30', '-sha256',
                 '-extfile', ext, '-out', pem]):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        if r.returncode != 0:
            raise Skip(f'openssl cannot make the TLS test certificate {name}: {r.stderr.strip()[-300:]}')
    der = subprocess.run(['openssl', 'x509', '-in', pem, '-outform', 'DER'], capture_output=True, timeout=60).stdout
    return key, pem, hashlib.sha256(der).hexdigest()


def add_recipient_tenant(g, name, identifiers, inbox_format='ubl'):
    tenant_id, key = g.add_tenant(name)
    for ident in identifiers:
        g.cli('tenants', 'identifiers', 'add', name, ident)
    if inbox_format:
        g.cli('tenants', 'set', name, '--inbox-format', inbox_format)
    return tenant_id, key


# ---------------------------------------------------------------------------------------------
# ERP API helpers

def inbox_items(client, state=None, what=''):
    """Every item of GET /v1/inbox[?state=], following next_cursor, each checked for the documented keys."""
    items, cursor = [], None
    for _ in range(100):
        q = 'limit=500' + (f'&state={state}' if state else '') + (f'&cursor={urlquote(cursor)}' if cursor else '')
        r = client.get(f'/v1/inbox?{q}')
        expect_status(r, 200, f'{what} GET /v1/inbox?{q}')
        doc = r.json()
        check(isinstance(doc.get('items'), list), f'{what} GET /v1/inbox?{q}: no items list: {doc}')
        for it in doc['items']:
            missing = [k for k in INBOX_ITEM_KEYS if k not in it]
            check(not missing, f'{what} GET /v1/inbox: an item without {missing}: {it}')
        items.extend(doc['items'])
        cursor = doc.get('next_cursor')
        if not cursor:
            return items
    raise Failure(f'{what} GET /v1/inbox: more than 100 pages')


def inbox_for(client, message_id, state=None, what=''):
    return [it for it in inbox_items(client, state, what) if it.get('message_id') == message_id]


def wait_inbox_item(client, message_id, what, timeout=20):
    return wait_for(lambda: inbox_for(client, message_id, what=what), timeout,
                    f'{what}: an inbox item with message_id {message_id}')


def inv_brief(inv):
    return json.dumps({k: inv.get(k) for k in ('status', 'failure', 'route', 'attempts')})[:1500] + \
        f' events {[(e["status"], e.get("detail")) for e in inv.get("events", [])]}'


def wait_invoice(client, invoice_id, pred, timeout, what):
    last = {}

    def poll():
        last['inv'] = client.invoice(invoice_id)
        return last['inv'] if pred(last['inv']) else None
    try:
        return wait_for(poll, timeout, what)
    except Failure as e:
        raise Failure(f'{e}; invoice now: {inv_brief(last.get("inv", {}))}')


def get_document(client, invoice_id, kind):
    r = client.get(f'/v1/invoices/{invoice_id}/documents/{kind}')
    expect_status(r, 200, f'GET /v1/invoices/{invoice_id}/documents/{kind}')
    return r


def register_webhook(client, receiver, path, what):
    receiver.secrets[path] = WEBHOOK_SECRET
    r = client.post_json('/v1/webhooks', {'url': receiver.url(path), 'secret': WEBHOOK_SECRET})
    expect_status(r, 201, f'{what}: POST /v1/webhooks')
    return r.json()['id']


def webhook_events(receiver, path):
    calls = [c for c in receiver.snapshot() if c['path'] == path]
    for c in calls:
        check(not c['problems'], f'webhook call to {path}: {"; ".join(c["problems"])}')
    return [c['event'] for c in calls]


def sse_drain(stream, until, timeout, what):
    """Events (id, event, data dict) of an SSE stream until until(list) is true."""
    got = []
    deadline = time.monotonic() + timeout
    while not until(got):
        left = deadline - time.monotonic()
        ev = stream.next(left) if left > 0 else None
        if ev is None:
            err = f'; the stream ended with {stream.error!r}' if stream.error else ''
            raise Failure(f'{what}: timed out after {timeout} s; events so far: '
                          f'{[(e["event"], e["data"]) for e in got]}{err}')
        try:
            data = json.loads(ev['data'])
        except ValueError:
            raise Failure(f'{what}: an SSE data line is not JSON: {ev}')
        got.append({'id': ev['id'], 'event': ev['event'], 'data': data, 'raw': ev})
    return got


# ---------------------------------------------------------------------------------------------
# The stand-in: a tiny operator-protocol HTTP server between A and B

class StandIn:
    """Listens where A thinks gw-b is. Each POST /operator/v1/messages takes the next action of
    `actions` (default 'pass'); every other request is passed through to the real B.

    pass                forward to B, answer B's answer
    500, 401, 408, 429  answer that status (problem JSON) without forwarding: A must retry
    422                 answer 422 format_not_accepted without forwarding: A must not retry
    slow                forward to B, then answer only after STANDIN_SLOW_S (A has given up)
    corrupt             forward to B, flip one digit in the receipt's signed content, answer that
    unsigned            forward to B, answer its receipt without the ds:Signature
    intruder            forward to B, re-sign the receipt with intruder.pem (not from the trusted CA)
    wrong-id            forward to B, change the receipt's MessageId, re-sign with a trusted signer
    wrong-sha           forward to B, change the receipt's DocumentSha256, re-sign with a trusted signer
    fake-rejected       no forwarding: a receipt `rejected` (BR-CO-15) signed by a trusted signer
    """

    def __init__(self, port, target_port, ctx=None):
        self.port = port
        self.target_port = target_port
        self.ctx = ctx
        self.actions = []
        self.calls = []
        self.lock = threading.Lock()
        self.server = None

    def start(self):
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def _body(self):
                return self.rfile.read(int(self.headers.get('Content-Length') or 0))

            def do_GET(self):
                standin._handle(self, 'GET', b'')

            def do_POST(self):
                standin._handle(self, 'POST', self._body())

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection('127.0.0.1', self.target_port, timeout=30)
        try:
            h = {k: v for k, v in headers.items() if k.lower() in ('authorization', 'content-type', 'accept')}
            conn.request(method, path, body=body or None, headers=h)
            r = conn.getresponse()
            return r.status, r.getheader('Content-Type') or 'application/json', r.read()
        finally:
            conn.close()

    @staticmethod
    def corrupt(answer_body):
        """Flips one digit of the receipt's ReceivedAt (signed content; nothing else changes)."""
        doc = json.loads(answer_body)
        receipt = doc['receipt']
        m = re.search(r'<(?:\w+:)?ReceivedAt>([^<]*)</', receipt)
        if m is None:
            m = re.search(r'<(?:\w+:)?DocumentSha256>([^<]*)</', receipt)
        start, end = m.span(1)
        text = receipt[start:end]
        i = max(j for j, ch in enumerate(text) if ch.isdigit())
        flipped = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:]
        doc['receipt'] = receipt[:start] + flipped + receipt[end:]
        return json.dumps(doc).encode('utf-8')

    @staticmethod
    def strip_signature(receipt):
        out, n = re.subn(r'<(\w+:)?Signature\b[^>]*>[\s\S]*</\1?Signature>', '', receipt, count=1)
        if n != 1:
            raise RuntimeError(f'the stand-in found no signature in the receipt: {receipt[:300]}')
        return out

    def sign(self, xml, signer):
        """XMLDSig (enveloped) with the test PKI's `signer` (eigw sign, a tool here)."""
        tmp = tempfile.mkdtemp(dir=self.ctx.suite.tmp)
        src, dst = os.path.join(tmp, 'in.xml'), os.path.join(tmp, 'out.xml')
        with open(src, 'w', encoding='utf-8') as f:
            f.write(xml)
        r = subprocess.run([self.ctx.suite.eigw, 'sign', '--profile', 'xmldsig',
                            '--key', os.path.join(self.ctx.pki, f'{signer}.key'),
                            '--cert', os.path.join(self.ctx.pki, f'{signer}.pem'), src, '-o', dst],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f'eigw sign failed: {r.stderr}')
        with open(dst, encoding='utf-8') as f:
            return f.read()

    def tamper(self, answer_body, action):
        doc = json.loads(answer_body)
        receipt = self.strip_signature(doc['receipt'])
        if action == 'wrong-id':
            receipt = re.sub(r'(<(?:\w+:)?MessageId>)([^<]*)(</)', lambda m: m.group(1) + m.group(2) + '-other' + m.group(3),
                             receipt, count=1)
        elif action == 'wrong-sha':
            receipt = re.sub(r'(<(?:\w+:)?DocumentSha256>)([^<]*)(</)',
                             lambda m: m.group(1) + hashlib.sha256(b'other').hexdigest() + m.group(3), receipt, count=1)
        if action != 'unsigned':
            receipt = self.sign(receipt, 'intruder' if action == 'intruder' else 'signer-rsa')
        doc['receipt'] = receipt
        return json.dumps(doc).encode('utf-8')

    def fake_rejection(self, request_body):
        req = json.loads(request_body)
        env = req['envelope']
        doc_sha = hashlib.sha256(base64.b64decode(req['document'])).hexdigest()
        receipt = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Receipt xmlns="{RECEIPT_NS}">'
                   f'<MessageId>{env["message_id"]}</MessageId><ReceiverOperator>gw-b</ReceiverOperator>'
                   f'<SenderOperator>{env["path"][-1]}</SenderOperator><Recipient>{env["receiver"]}</Recipient>'
                   f'<DocumentSha256>{doc_sha}</DocumentSha256><Disposition>rejected</Disposition>'
                   f'<ReceivedAt>{now_rfc3339()}</ReceivedAt>'
                   f'<Finding rule="BR-CO-15" severity="fatal" location="/Invoice">stand-in: totals do not add up</Finding>'
                   f'</Receipt>')
        finding = {'rule': 'BR-CO-15', 'severity': 'fatal', 'location': '/Invoice',
                   'message': 'stand-in: totals do not add up'}
        return json.dumps({'message_id': env['message_id'], 'disposition': 'rejected', 'duplicate': False,
                           'findings': [finding], 'receipt': self.sign(receipt, 'signer-rsa')}).encode('utf-8')

    def _handle(self, handler, method, body):
        action = 'pass'
        message_id = None
        if method == 'POST' and handler.path == '/operator/v1/messages':
            try:
                message_id = json.loads(body)['envelope']['message_id']
            except (ValueError, KeyError, TypeError):
                pass
            with self.lock:
                if self.actions:
                    action = self.actions.pop(0)
        call = {'action': action, 'path': handler.path, 'message_id': message_id, 'at': time.time()}
        with self.lock:
            self.calls.append(call)
        if action in ('500', '401', '408', '429', '422'):
            status = int(action)
            code = {500: 'internal_error', 401: 'unauthorized', 408: 'timeout', 429: 'too_many_requests',
                    422: 'format_not_accepted'}[status]
            ctype, payload = 'application/problem+json', json.dumps(
                {'type': f'https://eigw.dev/problems/{code}', 'title': f'stand-in {action}', 'status': status,
                 'code': code, 'detail': f'the stand-in answers {action}'}).encode()
        elif action == 'fake-rejected':
            status, ctype = 200, 'application/json'
            try:
                payload = self.fake_rejection(body)
            except Exception as e:  # noqa: BLE001
                call['standin_error'] = repr(e)
                payload = b'{}'
        else:
            try:
                status, ctype, payload = self._forward(method, handler.path, dict(handler.headers.items()), body)
            except OSError as e:
                call['error'] = str(e)
                status, ctype, payload = 502, 'application/problem+json', json.dumps(
                    {'title': f'stand-in: B unreachable: {e}', 'status': 502, 'code': 'unavailable'}).encode()
            call['b_status'] = status
            call['b_answer'] = payload
            try:
                if action == 'corrupt' and status == 200:
                    payload = self.corrupt(payload)
                elif action in ('unsigned', 'intruder', 'wrong-id', 'wrong-sha') and status == 200:
                    payload = self.tamper(payload, action)
            except Exception as e:  # noqa: BLE001  a bug of the stand-in: the check reports it
                call['standin_error'] = repr(e)
            if action == 'slow':
                time.sleep(STANDIN_SLOW_S)
        call['sent'] = payload
        try:
            handler.send_response(status)
            handler.send_header('Content-Type', ctype)
            handler.send_header('Content-Length', str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            call['client_gone'] = True

    def message_calls(self, message_id):
        with self.lock:
            calls = [c for c in self.calls if c['message_id'] == message_id]
        errors = [c['standin_error'] for c in calls if 'standin_error' in c]
        if errors:
            raise Failure(f'the stand-in itself failed (a bug of the check): {errors}')
        return calls


# ---------------------------------------------------------------------------------------------
# Checks shared by the groups

def check_inbox_item(item, want, what):
    for k in INBOX_ITEM_KEYS:
        check(k in item, f'{what}: the inbox item has no {k!r}: {item}')
    check(isinstance(item['id'], str) and item['id'].startswith('inb_'), f'{what}: id is not inb_...: {item["id"]!r}')
    for k, v in want.items():
        check_eq(item.get(k), v, f'{what}: inbox item {k}')
    check(TIMESTAMP_RE.match(item.get('received_at') or ''), f'{what}: received_at {item.get("received_at")!r}')
    check_eq(item['document_href'], f'/v1/inbox/{item["id"]}/document', f'{what}: document_href')


def check_receipt(ctx, xml, *, message_id, receiver_op, sender_op, recipient, sha, disposition, what):
    rc = parse_receipt(xml, what)
    check_eq(rc.get('MessageId'), message_id, f'{what}: receipt MessageId')
    check_eq(rc.get('ReceiverOperator'), receiver_op, f'{what}: receipt ReceiverOperator')
    check_eq(rc.get('SenderOperator'), sender_op, f'{what}: receipt SenderOperator')
    check_eq(rc.get('Recipient'), recipient, f'{what}: receipt Recipient')
    check_eq(rc.get('DocumentSha256'), sha, f'{what}: receipt DocumentSha256 (sha256 of the document sent)')
    check_eq(rc.get('Disposition'), disposition, f'{what}: receipt Disposition')
    check(TIMESTAMP_RE.match(rc.get('ReceivedAt') or '') or re.match(r'^\d{4}-\d\d-\d\dT', rc.get('ReceivedAt') or ''),
          f'{what}: receipt ReceivedAt {rc.get("ReceivedAt")!r}')
    check(rc['_signed'], f'{what}: the receipt has no ds:Signature (the gateway has [node] signing_key): {xml[:400]}')
    check(rc['_x509'], f'{what}: the receipt\'s signature has no ds:X509Certificate')
    ok, out = ctx.xmlsec.verify(xml, os.path.join(ctx.pki, 'ca.pem'))
    if ok is not None:
        check(ok, f'{what}: xmlsec1 --verify --trusted-pem ca.pem refuses the receipt: {out[-800:]}')
        bad, out2 = ctx.xmlsec.verify(xml, os.path.join(ctx.pki, 'intruder.pem'))
        check(not bad, f'{what}: xmlsec1 verifies the receipt even with only intruder.pem trusted: {out2[-300:]}')
    return rc


# =============================================================================================
# Group "flow": A -> B, A -> B -> C, A -> B -> A, unknown recipient

def run_flow(ctx):
    buyer_b, buyer_c, loop_x, unknown = gln(101), gln(102), gln(103), gln(104)
    net = Net(ctx, 'flow', ['gw-a', 'gw-b', 'gw-c'])
    A = net.node('gw-a', 'signer-rsa', {'gw-b': {'roaming': 'true'}},
                 {buyer_b: 'gw-b', buyer_c: 'gw-b', loop_x: 'gw-b', unknown: 'gw-b'})
    B = net.node('gw-b', 'signer-ec', {'gw-a': {'roaming': 'true'}, 'gw-c': {'roaming': 'true'}},
                 {buyer_c: 'gw-c', loop_x: 'gw-a'})
    C = net.node('gw-c', 'signer-rsa', {'gw-b': {}}, {})
    step('flow: tenants (eigw tenants add / keys create / identifiers add / set --inbox-format ubl)')
    _, key_a = A.add_tenant('seller-a')
    _, key_b = add_recipient_tenant(B, 'buyer-b', [f'0088:{buyer_b}'])
    _, key_b2 = B.add_tenant('other-b')
    _, key_c = add_recipient_tenant(C, 'buyer-c', [f'0088:{buyer_c}'])
    for g in (A, B, C):
        g.start()
    a, b, b2, c = net.erp('gw-a', key_a), net.erp('gw-b', key_b), net.erp('gw-b', key_b2), net.erp('gw-c', key_c)
    hooks = WebhookReceiver()
    ctx.cleanups.append(hooks.close)
    register_webhook(a, hooks, '/a', 'A\'s ERP')
    register_webhook(b, hooks, '/b', 'B\'s ERP')
    sse_a = SseStream(a)
    ctx.cleanups.append(sse_a.close)
    sse_b = SseStream(b)
    ctx.cleanups.append(sse_b.close)
    time.sleep(0.3)
    st = {}

    def direct():
        step('flow: A\'s ERP submits for B\'s recipient; A delivers to gw-b with a signed receipt')
        d, _ = a.submit_ok(ctx.inv.json('RT-1', buyer_b), 'rt-1')
        inv_id = st['id1'] = d['id']
        inv = a.wait_status(inv_id, ('delivered', 'failed', 'rejected', 'accepted', 'paid'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{inv_id} status (failure {inv.get("failure")})')
        route = inv.get('route') or {}
        check_eq((route.get('operator'), route.get('protocol'), route.get('format'), route.get('recipient')),
                 ('gw-b', 'gateway', 'ubl', f'0088:{buyer_b}'), f'{inv_id}: route operator/protocol/format/recipient')
        if not route.get('reason'):
            note(f'the route has no "reason" (not in docs/api.md; the brief asked for one): {route}')
        attempts = inv.get('attempts') or []
        check_eq([x.get('outcome') for x in attempts], ['delivered'], f'{inv_id}: attempts outcomes')
        kinds = {x['kind']: x for x in inv.get('documents', [])}
        check({'original', 'produced', 'receipt'} <= set(kinds),
              f'{inv_id}: documents should include original, produced, receipt; got {sorted(kinds)}')
        produced = get_document(a, inv_id, 'produced').body
        st['produced1'] = produced
        check_eq(sha256_hex(produced), kinds['produced']['sha256'], f'{inv_id}: produced sha256 in the list')
        receipt = get_document(a, inv_id, 'receipt')
        check(receipt.content_type in ('application/xml', 'text/xml'),
              f'{inv_id}: the receipt\'s media type {receipt.content_type!r}')
        check_receipt(ctx, receipt.body, message_id=inv_id, receiver_op='gw-b', sender_op='gw-a',
                      recipient=f'0088:{buyer_b}', sha=sha256_hex(produced), disposition='received',
                      what=f'{inv_id}: receipt')

        step('flow: B\'s inbox has it (available, message_id = A\'s invoice id, from gw-a); other tenants do not')
        items = wait_inbox_item(b, inv_id, 'B\'s ERP')
        check_eq(len(items), 1, f'B\'s inbox items with message_id {inv_id}')
        item = items[0]
        st['item1'] = item
        check_inbox_item(item, {'message_id': inv_id, 'state': 'available', 'from_operator': 'gw-a',
                                'sender': ctx.inv.seller_endpoint, 'recipient': f'0088:{buyer_b}',
                                'document_type': 'invoice', 'invoice_number': 'RT-1', 'currency': 'EUR',
                                'payable_amount': inv.get('payable_amount'), 'seller_name': ctx.inv.seller_name,
                                'acknowledged_at': None, 'findings': [], 'responses': []}, 'B\'s inbox item')
        iid = item['id']
        r = b.get(f'/v1/inbox/{iid}')
        expect_status(r, 200, f'GET /v1/inbox/{iid}')
        check_eq(r.json(), item, f'GET /v1/inbox/{iid} against the list item')
        check_eq([x['id'] for x in inbox_items(b, 'available') if x['message_id'] == inv_id], [iid],
                 'GET /v1/inbox?state=available')
        check_eq([x for x in inbox_items(b, 'acknowledged') if x['message_id'] == inv_id], [],
                 'GET /v1/inbox?state=acknowledged before the ack')
        check_eq(inbox_items(b2, what='other-b'), [], 'another tenant of B: GET /v1/inbox')
        expect_problem(b2.get(f'/v1/inbox/{iid}'), 404, 'not_found', f'another tenant: GET /v1/inbox/{iid}')
        check_eq(inbox_items(a, what='A'), [], 'A\'s tenant inbox')
        expect_problem(b.get('/v1/inbox?state=bogus'), 400, 'invalid_parameter', 'GET /v1/inbox?state=bogus')

        step('flow: B\'s document in the tenant\'s inbox format (UBL Invoice), Digest and ETag; ?format=original '
             'is the bytes A sent')
        r = b.get(f'/v1/inbox/{iid}/document')
        expect_status(r, 200, f'GET /v1/inbox/{iid}/document')
        root, ns, ident = parse_ubl(r.body, 'the inbox document')
        check_eq((root, ns, ident), ('Invoice', UBL_INVOICE_NS, 'RT-1'), 'the inbox document (UBL root, ns, cbc:ID)')
        soft_eq(r.header('ETag'), f'"{sha256_hex(r.body)}"', 'the inbox document ETag')
        soft_eq(r.header('Digest'), 'sha-256=' + base64.b64encode(hashlib.sha256(r.body).digest()).decode(),
                'the inbox document Digest (docs/api.md: "with Digest and ETag as for invoice documents")')
        r = b.get(f'/v1/inbox/{iid}/document?format=original')
        expect_status(r, 200, f'GET /v1/inbox/{iid}/document?format=original')
        check(r.body == produced, f'?format=original: not the bytes A produced and sent '
              f'({len(r.body)} bytes, sha256 {sha256_hex(r.body)} against {sha256_hex(produced)})')
        r = b.get(f'/v1/inbox/{iid}/document?format=json')
        if soft(r.status == 200, f'GET /v1/inbox/{iid}/document?format=json: expected 200, got {r.describe()}'):
            soft_eq(r.json().get('number'), 'RT-1', '?format=json: number')
        r = b.get(f'/v1/inbox/{iid}/document?format=cii')
        if soft(r.status == 200, f'GET /v1/inbox/{iid}/document?format=cii: expected 200, got {r.describe()}'):
            soft(b'CrossIndustryInvoice' in r.body[:400], f'?format=cii: not a CII document: {r.body[:200]!r}')
        expect_problem(b.get(f'/v1/inbox/{iid}/document?format=bogus'), 400, 'invalid_parameter',
                       'GET /v1/inbox/{id}/document?format=bogus')

        step('flow: B\'s webhook and SSE got the inbox event (status received, inbox_id)')
        evs = wait_for(lambda: [e for e in webhook_events(hooks, '/b') if e and e.get('inbox_id') == iid], 15,
                       'B\'s webhook event for the inbox item')
        check_eq(evs[0].get('status'), 'received', 'B\'s webhook event status')
        check(isinstance(evs[0].get('seq'), int) and TIMESTAMP_RE.match(evs[0].get('at') or ''),
              f'B\'s webhook event seq/at: {evs[0]}')
        got = sse_drain(sse_b, lambda g: any(e['data'].get('inbox_id') == iid for e in g), 10, 'B\'s SSE stream')
        ev = [e for e in got if e['data'].get('inbox_id') == iid][0]
        check_eq(ev['event'], 'inbox.status', 'B\'s SSE event name')
        check_eq(ev['data'].get('status'), 'received', 'B\'s SSE event status')
        check_eq(ev['id'], str(ev['data'].get('seq')), 'B\'s SSE id line against seq')

        step('flow: B acknowledges (twice; the second changes nothing); A gets delivered (AB) once')
        r = b.request('POST', f'/v1/inbox/{iid}/ack')
        expect_status(r, 200, f'POST /v1/inbox/{iid}/ack')
        acked = r.json()
        check_eq(acked.get('state'), 'acknowledged', 'ack: state')
        check(TIMESTAMP_RE.match(acked.get('acknowledged_at') or ''), f'ack: acknowledged_at {acked.get("acknowledged_at")!r}')
        r = b.request('POST', f'/v1/inbox/{iid}/ack')
        expect_status(r, 200, f'POST /v1/inbox/{iid}/ack again')
        check_eq(r.json().get('acknowledged_at'), acked['acknowledged_at'], 'the second ack: acknowledged_at')
        inv = wait_invoice(a, inv_id, lambda i: statuses(i).count('delivered') >= 2, 15,
                           f'A\'s {inv_id}: a second delivered event (AB) after the ack')
        ab = [e for e in inv['events'] if e['status'] == 'delivered'][1]
        check('AB' in (ab.get('detail') or ''), f'the AB event\'s detail should say AB: {ab}')
        expect_problem(b2.request('POST', f'/v1/inbox/{iid}/ack'), 404, 'not_found', 'another tenant acks')

        step('flow: B responds accepted (twice: the same answer, nothing sent again), then paid (by code PD)')
        r = b.post_json(f'/v1/inbox/{iid}/response', {'status': 'accepted', 'reason': ''})
        expect_status(r, 202, f'POST /v1/inbox/{iid}/response accepted')
        acc = r.json()
        check_eq((acc.get('inbox_id'), acc.get('status'), acc.get('code'), acc.get('reason')),
                 (iid, 'accepted', 'AP', ''), 'the response answer')
        check(TIMESTAMP_RE.match(acc.get('at') or ''), f'the response answer: at {acc.get("at")!r}')
        r = b.post_json(f'/v1/inbox/{iid}/response', {'status': 'accepted', 'reason': ''})
        check(r.status in (200, 202), f'the same response again: expected 200/202, got {r.describe()}')
        check_eq(r.json(), acc, 'the same response again: the first answer')
        expect_problem(b.post_json(f'/v1/inbox/{iid}/response', {'status': 'rejected'}), 400, 'invalid_parameter',
                       'response rejected without a reason')
        expect_problem(b.post_json(f'/v1/inbox/{iid}/response', {'status': 'delighted'}), 400, 'invalid_parameter',
                       'response with an unknown status')
        a.wait_status(inv_id, 'accepted', timeout=15, what=f'A\'s {inv_id} to become accepted')
        r = b.post_json(f'/v1/inbox/{iid}/response', {'code': 'PD'})
        expect_status(r, 202, f'POST /v1/inbox/{iid}/response PD')
        check_eq((r.json().get('status'), r.json().get('code')), ('paid', 'PD'), 'the PD response answer')
        inv = a.wait_status(inv_id, 'paid', timeout=15, what=f'A\'s {inv_id} to become paid')
        time.sleep(0.5)
        inv = a.invoice(inv_id)
        check_eq(inv['status'], 'paid', f'{inv_id} final status')
        sts = statuses(inv)
        check_eq(sts, ['received', 'validated', 'queued', 'sending', 'delivered', 'delivered', 'accepted', 'paid'],
                 f'A\'s {inv_id} events')
        check_eq(inv.get('failure'), None, f'{inv_id} failure')
        r = b.get(f'/v1/inbox/{iid}')
        item = r.json()
        check_eq(item.get('state'), 'acknowledged', 'B\'s item state after responses')
        check_eq([(x.get('status'), x.get('code')) for x in item.get('responses', [])],
                 [('accepted', 'AP'), ('paid', 'PD')], 'B\'s item responses')

        step('flow: A\'s ERP saw it all by SSE and by webhook (signatures checked)')
        got = sse_drain(sse_a, lambda g: any(e['data'].get('invoice_id') == inv_id and e['data'].get('status') == 'paid'
                                            for e in g), 10, 'A\'s SSE stream')
        mine = [parse_sse_event(e['raw'], 'A\'s SSE') for e in got if e['data'].get('invoice_id') == inv_id]
        check_eq([e['status'] for e in mine], sts, 'A\'s SSE events of the invoice')
        check_eq([e['seq'] for e in mine], [e['seq'] for e in inv['events']], 'A\'s SSE seqs against the stored events')
        wh = wait_for(lambda: (lambda evs: evs if 'paid' in [e['status'] for e in evs] else None)(
            [e for e in webhook_events(hooks, '/a') if e and e.get('invoice_id') == inv_id]), 15,
            'A\'s webhook: the paid event')
        check_eq(sorted(set((e['seq'], e['status']) for e in wh)),
                 sorted((e['seq'], e['status']) for e in inv['events']), 'A\'s webhook events (by seq)')

    def roaming():
        step('flow: roaming: A routes C\'s recipient to gw-b, B forwards to gw-c (B\'s [operator.gw-a] roaming = true)')
        d, _ = a.submit_ok(ctx.inv.json('RT-2', buyer_c), 'rt-2')
        inv_id = d['id']
        inv = a.wait_status(inv_id, ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{inv_id} status (failure {inv.get("failure")})')
        check_eq((inv.get('route') or {}).get('operator'), 'gw-b', f'{inv_id}: route operator')
        produced = get_document(a, inv_id, 'produced').body
        check_receipt(ctx, get_document(a, inv_id, 'receipt').body, message_id=inv_id, receiver_op='gw-b',
                      sender_op='gw-a', recipient=f'0088:{buyer_c}', sha=sha256_hex(produced),
                      disposition='forwarded', what=f'{inv_id}: B\'s receipt')
        step('flow: roaming: C\'s tenant has it from gw-b with the same message id; C accepts; A sees accepted')
        items = wait_inbox_item(c, inv_id, 'C\'s ERP', timeout=30)
        check_eq(len(items), 1, f'C\'s inbox items with message_id {inv_id}')
        item = items[0]
        check_inbox_item(item, {'message_id': inv_id, 'state': 'available', 'from_operator': 'gw-b',
                                'recipient': f'0088:{buyer_c}', 'sender': ctx.inv.seller_endpoint,
                                'invoice_number': 'RT-2'}, 'C\'s inbox item')
        if 'path' in item:
            check_eq(item['path'], ['gw-a', 'gw-b'], 'C\'s inbox item path')
        r = c.get(f'/v1/inbox/{item["id"]}/document?format=original')
        expect_status(r, 200, 'C: the original document')
        check(r.body == produced, 'C: the original document is not the bytes A produced')
        expect_status(c.request('POST', f'/v1/inbox/{item["id"]}/ack'), 200, 'C acknowledges')
        wait_invoice(a, inv_id, lambda i: statuses(i).count('delivered') >= 2, 20,
                     f'A\'s {inv_id}: the AB of C\'s ack (via gw-b)')
        expect_status(c.post_json(f'/v1/inbox/{item["id"]}/response', {'status': 'accepted'}), 202,
                      'C responds accepted')
        inv = a.wait_status(inv_id, 'accepted', timeout=20, what=f'A\'s {inv_id} to become accepted (via gw-b)')
        check_eq(statuses(inv)[-3:], ['delivered', 'delivered', 'accepted'], f'A\'s {inv_id} last events')
        step('flow: roaming: nothing for it in any tenant inbox of B')
        check_eq(inbox_for(b, inv_id), [], 'B\'s buyer-b inbox')
        check_eq(inbox_for(b2, inv_id), [], 'B\'s other-b inbox')

    def loop():
        step('flow: loop: A routes X to gw-b, B routes X back to gw-a: refused, A ends forwarding_failed')
        d, _ = a.submit_ok(ctx.inv.json('RT-3', loop_x), 'rt-3')
        inv_id = d['id']
        inv = a.wait_status(inv_id, ('rejected', 'failed'), timeout=40,
                            what=f'A\'s {inv_id} to end rejected/failed (loop, via B\'s status callback)')
        fail = inv.get('failure') or {}
        check_eq(fail.get('code'), 'forwarding_failed', f'{inv_id}: failure code ({inv_brief(inv)})')
        check('loop' in (fail.get('reason') or '').lower(), f'{inv_id}: the failure reason should mention the loop: {fail}')
        note(f'{inv_id}: {inv["status"]}, failure {fail}')
        sts = statuses(inv)
        check('delivered' in sts and sts.index('delivered') < len(sts) - 1,
              f'{inv_id}: B took it (delivered) before the rejection came back: {sts}')
        time.sleep(0.5)
        check_eq(inbox_for(a, inv_id), [], 'A\'s inbox (the loop)')
        check_eq(inbox_for(b, inv_id) + inbox_for(b2, inv_id), [], 'B\'s inboxes (the loop)')
        check_eq(inbox_for(c, inv_id), [], 'C\'s inbox (the loop)')

    def unknown_recipient():
        step('flow: unknown recipient: A routes to gw-b, B knows nothing: failed, delivery_refused, recipient_not_found')
        d, _ = a.submit_ok(ctx.inv.json('RT-4', unknown), 'rt-4')
        inv_id = d['id']
        inv = a.wait_status(inv_id, ('failed', 'rejected', 'delivered'), timeout=30)
        check_eq(inv['status'], 'failed', f'{inv_id} status ({inv_brief(inv)})')
        fail = inv.get('failure') or {}
        check_eq(fail.get('code'), 'delivery_refused', f'{inv_id}: failure code')
        check('recipient_not_found' in (fail.get('reason') or ''),
              f'{inv_id}: the reason should name recipient_not_found: {fail}')
        check_eq([x.get('outcome') for x in inv.get('attempts', [])], ['refused'],
                 f'{inv_id}: attempts (refused once, not retried)')

    def recipient_rejects():
        step('flow: B\'s ERP asks (under_query, with the question), then rejects with a reason: A shows '
             'under_query, then rejected with rejected_by_recipient and that reason')
        d, _ = a.submit_ok(ctx.inv.json('RT-5', buyer_b), 'rt-5')
        inv_id = d['id']
        a.wait_status(inv_id, 'delivered', timeout=30)
        item = wait_inbox_item(b, inv_id, 'B\'s ERP')[0]
        expect_problem(b.post_json(f'/v1/inbox/{item["id"]}/response', {'status': 'under_query'}), 400,
                       'invalid_parameter', 'under_query without a reason')
        r = b.post_json(f'/v1/inbox/{item["id"]}/response', {'code': 'UQ', 'reason': 'Which purchase order is this?'})
        expect_status(r, 202, 'response UQ')
        check_eq((r.json().get('status'), r.json().get('code')), ('under_query', 'UQ'), 'the UQ answer')
        inv = a.wait_status(inv_id, 'under_query', timeout=15)
        uq = [e for e in inv['events'] if e['status'] == 'under_query']
        check(len(uq) == 1 and 'Which purchase order is this?' in (uq[0].get('detail') or ''),
              f'A\'s under_query event should carry the question: {uq}')
        r = b.post_json(f'/v1/inbox/{item["id"]}/response', {'status': 'rejected', 'reason': 'Wrong purchase order'})
        expect_status(r, 202, 'response rejected')
        check_eq(r.json().get('code'), 'RE', 'the rejected answer\'s code')
        inv = a.wait_status(inv_id, 'rejected', timeout=15)
        fail = inv.get('failure') or {}
        check_eq(fail.get('code'), 'rejected_by_recipient', f'{inv_id}: failure code')
        check('Wrong purchase order' in (fail.get('reason') or ''), f'{inv_id}: the failure reason: {fail}')
        step('flow: B\'s inbox paged with limit=1, oldest first; state filters')
        pages, cursor = [], None
        for _ in range(10):
            r = b.get('/v1/inbox?limit=1' + (f'&cursor={urlquote(cursor)}' if cursor else ''))
            expect_status(r, 200, 'GET /v1/inbox?limit=1')
            doc = r.json()
            check(len(doc['items']) <= 1, f'limit=1 gave {len(doc["items"])} items')
            pages.extend(x['message_id'] for x in doc['items'])
            cursor = doc.get('next_cursor')
            if not cursor:
                break
        all_items = inbox_items(b)
        check_eq(pages, [x['message_id'] for x in all_items], 'the inbox paged with limit=1 against limit=500')
        check(len(pages) >= 2 and pages.index(inv_id) > pages.index(st['id1']) if 'id1' in st else len(pages) >= 1,
              f'the inbox is oldest first: {pages}')
        check_eq([x['message_id'] for x in inbox_items(b, 'available')], [inv_id],
                 'GET /v1/inbox?state=available (RT-1 is acknowledged)')
        expect_problem(b.get('/v1/inbox?limit=501'), 400, 'invalid_parameter', 'GET /v1/inbox?limit=501')

    ctx.run_scenarios('flow', [('direct delivery, inbox, responses', direct), ('roaming A -> B -> C', roaming),
                               ('under_query and rejected by the recipient', recipient_rejects),
                               ('loop A -> B -> A', loop), ('unknown recipient', unknown_recipient)])


# =============================================================================================
# Group "faults": B down, 500, timeout, corrupted receipt, duplicates, invalid document

def run_faults(ctx):
    buyer_b = gln(201)
    net = Net(ctx, 'faults', ['gw-a', 'gw-b'])
    standin_port = free_port()
    A = net.node('gw-a', 'signer-rsa',
                 {'gw-b': {'timeout_ms': str(OPERATOR_TIMEOUT_MS), 'connect_timeout_ms': '500'}},
                 {buyer_b: 'gw-b'}, url_override={'gw-b': f'http://127.0.0.1:{standin_port}'},
                 outbox={'max_attempts': '20'})
    B = net.node('gw-b', 'signer-ec', {'gw-a': {}}, {})
    _, key_a = A.add_tenant('seller-a')
    _, key_b = add_recipient_tenant(B, 'buyer-b', [f'0088:{buyer_b}'])
    a, b = net.erp('gw-a', key_a), net.erp('gw-b', key_b)
    standin = StandIn(standin_port, net.ports['gw-b'], ctx)
    ctx.cleanups.append(standin.stop)
    hooks = WebhookReceiver()
    ctx.cleanups.append(hooks.close)
    st = {}

    def ensure_up():
        """After B down (or when it failed half-way): A, B and the stand-in run, B's webhook is registered."""
        if not A.running():
            A.start()
        if not B.running():
            B.start()
        if 'hook' not in st:
            st['hook'] = register_webhook(b, hooks, '/b', 'B\'s ERP')
        if standin.server is None:
            standin.start()
        if 'produced1' not in st:
            d, _ = a.submit_ok(ctx.inv.json('RT-F1', buyer_b), 'rt-f1')
            a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
            st['produced1'] = get_document(a, d['id'], 'produced').body

    def one_item(inv_id, what):
        items = wait_inbox_item(b, inv_id, what)
        time.sleep(0.5)
        items = inbox_for(b, inv_id)
        check_eq(len(items), 1, f'{what}: B\'s inbox items with message_id {inv_id}')
        return items[0]

    def b_down():
        step('faults: B is down (nothing listens where A sends): A\'s invoice goes failed_retrying')
        A.start()
        d, _ = a.submit_ok(ctx.inv.json('RT-F1', buyer_b), 'rt-f1')
        inv_id = st['f1'] = d['id']
        wait_invoice(a, inv_id, lambda i: 'failed_retrying' in statuses(i), 20, f'{inv_id} to go failed_retrying')
        inv = a.invoice(inv_id)
        check(inv['status'] in ('failed_retrying', 'sending'), f'{inv_id} while B is down: {inv_brief(inv)}')
        check(all(x.get('outcome') == 'failed' for x in inv.get('attempts', [])),
              f'{inv_id}: attempts while B is down should all be failed: {inv.get("attempts")}')
        step('faults: B starts: A delivers exactly once')
        B.start()
        st['hook'] = register_webhook(b, hooks, '/b', 'B\'s ERP')
        standin.start()
        inv = a.wait_status(inv_id, ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{inv_id} status')
        outcomes = [x.get('outcome') for x in inv['attempts']]
        check(outcomes.count('delivered') == 1 and outcomes[-1] == 'delivered' and len(outcomes) >= 2,
              f'{inv_id}: attempts should be failed..., delivered: {outcomes}')
        one_item(inv_id, 'B down')
        st['produced1'] = get_document(a, inv_id, 'produced').body

    def answers_500():
        ensure_up()
        step('faults: the stand-in answers 500, 500, 401, 408, 429, then passes: A retries each and delivers once')
        standin.actions[:] = ['500', '500', '401', '408', '429']
        d, _ = a.submit_ok(ctx.inv.json('RT-F2', buyer_b), 'rt-f2')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{d["id"]} status ({inv_brief(inv)})')
        check_eq([x.get('outcome') for x in inv['attempts']], ['failed'] * 5 + ['delivered'], f'{d["id"]}: attempts')
        check_eq([c['action'] for c in standin.message_calls(d['id'])], ['500', '500', '401', '408', '429', 'pass'],
                 'the stand-in\'s calls for the message')
        one_item(d['id'], '500s')

    def permanent_refusals():
        ensure_up()
        step('faults: the stand-in answers 422 format_not_accepted: permanent, A fails delivery_refused after one attempt')
        standin.actions[:] = ['422']
        d, _ = a.submit_ok(ctx.inv.json('RT-F6', buyer_b), 'rt-f6')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'failed', f'{d["id"]} status ({inv_brief(inv)})')
        check_eq((inv.get('failure') or {}).get('code'), 'delivery_refused', f'{d["id"]}: failure code')
        soft('format_not_accepted' in (inv.get('failure') or {}).get('reason', ''),
             f'{d["id"]}: the reason should carry the operator\'s code format_not_accepted: {inv.get("failure")}')
        check_eq([x.get('outcome') for x in inv['attempts']], ['refused'], f'{d["id"]}: attempts')
        check_eq([c['action'] for c in standin.message_calls(d['id'])], ['422'], 'the stand-in\'s calls (no retry)')
        step('faults: a signed receipt with disposition rejected (BR-CO-15): permanent, A fails delivery_refused')
        standin.actions[:] = ['fake-rejected']
        d, _ = a.submit_ok(ctx.inv.json('RT-F7', buyer_b), 'rt-f7')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        calls = standin.message_calls(d['id'])
        check_eq(inv['status'], 'failed', f'{d["id"]} status ({inv_brief(inv)})')
        check_eq((inv.get('failure') or {}).get('code'), 'delivery_refused', f'{d["id"]}: failure code')
        soft('BR-CO-15' in json.dumps(inv.get('failure')) + json.dumps(inv.get('findings')) +
             json.dumps(inv.get('attempts')),
             f'{d["id"]}: the operator\'s finding BR-CO-15 should be visible (failure, findings or attempt): '
             f'{inv_brief(inv)}')
        check_eq([x.get('outcome') for x in inv['attempts']], ['refused'], f'{d["id"]}: attempts')
        check_eq([c['action'] for c in calls], ['fake-rejected'], 'the stand-in\'s calls (no retry)')
        time.sleep(0.3)
        check_eq(inbox_for(b, d['id']), [], 'B\'s inbox (the stand-in never forwarded it)')

    def bad_receipts():
        ensure_up()
        step('faults: receipts that must not count: unsigned, signed by the intruder (not from the trusted CA), '
             'a wrong MessageId and a wrong DocumentSha256 (both signed by a trusted signer): four retries, then '
             'B\'s real receipt is archived')
        standin.actions[:] = ['unsigned', 'intruder', 'wrong-id', 'wrong-sha']
        d, _ = a.submit_ok(ctx.inv.json('RT-F5', buyer_b), 'rt-f5')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=40)
        calls = standin.message_calls(d['id'])
        check_eq([c['action'] for c in calls], ['unsigned', 'intruder', 'wrong-id', 'wrong-sha', 'pass'],
                 'the stand-in\'s calls for the message (A should retry after each bad receipt)')
        check_eq(inv['status'], 'delivered', f'{d["id"]} status')
        check_eq([x.get('outcome') for x in inv['attempts']], ['failed'] * 4 + ['delivered'], f'{d["id"]}: attempts')
        real = json.loads(calls[0]['b_answer'])['receipt']
        check_eq(get_document(a, d['id'], 'receipt').body.decode('utf-8'), real, 'the receipt A archived')
        for c in calls[2:4]:
            ok, out = ctx.xmlsec.verify(json.loads(c['sent'])['receipt'], os.path.join(ctx.pki, 'ca.pem'))
            check(ok is not False, f'the {c["action"]} receipt should verify (only its content is wrong): {out[-300:]}')
        one_item(d['id'], 'bad receipts')

    def timeout():
        ensure_up()
        step(f'faults: the stand-in passes to B but answers after {STANDIN_SLOW_S} s (A\'s timeout_ms '
             f'{OPERATOR_TIMEOUT_MS}): A retries; B answers duplicate with the first receipt; one inbox item')
        standin.actions[:] = ['slow']
        d, _ = a.submit_ok(ctx.inv.json('RT-F3', buyer_b), 'rt-f3')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{d["id"]} status')
        check_eq([x.get('outcome') for x in inv['attempts']], ['failed', 'delivered'], f'{d["id"]}: attempts')
        calls = standin.message_calls(d['id'])
        check_eq([c['action'] for c in calls], ['slow', 'pass'], 'the stand-in\'s calls for the message')
        first, second = (json.loads(c['b_answer']) for c in calls)
        check_eq((first.get('duplicate'), second.get('duplicate')), (False, True), 'B\'s duplicate flags')
        check_eq(second.get('receipt'), first.get('receipt'), 'B\'s receipt on the retry (the first answer again)')
        archived = get_document(a, d['id'], 'receipt').body.decode('utf-8')
        check_eq(archived, first.get('receipt'), 'the receipt A archived')
        one_item(d['id'], 'timeout')

    def corrupted_receipt():
        ensure_up()
        step('faults: the stand-in flips a digit in the receipt\'s ReceivedAt: A must not record delivered '
             'from it; it retries and archives B\'s real receipt')
        standin.actions[:] = ['corrupt']
        d, _ = a.submit_ok(ctx.inv.json('RT-F4', buyer_b), 'rt-f4')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{d["id"]} status')
        calls = standin.message_calls(d['id'])
        check_eq([c['action'] for c in calls], ['corrupt', 'pass'],
                 'the stand-in\'s calls for the message (A should retry after the corrupted receipt)')
        check_eq([x.get('outcome') for x in inv['attempts']], ['failed', 'delivered'], f'{d["id"]}: attempts')
        sts = statuses(inv)
        check(sts.count('delivered') == 1 and 'failed_retrying' in sts[:sts.index('delivered')],
              f'{d["id"]}: events should be ... failed_retrying ... delivered once: {sts}')
        real = json.loads(calls[0]['b_answer'])['receipt']
        bad = json.loads(calls[0]['sent'])['receipt']
        check(real != bad, 'the stand-in did not change the receipt')
        archived = get_document(a, d['id'], 'receipt').body.decode('utf-8')
        check_eq(archived, real, 'the receipt A archived (B\'s real one, not the corrupted one)')
        ok, _ = ctx.xmlsec.verify(bad, os.path.join(ctx.pki, 'ca.pem'))
        check(ok is not True, 'xmlsec1 verifies the corrupted receipt: the corruption is not in signed content')
        one_item(d['id'], 'corrupted receipt')

    def duplicates():
        ensure_up()
        step('faults: the same envelope and document twice to B with A\'s token: duplicate true, same receipt, one item')
        doc = st['produced1']
        mid = 'dup-' + secrets.token_hex(6)
        op = net.op_client('gw-a', 'gw-b')
        body = envelope(mid, f'0088:{buyer_b}', doc, ['gw-a'])
        r1 = op.post_json('/operator/v1/messages', body)
        expect_status(r1, 200, 'POST /operator/v1/messages (first)')
        j1 = r1.json()
        check_eq((j1.get('message_id'), j1.get('disposition'), j1.get('duplicate'), j1.get('findings')),
                 (mid, 'received', False, []), 'the first answer')
        check_receipt(ctx, j1.get('receipt') or '', message_id=mid, receiver_op='gw-b', sender_op='gw-a',
                      recipient=f'0088:{buyer_b}', sha=sha256_hex(doc), disposition='received', what='the first receipt')
        r2 = op.post_json('/operator/v1/messages', body)
        expect_status(r2, 200, 'POST /operator/v1/messages (the same again)')
        j2 = r2.json()
        check_eq((j2.get('message_id'), j2.get('disposition'), j2.get('duplicate')), (mid, 'received', True),
                 'the second answer')
        check_eq(j2.get('receipt'), j1.get('receipt'), 'the second answer\'s receipt')
        one_item(mid, 'duplicate delivery')
        step('faults: the same message id with another document: 409 message_id_conflict; still one item')
        doc2 = doc.replace(b'>RT-F1<', b'>RT-F1-OTHER<', 1)
        check(doc2 != doc, 'could not change the invoice number in the produced UBL')
        expect_problem(op.post_json('/operator/v1/messages', envelope(mid, f'0088:{buyer_b}', doc2, ['gw-a'])),
                       409, 'message_id_conflict', 'the same message id with another document')
        check_eq(len(inbox_for(b, mid)), 1, 'B\'s inbox items after the conflict')
        step('faults: B restarts: the same envelope again is still a duplicate with the first receipt')
        B.stop()
        B.start()
        r3 = op.post_json('/operator/v1/messages', body)
        expect_status(r3, 200, 'POST /operator/v1/messages after B restarted')
        check_eq((r3.json().get('duplicate'), r3.json().get('receipt')), (True, j1.get('receipt')),
                 'after the restart: duplicate and the first receipt')
        check_eq(len(inbox_for(b, mid)), 1, 'B\'s inbox items after the restart')

    def invalid_document():
        ensure_up()
        step('faults: an invalid UBL (PayableAmount changed) to B: 200 rejected with BR-CO-16, kept as rejected')
        doc = st['produced1']
        m = re.search(rb'(<cbc:PayableAmount currencyID="EUR">)([0-9.]+)(</cbc:PayableAmount>)', doc)
        check(m is not None, 'no cbc:PayableAmount in the produced UBL')
        wrong = f'{float(m.group(2)) + 10:.2f}'.encode()
        bad_doc = doc[:m.start(2)] + wrong + doc[m.end(2):]
        mid = 'bad-' + secrets.token_hex(6)
        op = net.op_client('gw-a', 'gw-b')
        r = op.post_json('/operator/v1/messages', envelope(mid, f'0088:{buyer_b}', bad_doc, ['gw-a']))
        expect_status(r, 200, 'POST /operator/v1/messages with an invalid UBL')
        j = r.json()
        check_eq((j.get('disposition'), j.get('duplicate')), ('rejected', False), 'the answer to an invalid document')
        rules = [f.get('rule') for f in j.get('findings') or []]
        check('BR-CO-16' in rules, f'the findings should name BR-CO-16 (amount due): {j.get("findings")}')
        rc = check_receipt(ctx, j.get('receipt') or '', message_id=mid, receiver_op='gw-b', sender_op='gw-a',
                           recipient=f'0088:{buyer_b}', sha=sha256_hex(bad_doc), disposition='rejected',
                           what='the rejection receipt')
        check('BR-CO-16' in [f.get('rule') for f in rc['_findings']], f'the receipt\'s Finding elements: {rc["_findings"]}')
        items = one_item(mid, 'invalid document')
        check_eq(items['state'], 'rejected', 'the invalid document\'s inbox state')
        check('BR-CO-16' in [f.get('rule') for f in items.get('findings') or []],
              f'the inbox item\'s findings: {items.get("findings")}')
        check_eq([x for x in inbox_items(b, 'available') if x['message_id'] == mid], [],
                 'GET /v1/inbox?state=available must not show the invalid document')
        check_eq([x['id'] for x in inbox_items(b, 'rejected') if x['message_id'] == mid], [items['id']],
                 'GET /v1/inbox?state=rejected')
        r = b.get(f'/v1/inbox/{items["id"]}/document?format=original')
        expect_status(r, 200, 'the rejected document as original')
        check(r.body == bad_doc, 'the rejected document is not the bytes sent')
        expect_problem(b.post_json(f'/v1/inbox/{items["id"]}/response', {'status': 'accepted'}), 409, 'conflict',
                       'a response to a rejected inbox item')
        evs = wait_for(lambda: [e for e in webhook_events(hooks, '/b') if e and e.get('inbox_id') == items['id']], 15,
                       'B\'s webhook event for the rejected item')
        check_eq([e.get('status') for e in evs][:1], ['rejected'], 'B\'s webhook event for the rejected item')
        r = op.post_json('/operator/v1/messages', envelope(mid, f'0088:{buyer_b}', bad_doc, ['gw-a']))
        expect_status(r, 200, 'the invalid document again')
        check_eq((r.json().get('disposition'), r.json().get('duplicate'), r.json().get('receipt')),
                 ('rejected', True, j.get('receipt')), 'the invalid document again: the first answer')

    ctx.run_scenarios('faults', [('B down', b_down), ('500/401/408/429 answers', answers_500), ('timeout', timeout),
                                 ('corrupted receipt', corrupted_receipt), ('bad receipts', bad_receipts),
                                 ('permanent refusals', permanent_refusals), ('duplicate delivery', duplicates),
                                 ('invalid document', invalid_document)])


# =============================================================================================
# Group "protocol": authentication, envelope checks, receivers, check, statuses

def run_protocol(ctx):
    buyer_b, buyer_c, routed_at_c = gln(301), gln(302), gln(303)
    net = Net(ctx, 'protocol', ['gw-a', 'gw-b', 'gw-c'])
    # B requires signed documents from A (sign = xades-bes): A signs with its node key, B verifies.
    A = net.node('gw-a', 'signer-rsa', {'gw-b': {'sign': 'xades-bes'}, 'gw-c': {}}, {buyer_b: 'gw-b', buyer_c: 'gw-b'})
    B = net.node('gw-b', 'signer-ec', {'gw-a': {'roaming': 'true'}, 'gw-c': {'roaming': 'true'}}, {buyer_c: 'gw-c'})
    C = net.node('gw-c', 'signer-rsa', {'gw-b': {}}, {routed_at_c: 'gw-b'})
    _, key_a = A.add_tenant('seller-a')
    # seller-a signs with its own key (signer-ec), not gw-a's node key (signer-rsa).
    A.conf['tenant.seller-a'] = {'signing_key': os.path.join(ctx.pki, 'signer-ec.key'),
                                 'signing_cert': os.path.join(ctx.pki, 'signer-ec.pem')}
    A.write_config()
    _, key_b = add_recipient_tenant(B, 'buyer-b', [f'0088:{buyer_b}'])
    buyer_json = gln(305)
    _, key_bj = add_recipient_tenant(B, 'buyer-json', [f'0088:{buyer_json}'], inbox_format='json')
    add_recipient_tenant(C, 'buyer-c', [f'0088:{buyer_c}'])
    # C and B first: A's directory syncs their receiver lists as soon as it starts.
    for g in (C, B, A):
        g.start()
    a = net.erp('gw-a', key_a)
    b_erp = net.erp('gw-b', key_b)
    b_from_a = net.op_client('gw-a', 'gw-b')
    doc_holder = {}

    def a_document():
        if 'doc' not in doc_holder:
            d, _ = a.submit_ok(ctx.inv.json('RT-P1', buyer_b), 'rt-p1')
            inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
            check_eq(inv['status'], 'delivered', f'{d["id"]} status')
            doc_holder['id'] = d['id']
            doc_holder['doc'] = get_document(a, d['id'], 'produced').body
        return doc_holder['doc']

    def authentication():
        step('protocol: no token, a wrong token, an ERP API key on /operator/v1/*: 401 unauthorized')
        doc = a_document()
        calls = [('GET', '/operator/v1/receivers', None),
                 ('POST', '/operator/v1/receivers/check', {'ids': [f'0088:{buyer_b}']}),
                 ('POST', '/operator/v1/messages', envelope('auth-1', f'0088:{buyer_b}', doc, ['gw-a'])),
                 ('POST', '/operator/v1/statuses', {'message_id': 'auth-1', 'status': 'accepted', 'code': 'AP',
                                                    'reason': '', 'by': 'recipient', 'at': now_rfc3339(),
                                                    'path': ['gw-a']})]
        for who, key in (('no token', None), ('a wrong token', 'not-a-token-' + secrets.token_hex(8)),
                         ('B\'s tenant API key', key_b), ('gw-a\'s token for gw-c', net.tokens[('gw-a', 'gw-c')])):
            cl = Client('127.0.0.1', net.ports['gw-b'], key)
            for method, path, body in calls:
                r = cl.post_json(path, body) if method == 'POST' else cl.get(path)
                expect_problem(r, 401, 'unauthorized', f'{method} {path} with {who}')
        check_eq(inbox_for(b_erp, 'auth-1'), [], 'B\'s inbox after refused calls')
        step('protocol: gw-a\'s token with a path ending in another operator: 400 envelope_invalid')
        for path, hops, what in ((['gw-c'], 1, 'path [gw-c]'), (['gw-a', 'gw-c'], 2, 'path [gw-a, gw-c]'),
                                 (['gw-a'], 2, 'hops 2 with a path of 1'), ([], 0, 'an empty path')):
            expect_problem(b_from_a.post_json('/operator/v1/messages',
                                              envelope('env-' + secrets.token_hex(4), f'0088:{buyer_b}', doc, path,
                                                       hops=hops)),
                           400, 'envelope_invalid', f'POST /operator/v1/messages with {what}')
        bad = envelope('env-bad-b64', f'0088:{buyer_b}', doc, ['gw-a'])
        bad['document'] = '%%% not base64 %%%'
        expect_problem(b_from_a.post_json('/operator/v1/messages', bad), 400, 'envelope_invalid', 'document not base64')
        bad = envelope('has space', f'0088:{buyer_b}', doc, ['gw-a'])
        expect_problem(b_from_a.post_json('/operator/v1/messages', bad), 400, 'envelope_invalid', 'message_id with a space')
        bad = envelope('env-no-receiver', f'0088:{buyer_b}', doc, ['gw-a'])
        del bad['envelope']['receiver']
        expect_problem(b_from_a.post_json('/operator/v1/messages', bad), 400, 'envelope_invalid', 'no receiver')
        r = b_from_a.request('POST', '/operator/v1/messages', body=b'{"envelope": ',
                             headers={'Content-Type': 'application/json'})
        expect_problem(r, 400, 'envelope_invalid', 'a body that is not JSON')
        check_eq([x for x in inbox_items(b_erp) if x['message_id'].startswith('env-')], [],
                 'B\'s inbox after refused envelopes')

    def envelope_checks():
        doc = a_document()
        step('protocol: A answers 409 loop_detected when its own id is in the path (B\'s token, path [gw-a, gw-b])')
        p = expect_problem(net.op_client('gw-b', 'gw-a').post_json(
            '/operator/v1/messages', envelope('loop-' + secrets.token_hex(4), f'0088:{buyer_b}', doc, ['gw-a', 'gw-b'])),
            409, 'loop_detected', 'POST A /operator/v1/messages with path [gw-a, gw-b]')
        check('gw-a' in json.dumps(p), f'the loop problem should show the path: {p}')
        step('protocol: B answers 422 too_many_hops for a 4-hop document it must forward')
        expect_problem(b_from_a.post_json('/operator/v1/messages',
                                          envelope('hops-' + secrets.token_hex(4), f'0088:{buyer_c}', doc,
                                                   ['gw-p', 'gw-q', 'gw-r', 'gw-a'])),
                       422, 'too_many_hops', 'POST B /operator/v1/messages with hops 4 for a roaming recipient')
        step('protocol: 422 recipient_not_found for an unknown recipient, and at C for a routed recipient when '
             'the caller (gw-b) is not a roaming partner of C')
        expect_problem(b_from_a.post_json('/operator/v1/messages',
                                          envelope('unk-' + secrets.token_hex(4), f'0088:{gln(399)}', doc, ['gw-a'])),
                       422, 'recipient_not_found', 'B: an unknown recipient')
        expect_problem(net.op_client('gw-b', 'gw-c').post_json(
            '/operator/v1/messages', envelope('nr-' + secrets.token_hex(4), f'0088:{routed_at_c}', doc, ['gw-a', 'gw-b'])),
            422, 'recipient_not_found', 'C: a recipient C routes on, from gw-b which is not C\'s roaming partner')

    def receivers():
        step('protocol: GET /operator/v1/receivers at B: B\'s tenant identifier direct [gw-b], C\'s recipient '
             'roaming [gw-b, gw-c]')
        r = b_from_a.get('/operator/v1/receivers')
        expect_status(r, 200, 'GET /operator/v1/receivers')
        full = r.json()
        check(isinstance(full.get('receivers'), list) and isinstance(full.get('next_cursor'), str)
              and full.get('more') is False, f'GET /operator/v1/receivers: receivers, next_cursor, more: {full}')
        by_id = {x.get('id'): x for x in full['receivers']}
        check_eq(len(by_id), len(full['receivers']), 'receivers: ids are unique')
        check(f'0088:{buyer_b}' in by_id, f'receivers should list 0088:{buyer_b}: {full}')
        e = by_id[f'0088:{buyer_b}']
        check_eq((e.get('channel'), e.get('path'), e.get('removed')), ('direct', ['gw-b'], False),
                 f'the entry of B\'s tenant identifier')
        check('invoice' in (e.get('document_types') or []) and (e.get('formats') or []) and isinstance(e.get('name'), str),
              f'the direct entry\'s document_types/formats/name: {e}')
        check(f'0088:{buyer_c}' in by_id, f'receivers at B should list C\'s recipient 0088:{buyer_c} (roaming): {full}')
        e = by_id[f'0088:{buyer_c}']
        check_eq((e.get('channel'), e.get('path'), e.get('removed')), ('roaming', ['gw-b', 'gw-c'], False),
                 'the entry of C\'s recipient at B')
        step('protocol: receivers paged with limit=1 give the same entries; limit=0 is 400')
        seen, cursor, pages = [], None, 0
        while True:
            q = 'limit=1' + (f'&since={urlquote(cursor)}' if cursor else '')
            r = b_from_a.get(f'/operator/v1/receivers?{q}')
            expect_status(r, 200, f'GET /operator/v1/receivers?{q}')
            page = r.json()
            check(len(page['receivers']) <= 1, f'limit=1 gave {len(page["receivers"])} entries')
            seen.extend(x['id'] for x in page['receivers'])
            pages += 1
            cursor = page['next_cursor']
            if not page.get('more'):
                break
            check(pages <= len(by_id) + 2, 'receivers with limit=1: more pages than entries')
        check_eq(sorted(seen), sorted(by_id), 'the entries paged with limit=1')
        r = b_from_a.get('/operator/v1/receivers?limit=0')
        check(r.status == 400, f'GET /operator/v1/receivers?limit=0: expected 400, got {r.describe()}')
        step('protocol: `since` the last cursor: nothing; an identifier added with the CLI while B runs: only it')
        r = b_from_a.get(f'/operator/v1/receivers?since={urlquote(full["next_cursor"])}')
        expect_status(r, 200, 'GET /operator/v1/receivers?since=<cursor>')
        check_eq(r.json().get('receivers'), [], 'the changes since the last cursor (none)')
        new_id = f'0088:{gln(304)}'
        B.cli('tenants', 'identifiers', 'add', 'buyer-b', new_id)
        got = wait_for(lambda: (lambda j: j if j.get('receivers') else None)(
            b_from_a.get(f'/operator/v1/receivers?since={urlquote(full["next_cursor"])}').json()), 10,
            'the added identifier in the changes')
        check_eq([(x.get('id'), x.get('channel'), x.get('removed')) for x in got['receivers']],
                 [(new_id, 'direct', False)], 'the changes since the earlier cursor')
        r = b_from_a.get(f'/operator/v1/receivers?since={urlquote(got["next_cursor"])}')
        check_eq(r.json().get('receivers'), [], 'the changes since the newest cursor')
        expect_problem(b_from_a.get('/operator/v1/receivers?since=not-a-cursor-zzz'), 400, 'cursor_invalid',
                       'an unknown cursor')
        step('protocol: B accepts a document for the added identifier')
        doc = a_document()
        mid = 'new-' + secrets.token_hex(4)
        r = b_from_a.post_json('/operator/v1/messages', envelope(mid, new_id, doc, ['gw-a']))
        expect_status(r, 200, 'a document for the added identifier')
        check_eq(r.json().get('disposition'), 'received', 'its disposition')

    def check_ids():
        step('protocol: POST /operator/v1/receivers/check with 100 ids: answered in order; 101: 400 too_many_ids')
        ids = [f'0088:{gln(400 + i)}' for i in range(100)]
        ids[37] = f'0088:{buyer_c}'
        ids[99] = f'0088:{buyer_b}'
        ids[0] = f'0088:{buyer_b}'
        r = b_from_a.post_json('/operator/v1/receivers/check', {'ids': ids})
        expect_status(r, 200, 'POST /operator/v1/receivers/check (100 ids)')
        res = r.json().get('results')
        check(isinstance(res, list) and len(res) == 100, f'100 results expected, got {str(res)[:300]}')
        check_eq([x.get('id') for x in res], ids, 'the results\' ids, in the order asked')
        for i, x in enumerate(res):
            want = ids[i] in (f'0088:{buyer_b}', f'0088:{buyer_c}')
            check_eq(x.get('accepts'), want, f'result {i} ({ids[i]}) accepts')
        check_eq((res[0].get('channel'), res[0].get('path')), ('direct', ['gw-b']), 'result 0 (B\'s tenant)')
        check_eq((res[37].get('channel'), res[37].get('path')), ('roaming', ['gw-b', 'gw-c']), 'result 37 (C\'s)')
        check('invoice' in (res[0].get('document_types') or []), f'result 0 document_types: {res[0]}')
        expect_problem(b_from_a.post_json('/operator/v1/receivers/check', {'ids': ids + [f'0088:{gln(999)}']}),
                       400, 'too_many_ids', 'POST /operator/v1/receivers/check with 101 ids')

    def status_calls():
        a_document()
        inv_id = doc_holder['id']
        step('protocol: POST /operator/v1/statuses at A: from gw-c (not the operator it went to) and for an '
             'unknown id: 404; from gw-b: applied true, then false; 4 hops: 422')
        st = {'message_id': inv_id, 'status': 'in_process', 'code': 'IP', 'reason': '', 'by': 'recipient',
              'at': now_rfc3339(), 'path': ['gw-b']}
        expect_problem(net.op_client('gw-c', 'gw-a').post_json('/operator/v1/statuses', dict(st, path=['gw-c'])),
                       404, 'not_found', 'a status from gw-c for a message delivered to gw-b')
        from_b = net.op_client('gw-b', 'gw-a')
        expect_problem(from_b.post_json('/operator/v1/statuses', dict(st, message_id='inv_unknown_' + secrets.token_hex(8))),
                       404, 'not_found', 'a status for an unknown message id')
        r = from_b.post_json('/operator/v1/statuses', st)
        expect_status(r, 200, 'a status from gw-b')
        check_eq(r.json().get('applied'), True, 'the first in_process: applied')
        r = from_b.post_json('/operator/v1/statuses', st)
        expect_status(r, 200, 'the same status again')
        check_eq(r.json().get('applied'), False, 'the same status again: applied')
        inv = a.invoice(inv_id)
        check_eq(inv['status'], 'in_process', f'{inv_id} status after IP')
        check_eq(statuses(inv).count('in_process'), 1, f'{inv_id}: in_process events')
        r = from_b.post_json('/operator/v1/statuses', dict(st, status='accepted', code='PD'))
        check(r.status == 400, f'status accepted with code PD: expected 400, got {r.describe()}')
        expect_problem(from_b.post_json('/operator/v1/statuses', dict(st, status='paid', code='PD',
                                                                      path=['gw-x', 'gw-y', 'gw-z', 'gw-b'])),
                       422, 'too_many_hops', 'a status with a path of 4')
        expect_problem(Client('127.0.0.1', net.ports['gw-a'], None).post_json('/operator/v1/statuses', st),
                       401, 'unauthorized', 'a status without a token')

    def directory_lookup():
        step('protocol: A\'s directory synced B\'s and C\'s receiver lists: recipients looked up at A')
        def answer(ident, query=''):
            r = a.get(f'/v1/recipients/{ident}{query}')
            expect_status(r, 200, f'GET /v1/recipients/{ident}{query}')
            return r.json()
        wait_for(lambda: answer(f'0088:{buyer_b}').get('can_receive') is True, 30, 'B\'s recipient in A\'s directory')
        got = answer(f'0088:{buyer_b}')
        check_eq((got['operator'], got['channel'], got['source'], got['path'], got['reason']),
                 ('gw-b', 'direct', 'gw-b', ['gw-b'], None), 'B\'s own recipient, as A sees it')
        check(got['verified_at'] is not None and got['age_seconds'] >= 0, f'freshness given: {got}')
        wait_for(lambda: answer(f'0088:{buyer_c}').get('can_receive') is True, 30, 'C\'s recipient in A\'s directory')
        got = answer(f'0088:{buyer_c}')
        check_eq((got['operator'], got['channel'], got['source'], got['path']), ('gw-c', 'roaming', 'gw-b', ['gw-b', 'gw-c']),
                 'C\'s recipient, reached through gw-b')
        # Nothing stored about it: A asks the sources that answer per recipient (gw-b, gw-c) now;
        # gw-b says it is not registered, gw-c refuses A (its failure is not the answer).
        unknown = answer('0088:' + gln(399))
        check_eq((unknown['can_receive'], unknown['reason'], unknown['checked_now'], unknown['source']),
                 (False, 'not_registered', True, 'gw-b'), 'a recipient no source knows, checked with the operators now')
        r = a.post_json('/v1/recipients/check', {'ids': [f'0088:{buyer_b}', '0088:' + gln(399)]})
        expect_status(r, 200, 'POST /v1/recipients/check')
        check_eq([x['can_receive'] for x in r.json()['results']], [True, False], 'batch check, in order')
        r = a.post_json('/v1/recipients/check', {'ids': ['0088:1'] * 101})
        check_eq(r.status, 400, 'a batch of 101')
        status = a.get('/v1/directory/status').json()
        names = sorted(s['name'] for s in status['sources'])
        check_eq(names, ['gw-b', 'gw-c'], 'A\'s directory sources')
        by_name = {s['name']: s for s in status['sources']}
        b_src, c_src = by_name['gw-b'], by_name['gw-c']
        check(b_src['last_success_at'] is not None and b_src['next_run_at'] is not None and b_src['added'] >= 3,
              f'source gw-b synced: {b_src}')
        # C has no [operator.gw-a]: its list refuses A. The failure is recorded, retried later.
        check(c_src['last_success_at'] is None and c_src['errors'] >= 1 and 'unauthorized' in c_src['last_error']
              and c_src['next_run_at'] is not None, f'source gw-c failing with its reason: {c_src}')
        check(status['entries'] >= 3, f'directory entries at A: {status["entries"]}')
        # The same from the command line, on A's database while A runs.
        got = json.loads(A.cli('recipients', 'lookup', f'0088:{buyer_b}'))
        check_eq((got['can_receive'], got['operator']), (True, 'gw-b'), 'eigw recipients lookup')
        table = A.cli('directory', 'status')
        check('gw-b\t' in table and 'gw-c\t' in table and 'unauthorized' in table, f'eigw directory status:\n{table}')
        A.cli('directory', 'sync', '--source', 'gw-b')  # exit 0: a delta sync by the CLI
        after = {s['name']: s for s in a.get('/v1/directory/status').json()['sources']}['gw-b']
        check(after['last_success_at'] >= b_src['last_success_at'] and after['consecutive_failures'] == 0,
              f'gw-b after the CLI sync: {after}')

    def signing_operator():
        step('protocol: B requires signed documents: A signs with XAdES-BES using the tenant\'s own key, B verifies '
             'and keeps the signed original')
        d, _ = a.submit_ok(ctx.inv.json('RT-SIGN', buyer_b), 'rt-sign')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{d["id"]} status ({inv.get("failure")})')
        kinds = sorted(doc['kind'] for doc in inv['documents'])
        check_eq(kinds, ['original', 'produced', 'receipt', 'signed'], f'{d["id"]} documents')
        signed = get_document(a, d['id'], 'signed').body
        check(b'QualifyingProperties' in signed and b'ds:Signature' in signed, 'the signed document is XAdES')
        with open(os.path.join(ctx.pki, 'signer-ec.pem')) as f:
            tenant_cert = ''.join(l.strip() for l in f if not l.startswith('-----'))
        check(tenant_cert.encode() in signed.replace(b'\n', b'').replace(b'\r', b''),
              'the signature carries the tenant\'s own certificate ([tenant.seller-a] signing_key), not the node\'s')
        item = wait_inbox_item(b_erp, d['id'], 'the signed invoice at B')[0]
        check_eq((item['state'], item['findings']), ('available', []), 'the signed invoice at B (state, findings)')
        r = b_erp.get(f'/v1/inbox/{item["id"]}/document?format=original')
        check_eq(r.body, signed, 'B keeps the signed document byte for byte')

    def hostile_documents():
        step('protocol: signed documents are verified; tampered, intruder-signed, DOCTYPE/XXE, entity bomb, '
             'malformed UTF-8 and oversized documents are refused with the reason and change nothing')
        # A Peppol BIS document: its signature's empty ds:* elements would break PEPPOL-EN16931-R008,
        # so the receiver validates the document without the verified signature.
        doc = a_document().decode('utf-8')
        tmp = tempfile.mkdtemp(dir=ctx.suite.tmp)

        def signed(xml, signer):
            src, dst = os.path.join(tmp, 'in.xml'), os.path.join(tmp, 'out.xml')
            with open(src, 'w', encoding='utf-8') as f:
                f.write(xml)
            r = subprocess.run([ctx.suite.eigw, 'sign', '--profile', 'xades-bes',
                                '--key', os.path.join(ctx.pki, f'{signer}.key'),
                                '--cert', os.path.join(ctx.pki, f'{signer}.pem'), src, '-o', dst],
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 0, f'eigw sign: {r.stderr}')
            with open(dst, encoding='utf-8') as f:
                return f.read()

        before = len(b_erp.get('/v1/inbox?state=available').json()['items'])

        def deliver(xml_bytes, what):
            mid = 'hostile-' + secrets.token_hex(4)
            r = b_from_a.post_json('/operator/v1/messages', envelope(mid, f'0088:{buyer_b}', xml_bytes, ['gw-a']))
            expect_status(r, 200, what)
            return r.json()

        good = deliver(signed(doc, 'signer-rsa').encode('utf-8'), 'a XAdES-BES signed document')
        check_eq(good.get('disposition'), 'received', f'a validly signed document: disposition (findings {good.get("findings")})')
        rules = lambda answer: sorted({f.get('rule', '') for f in answer.get('findings', [])})
        signed_doc = signed(doc, 'signer-rsa')
        amount = re.search(r'<cbc:PayableAmount currencyID="EUR">([0-9.]+)<', signed_doc)
        check(amount is not None, 'the signed document has a PayableAmount')
        tampered = signed_doc.replace(amount.group(0), amount.group(0).replace(amount.group(1), '1.00'))
        bad = deliver(tampered.encode('utf-8'), 'a signed document whose amount was changed after signing')
        check_eq(bad.get('disposition'), 'rejected', 'a tampered signed document: disposition')
        check(any(r.startswith('signature.') for r in rules(bad)), f'tampered: a signature.* finding, got {rules(bad)}')
        intruder = deliver(signed(doc, 'intruder').encode('utf-8'), 'a document signed by the self-signed intruder')
        check_eq(intruder.get('disposition'), 'rejected', 'an intruder-signed document: disposition')
        check('cert.untrusted' in rules(intruder), f'intruder: cert.untrusted, got {rules(intruder)}')
        xxe = ('<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               + doc[doc.index('<Invoice'):].replace('</cbc:Note>', '&x;</cbc:Note>', 1))
        answer = deliver(xxe.encode('utf-8'), 'a document with an external entity (XXE)')
        check_eq(answer.get('disposition'), 'rejected', 'XXE: disposition')
        check('root:' not in json.dumps(answer), 'XXE: nothing of /etc/passwd in the answer')
        check('xml.doctype' in rules(answer), f'XXE: xml.doctype, got {rules(answer)}')
        bomb = ('<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaa">'
                + ''.join(f'<!ENTITY {chr(98 + i)} "&{chr(97 + i)};&{chr(97 + i)};&{chr(97 + i)};&{chr(97 + i)};">'
                          for i in range(8))
                + ']><Invoice>&i;</Invoice>')
        answer = deliver(bomb.encode('utf-8'), 'an entity expansion bomb')
        check_eq(answer.get('disposition'), 'rejected', 'entity bomb: disposition')
        broken = doc.encode('utf-8').replace(b'<cbc:Note>', b'<cbc:Note>\xc3\x28', 1)
        if broken == doc.encode('utf-8'):
            broken = doc.encode('utf-8').replace(b'<cbc:ID>', b'<cbc:ID>\xff\xfe', 1)
        answer = deliver(broken, 'a document with malformed UTF-8')
        check_eq(answer.get('disposition'), 'rejected', 'malformed UTF-8: disposition')
        # 2 MiB announced (server.max_body_bytes is 1 MiB): refused from Content-Length, before the body.
        conn = http.client.HTTPConnection('127.0.0.1', net.ports['gw-b'], timeout=15)
        try:
            conn.putrequest('POST', '/operator/v1/messages')
            conn.putheader('Authorization', f'Bearer {net.tokens[("gw-a", "gw-b")]}')
            conn.putheader('Content-Type', 'application/json')
            conn.putheader('Content-Length', str(2 * 1024 * 1024))
            conn.endheaders(b'{"envelope": ')
            resp = conn.getresponse()
            check_eq(resp.status, 413, 'a body announced over server.max_body_bytes')
            resp.read()
        finally:
            conn.close()
        after = len(b_erp.get('/v1/inbox?state=available').json()['items'])
        check_eq(after - before, 1, 'new available inbox items (only the validly signed one)')

    def inbox_json():
        step('protocol: a tenant with --inbox-format json gets the document as ERP JSON')
        doc = a_document()
        mid = 'json-' + secrets.token_hex(4)
        r = b_from_a.post_json('/operator/v1/messages', envelope(mid, f'0088:{buyer_json}', doc, ['gw-a']))
        expect_status(r, 200, 'a document for the json-inbox tenant')
        check_eq(r.json().get('disposition'), 'received', 'its disposition')
        bj = net.erp('gw-b', key_bj)
        item = wait_inbox_item(bj, mid, 'the json-inbox tenant')[0]
        r = bj.get(f'/v1/inbox/{item["id"]}/document')
        expect_status(r, 200, f'GET /v1/inbox/{item["id"]}/document (inbox format json)')
        check_eq((r.content_type, r.json().get('number')), ('application/json', 'RT-P1'),
                 'the document in the json inbox format (media type, number)')

    ctx.run_scenarios('protocol', [('authentication and envelopes', authentication), ('inbox format json', inbox_json),
                                   ('hostile documents', hostile_documents), ('signing operator', signing_operator),
                                   ('directory lookup', directory_lookup),
                                   ('envelope checks', envelope_checks), ('receivers list', receivers),
                                   ('receivers check', check_ids), ('status callbacks', status_calls)])


# =============================================================================================
# Group "tls": B serves HTTPS and authenticates gw-a by its client certificate

def run_tls(ctx):
    buyer_b = gln(501)
    # The harness knows only http:// ready lines.
    gateway_harness.LISTENING_RE = re.compile(
        r'^eigw: listening on https?://([^/:\s]+|\[[0-9a-fA-F:]+\]):(\d+)$')
    srv_key, srv_pem, _ = make_tls_cert(ctx.pki, 'tls-server-b', '/O=eigw test/CN=gw-b', server=True)
    cli_key, cli_pem, cli_sha = make_tls_cert(ctx.pki, 'tls-client-a', '/O=eigw test/CN=gw-a client', server=False)
    other_key, other_pem, _ = make_tls_cert(ctx.pki, 'tls-client-x', '/O=eigw test/CN=someone else', server=False)
    net = Net(ctx, 'tls', ['gw-a', 'gw-b'])
    ca = os.path.join(ctx.pki, 'ca.pem')
    A = net.node('gw-a', 'signer-rsa', {'gw-b': {'url': f'https://127.0.0.1:{net.ports["gw-b"]}', 'ca_file': ca,
                                                'client_cert': cli_pem, 'client_key': cli_key,
                                                'token_file': None}},
                 {buyer_b: 'gw-b'})
    B = net.node('gw-b', 'signer-ec', {'gw-a': {'inbound_token_file': None, 'inbound_cert_sha256': cli_sha}}, {})
    B.conf['server'].update({'tls_cert': srv_pem, 'tls_key': srv_key, 'tls_client_ca': ca})
    B.write_config()
    _, key_a = A.add_tenant('seller-a')
    _, key_b = add_recipient_tenant(B, 'buyer-b', [f'0088:{buyer_b}'])
    B.start()
    cert_only = True
    try:
        A.start()
    except Failure as e:
        # docs/operator-protocol.md: a token *or* a client certificate. Reported, then A gets a token too
        # (and B accepts it as well), so that the rest of the group runs.
        cert_only = False
        SOFT.append(f'gw-a with [operator.gw-b] client_cert/client_key and no token_file does not start '
                    f'(docs/operator-protocol.md: "Authorization: Bearer <token> ... or a TLS client '
                    f'certificate"): {str(e)[-300:]}')
        print(f'  FAIL (the group goes on with a token as well): {SOFT[-1]}', flush=True)
        tok = os.path.join(A.workdir, 'tokens', 'to-gw-b')
        with open(tok, 'w') as f:
            f.write(net.tokens[('gw-a', 'gw-b')] + '\n')
        A.conf['operator.gw-b']['token_file'] = tok
        A.write_config()
        B.stop()
        tok_b = os.path.join(B.workdir, 'tokens', 'from-gw-a')
        B.conf['operator.gw-a']['inbound_token_file'] = tok_b
        B.write_config()
        B.start()
        A.start()
    pending_soft = list(SOFT)
    a = net.erp('gw-a', key_a)

    def context(cert=None, key=None):
        c = ssl.create_default_context(cafile=ca)
        if cert:
            c.load_cert_chain(cert, key)
        return c

    def cert_auth():
        SOFT.extend(pending_soft)
        step('tls: gw-a delivers to B over HTTPS with its client certificate' +
             (' (no token configured)' if cert_only else ' (and a token: see the failure above)'))
        d, _ = a.submit_ok(ctx.inv.json('RT-T1', buyer_b), 'rt-t1')
        inv = a.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
        check_eq(inv['status'], 'delivered', f'{d["id"]} status ({inv_brief(inv)})')
        b = TlsClient(net.ports['gw-b'], key_b, context())
        items = wait_inbox_item(b, d['id'], 'B\'s ERP over HTTPS')
        check_eq(items[0].get('from_operator'), 'gw-a', 'the inbox item\'s from_operator')
        step('tls: /operator/v1/receivers with gw-a\'s client certificate: 200; without a certificate, or with '
             'another certificate of the same CA: 401')
        r = TlsClient(net.ports['gw-b'], None, context(cli_pem, cli_key)).get('/operator/v1/receivers')
        expect_status(r, 200, 'GET /operator/v1/receivers with gw-a\'s client certificate')
        check(f'0088:{buyer_b}' in [x.get('id') for x in r.json().get('receivers', [])],
              f'the receivers over TLS: {r.json()}')
        expect_problem(TlsClient(net.ports['gw-b'], None, context()).get('/operator/v1/receivers'), 401,
                       'unauthorized', 'GET /operator/v1/receivers over TLS without a client certificate')
        try:
            r = TlsClient(net.ports['gw-b'], None, context(other_pem, other_key)).get('/operator/v1/receivers')
        except (ssl.SSLError, OSError) as e:
            raise Failure(f'a client certificate of the trusted CA that no operator has: the TLS connection '
                          f'failed ({e}); expected 401 unauthorized')
        expect_problem(r, 401, 'unauthorized', 'GET /operator/v1/receivers with a certificate no operator has')
        if cert_only:
            expect_problem(TlsClient(net.ports['gw-b'], net.tokens[('gw-a', 'gw-b')], context()).get(
                '/operator/v1/receivers'), 401, 'unauthorized',
                'gw-a\'s token over TLS when B configured no inbound token for gw-a')

    ctx.run_scenarios('tls', [('client certificate authentication', cert_auth)])


# =============================================================================================

class Ctx:
    def __init__(self, suite):
        self.suite = suite
        self.inv = InvoiceMaker(suite.source_dir)
        self.cleanups = suite.cleanups
        self.failures = []
        self.passed = []
        self.pki = os.path.join(suite.tmp, 'pki')
        script = os.path.join(suite.source_dir, 'certs', 'pki', 'make_test_pki.sh')
        r = subprocess.run(['bash', script, self.pki], capture_output=True, text=True, timeout=300)
        if r.returncode != 0 or not os.path.exists(os.path.join(self.pki, 'signer-ec.pem')):
            raise Skip(f'certs/pki/make_test_pki.sh failed (status {r.returncode}): {r.stderr.strip()[-500:]}')
        self.xmlsec = XmlSec(suite.tmp)

    def run_scenarios(self, group, scenarios):
        for name, fn in scenarios:
            t = time.monotonic()
            del SOFT[:]
            try:
                fn()
                if SOFT:
                    raise Failure('; '.join(SOFT))
                self.passed.append(f'{group}: {name}')
                note(f'PASS {group}: {name} ({time.monotonic() - t:.1f} s)')
            except Failure as e:
                if SOFT and str(e) != '; '.join(SOFT):
                    e = Failure(f'{e}; and before it: ' + '; '.join(SOFT))
                self.failures.append(f'{group}: {name}: {e}')
                print(f'\n  FAIL {group}: {name}: {e}', flush=True)
                for g in self.suite.gateways:
                    if g.log_lines and g.name.startswith(group):
                        print(f'  --- last lines of {g.name} ({g.log_path}):\n{g.log_tail(12)}', flush=True)
                if STOP_ON_FAILURE:
                    raise
            except Exception:  # noqa: BLE001  an unexpected answer shape, or a bug of the check
                tb = traceback.format_exc()
                self.failures.append(f'{group}: {name}: unexpected error: {tb.strip().splitlines()[-1]}')
                print(f'\n  FAIL {group}: {name}: unexpected error:\n{tb}', flush=True)
                if STOP_ON_FAILURE:
                    raise

    def stop_group(self, group):
        for g in self.suite.gateways:
            if g.name.startswith(group) and g.running():
                try:
                    g.stop()
                except Failure as e:
                    self.failures.append(f'{group}: stop: {e}')


def run(suite):
    ctx = Ctx(suite)
    groups = [ONLY] if ONLY else list(GROUPS)
    for group in groups:
        try:
            {'flow': run_flow, 'faults': run_faults, 'protocol': run_protocol, 'tls': run_tls}[group](ctx)
        except Failure as e:  # set-up of the group failed (a gateway did not start, the CLI refused)
            ctx.failures.append(f'{group}: set-up: {e}')
            print(f'\n  FAIL {group}: set-up: {e}', flush=True)
            if STOP_ON_FAILURE:
                raise
        ctx.stop_group(group)
    print(f'\n{len(ctx.passed)} scenarios passed, {len(ctx.failures)} failed', flush=True)
    for p in ctx.passed:
        print(f'  pass: {p}')
    if ctx.failures:
        raise Failure('\n  ' + '\n  '.join(f[:1500] for f in ctx.failures))


if __name__ == '__main__':
    main('Roaming between eigw gateways over the operator protocol (docs/operator-protocol.md)', run,
         backends=('sqlite', 'postgresql'))
