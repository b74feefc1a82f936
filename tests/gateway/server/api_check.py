#!/usr/bin/env python3
"""The ERP API of `eigw serve` (docs/api.md) against a real server, SQLite or PostgreSQL.

    api_check.py EIGW SOURCE_DIR [--backend sqlite|postgresql] [--dsn DSN] [--shared DIR] [--keep]

Phase 1 (outbox max_attempts 3, backoff 50..200 ms, max_body_bytes 65536): operations endpoints,
the OpenAPI document, authentication, a JSON invoice from intake to the drop folder (status, events,
attempts, documents with their digests), credit notes, UBL and CII submissions, an invoice the
rules reject, cursor paging and filters, idempotency, invalid, malformed, hostile, wrongly typed and
oversized bodies (nothing stored), preflight, tenant isolation, delivery attempts exhausted
(`failed`/delivery_failed), unknown routes and methods, keep-alive.
Phase 2: the same database and configuration, restarted with EIGW_OUTBOX_MAX_ATTEMPTS=1000 from the
environment: data and idempotency survive the restart, a delivery that fails while the recipient's
folder is a plain file is retried (failed_retrying) and delivered once the file is gone; /metrics.

Exit 0 when every check passes, 1 on the first failure (printed with request, expected and got),
77 when PostgreSQL cannot be set up.
"""
import base64
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_harness import (  # noqa: E402
    TIMESTAMP_RE, UBL_CREDIT_NOTE_NS, UBL_INVOICE_NS, Failure, Gateway, check, check_eq, drop_path,
    expect_problem, expect_status, gln, main, note, parse_ubl, sha256_hex, step, wait_for)

DELIVERED_EVENTS = ['received', 'validated', 'queued', 'sending', 'delivered']
EXHAUSTED_EVENTS = ['received', 'validated', 'queued', 'sending', 'failed_retrying', 'sending',
                    'failed_retrying', 'sending', 'failed']
ALL_STATUSES = {'received', 'validated', 'queued', 'sending', 'delivered', 'rejected',
                'failed_retrying', 'failed'}
SELLER_ENDPOINT = '0191:12345678'
CONCURRENT = 24  # concurrent clients in check_concurrency (the test server has 16 threads)

# Recipients (GLNs) by purpose, so that every check has its own drop sub-folder.
R_FIRST, R_LIST, R_IDEM, R_INVALID, R_PREFLIGHT, R_EXHAUST, R_RETRY, R_B, R_CREDIT = (
    gln(n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9))


class Ctx:
    pass


def cli_ubl(suite, body, suffix='.json'):
    """The UBL `eigw convert --to ubl` writes for this body."""
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=suite.tmp, delete=False) as f:
        f.write(body)
    r = subprocess.run([suite.eigw, 'convert', '--to', 'ubl', f.name], capture_output=True)
    os.unlink(f.name)
    if r.returncode != 0:
        raise Failure(f'eigw convert --to ubl of a test invoice failed: {r.stderr.decode()[:500]}')
    return r.stdout


def cli_totals(suite, body, suffix='.json'):
    """The totals `eigw convert --to ubl` computes for this body (the oracle for the API's amounts)."""
    xml = cli_ubl(suite, body, suffix).decode()

    def amount(name):
        m = re.search(rf'<cac:LegalMonetaryTotal>.*?<cbc:{name} currencyID="([A-Z]+)">([^<]+)<', xml, re.S)
        return m.group(2) if m else None
    tax = re.search(r'<cac:TaxTotal>\s*<cbc:TaxAmount currencyID="[A-Z]+">([^<]+)<', xml)
    cur = re.search(r'<cbc:DocumentCurrencyCode>([^<]+)<', xml)
    return {'currency': cur.group(1), 'line_extension_amount': amount('LineExtensionAmount'),
            'tax_exclusive_amount': amount('TaxExclusiveAmount'), 'tax_amount': tax.group(1),
            'tax_inclusive_amount': amount('TaxInclusiveAmount'), 'payable_amount': amount('PayableAmount')}


def count_invoices(client):
    """Distinct invoices of the tenant (while statuses change, paging by updated_at may show one twice)."""
    items, _ = client.list_all()
    return len({it['id'] for it in items})


def check_document(client, invoice_id, kind, want_body=None, media_types=None, listed=None):
    """GET a document: bytes, media type, ETag and Digest; returns the bytes."""
    path = f'/v1/invoices/{invoice_id}/documents/{kind}'
    r = client.get(path)
    expect_status(r, 200)
    if want_body is not None and r.body != want_body:
        raise Failure(f'GET {path}: the bytes differ from what was posted ({len(r.body)} bytes, sha256 '
                      f'{sha256_hex(r.body)}; posted {len(want_body)} bytes, sha256 {sha256_hex(want_body)})')
    if media_types is not None:
        check(r.content_type in media_types,
              f'GET {path}: Content-Type {r.headers.get("Content-Type")!r}, expected one of {sorted(media_types)}')
    digest = sha256_hex(r.body)
    check_eq(r.header('ETag'), f'"{digest}"', f'GET {path}: ETag (quoted hex SHA-256 of the bytes)')
    check_eq(r.header('Digest'), 'sha-256=' + base64.b64encode(bytes.fromhex(digest)).decode(),
             f'GET {path}: Digest (sha-256=<base64 of the SHA-256>)')
    if listed is not None:
        check_eq(listed.get('sha256'), digest, f'GET /v1/invoices/{invoice_id}: documents[{kind}].sha256')
        check_eq(listed.get('size'), len(r.body), f'GET /v1/invoices/{invoice_id}: documents[{kind}].size')
        check_eq(listed.get('href'), path, f'GET /v1/invoices/{invoice_id}: documents[{kind}].href')
        check(TIMESTAMP_RE.match(listed.get('created_at') or ''),
              f'documents[{kind}].created_at is not RFC 3339 UTC with ms: {listed.get("created_at")!r}')
        check_eq(listed.get('media_type', '').split(';')[0], r.content_type,
                 f'GET {path}: Content-Type against documents[{kind}].media_type')
    return r.body


def event_statuses(inv):
    events = inv.get('events')
    check(isinstance(events, list), f'GET /v1/invoices/{inv.get("id")}: no events list: {inv}')
    seqs = [e.get('seq') for e in events]
    check(all(isinstance(s, int) for s in seqs) and seqs == sorted(set(seqs)),
          f'GET /v1/invoices/{inv["id"]}: event seqs must be increasing integers, got {seqs}')
    for e in events:
        check(TIMESTAMP_RE.match(e.get('at') or ''), f'event {e} of {inv["id"]}: "at" is not RFC 3339 ms UTC')
        check('detail' in e, f'event {e} of {inv["id"]}: no "detail"')
    return [e.get('status') for e in events]


def fatal(findings):
    return [f for f in findings if f.get('severity') == 'fatal']


def check_findings_shape(findings, what):
    check(isinstance(findings, list), f'{what}: findings is not a list: {findings!r}')
    for f in findings:
        for k in ('rule', 'severity', 'location', 'message'):
            check(k in f, f'{what}: a finding without {k!r}: {f}')
        check(f['severity'] in ('fatal', 'warning', 'information'), f'{what}: severity {f["severity"]!r}')


# ---------------------------------------------------------------------------------------------

