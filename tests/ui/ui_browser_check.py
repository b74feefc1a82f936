#!/usr/bin/env python3
"""Browser tests of the web pages: sets up a gateway with test data, then runs tests/ui/ui_test.mjs.

Usage: ui_browser_check.py EIGW SOURCE_DIR [--shared DIR] [--screenshots DIR] [--keep]

Installs what is missing with scripts/ui-browser-setup (Debian's chromium, playwright-core from
npm); exits 77 (skipped) when that cannot be done. The gateway (SQLite) has:
- a registry-dump directory source with one recipient, so the recipient check can say yes;
- tenants acme and other; users admin1 (admin), fin (finance of acme), cust (customer of acme,
  buyer 0088:<gln 21>);
- invoices: a (acme to the customer's buyer, a seller name with <script>), b (acme to another
  buyer), c (other to the customer's buyer), and `live` (acme), whose delivery fails until the
  test removes a blocking file: its `delivered` status must reach the open page live.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'gateway', 'server'))
from gateway_harness import Gateway, Failure, Skip, check, gln, main, step  # noqa: E402

PASSWORD = 'correct horse battery staple'
XSS_NAME = '<script>alert("x")</script> Nordwind OÜ'
RECIPIENT = '0037:003712345671'


def add_user(g, *args):
    pw_file = os.path.join(g.workdir, 'password.txt')
    with open(pw_file, 'w') as f:
        f.write(PASSWORD + '\n')
    cmd = [g.suite.eigw, 'users', 'add', *args, '--password-file', pw_file, '--config', g.config_path]
    r = subprocess.run(cmd, capture_output=True, text=True, env=g.env(), timeout=60)
    check(r.returncode == 0, f'{" ".join(cmd)}: {r.returncode} {r.stderr}')


def run(suite):
    step('scripts/ui-browser-setup: chromium and playwright-core')
    setup = subprocess.run([os.path.join(suite.source_dir, 'scripts', 'ui-browser-setup')], capture_output=True,
                           text=True, timeout=900)
    if setup.returncode != 0:
        raise Skip(f'the browser could not be installed: {setup.stderr.strip()[-600:]}')
    node_dir = setup.stdout.strip().splitlines()[-1]

    work = os.path.join(suite.tmp, 'data')
    os.makedirs(work)
    dump = os.path.join(work, 'registry.csv')
    with open(dump, 'w') as f:
        f.write('address,operator_id,business_id,name\n003712345671,003721291126,1234567-1,Vastaanottaja Oy\n')
    g = Gateway(suite, 'gw', conf={
        # The blocked invoice is tried again every 300 ms until the test lets it through.
        'outbox': {'max_attempts': '1000', 'backoff_initial_ms': '300', 'backoff_max_ms': '300'},
        'operator.fi-registry': {'protocol': 'registry-dump', 'url': dump, 'formats': 'ubl'},
    })
    _, acme_key = g.add_tenant('acme')
    _, other_key = g.add_tenant('other')
    buyer, other_buyer, live_buyer = gln(21), gln(22), gln(23)
    add_user(g, 'admin1', '--role', 'admin')
    add_user(g, 'fin', '--role', 'finance', '--tenant', 'acme')
    add_user(g, 'cust', '--role', 'customer', '--tenant', 'acme', '--buyer', f'0088:{buyer}')
    # A file where the drop folder of the live invoice's buyer should be: its delivery fails.
    blocker = os.path.join(g.drop_folder, f'0088_{live_buyer}')
    os.makedirs(g.drop_folder, exist_ok=True)
    with open(blocker, 'w') as f:
        f.write('blocks the folder of this buyer until the browser test removes it\n')
    g.start()

    step('test data: four invoices')
    api, other = g.client(acme_key), g.client(other_key)
    body = json.loads(suite.invoices.json('UI-A', buyer_gln=buyer))
    body['seller']['name'] = XSS_NAME
    a, _ = api.submit_ok(json.dumps(body, ensure_ascii=False).encode(), 'ui-a')
    b, _ = api.submit_ok(suite.invoices.json('UI-B', buyer_gln=other_buyer), 'ui-b')
    c, _ = other.submit_ok(suite.invoices.json('UI-C', buyer_gln=buyer), 'ui-c')
    live, _ = api.submit_ok(suite.invoices.json('UI-LIVE', buyer_gln=live_buyer), 'ui-live')
    for inv, client in ((a, api), (b, api), (c, other)):
        client.wait_status(inv['id'], 'delivered')
    api.wait_status(live['id'], 'failed_retrying', what='the blocked invoice to fail and wait for a retry')

    step('tests/ui/ui_test.mjs in headless Chromium')
    shots = suite.args.screenshots or os.path.join(suite.tmp, 'screenshots')
    env = dict(os.environ, EIGW_UI_NODE_DIR=node_dir, EIGW_UI_BASE=f'http://{g.host}:{g.port}',
               EIGW_UI_PASSWORD=PASSWORD, EIGW_UI_SCREENSHOTS=shots,
               EIGW_UI_DATA=json.dumps({'a': a['id'], 'b': b['id'], 'c': c['id'], 'live': live['id'],
                                        'blocker': blocker, 'recipient': RECIPIENT, 'unknown': f'0088:{gln(99)}',
                                        'xss': XSS_NAME}))
    r = subprocess.run(['node', os.path.join(HERE, 'ui_test.mjs'), *suite.args.only], env=env, timeout=600)
    print(f'screenshots: {shots}', flush=True)
    if r.returncode == 77:
        raise Skip('playwright-core or chromium is missing')
    if r.returncode != 0:
        raise Failure(f'tests/ui/ui_test.mjs failed (exit {r.returncode}); screenshots in {shots}')


def options(ap):
    ap.add_argument('--screenshots', help='where the screenshots go (default: the work folder)')
    ap.add_argument('--only', action='append', default=[], help='run only the tests whose names contain this')


if __name__ == '__main__':
    main('the web pages in headless Chromium', run, backends=('sqlite',), add_args=options)
