#!/usr/bin/env python3
"""The gateway with a Finnish operator (protocol finvoice-soap) against the HTTPS stand-in bank
(finvoice_standin.py): an invoice for an OVT address is routed, written as Finvoice 3.0 with the
operator's intermediators, framed in SOAP/ebXML with the invoice id as MessageId, sent over HTTPS
with a client certificate and ends `delivered` with the acknowledgement archived as the receipt;
the stand-in holds exactly the produced document once. A bank that fails twice (HTTP 500) gets the
next invoice on the third attempt, once.

Usage: fi_gateway_check.py EIGW SOURCE_DIR [--shared DIR] [--keep]
"""
import glob
import json
import os
import ssl
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'gateway', 'server'))
from gateway_harness import Gateway, Skip, check, check_eq, main, step  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def run(suite):
    pki = os.path.join(suite.tmp, 'pki')
    r = subprocess.run([os.path.join(suite.source_dir, 'certs', 'pki', 'make_test_pki.sh'), pki],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise Skip(f'the test PKI cannot be made: {r.stderr.strip()[:300]}')
    record = os.path.join(suite.tmp, 'bank')
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'finvoice_standin.py'), '--pki', pki, '--record', record,
                             '--require-client-cert', '--intermediator', 'NDEAFIHH'],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().strip())

    def stop():
        proc.stdin.close()
        proc.kill()
        proc.wait()
    suite.cleanups.append(stop)
    bank = f'https://127.0.0.1:{port}'

    def control(path, method='GET'):
        req = urllib.request.Request(bank + path, method=method, data=b'' if method == 'POST' else None)
        tls_client = ssl.create_default_context(cafile=os.path.join(pki, 'ca.pem'))
        tls_client.load_cert_chain(os.path.join(pki, 'signer-rsa.pem'), os.path.join(pki, 'signer-rsa.key'))
        with urllib.request.urlopen(req, context=tls_client, timeout=10) as resp:
            return resp.read().decode()

    ovt = '003712345671'
    g = Gateway(suite, 'fi', {
        'outbox': {'max_attempts': '5', 'backoff_initial_ms': '100', 'backoff_max_ms': '300'},
        'node': {'operator_id': 'gw-fi'},
        'routing': {f'recipient.0037:{ovt}': 'bank', 'recipient.0037:003798765432': 'bank'},
        'operator.bank': {'protocol': 'finvoice-soap', 'url': bank, 'formats': 'finvoice',
                          'ca_file': os.path.join(pki, 'ca.pem'),
                          'client_cert': os.path.join(pki, 'signer-rsa.pem'),
                          'client_key': os.path.join(pki, 'signer-rsa.key'),
                          'sender_intermediator': 'HELSFIHH', 'receiver_intermediator': 'NDEAFIHH',
                          'timeout_ms': '5000'},
    })
    _, key = g.add_tenant('seller')
    g.start()
    erp = g.client(key)

    def finnish_invoice(number, address):
        doc = json.loads(suite.invoices.json(number))
        doc['buyer']['electronic_address'] = {'id': address, 'scheme': '0037'}
        return json.dumps(doc, ensure_ascii=False).encode('utf-8')

    step('an invoice for an OVT address goes to the bank as Finvoice in its SOAP/ebXML frame, over HTTPS')
    d, _ = erp.submit_ok(finnish_invoice('FI-OUT-1', ovt), 'fi-out-1')
    inv = erp.wait_status(d['id'], ('delivered', 'failed', 'rejected'), timeout=30)
    check_eq(inv['status'], 'delivered', f'{d["id"]} status (failure {inv.get("failure")}, findings {inv.get("findings")})')
    check_eq((inv['route']['operator'], inv['route']['format']), ('bank', 'finvoice'), 'the route')
    produced = erp.get(f'/v1/invoices/{d["id"]}/documents/produced').body
    receipt = erp.get(f'/v1/invoices/{d["id"]}/documents/receipt')
    check_eq(receipt.status, 200, 'the acknowledgement archived as the receipt')
    check(d['id'].encode() in receipt.body, 'the acknowledgement refers to the invoice id (the MessageId)')
    stored = sorted(glob.glob(os.path.join(record, 'invoices', '*.xml')))
    check_eq(len(stored), 1, 'invoices the bank stored')
    with open(stored[0], 'rb') as f:
        check_eq(f.read(), produced, 'the Finvoice the bank holds is the produced document, byte for byte')
    metas = sorted(glob.glob(os.path.join(record, '*.meta')))
    meta = dict(line.split('=', 1) for line in open(metas[-1]).read().splitlines() if '=' in line)
    check_eq((meta.get('message_id'), meta.get('sender_intermediator'), meta.get('receiver_intermediator'),
              meta.get('receiver')), (d['id'], 'HELSFIHH', 'NDEAFIHH', ovt), 'the frame (message id, intermediators, receiver)')

    step('the bank answers 500 twice: the next invoice is delivered on the third attempt, once')
    control('/control/fail?status=500&count=2', 'POST')
    d2, _ = erp.submit_ok(finnish_invoice('FI-OUT-2', '003798765432'), 'fi-out-2')
    inv2 = erp.wait_status(d2['id'], ('delivered', 'failed', 'rejected'), timeout=30)
    check_eq(inv2['status'], 'delivered', f'{d2["id"]} status')
    check_eq([a['outcome'] for a in inv2['attempts']], ['failed', 'failed', 'delivered'], f'{d2["id"]} attempts')
    check_eq(len(glob.glob(os.path.join(record, 'invoices', '*.xml'))), 2, 'invoices the bank stored')
    g.stop()


if __name__ == '__main__':
    main('The gateway with the Finnish Finvoice SOAP/ebXML operator (HTTPS stand-in)', run, backends=('sqlite',))