def check_operations(c):
    step('GET /healthz is 200 {"status": "ok"}, GET /readyz is 200 ready with the database ok, no key needed')
    r = c.anon.get('/healthz')
    expect_status(r, 200)
    check_eq(r.json().get('status'), 'ok', 'GET /healthz: status')
    r = c.anon.get('/readyz')
    expect_status(r, 200)
    doc = r.json()
    check_eq(doc.get('status'), 'ready', 'GET /readyz: status')
    check_eq(doc.get('database'), 'ok', 'GET /readyz: database')
    check(isinstance(doc.get('schema_version'), int) and doc['schema_version'] >= 1,
          f'GET /readyz: schema_version must be a positive integer, got {doc.get("schema_version")!r}')

    step('GET /v1/openapi.yaml is 200 without a key and is the OpenAPI 3.1 description')
    r = c.anon.get('/v1/openapi.yaml')
    expect_status(r, 200)
    text = r.body.decode('utf-8')
    check(re.search(r'^openapi:\s*["\']?3\.1', text, re.M) is not None,
          f'GET /v1/openapi.yaml: no "openapi: 3.1..." line in {text[:200]!r}')
    check('/v1/invoices' in text, 'GET /v1/openapi.yaml: /v1/invoices is not described')
    repo_copy = os.path.join(c.suite.source_dir, 'docs', 'api', 'openapi.yaml')
    if os.path.exists(repo_copy):
        with open(repo_copy, 'rb') as f:
            check(f.read() == r.body, 'GET /v1/openapi.yaml differs from docs/api/openapi.yaml')
    else:
        note('docs/api/openapi.yaml does not exist (yet): the served copy is not compared with it')

    step('keep-alive: three requests on one connection use one socket')
    conn = c.anon.connect()
    try:
        socks = []
        for _ in range(3):
            r = c.anon.request('GET', '/healthz', conn=conn)
            expect_status(r, 200)
            socks.append(conn.sock)
        check(socks[0] is not None and all(s is socks[0] for s in socks),
              'GET /healthz three times on one HTTP/1.1 connection: the server closed the connection '
              'between requests (no keep-alive)')
    finally:
        conn.close()


def check_auth(c):
    step('no key, an unknown key, a wrong scheme: 401 unauthorized on every /v1 route')
    body = c.inv.json('AUTH-1', R_FIRST)
    cases = [
        ('no Authorization', c.anon, {}),
        ('unknown key', c.anon.with_key('eigw_not_a_real_key_0000000000'), {}),
        ('Basic scheme with the right key', c.anon, {'Authorization': f'Basic {c.key_a}'}),
        ('Bearer without a key', c.anon, {'Authorization': 'Bearer '}),
    ]
    for what, client, extra in cases:
        for method, path, payload, headers in (
                ('GET', '/v1/invoices', None, {}),
                ('POST', '/v1/invoices', body, {'Content-Type': 'application/json', 'Idempotency-Key': 'auth-1'}),
                ('GET', '/v1/webhooks', None, {}),
                ('GET', '/v1/invoices/inv_00000000000000000000000000000000', None, {})):
            h = dict(headers)
            h.update(extra)
            r = client.request(method, path, body=payload, headers=h)
            expect_problem(r, 401, 'unauthorized', f'{method} {path} with {what}')
    r = c.a.get('/v1/invoices')
    expect_status(r, 200, 'GET /v1/invoices with the right key')
    check_eq(r.json().get('items'), [], 'GET /v1/invoices of a new tenant after unauthorized submissions: items')


def revoke_key(c):
    step('eigw keys revoke while the server runs (checked at the end of the phase: 401 unauthorized)')
    check_eq(c.a2.get('/v1/invoices').status, 200, 'GET /v1/invoices with a second key of tenant A before revoking it')
    listing = c.gw.cli('keys', 'list', 'acme')
    key_id = None
    for line in listing.splitlines():
        cols = line.split('\t')
        ids = [x for x in cols if re.fullmatch(r'key_[A-Za-z0-9]+', x)]
        prefixes = [x.rstrip('.') for x in cols if x.startswith('eigw_') and x.endswith('...')]
        if ids and prefixes and c.key_a2.startswith(prefixes[0]) and not c.key_a.startswith(prefixes[0]):
            key_id = ids[0]
    check(key_id is not None, f'eigw keys list acme: no line with a key id and the prefix of the second key: {listing!r}')
    c.gw.cli('keys', 'revoke', key_id)
    c.revoked_at = time.monotonic()


def check_revoked_key(c):
    step('the revoked key is 401 unauthorized (at most 10 s after eigw keys revoke); the other key works')
    # The server may remember a key for a few seconds (it does for 5 s); 10 s is the limit here.
    wait_for(lambda: c.a2.get('/v1/invoices').status == 401, max(0.1, 10 - (time.monotonic() - c.revoked_at)),
             'the revoked key to be refused (401)', interval=0.2)
    expect_problem(c.a2.get('/v1/invoices'), 401, 'unauthorized', 'GET /v1/invoices with a revoked key')
    check_eq(c.a.get('/v1/invoices').status, 200, 'GET /v1/invoices with tenant A\'s other key after the revocation')


