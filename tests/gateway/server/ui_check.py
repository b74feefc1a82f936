#!/usr/bin/env python3
"""The web pages' sign-in, sessions and roles over real HTTP (the browser tests are in tests/ui).

Checks, against one `eigw serve` with two tenants and four users made with `eigw users add`:

- `eigw users add|list|remove`: refusals (short password, role without tenant or buyer, a buyer
  that is no identifier, an unknown tenant, a taken name), the list never shows a hash.
- /ui/ serves the page, script and style from the binary with a strict Content-Security-Policy,
  nosniff, no framing, no caching.
- Sign-in: a wrong password or user is refused alike; the session cookie is HttpOnly,
  SameSite=Strict, Path=/; /ui/api/me tells the user and the CSRF token.
- Session fixation: a cookie the browser had before signing in is never adopted: sign-in makes
  a new token and the old one stops working.
- CSRF: a signed-in POST without the token, with a wrong one, or from another origin is refused
  (403) and changes nothing; with the token it works.
- Roles: a customer sees only its buyer's invoices of its tenant (list, detail, documents, live
  events), and nothing of the directory, recipients, webhooks or submissions; finance sees its own
  tenant only; an admin every tenant or one by ?tenant=. Another tenant's or buyer's invoice id is
  404, as for an id that does not exist.
- A seller name with <script> comes back as the same text (the pages show it as text).
- Five wrong passwords lock the account for a minute, even against the right password.
- Sign-out ends the session.
- The invoice list's filters for the pages: q, created_from/created_to, e_invoice.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gateway_harness import (Gateway, check, check_eq, expect_problem, expect_status, gln, main,  # noqa: E402
                             step)

PASSWORD = 'correct horse battery staple'
XSS_NAME = '<script>alert("x")</script> Nordwind & Co "OÜ"'


def users_cli(g, *args, password=PASSWORD):
    """eigw users ARGS --config ... with the password in a file; returns (status, stdout, stderr)."""
    pw_file = os.path.join(g.workdir, 'password.txt')
    with open(pw_file, 'w') as f:
        f.write(password + '\n')
    cmd = [g.suite.eigw, 'users', *args, '--config', g.config_path]
    if args and args[0] == 'add':
        cmd += ['--password-file', pw_file]
    r = subprocess.run(cmd, capture_output=True, text=True, env=g.env(), timeout=60)
    return r.returncode, r.stdout, r.stderr


class Browser:
    """A cookie jar and CSRF token over the harness client: what a browser tab would send."""

    def __init__(self, client):
        self.client = client.with_key(None)
        self.token = None
        self.csrf = None

    def headers(self, extra=None, csrf=True):
        h = {}
        if self.token is not None:
            h['Cookie'] = f'eigw_session={self.token}'
        if csrf and self.csrf:
            h['X-CSRF-Token'] = self.csrf
        h.update(extra or {})
        return h

    def login(self, username, password=PASSWORD, expect=200):
        r = self.client.post_json('/ui/api/login', {'username': username, 'password': password},
                                  headers=self.headers(csrf=False))
        check_eq(r.status, expect, f'POST /ui/api/login as {username}: status ({r.describe()})')
        if expect != 200:
            return r
        cookie = r.header('Set-Cookie') or ''
        check(cookie.startswith('eigw_session='), f'sign-in as {username}: no session cookie: {cookie!r}')
        attrs = [a.strip() for a in cookie.split(';')]
        for want in ('HttpOnly', 'SameSite=Strict', 'Path=/'):
            check(want in attrs, f'sign-in as {username}: the cookie lacks {want}: {cookie!r}')
        self.token = attrs[0].split('=', 1)[1]
        check(len(self.token) >= 64, f'sign-in: a session token of {len(self.token)} characters is too short')
        doc = r.json()
        self.csrf = doc.get('csrf')
        check(isinstance(self.csrf, str) and len(self.csrf) >= 32, f'sign-in: no CSRF token: {doc}')
        return doc

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers(), **kw)

    def post(self, path, obj, csrf=True, extra=None):
        return self.client.post_json(path, obj, headers=self.headers(extra, csrf=csrf))


def run(suite):
    g = Gateway(suite, 'gw')
    acme_id, acme_key = g.add_tenant('acme')
    other_id, other_key = g.add_tenant('other')
    buyer1, buyer2 = gln(11), gln(12)

    step('eigw users add refuses what it cannot keep, with the reason')
    for args, status, says in [
        (('add', 'shorty', '--role', 'admin'), 2, 'at least 12'),
        (('add', 'fin', '--role', 'finance'), 2, '--tenant'),
        (('add', 'cust', '--role', 'customer', '--tenant', 'acme'), 2, '--buyer'),
        (('add', 'cust', '--role', 'customer', '--tenant', 'acme', '--buyer', 'not-an-id'), 2, '--buyer'),
        (('add', 'fin', '--role', 'finance', '--tenant', 'nope'), 1, "no tenant 'nope'"),
        (('add', 'boss', '--role', 'root'), 2, '--role'),
        (('add', 'x y', '--role', 'admin'), 2, 'a name is'),
    ]:
        rc, out, err = users_cli(g, *args, password='short' if args[1] == 'shorty' else PASSWORD)
        check(rc == status and says in err,
              f'eigw users {" ".join(args)}: expected exit {status} saying {says!r}, got {rc}: {err.strip()}')
    for args in [('add', 'admin1', '--role', 'admin'), ('add', 'fin', '--role', 'finance', '--tenant', 'acme'),
                 ('add', 'fin2', '--role', 'finance', '--tenant', 'other'),
                 ('add', 'cust', '--role', 'customer', '--tenant', 'acme', '--buyer', f'0088:{buyer1}')]:
        rc, out, err = users_cli(g, *args)
        check(rc == 0 and out.strip().startswith('usr_'), f'eigw users {" ".join(args)}: {rc} {out} {err}')
    rc, out, err = users_cli(g, 'add', 'fin', '--role', 'finance', '--tenant', 'acme')
    check(rc == 1 and 'exists' in err, f'a second user named fin: expected exit 1 "exists", got {rc}: {err}')
    rc, out, err = users_cli(g, 'list')
    check(rc == 0 and 'cust' in out and f'0088:{buyer1}' in out and 'scrypt' not in out,
          f'eigw users list: expected the users without their hashes, got {rc}: {out}')

    g.start()
    today = time.strftime('%Y-%m-%d', time.gmtime())
    api = g.client(acme_key)
    step('test data: acme invoices to two buyers (one seller name with <script>), one of tenant other')
    body = json.loads(suite.invoices.json('UI-A', buyer_gln=buyer1))
    body['seller']['name'] = XSS_NAME
    inv_a, _ = api.submit_ok(json.dumps(body, ensure_ascii=False).encode(), 'ui-a')
    # Due in the past: overdue in the KPIs.
    inv_b, _ = api.submit_ok(suite.invoices.json('UI-B', buyer_gln=buyer2,
                                                 extra={'issue_date': '2026-10-01', 'due_date': '2026-10-31'}), 'ui-b')
    inv_c, _ = g.client(other_key).submit_ok(suite.invoices.json('UI-C', buyer_gln=buyer1), 'ui-c')
    for inv, key in ((inv_a, acme_key), (inv_b, acme_key), (inv_c, other_key)):
        g.client(key).wait_status(inv['id'], 'delivered')
    a, b, c = inv_a['id'], inv_b['id'], inv_c['id']

    step('/ui/ serves the pages from the binary, with a strict content security policy')
    anon = Browser(g.client())
    for path, ctype in (('/ui/', 'text/html'), ('/ui', 'text/html'), ('/ui/app.js', 'text/javascript'),
                        ('/ui/app.css', 'text/css')):
        r = anon.get(path)
        expect_status(r, 200, f'GET {path}')
        check_eq(r.content_type, ctype, f'GET {path}: Content-Type')
        csp = r.header('Content-Security-Policy') or ''
        check("script-src 'self'" in csp and "frame-ancestors 'none'" in csp and 'unsafe-inline' not in csp,
              f'GET {path}: weak or no Content-Security-Policy: {csp!r}')
        check_eq(r.header('X-Content-Type-Options'), 'nosniff', f'GET {path}: X-Content-Type-Options')
        check_eq(r.header('X-Frame-Options'), 'DENY', f'GET {path}: X-Frame-Options')
    check(b'/ui/app.js' in anon.get('/ui/').body, 'the page does not load /ui/app.js')
    expect_problem(anon.get('/ui/nothing.js'), 404, 'not_found', 'GET /ui/nothing.js')
    expect_problem(anon.get('/ui/api/me'), 401, 'unauthorized', '/ui/api/me without a session')
    expect_problem(anon.get('/v1/invoices'), 401, 'unauthorized', '/v1/invoices without key or session')

    step('sign-in: a wrong password and an unknown user are refused alike')
    r1 = anon.login('fin', 'wrong password!!', expect=401)
    r2 = anon.login('nobody', PASSWORD, expect=401)
    check_eq(r1.json()['detail'], r2.json()['detail'], 'the refusal of a wrong password and of an unknown user')

    step('session fixation: a cookie set before signing in is not adopted')
    fin = Browser(g.client())
    fin.token = 'f' * 64  # planted by an attacker
    planted = fin.token
    me = fin.login('fin')
    check(fin.token != planted, 'sign-in kept the planted session token')
    check_eq(me['user'], {'name': 'fin', 'role': 'finance', 'tenant': 'acme', 'buyer': None}, 'finance user')
    attacker = Browser(g.client())
    attacker.token = planted
    expect_problem(attacker.get('/ui/api/me'), 401, 'unauthorized', 'the planted token after the victim signed in')
    # Signing in again replaces the session: the previous token stops working.
    first = fin.token
    fin.login('fin')
    old = Browser(g.client())
    old.token = first
    expect_problem(old.get('/v1/invoices'), 401, 'unauthorized', 'the session token of before the second sign-in')

    step('finance: its own tenant only')
    ids = sorted(i['id'] for i in fin.get('/v1/invoices').json()['items'])
    check_eq(ids, sorted([a, b]), 'finance of acme: GET /v1/invoices')
    expect_problem(fin.get(f'/v1/invoices/{c}'), 404, 'not_found', 'finance of acme: another tenant\'s invoice')
    expect_problem(fin.get(f'/v1/invoices/{c}/documents/original'), 404, 'not_found',
                   'finance of acme: another tenant\'s document')
    check_eq(fin.get(f'/v1/invoices/{a}').json()['seller']['name'], XSS_NAME, 'the seller name with <script>')
    view = fin.get(f'/v1/invoices/{a}/view').json()
    check_eq((view['number'], view['seller']['name'], view['document_type'], len(view['lines'])),
             ('UI-A', XSS_NAME, 'invoice', 3), 'GET /v1/invoices/{a}/view: number, seller, type, lines')
    check_eq(view['totals']['payable'], fin.get(f'/v1/invoices/{a}').json()['payable_amount'], 'view: payable')
    expect_problem(fin.get(f'/v1/invoices/{c}/view'), 404, 'not_found', 'finance of acme: another tenant\'s view')
    expect_status(fin.get('/v1/directory/status'), 200, 'finance: directory status')
    expect_status(fin.get(f'/v1/recipients/0088:{buyer1}'), 200, 'finance: recipient check')
    expect_status(fin.get('/ui/api/operators'), 200, 'finance: operators')
    expect_problem(fin.get('/v1/webhooks'), 403, 'forbidden', 'finance: webhooks (API keys only)')
    expect_problem(fin.post('/v1/invoices', {}), 403, 'forbidden', 'finance: submitting (API keys only)')

    step('CSRF: a signed-in state change needs the session\'s token and this origin')
    expect_problem(fin.post('/v1/directory/sync', {}, csrf=False), 403, 'forbidden', 'sync without X-CSRF-Token')
    expect_problem(fin.post('/v1/directory/sync', {}, csrf=False, extra={'X-CSRF-Token': 'x' * 32}), 403,
                   'forbidden', 'sync with a wrong X-CSRF-Token')
    expect_problem(fin.post('/v1/directory/sync', {}, extra={'Origin': 'https://evil.example'}), 403, 'forbidden',
                   'sync from another origin')
    expect_problem(fin.post('/ui/api/logout', {}, csrf=False), 403, 'forbidden', 'sign-out without X-CSRF-Token')
    expect_status(fin.get('/ui/api/me'), 200, 'the session after the refused sign-out')
    r = fin.post('/v1/directory/sync', {}, extra={'Origin': f'http://{g.host}:{g.port}'})
    check(r.status in (202, 404), f'sync with the token from this origin: expected 202 (or 404: no source), '
          f'got {r.describe()}')

    step('customer: only the invoices of its buyer, read only')
    cust = Browser(g.client())
    me = cust.login('cust')
    check_eq(me['user']['buyer'], f'0088:{buyer1}', 'customer: buyer')
    check_eq([i['id'] for i in cust.get('/v1/invoices').json()['items']], [a], 'customer: GET /v1/invoices')
    expect_status(cust.get(f'/v1/invoices/{a}'), 200, 'customer: its invoice')
    expect_status(cust.get(f'/v1/invoices/{a}/documents/original'), 200, 'customer: its document')
    expect_status(cust.get(f'/v1/invoices/{a}/view'), 200, 'customer: its invoice as a document')
    for path in (f'/v1/invoices/{b}', f'/v1/invoices/{b}/documents/original', f'/v1/invoices/{b}/view',
                 f'/v1/invoices/{c}'):
        expect_problem(cust.get(path), 404, 'not_found', f'customer: {path} (another buyer or tenant)')
    for path in ('/v1/directory/status', f'/v1/recipients/0088:{buyer1}', '/v1/inbox', '/v1/webhooks',
                 '/ui/api/operators', '/ui/api/certificates'):
        expect_problem(cust.get(path), 403, 'forbidden', f'customer: GET {path}')
    expect_problem(cust.post('/v1/directory/sync', {}), 403, 'forbidden', 'customer: POST /v1/directory/sync')
    # Tampering with ids in the URL does not widen the view either.
    items = cust.get(f'/v1/invoices?tenant={other_id}').json()['items']
    check_eq([i['id'] for i in items], [a], 'customer: ?tenant= of another tenant changes nothing')
    cust_events = customer_events(cust)
    check(cust_events and all(e['invoice_id'] == a for e in cust_events),
          f'customer: the event stream must carry only invoice {a}, got {[e["invoice_id"] for e in cust_events]}')

    step('admin: every tenant, or one by ?tenant=')
    adm = Browser(g.client())
    adm.login('admin1')
    check_eq(sorted(i['id'] for i in adm.get('/v1/invoices').json()['items']), sorted([a, b, c]), 'admin: all')
    check_eq([i['id'] for i in adm.get('/v1/invoices?tenant=other').json()['items']], [c], 'admin: ?tenant=other')
    expect_problem(adm.get('/v1/invoices?tenant=nope'), 404, 'not_found', 'admin: ?tenant=nope')
    expect_status(adm.get(f'/v1/invoices/{c}'), 200, 'admin: another tenant\'s invoice')
    expect_status(adm.get('/ui/api/certificates'), 200, 'admin: certificates')

    step('the list filters of the pages: q, created_from/created_to, e_invoice')
    check_eq([i['id'] for i in fin.get('/v1/invoices?q=ui-b').json()['items']], [b], 'q=ui-b')
    check_eq([i['id'] for i in fin.get(f'/v1/invoices?q={buyer1}').json()['items']], [a], f'q={buyer1}')
    check_eq(fin.get('/v1/invoices?q=%25').json()['items'], [], 'q=% (a wildcard is a character)')
    check_eq(len(fin.get(f'/v1/invoices?created_from={today}&created_to={today}').json()['items']), 2, 'today')
    check_eq(fin.get('/v1/invoices?created_to=2000-01-01').json()['items'], [], 'created_to=2000-01-01')
    check_eq(len(fin.get('/v1/invoices?e_invoice=true').json()['items']), 2, 'e_invoice=true (file-drop)')
    check_eq(fin.get('/v1/invoices?e_invoice=false').json()['items'], [], 'e_invoice=false')
    amount = float(fin.get(f'/v1/invoices/{a}').json()['payable_amount'])
    check_eq(len(fin.get(f'/v1/invoices?amount_min={amount:.2f}&amount_max={amount:.2f}').json()['items']), 2,
             'amount_min = amount_max = the (same) amount of a and b')
    check_eq(fin.get(f'/v1/invoices?amount_min={amount + 0.01:.2f}').json()['items'], [], 'amount_min above it')
    check_eq(fin.get(f'/v1/invoices?amount_max={amount - 0.01:.2f}').json()['items'], [], 'amount_max below it')
    expect_problem(fin.get('/v1/invoices?amount_min=ten'), 400, 'invalid_parameter', 'amount_min=ten')
    expect_problem(fin.get('/v1/invoices?created_from=2026-02-30'), 400, 'invalid_parameter', 'a day that is none')
    expect_problem(fin.get('/v1/invoices?e_invoice=maybe'), 400, 'invalid_parameter', 'e_invoice=maybe')
    item = fin.get('/v1/invoices?q=ui-a').json()['items'][0]
    for key in ('buyer_name', 'seller_name', 'currency', 'payable_amount'):
        check(key in item, f'GET /v1/invoices: an item lacks {key}: {item}')

    step('KPIs: the figures of the period, per tenant; refused to customers')
    k = fin.get(f'/v1/kpis?from={today}&to={today}').json()
    check_eq((k['sent'], k['received'], k['e_invoice_share'], k['rejection_rate'], k['accepted'], k['paid']),
             (2, 0, 1.0, 0.0, 0, 0), 'finance KPIs of today: sent, received, e-invoice share, rejections, accepted, paid')
    check(isinstance(k['submit_to_delivered_ms']['median'], int) and
          k['submit_to_delivered_ms']['p95'] >= k['submit_to_delivered_ms']['median'] >= 0,
          f'KPIs: submit_to_delivered_ms {k["submit_to_delivered_ms"]}')
    payable_b = fin.get(f'/v1/invoices/{b}').json()['payable_amount']
    check_eq(k['overdue'], [{'currency': 'EUR', 'amount': payable_b, 'count': 1}], 'KPIs: overdue (invoice b)')
    check_eq(k['daily'], [{'date': today, 'sent': 2, 'received': 0, 'delivered': 2}], 'KPIs: daily')
    check_eq(adm.get(f'/v1/kpis?from={today}&to={today}').json()['sent'], 3, 'admin KPIs: every tenant')
    k30 = fin.get('/v1/kpis').json()
    check_eq((len(k30['daily']), k30['to']), (30, today), 'KPIs without a period: the 30 days up to today')
    for q in ('from=2026-13-01', 'from=2026-11-02&to=2026-11-01', 'from=2020-01-01&to=2026-11-01'):
        expect_problem(fin.get(f'/v1/kpis?{q}'), 400, 'invalid_parameter', f'GET /v1/kpis?{q}')
    expect_problem(cust.get('/v1/kpis'), 403, 'forbidden', 'customer: KPIs')

    step('an API key still wins over a cookie, and keeps its tenant')
    r = g.client(other_key).get('/v1/invoices', headers={'Cookie': f'eigw_session={adm.token}'})
    check_eq([i['id'] for i in r.json()['items']], [c], 'API key of other with an admin cookie beside it')

    step('sign-out ends the session')
    expect_status(fin.post('/ui/api/logout', {}), 204, 'POST /ui/api/logout')
    expect_problem(fin.get('/v1/invoices'), 401, 'unauthorized', 'the session after sign-out')

    step('five wrong passwords lock the account for a minute')
    locked = Browser(g.client())
    for _ in range(5):
        locked.login('fin2', 'wrong password!!', expect=401)
    r = locked.login('fin2', PASSWORD, expect=401)
    check('locked' in r.json()['detail'], f'the sixth sign-in (right password) should say locked: {r.json()}')

    step('eigw users remove ends the user\'s sessions')
    rc, out, err = users_cli(g, 'remove', 'cust')
    check(rc == 0, f'eigw users remove cust: {rc} {err}')
    expect_problem(cust.get('/v1/invoices'), 401, 'unauthorized', 'a removed user\'s session')
    rc, out, err = users_cli(g, 'remove', 'cust')
    check(rc == 1, f'eigw users remove cust again: expected exit 1, got {rc}')


def customer_events(browser):
    """The events a customer's /v1/events replays from the start (seq 0), read for a second."""
    conn = browser.client.connect(timeout=5)
    conn.request('GET', '/v1/events?last_event_id=0',
                 headers={'Accept': 'text/event-stream', 'Cookie': f'eigw_session={browser.token}'})
    r = conn.getresponse()
    check_eq(r.status, 200, 'customer: GET /v1/events')
    events, block = [], []
    deadline = time.monotonic() + 1.5
    r.fp.raw._sock.settimeout(0.3)
    while time.monotonic() < deadline:
        try:
            line = r.fp.readline()
        except OSError:
            continue
        if not line:
            break
        line = line.decode().rstrip('\n')
        if line.startswith('data: '):
            events.append(json.loads(line[6:]))
    conn.close()
    return events


if __name__ == '__main__':
    main('the web pages: sign-in, sessions, CSRF and roles', run)
