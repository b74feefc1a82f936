#!/usr/bin/env python3
"""The gateway with an Estonian operator (protocol ee-erp) against the local stand-in of the
ErpDataExchange SOAP service (ee_standin.py, which serves the WSDL's operations from test data):

  - outbound: an invoice for 0191:14000001 is routed to the operator, written as Estonian
    e-invoice 1.2, sent with EInvoiceRequest and ends `delivered`; the stand-in holds exactly the
    gateway's produced document; a second invoice for a company that does not receive e-invoices
    is refused by the operator and fails with its reason;
  - inbound: the poller exports the invoices the operator received for the tenant's registry code
    (BuyInvoiceExportRequest since the stored cursor) into the tenant's inbox, each once; after a
    restart nothing is fetched twice.

Usage: ee_gateway_check.py EIGW SOURCE_DIR [--shared DIR] [--keep]
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'gateway', 'server'))
from gateway_harness import Gateway, check, check_eq, main, step, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PHRASE = json.load(open(os.path.join(HERE, 'data', 'standin.json')))['auth_phrase']


def start_standin(suite):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'ee_standin.py'), '--port', '0',
                             '--shared', suite.shared_dir], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().strip())

    def stop():
        proc.kill()
        proc.wait()
    suite.cleanups.append(stop)
    return f'http://127.0.0.1:{port}'


def standin_get(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as r:
        return r.read()


def stats(url):
    out = {}
    for line in standin_get(url, '/control/stats').decode().splitlines():
        name, _, value = line.partition(' ')
        out[name] = value
    return out


def estonian_invoice(suite, number, reg_code):
    doc = json.loads(suite.invoices.json(number))
    doc['buyer']['electronic_address'] = {'id': reg_code, 'scheme': '0191'}
    doc['buyer']['legal_registration_id'] = doc['buyer'].get('legal_registration_id') or {'id': reg_code}
    return json.dumps(doc, ensure_ascii=False).encode('utf-8')


def run(suite):
    url = start_standin(suite)
    phrase_file = os.path.join(suite.tmp, 'ee-phrase')
    with open(phrase_file, 'w') as f:
        f.write(PHRASE + '\n')
    g = Gateway(suite, 'ee', {
        'outbox': {'max_attempts': '4'},
        'node': {'operator_id': 'gw-ee'},
        'routing': {'recipient.0191:14000001': 'ee', 'recipient.0191:14000002': 'ee'},
        'operator.ee': {'protocol': 'ee-erp', 'url': url, 'auth_phrase_file': phrase_file,
                        'formats': 'ee-einvoice', 'poll_seconds': '1', 'timeout_ms': '5000'},
    })
    tenant, key = g.add_tenant('seller-and-buyer')
    g.cli('tenants', 'identifiers', 'add', 'seller-and-buyer', '0191:14000001')
    g.cli('tenants', 'set', 'seller-and-buyer', '--inbox-format', 'ubl')
    g.start()
    erp = g.client(key)

    step('outbound: an invoice for 0191:14000001 goes to the Estonian operator as e-invoice 1.2')
    d, _ = erp.submit_ok(estonian_invoice(suite, 'EE-OUT-1', '14000001'), 'ee-out-1')
    inv = erp.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
    check_eq(inv['status'], 'delivered', f'{d["id"]} status (failure {inv.get("failure")}, findings {inv.get("findings")})')
    check_eq((inv['route']['operator'], inv['route']['format']), ('ee', 'ee-einvoice'), 'the route')
    produced = erp.get(f'/v1/invoices/{d["id"]}/documents/produced').body
    check_eq(stats(url).get('invoices'), '1', 'invoices the stand-in stored')
    stored = standin_get(url, '/control/invoice?i=0')
    # The E_Invoice goes into the SOAP body without its XML declaration; the rest byte for byte.
    body = produced.split(b'?>', 1)[1] if produced.startswith(b'<?xml') else produced
    check_eq(stored.strip(), body.strip(), 'the E_Invoice the stand-in holds (the gateway\'s produced document)')

    step('outbound: a company that does not receive e-invoices: the operator refuses, the invoice fails with its reason')
    d2, _ = erp.submit_ok(estonian_invoice(suite, 'EE-OUT-2', '14000002'), 'ee-out-2')
    inv2 = erp.wait_status(d2['id'], ('delivered', 'failed', 'rejected'), timeout=30)
    check_eq(inv2['status'], 'failed', f'{d2["id"]} status')
    check_eq(inv2['failure']['code'], 'delivery_refused', f'{d2["id"]} failure code')
    check_eq(stats(url).get('invoices'), '1', 'invoices the stand-in stored after the refusal')

    step('inbound: the poller exports the invoices the operator received for 0191:14000001 into the inbox')
    def inbox():
        return erp.get('/v1/inbox').json()['items']
    wait_for(lambda: len(inbox()) >= 2, 20, 'two exported invoices in the inbox')
    time.sleep(2.5)  # two more polling rounds: nothing new may come
    items = inbox()
    check_eq(sorted(i['message_id'] for i in items), ['ee:EAK-7003', 'ee:EAK-7004'], 'the inbox message ids')
    for i in items:
        check_eq((i['from_operator'], i['format'], i['recipient'], i['state']),
                 ('ee', 'ee-einvoice', '0191:14000001', 'available'), f'{i["id"]}')
        r = erp.get(f'/v1/inbox/{i["id"]}/document')
        check_eq(r.status, 200, f'{i["id"]} document')
        check(b'<Invoice' in r.body and b'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2' in r.body,
              f'{i["id"]}: the document as UBL (the tenant\'s inbox format)')

    step('inbound: after a restart the cursor is kept: nothing is fetched twice')
    g.stop()
    exports_before = int(stats(url).get('requests.BuyInvoiceExport', '0'))
    g.start()
    erp = g.client(key)
    wait_for(lambda: int(stats(url).get('requests.BuyInvoiceExport', '0')) > exports_before + 1, 20,
             'two export rounds after the restart')
    check_eq(len(erp.get('/v1/inbox').json()['items']), 2, 'inbox items after the restart')
    g.stop()


if __name__ == '__main__':
    main('The gateway with the Estonian ERP SOAP operator (stand-in)', run, backends=('sqlite',))