def check_first_invoice(c):
    step('POST /v1/invoices (ERP JSON) is 202 with id, status received, links and Location')
    number = 'API-2026-0001'
    body = c.inv.json(number, R_FIRST)
    totals = cli_totals(c.suite, body)
    r = c.a.submit(body, 'erp-1')
    expect_status(r, 202, 'POST /v1/invoices (docs/examples/invoice.json, Idempotency-Key erp-1)')
    doc = r.json()
    inv_id = doc.get('id', '')
    check(re.fullmatch(r'inv_[A-Za-z0-9]+', inv_id) is not None, f'202: id must be inv_..., got {inv_id!r}')
    check_eq(doc.get('status'), 'received', '202: status')
    check_eq(doc.get('invoice_number'), number, '202: invoice_number')
    check_eq(doc.get('idempotency_key'), 'erp-1', '202: idempotency_key')
    check(TIMESTAMP_RE.match(doc.get('created_at') or ''), f'202: created_at not RFC 3339 ms UTC: {doc.get("created_at")!r}')
    links = doc.get('links') or {}
    check_eq(links.get('self'), f'/v1/invoices/{inv_id}', '202: links.self')
    check_eq(links.get('original'), f'/v1/invoices/{inv_id}/documents/original', '202: links.original')
    check_eq(links.get('events'), '/v1/events', '202: links.events')
    loc = r.header('Location') or ''
    check(loc.endswith(f'/v1/invoices/{inv_id}') and (loc.startswith('/') or loc.startswith('http://')),
          f'202: Location must be (a URL of) /v1/invoices/{inv_id}, got {loc!r}')
    check(r.header('Idempotent-Replayed') in (None, 'false'),
          f'202 of a first submission: Idempotent-Replayed is {r.header("Idempotent-Replayed")!r}')

    step('GET /v1/invoices/{id} right after intake has the invoice\'s data')
    inv = c.a.invoice(inv_id)
    check_eq(inv.get('id'), inv_id, 'GET: id')
    check(inv.get('status') in ALL_STATUSES, f'GET: unknown status {inv.get("status")!r}')
    check_eq(inv.get('invoice_number'), number, 'GET: invoice_number')
    check_eq(inv.get('document_type'), 'invoice', 'GET: document_type')
    check_eq(inv.get('idempotency_key'), 'erp-1', 'GET: idempotency_key')
    check_eq(inv.get('currency'), 'EUR', 'GET: currency')
    check_eq(inv.get('payable_amount'), totals['payable_amount'], 'GET: payable_amount (as eigw convert computes it)')
    check_eq((inv.get('seller') or {}).get('endpoint'), SELLER_ENDPOINT, 'GET: seller.endpoint')
    check_eq((inv.get('seller') or {}).get('name'), 'Nordwind OÜ', 'GET: seller.name')
    check_eq((inv.get('buyer') or {}).get('endpoint'), f'0088:{R_FIRST}', 'GET: buyer.endpoint')
    check_eq((inv.get('buyer') or {}).get('name'), 'Baltic Retail SIA', 'GET: buyer.name')
    check_eq(inv.get('created_at'), doc['created_at'], 'GET: created_at against the 202')
    check(TIMESTAMP_RE.match(inv.get('updated_at') or ''), f'GET: updated_at {inv.get("updated_at")!r}')

    step('it reaches delivered; events received..delivered in order; one attempt; route, no failure')
    inv = c.a.wait_status(inv_id, ('delivered', 'failed', 'rejected'), timeout=30)
    check_eq(inv['status'], 'delivered', f'GET /v1/invoices/{inv_id}: final status (failure: {inv.get("failure")}, '
             f'findings: {inv.get("findings")})')
    check_eq(event_statuses(inv), DELIVERED_EVENTS, f'GET /v1/invoices/{inv_id}: event statuses')
    check_eq(inv.get('route'), {'operator': 'local-drop', 'protocol': 'file-drop', 'format': 'ubl',
                                'recipient': f'0088:{R_FIRST}', 'e_invoice': True, 'channel': None, 'directory_source': None,
                                'reason': 'the directory does not know it; [routing] default_operator = local-drop; ubl is its first format this gateway writes'}, 'GET: route')
    check(inv.get('failure') is None, f'GET: failure must be null when delivered, got {inv.get("failure")!r}')
    check_findings_shape(inv.get('findings'), 'GET delivered invoice')
    check_eq(fatal(inv['findings']), [], 'GET delivered invoice: fatal findings')
    attempts = inv.get('attempts')
    check(isinstance(attempts, list) and len(attempts) == 1, f'GET: expected exactly one attempt, got {attempts!r}')
    a = attempts[0]
    check_eq(a.get('number'), 1, 'attempts[0].number')
    check_eq(a.get('outcome'), 'delivered', 'attempts[0].outcome')
    for k in ('started_at', 'finished_at'):
        check(TIMESTAMP_RE.match(a.get(k) or ''), f'attempts[0].{k} is not RFC 3339 ms UTC: {a.get(k)!r}')
    check(f'0088_{R_FIRST}/{inv_id}.xml' in (a.get('detail') or ''),
          f'attempts[0].detail should name the written file .../0088_{R_FIRST}/{inv_id}.xml, got {a.get("detail")!r}')

    step('the drop folder has <scheme>_<value>/<id>.xml: a UBL Invoice with the invoice number, '
         'the same bytes as documents/produced')
    path = drop_path(c.gw.drop_folder, '0088', R_FIRST, inv_id)
    check(os.path.isfile(path), f'no delivered file {path}; folder has {sorted(os.listdir(c.gw.drop_folder))}')
    with open(path, 'rb') as f:
        dropped = f.read()
    root, ns, ident = parse_ubl(dropped, path)
    check_eq((root, ns), ('Invoice', UBL_INVOICE_NS), f'{path}: root element')
    check_eq(ident, number, f'{path}: cbc:ID (the invoice number)')
    check(b'Nordwind O\xc3\x9c' in dropped, f'{path}: the seller name is not there in UTF-8')

    step('documents: original byte-identical with matching ETag/Digest; produced; signed is 404')
    docs = {d.get('kind'): d for d in inv.get('documents') or []}
    check({'original', 'produced'} <= set(docs), f'GET: documents should include original and produced, got {list(docs)}')
    check_eq(docs['original'].get('media_type', '').split(';')[0], 'application/json', 'documents[original].media_type')
    check_document(c.a, inv_id, 'original', want_body=body, media_types={'application/json'}, listed=docs['original'])
    produced = check_document(c.a, inv_id, 'produced', media_types={'application/xml', 'text/xml'},
                              listed=docs['produced'])
    check(produced == dropped, f'documents/produced ({len(produced)} bytes) differs from the delivered file '
          f'{path} ({len(dropped)} bytes)')
    if 'signed' not in docs:
        expect_problem(c.a.get(f'/v1/invoices/{inv_id}/documents/signed'), 404, 'not_found',
                       'GET documents/signed of an invoice whose route does not sign')
    r = c.a.get(f'/v1/invoices/{inv_id}/documents/original', headers={'If-None-Match': f'"{sha256_hex(body)}"'})
    check(r.status in (200, 304), f'GET documents/original with If-None-Match: expected 200 or 304, got {r.describe()}')

    step('an unknown invoice id is 404 not_found, for the invoice and its documents')
    missing = 'inv_' + '0' * 32
    expect_problem(c.a.get(f'/v1/invoices/{missing}'), 404, 'not_found')
    expect_problem(c.a.get(f'/v1/invoices/{missing}/documents/original'), 404, 'not_found')
    expect_problem(c.a.get('/v1/invoices/not-an-id'), 404, 'not_found')
    c.first = {'id': inv_id, 'body': body, 'doc': doc, 'location': loc, 'totals': totals, 'number': number}


def check_credit_note_and_xml(c):
    step('a JSON credit note is delivered as a UBL CreditNote; document_type credit_note')
    body = c.inv.read('docs/examples/credit-note.json')
    doc = json.loads(body)
    doc['buyer']['electronic_address'] = {'id': R_CREDIT, 'scheme': '0088'}
    body = json.dumps(doc, ensure_ascii=False).encode()
    d, _ = c.a.submit_ok(body, 'erp-credit-1')
    inv = c.a.wait_status(d['id'], ('delivered', 'failed', 'rejected'))
    check_eq(inv['status'], 'delivered', f'credit note {d["id"]}: status (failure {inv.get("failure")})')
    check_eq(inv.get('document_type'), 'credit_note', f'GET /v1/invoices/{d["id"]}: document_type of a credit note')
    path = drop_path(c.gw.drop_folder, '0088', R_CREDIT, d['id'])
    with open(path, 'rb') as f:
        root, ns, ident = parse_ubl(f.read(), path)
    check_eq((root, ns, ident), ('CreditNote', UBL_CREDIT_NOTE_NS, doc['number']), f'{path}: root and number')

    c.rejected_xml = None
    if not os.path.isdir(os.path.join(c.suite.shared_dir, 'conformance', 'examples')):
        note(f'{c.suite.shared_dir}/conformance/examples is missing: the UBL and CII submissions are not checked')
        return
    step('a UBL invoice (Peppol base-example.xml, application/xml) is 202, delivered to 0002_FR23342')
    ubl_path = os.path.join(c.suite.shared_dir, 'conformance/examples/peppol/examples/base-example.xml')
    with open(ubl_path, 'rb') as f:
        ubl = f.read()
    d, _ = c.a.submit_ok(ubl, 'erp-ubl-1', 'application/xml')
    check_eq(d.get('invoice_number'), 'Snippet1', f'202 of {ubl_path}: invoice_number')
    inv = c.a.wait_status(d['id'], ('delivered', 'failed', 'rejected'))
    check_eq(inv['status'], 'delivered', f'UBL submission {d["id"]}: status (failure {inv.get("failure")}, '
             f'findings {inv.get("findings")})')
    check_eq((inv.get('route') or {}).get('recipient'), '0002:FR23342', 'UBL submission: route.recipient')
    docs = {x.get('kind'): x for x in inv.get('documents') or []}
    check_document(c.a, d['id'], 'original', want_body=ubl, media_types={'application/xml'}, listed=docs.get('original'))
    path = drop_path(c.gw.drop_folder, '0002', 'FR23342', d['id'])
    check(os.path.isfile(path), f'no delivered file {path}')
    with open(path, 'rb') as f:
        root, ns, ident = parse_ubl(f.read(), path)
    check_eq((root, ns, ident), ('Invoice', UBL_INVOICE_NS, 'Snippet1'), f'{path}: root and number')

    step('a CII invoice (CII_example5.xml, text/xml) is 202 and its original is kept byte for byte')
    cii_path = os.path.join(c.suite.shared_dir, 'conformance/examples/en16931/cii/CII_example5.xml')
    with open(cii_path, 'rb') as f:
        cii = f.read()
    d, _ = c.a.submit_ok(cii, 'erp-cii-1', 'text/xml')
    check_document(c.a, d['id'], 'original', want_body=cii, media_types={'application/xml', 'text/xml'})

    step('a UBL invoice that reads but breaks a Peppol rule (issue116.xml) is 202, then rejected '
         'with validation_failed and the rule in its findings; nothing is delivered')
    bad_path = os.path.join(c.suite.shared_dir, 'conformance/examples/en16931/ubl/issue116.xml')
    with open(bad_path, 'rb') as f:
        bad = f.read()
    d, _ = c.a.submit_ok(bad, 'erp-ubl-rejected', 'application/xml')
    inv = c.a.wait_status(d['id'], ('rejected', 'delivered', 'failed'))
    check_eq(inv['status'], 'rejected', f'{bad_path} ({d["id"]}): status')
    check_eq((inv.get('failure') or {}).get('code'), 'validation_failed', f'{d["id"]}: failure.code')
    check(isinstance((inv.get('failure') or {}).get('reason'), str) and inv['failure']['reason'],
          f'{d["id"]}: failure.reason must be a non-empty string: {inv.get("failure")}')
    check_findings_shape(inv.get('findings'), f'GET /v1/invoices/{d["id"]}')
    rules = {f['rule'] for f in fatal(inv['findings'])}
    check(any(r.endswith('PEPPOL-COMMON-R049') for r in rules),
          f'{d["id"]}: fatal findings should include PEPPOL-COMMON-R049, got {sorted(rules)}')
    statuses = event_statuses(inv)
    check(statuses[0] == 'received' and statuses[-1] == 'rejected' and 'delivered' not in statuses
          and 'sending' not in statuses, f'{d["id"]}: event statuses {statuses}')
    check(inv.get('attempts') in ([], None), f'{d["id"]}: a rejected invoice has no attempts, got {inv.get("attempts")}')
    folder = os.path.join(c.gw.drop_folder, '0007_1234512345')
    check(not os.path.exists(os.path.join(folder, f'{d["id"]}.xml')), f'a rejected invoice was delivered to {folder}')
    c.rejected_xml = bad


def check_listing(c):
    step('list: 7 invoices of a fresh tenant, paged with limit=3: 3 pages, each id exactly once, '
         'ordered by updated_at then id; status and updated_since filters')
    ids = {}
    for i in range(1, 8):
        number = f'LIST-{i:03d}'
        d, _ = c.c.submit_ok(c.inv.json(number, R_LIST), f'list-{i}', 'application/json; charset=utf-8')
        ids[d['id']] = number
    for inv_id in ids:
        inv = c.c.wait_status(inv_id, ('delivered', 'failed', 'rejected'))
        check_eq(inv['status'], 'delivered', f'list invoice {inv_id}: status (failure {inv.get("failure")})')
    for params in ('', 'status=delivered'):
        items, pages = c.c.list_all(params, limit=3)
        got = [it.get('id') for it in items]
        check_eq(sorted(got), sorted(ids), f'GET /v1/invoices?{params}&limit=3 all pages: ids')
        check_eq(len(got), len(set(got)), f'GET /v1/invoices?{params}&limit=3: an id came twice: {got}')
        check_eq(pages, 3, f'GET /v1/invoices?{params}&limit=3 over 7 invoices: number of pages')
        keys = [(it.get('updated_at'), it.get('id')) for it in items]
        check(keys == sorted(keys), f'GET /v1/invoices?{params}: not ordered by updated_at then id: {keys}')
        for it in items:
            check_eq(it.get('status'), 'delivered', f'list item {it.get("id")}: status')
            check_eq(it.get('invoice_number'), ids[it['id']], f'list item {it["id"]}: invoice_number')
            check_eq(it.get('buyer_endpoint'), f'0088:{R_LIST}', f'list item {it["id"]}: buyer_endpoint')
            for k in ('created_at', 'updated_at'):
                check(TIMESTAMP_RE.match(it.get(k) or ''), f'list item {it["id"]}: {k} {it.get(k)!r}')
    for status in ('received', 'failed', 'rejected'):
        items, pages = c.c.list_all(f'status={status}', limit=3)
        check_eq(items, [], f'GET /v1/invoices?status={status} when all are delivered: items')
    items, _ = c.c.list_all('updated_since=2000-01-01T00:00:00.000Z')
    check_eq(len(items), 7, 'GET /v1/invoices?updated_since=2000-01-01T00:00:00.000Z: number of items')
    items, _ = c.c.list_all('updated_since=2999-01-01T00:00:00.000Z')
    check_eq(items, [], 'GET /v1/invoices?updated_since=2999-01-01T00:00:00.000Z: items')

    step('list: wrong parameters are 400 invalid_parameter')
    for q in ('status=bogus', 'limit=0', 'limit=501', 'limit=abc', 'updated_since=yesterday',
              'cursor=%21%21not-a-cursor%21%21'):
        expect_problem(c.c.get(f'/v1/invoices?{q}'), 400, 'invalid_parameter', f'GET /v1/invoices?{q}')


def check_idempotency(c):
    step('idempotency: same key + same body replays the first answer (Idempotent-Replayed: true)')
    before = count_invoices(c.a)
    body = c.inv.json('IDEM-1', R_IDEM)
    first, r1 = c.a.submit_ok(body, 'idem-1')
    r2 = c.a.submit(body, 'idem-1')
    expect_status(r2, 202, 'the same POST again (Idempotency-Key idem-1, same bytes)')
    check_eq(r2.json(), first, 'replayed answer body')
    check_eq((r2.header('Idempotent-Replayed') or '').lower(), 'true', 'replayed answer: Idempotent-Replayed header')
    check_eq(r2.header('Location'), r1.header('Location'), 'replayed answer: Location')

    step('idempotency: same key + another body is 409 idempotency_conflict (byte for byte)')
    expect_problem(c.a.submit(c.inv.json('IDEM-2', R_IDEM), 'idem-1'), 409, 'idempotency_conflict',
                   'POST with Idempotency-Key idem-1 and another invoice')
    expect_problem(c.a.submit(body + b'\n', 'idem-1'), 409, 'idempotency_conflict',
                   'POST with Idempotency-Key idem-1 and the same invoice plus a trailing newline')

    step('idempotency: no key is 400 idempotency_key_missing; empty, 256 bytes, non-printable or '
         'non-ASCII keys are 400 idempotency_key_invalid; 255 printable bytes are fine')
    expect_problem(c.a.submit(body, None), 400, 'idempotency_key_missing', 'POST /v1/invoices without Idempotency-Key')
    for what, key in (('empty', ''), ('256 bytes', 'k' * 256), ('with DEL', 'a\x7fb'), ('with a tab', 'a\tb'),
                      ('latin-1 é', 'cl\xe9')):
        expect_problem(c.a.submit(body, key), 400, 'idempotency_key_invalid', f'POST with an Idempotency-Key {what}')
    long_key = 'K' * 200 + '-' * 28 + 'x!~ ' * 6 + 'end'
    check_eq(len(long_key), 255, 'test setup: the long key length')
    c.a.submit_ok(c.inv.json('IDEM-LONG', R_IDEM), long_key)

    step('idempotency: keys are per tenant (tenant B, same key and body, gets its own invoice)')
    other, rb = c.b.submit_ok(body, 'idem-1')
    check(other['id'] != first['id'], f'tenant B got tenant A\'s invoice {first["id"]} for its own key idem-1')
    check(rb.header('Idempotent-Replayed') in (None, 'false'), 'tenant B\'s first submission marked as replayed')
    c.b_invoice = other['id']

    step('idempotency: after delivery the replay is still the first answer (status received)')
    c.a.wait_status(first['id'], 'delivered')
    r3 = c.a.submit(body, 'idem-1')
    expect_status(r3, 202, 'POST idem-1 again after delivery')
    check_eq(r3.json(), first, 'replay after delivery: body')
    check_eq((r3.header('Idempotent-Replayed') or '').lower(), 'true', 'replay after delivery: Idempotent-Replayed')
    check_eq(count_invoices(c.a), before + 2, 'tenant A invoice count after the idempotency checks (2 new)')
    c.idem = {'id': first['id'], 'body': body, 'answer': first}


def read_expected(source_dir):
    rows = {}
    with open(os.path.join(source_dir, 'tests/data/json/invalid/EXPECTED.tsv'), encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            name, pointer, text = line.rstrip('\n').split('\t')
            rows.setdefault(name, []).append((pointer, text))
    return rows


def check_invalid(c):
    step('invalid invoices (tests/data/json/invalid) are 422 validation_failed with every finding at its '
         'JSON pointer; nothing is stored; the key stays free')
    expected = read_expected(c.suite.source_dir)
    before = count_invoices(c.a)
    for name in ('missing-mandatory-fields.json', 'mismatch-totals.json', 'unknown-field-typo.json',
                 'wrong-type.json', 'bad-currency.json', 'mismatch-vat-breakdown.json', 'not-an-object.json',
                 'negative-price.json'):
        body = c.inv.read(f'tests/data/json/invalid/{name}')
        what = f'POST /v1/invoices {name}'
        p = expect_problem(c.a.submit(body, f'invalid-{name}'), 422, 'validation_failed', what)
        check(isinstance(p.get('detail'), str) and p['detail'], f'{what}: no detail')
        check_findings_shape(p.get('findings'), what)
        check(fatal(p['findings']), f'{what}: no fatal finding in {p["findings"]}')
        for pointer, text in expected[name]:
            at = [f for f in p['findings'] if f['location'] == pointer] if pointer else p['findings']
            check(any(text.lower() in (f.get('message') or '').lower() for f in at),
                  f'{what}: expected a finding at {pointer or "(any location)"} whose message contains {text!r}; '
                  f'findings: {json.dumps(p["findings"], ensure_ascii=False)[:1500]}')
        r = c.a.submit(body, f'invalid-{name}')
        expect_problem(r, 422, 'validation_failed', f'{what} again with the same key (nothing was stored)')

    step('preflight of an invalid invoice is answered as POST /v1/invoices: 422 validation_failed')
    expect_problem(c.a.request('POST', '/v1/invoices/preflight', body=c.inv.read('tests/data/json/invalid/mismatch-totals.json'),
                               headers={'Content-Type': 'application/json'}), 422, 'validation_failed',
                   'POST /v1/invoices/preflight mismatch-totals.json')

    step('the key of a refused submission can be used for the corrected invoice (nothing was stored)')
    d, r = c.a.submit_ok(c.inv.json('FIXED-1', R_INVALID), 'invalid-mismatch-totals.json')
    check(r.header('Idempotent-Replayed') in (None, 'false'),
          'a corrected invoice under the key of a refused one is marked as replayed')
    check_eq(count_invoices(c.a), before + 1, 'tenant A invoice count after 8 invalid submissions and 1 valid')


def check_malformed(c):
    step('malformed JSON is 400 malformed_json with line and column; nothing stored')
    before = count_invoices(c.a)
    for name, line, col in (('syntax-missing-comma.json', 4, 3), ('syntax-single-quotes.json', 2, None)):
        body = c.inv.read(f'tests/data/json/invalid/{name}')
        p = expect_problem(c.a.submit(body, f'malformed-{name}'), 400, 'malformed_json', f'POST {name}')
        detail = p.get('detail') or ''
        check(re.search(rf'\bline\D{{0,3}}{line}\b', detail, re.I) is not None,
              f'POST {name}: 400 malformed_json detail should name line {line}: {detail!r}')
        if col is not None:
            check(re.search(rf'\bcolumn\D{{0,3}}{col}\b', detail, re.I) is not None,
                  f'POST {name}: 400 malformed_json detail should name column {col}: {detail!r}')
    for what, body in (('a truncated object', b'{"number": "X-1", "lines": ['), ('an empty body', b''),
                       ('a bare word', b'invoice')):
        expect_problem(c.a.submit(body, 'malformed-x'), 400, 'malformed_json', f'POST /v1/invoices {what}')

    step('hostile or broken XML is 400 malformed_xml (DOCTYPE, entity expansion, external entity, '
         'depth, not well-formed); other XML is 400 unknown_document')
    ubl = cli_ubl(c.suite, c.inv.json('DOCTYPE-1', R_INVALID))
    decl_end = ubl.index(b'?>') + 2 if ubl.startswith(b'<?xml') else 0
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
              + b''.join(b' <!ENTITY lol%d "%s">\n' % (i, (b'&lol%d;' % (i - 1) if i > 1 else b'&lol;') * 10)
                         for i in range(1, 10))
              + b']>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>\n')
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:Note '
           b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">&xxe;</cbc:Note></Invoice>')
    doctype = ubl[:decl_end] + b'\n<!DOCTYPE Invoice>\n' + ubl[decl_end:]
    deep = (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">' + b'<a>' * 5000
            + b'</a>' * 5000 + b'</Invoice>')
    broken = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><a></Invoice>'
    for what, body in (('billion laughs', laughs), ('an external entity', xxe),
                       ('a valid UBL invoice with a DOCTYPE', doctype), ('5000 nested elements', deep),
                       ('mismatched tags', broken)):
        for path in ('/v1/invoices', '/v1/invoices/preflight'):
            r = c.a.request('POST', path, body=body, headers={'Content-Type': 'application/xml',
                                                               'Idempotency-Key': 'hostile-1'})
            expect_problem(r, 400, 'malformed_xml', f'POST {path} with {what}')
    r = c.a.submit(b'<?xml version="1.0"?><Order xmlns="urn:example:order"><ID>1</ID></Order>', 'unknown-doc',
                   'application/xml')
    expect_problem(r, 400, 'unknown_document', 'POST /v1/invoices with an <Order> document')

    step('a Content-Type that is neither JSON nor XML is 415 unsupported_media_type')
    body = c.inv.json('MEDIA-1', R_INVALID)
    for ct in ('text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'):
        expect_problem(c.a.submit(body, 'media-1', ct), 415, 'unsupported_media_type', f'POST with Content-Type {ct}')
        r = c.a.request('POST', '/v1/invoices/preflight', body=body, headers={'Content-Type': ct})
        expect_problem(r, 415, 'unsupported_media_type', f'POST /v1/invoices/preflight with Content-Type {ct}')

    step('a body over max_body_bytes (65536) is 413 payload_too_large, also when only Content-Length says so')
    big = c.inv.read('tests/data/json/valid/large-1000-lines.json')
    check(len(big) > 65536, 'test setup: large-1000-lines.json should be over 64 KiB')
    expect_problem(c.a.submit(big, 'big-1'), 413, 'payload_too_large', f'POST a {len(big)}-byte invoice')
    padded = json.loads(c.inv.json('BIG-2', R_INVALID))
    padded['notes'] = ['x' * 70000]
    expect_problem(c.a.submit(json.dumps(padded).encode(), 'big-2'), 413, 'payload_too_large',
                   'POST a 70 kB invoice (one long note)')
    conn = http.client.HTTPConnection(c.gw.host, c.gw.port, timeout=15)
    try:
        conn.putrequest('POST', '/v1/invoices')
        conn.putheader('Authorization', f'Bearer {c.key_a}')
        conn.putheader('Content-Type', 'application/json')
        conn.putheader('Idempotency-Key', 'big-3')
        conn.putheader('Content-Length', str(50 * 1024 * 1024))
        conn.endheaders(b'{"number": ')
        t = time.monotonic()
        try:
            resp = conn.getresponse()
        except (TimeoutError, OSError) as e:
            raise Failure(f'POST with Content-Length 52428800 and a 11-byte start of the body: no answer '
                          f'within 15 s ({e}); expected 413 payload_too_large before the body is read')
        data = resp.read()
        from gateway_harness import Response
        expect_problem(Response('POST', '/v1/invoices', resp.status, resp.reason, resp.headers, data), 413,
                       'payload_too_large', 'POST with Content-Length 52428800 (body not sent)')
        check(time.monotonic() - t < 10, 'the 413 for an announced Content-Length came only after 10 s')
    finally:
        conn.close()
    check_eq(count_invoices(c.a), before, 'tenant A invoice count after malformed, hostile and oversized bodies')


def check_preflight(c):
    step('preflight: 200 with valid, totals, route, no findings; nothing stored or delivered; no key needed')
    before = count_invoices(c.a)
    body = c.inv.json('PRE-1', R_PREFLIGHT)
    totals = cli_totals(c.suite, body)
    r = c.a.request('POST', '/v1/invoices/preflight', body=body, headers={'Content-Type': 'application/json'})
    expect_status(r, 200, 'POST /v1/invoices/preflight (valid invoice, no Idempotency-Key)')
    p = r.json()
    check_eq(p.get('valid'), True, f'preflight valid (findings {p.get("findings")}, route_error {p.get("route_error")})')
    check_eq(p.get('invoice_number'), 'PRE-1', 'preflight invoice_number')
    check_eq(p.get('document_type'), 'invoice', 'preflight document_type')
    check_eq(p.get('totals'), totals, 'preflight totals (as eigw convert computes them)')
    check_eq(p.get('route'), {'operator': 'local-drop', 'protocol': 'file-drop', 'format': 'ubl',
                              'recipient': f'0088:{R_PREFLIGHT}', 'e_invoice': True, 'channel': None, 'directory_source': None,
                                'reason': 'the directory does not know it; [routing] default_operator = local-drop; ubl is its first format this gateway writes'}, 'preflight route')
    check(p.get('route_error') is None, f'preflight route_error must be null, got {p.get("route_error")!r}')
    check_findings_shape(p.get('findings'), 'preflight')
    check_eq(fatal(p['findings']), [], 'preflight fatal findings')

    step('preflight of a document that breaks a rule: 200 valid false with the fatal finding')
    if c.rejected_xml is None:
        note('skipped: no ../shared/conformance/examples')
    else:
        r = c.a.request('POST', '/v1/invoices/preflight', body=c.rejected_xml,
                        headers={'Content-Type': 'application/xml'})
        expect_status(r, 200, 'POST /v1/invoices/preflight issue116.xml')
        p = r.json()
        check_eq(p.get('valid'), False, 'preflight of issue116.xml: valid')
        check_findings_shape(p.get('findings'), 'preflight issue116.xml')
        check(any(f['rule'].endswith('PEPPOL-COMMON-R049') for f in fatal(p['findings'])),
              f'preflight issue116.xml: expected a fatal PEPPOL-COMMON-R049, got {p["findings"]}')
        check_eq((p.get('route') or {}).get('recipient'), '0007:1234512345',
                 'preflight issue116.xml: route.recipient')

    time.sleep(0.3)
    check_eq(count_invoices(c.a), before, 'tenant A invoice count after preflights')
    folder = os.path.join(c.gw.drop_folder, f'0088_{R_PREFLIGHT}')
    check(not os.path.exists(folder), f'preflight delivered something: {folder} exists')


def check_isolation(c):
    step('tenant isolation: B gets 404 not_found for A\'s invoice, documents and webhook, as for an '
         'unknown id; B\'s list does not show A\'s invoices')
    a_id = c.first['id']
    unknown = expect_problem(c.b.get('/v1/invoices/inv_' + 'f' * 32), 404, 'not_found')
    for path in (f'/v1/invoices/{a_id}', f'/v1/invoices/{a_id}/documents/original',
                 f'/v1/invoices/{a_id}/documents/produced'):
        p = expect_problem(c.b.get(path), 404, 'not_found', f'tenant B: GET {path} (tenant A\'s)')
        check_eq(p.get('title'), unknown.get('title'), f'tenant B: GET {path}: title against an unknown id\'s 404')
    r = c.a.post_json('/v1/webhooks', {'url': 'http://127.0.0.1:9/never', 'secret': 'a-secret-of-tenant-a'})
    expect_status(r, 201, 'tenant A: POST /v1/webhooks')
    wh = r.json()['id']
    expect_problem(c.b.get(f'/v1/webhooks/{wh}/deliveries'), 404, 'not_found', 'tenant B: GET A\'s webhook deliveries')
    expect_problem(c.b.delete(f'/v1/webhooks/{wh}'), 404, 'not_found', 'tenant B: DELETE A\'s webhook')
    expect_problem(c.b.request('POST', f'/v1/webhooks/{wh}/deliveries/whd_0/replay'), 404, 'not_found',
                   'tenant B: POST replay on A\'s webhook')
    r = c.b.get('/v1/webhooks')
    expect_status(r, 200)
    check(wh not in [w.get('id') for w in r.json().get('items', [])], 'tenant B\'s webhook list shows A\'s webhook')
    r = c.a.get('/v1/webhooks')
    check(wh in [w.get('id') for w in r.json().get('items', [])], 'tenant A\'s webhook is gone after B\'s DELETE')
    expect_status(c.a.delete(f'/v1/webhooks/{wh}'), 204, 'tenant A: DELETE its webhook')
    b_items, _ = c.b.list_all()
    b_ids = {it['id'] for it in b_items}
    check(a_id not in b_ids and c.idem['id'] not in b_ids, 'tenant B\'s list shows tenant A\'s invoices')
    check_eq(b_ids, {c.b_invoice}, 'tenant B\'s list: ids')
    a_items, _ = c.a.list_all()
    check(c.b_invoice not in {it['id'] for it in a_items}, 'tenant A\'s list shows tenant B\'s invoice')


def check_exhausted(c):
    step('delivery attempts exhausted (recipient folder is a plain file, max_attempts 3): failed with '
         'delivery_failed after 3 attempts, events with failed_retrying')
    blocker = os.path.join(c.gw.drop_folder, f'0088_{R_EXHAUST}')
    with open(blocker, 'w') as f:
        f.write('not a folder\n')
    d, _ = c.a.submit_ok(c.inv.json('EXHAUST-1', R_EXHAUST), 'exhaust-1')
    inv = c.a.wait_status(d['id'], ('failed', 'delivered', 'rejected'), timeout=30)
    check_eq(inv['status'], 'failed', f'{d["id"]}: final status')
    failure = inv.get('failure') or {}
    check_eq(failure.get('code'), 'delivery_failed', f'{d["id"]}: failure.code')
    check(isinstance(failure.get('reason'), str) and failure['reason'], f'{d["id"]}: failure.reason is empty: {failure}')
    check_eq(event_statuses(inv), EXHAUSTED_EVENTS, f'{d["id"]}: event statuses')
    attempts = inv.get('attempts') or []
    check_eq([a.get('number') for a in attempts], [1, 2, 3], f'{d["id"]}: attempt numbers')
    for a in attempts:
        check(a.get('outcome') not in (None, 'delivered'), f'{d["id"]}: attempt {a} should have failed')
        check(a.get('detail'), f'{d["id"]}: a failed attempt should say why: {a}')
    with open(blocker) as f:
        check_eq(f.read(), 'not a folder\n', f'{blocker}: the plain file was changed')
    items, _ = c.a.list_all('status=failed')
    check(d['id'] in {it['id'] for it in items}, f'GET /v1/invoices?status=failed does not list {d["id"]}')
    c.exhausted = d['id']


def check_routes(c):
    step('an unknown route is 404 not_found; a known route with another method is 405 with Allow')
    expect_problem(c.a.get('/v1/nothing-here'), 404, 'not_found')
    r = c.a.delete('/v1/invoices')
    expect_problem(r, 405, 'method_not_allowed', 'DELETE /v1/invoices')
    allow = {m.strip().upper() for m in (r.header('Allow') or '').split(',')}
    check({'GET', 'POST'} <= allow, f'DELETE /v1/invoices: Allow should list GET and POST, got {r.header("Allow")!r}')
    r = c.a.request('PUT', f'/v1/invoices/{c.first["id"]}', body=b'{}', headers={'Content-Type': 'application/json'})
    expect_problem(r, 405, 'method_not_allowed', 'PUT /v1/invoices/{id}')
    check('GET' in (r.header('Allow') or '').upper(), f'PUT /v1/invoices/{{id}}: Allow {r.header("Allow")!r}')


def check_chunked(c):
    step('a chunked request body (no Content-Length) is read: 202 and the original byte for byte; a chunked '
         'body over max_body_bytes is 413 payload_too_large')
    body = c.inv.json('CHUNKED-1', R_IDEM)
    conn = c.a.connect()
    try:
        conn.request('POST', '/v1/invoices', body=(body[i:i + 1000] for i in range(0, len(body), 1000)),
                     headers={'Authorization': f'Bearer {c.key_a}', 'Content-Type': 'application/json',
                              'Idempotency-Key': 'chunked-1', 'Transfer-Encoding': 'chunked'}, encode_chunked=True)
        r = conn.getresponse()
        data = r.read()
    finally:
        conn.close()
    check(r.status == 202, f'POST /v1/invoices with a chunked body: expected 202, got {r.status} {data[:300]!r}')
    inv_id = json.loads(data)['id']
    check_document(c.a, inv_id, 'original', want_body=body)

    big = c.inv.read('tests/data/json/valid/large-1000-lines.json')
    sock = socket.create_connection((c.gw.host, c.gw.port), timeout=15)
    send_error = None
    answer = b''
    try:
        sock.sendall(f'POST /v1/invoices HTTP/1.1\r\nHost: {c.gw.host}:{c.gw.port}\r\n'
                     f'Authorization: Bearer {c.key_a}\r\nContent-Type: application/json\r\n'
                     f'Idempotency-Key: chunked-2\r\nTransfer-Encoding: chunked\r\n\r\n'.encode())
        try:
            for i in range(0, len(big), 8192):
                part = big[i:i + 8192]
                sock.sendall(b'%x\r\n%s\r\n' % (len(part), part))
            sock.sendall(b'0\r\n\r\n')
        except OSError as e:  # the server may answer and close before the whole body is sent
            send_error = e
        try:
            while b'\r\n\r\n' not in answer or b'payload_too_large' not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except OSError as e:
            check(answer, f'POST /v1/invoices with a {len(big)}-byte chunked body: no answer, the connection was '
                  f'reset ({e}; while sending: {send_error}); expected 413 payload_too_large before the close')
    finally:
        sock.close()
    check(answer.startswith(b'HTTP/1.1 413') and b'"payload_too_large"' in answer,
          f'POST /v1/invoices with a {len(big)}-byte chunked body: expected 413 payload_too_large, got {answer[:300]!r}')


def check_concurrency(c):
    step(f'{CONCURRENT} concurrent submissions with one Idempotency-Key and body: all 202 with one invoice, one of '
         f'them not replayed; {CONCURRENT} concurrent distinct submissions: all 202')
    body = c.inv.json('RACE-1', R_IDEM)
    answers = [None] * CONCURRENT

    def same(i):
        try:
            r = c.a.submit(body, 'race-1')
            answers[i] = (r.status, r.json().get('id') or r.json().get('code'), r.header('Idempotent-Replayed'),
                          r.json().get('detail'))
        except Exception as e:  # noqa: BLE001
            answers[i] = ('exception', repr(e), None, None)
    threads = [threading.Thread(target=same, args=(i,)) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    bad = [a for a in answers if a is None or a[0] != 202]
    check(not bad, f'{CONCURRENT} concurrent POST /v1/invoices with Idempotency-Key race-1 and the same body: expected 202 for '
          f'all, got {len(bad)} others: {bad[:3]}')
    check_eq(len({a[1] for a in answers}), 1, 'concurrent same-key submissions: distinct invoice ids')
    fresh = [a for a in answers if (a[2] or '').lower() != 'true']
    check_eq(len(fresh), 1, f'concurrent same-key submissions: answers without Idempotent-Replayed: true ({answers})')

    distinct = [None] * CONCURRENT

    def other(i):
        try:
            r = c.a.submit(c.inv.json(f'PAR-{i}', R_IDEM), f'par-{i}')
            distinct[i] = (r.status, r.json().get('id') or r.json().get('detail'))
        except Exception as e:  # noqa: BLE001
            distinct[i] = ('exception', repr(e))
    threads = [threading.Thread(target=other, args=(i,)) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    bad = [a for a in distinct if a is None or a[0] != 202]
    check(not bad, f'{CONCURRENT} concurrent POST /v1/invoices with distinct keys: expected 202 for all, got {len(bad)} others: {bad[:3]}')
    check_eq(len({a[1] for a in distinct}), CONCURRENT, 'concurrent distinct submissions: distinct invoice ids')


def check_after_restart(c):
    step('after a restart on the same database: the invoice, its documents and its idempotency key are kept')
    inv = c.a.invoice(c.first['id'])
    check_eq(inv['status'], 'delivered', 'after restart: status of the first invoice')
    check_document(c.a, c.first['id'], 'original', want_body=c.first['body'])
    r = c.a.submit(c.first['body'], 'erp-1')
    expect_status(r, 202, 'after restart: POST erp-1 again')
    check_eq(r.json(), c.first['doc'], 'after restart: the replayed answer')
    check_eq((r.header('Idempotent-Replayed') or '').lower(), 'true', 'after restart: Idempotent-Replayed')
    check_eq(c.a.invoice(c.exhausted)['status'], 'failed', 'after restart: the exhausted invoice stays failed')


def check_retry_then_delivered(c):
    step('retries (EIGW_OUTBOX_MAX_ATTEMPTS=1000 from the environment): while the recipient folder is a '
         'plain file the invoice is failed_retrying with attempts recorded; once it is gone, delivered')
    blocker = os.path.join(c.gw.drop_folder, f'0088_{R_RETRY}')
    with open(blocker, 'w') as f:
        f.write('blocked\n')
    d, _ = c.a.submit_ok(c.inv.json('RETRY-1', R_RETRY), 'retry-1')

    def four_attempts():
        inv = c.a.invoice(d['id'])
        return inv if len(inv.get('attempts') or []) >= 4 else None
    inv = wait_for(four_attempts, 30, f'{d["id"]} to have 4 failed attempts')
    check(inv['status'] in ('failed_retrying', 'sending'),
          f'{d["id"]} after 4 failed attempts with max_attempts 1000 from the environment: status {inv["status"]} '
          f'(failure {inv.get("failure")}); the environment override EIGW_OUTBOX_MAX_ATTEMPTS is not applied?')
    check('failed_retrying' in event_statuses(inv), f'{d["id"]}: no failed_retrying event: {event_statuses(inv)}')
    os.unlink(blocker)
    inv = c.a.wait_status(d['id'], ('delivered', 'failed'), timeout=20)
    check_eq(inv['status'], 'delivered', f'{d["id"]}: status after the blocking file was removed')
    attempts = inv['attempts']
    check_eq([a.get('number') for a in attempts], list(range(1, len(attempts) + 1)), f'{d["id"]}: attempt numbers')
    check([a.get('outcome') for a in attempts[:-1]] == ['failed'] * (len(attempts) - 1)
          or all(a.get('outcome') not in (None, 'delivered') for a in attempts[:-1]),
          f'{d["id"]}: the attempts before the last should have failed: {attempts}')
    check_eq(attempts[-1].get('outcome'), 'delivered', f'{d["id"]}: last attempt outcome')
    statuses = event_statuses(inv)
    check_eq(statuses[:4], ['received', 'validated', 'queued', 'sending'], f'{d["id"]}: first events')
    check_eq(statuses[-1], 'delivered', f'{d["id"]}: last event')
    check_eq(statuses.count('delivered'), 1, f'{d["id"]}: delivered events')
    path = drop_path(c.gw.drop_folder, '0088', R_RETRY, d['id'])
    with open(path, 'rb') as f:
        root, _, ident = parse_ubl(f.read(), path)
    check_eq((root, ident), ('Invoice', 'RETRY-1'), f'{path}: root and number')


def check_metrics(c):
    step('GET /metrics (no key): Prometheus text with the documented metrics')
    r = c.anon.get('/metrics')
    expect_status(r, 200)
    check(r.content_type in ('text/plain', 'application/openmetrics-text'),
          f'GET /metrics: Content-Type {r.headers.get("Content-Type")!r}')
    text = r.body.decode()
    samples = [l for l in text.splitlines() if l and not l.startswith('#')]
    for name in ('eigw_http_requests_total', 'eigw_http_request_duration_seconds_bucket', 'eigw_invoices',
                 'eigw_outbox_depth', 'eigw_outbox_oldest_age_seconds', 'eigw_delivery_attempts_total',
                 'eigw_webhook_deliveries_total'):
        if name == 'eigw_webhook_deliveries_total' and not any(l.startswith(name) for l in samples):
            check(f'# TYPE {name}' in text, f'GET /metrics: neither samples nor a TYPE line of {name}')
            continue
        check(any(re.match(rf'{name}(\{{|\s)', l) for l in samples), f'GET /metrics: no sample of {name}')
    posted = [l for l in samples if l.startswith('eigw_http_requests_total{') and 'method="POST"' in l
              and 'status="202"' in l]
    check(posted and all('route="' in l for l in posted),
          f'GET /metrics: no eigw_http_requests_total{{route=...,method="POST",status="202"}} sample')
    check(sum(float(l.rsplit(' ', 1)[1]) for l in posted) >= 1, f'GET /metrics: POST 202 count: {posted}')
    depth = [l for l in samples if re.match(r'eigw_outbox_depth(\{|\s)', l)]
    check(all(re.fullmatch(r'\S+\s+[0-9.e+-]+', l) for l in depth), f'GET /metrics: eigw_outbox_depth: {depth}')
    delivered = [l for l in samples if l.startswith('eigw_invoices{') and 'status="delivered"' in l]
    check(delivered and float(delivered[0].rsplit(' ', 1)[1]) >= 10,
          f'GET /metrics: eigw_invoices{{status="delivered"}} should be at least 10, got {delivered}')


def run(suite):
    c = Ctx()
    c.suite = suite
    c.inv = suite.invoices
    c.gw = gw = Gateway(suite, 'api')
    _, c.key_a = gw.add_tenant('acme')
    _, c.key_b = gw.add_tenant('globex')
    _, c.key_c = gw.add_tenant('initech')
    c.key_a2 = gw.cli('keys', 'create', 'acme').strip()
    step('eigw serve starts, prints one listening line, and picks a free port for listen 127.0.0.1:0')
    gw.start()
    c.anon, c.a, c.b, c.c = gw.client(), gw.client(c.key_a), gw.client(c.key_b), gw.client(c.key_c)
    c.a2 = gw.client(c.key_a2)

    check_operations(c)
    check_auth(c)
    revoke_key(c)
    check_first_invoice(c)
    check_credit_note_and_xml(c)
    check_listing(c)
    check_idempotency(c)
    check_invalid(c)
    check_malformed(c)
    check_preflight(c)
    check_isolation(c)
    check_exhausted(c)
    check_routes(c)
    check_chunked(c)
    check_concurrency(c)
    check_revoked_key(c)
    check_eq(len(gw.listening_lines()), 1, 'number of "eigw: listening on" lines')

    step('SIGTERM stops the server with exit status 0')
    gw.stop()

    gw.start(env={'EIGW_OUTBOX_MAX_ATTEMPTS': '1000', 'EIGW_OUTBOX_BACKOFF_INITIAL_MS': '100',
                  'EIGW_OUTBOX_BACKOFF_MAX_MS': '200'})
    c.anon, c.a, c.b, c.c = gw.client(), gw.client(c.key_a), gw.client(c.key_b), gw.client(c.key_c)
    check_after_restart(c)
    check_retry_then_delivered(c)
    check_metrics(c)
    gw.stop()


if __name__ == '__main__':
    main(__doc__.splitlines()[0], run)
