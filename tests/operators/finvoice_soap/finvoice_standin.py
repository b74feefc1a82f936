#!/usr/bin/env python3
"""A stand-in Finnish e-invoice operator (bank channel) for the finvoice-soap client's tests.

Serves HTTPS on a loopback port (printed on stdout, one line, when ready) and takes Finvoice
transmission files: a SOAP 1.1 envelope with an ebXML 2.0 eb:MessageHeader, followed in the same
body by the Finvoice document. It checks the frame as a bank would, keeps one invoice per
MessageId (a duplicate is acknowledged again, not stored again), answers an ebXML acknowledgement
that refers to the MessageId, and a SOAP fault (faultcode Client, HTTP 500 as SOAP 1.1 section 6.2
prescribes) for a broken frame.

    finvoice_standin.py --pki DIR --record DIR [--cert NAME] [--require-client-cert]
                        [--intermediator ID] [--cpa-id ID]

--pki is a folder made by certs/pki/make_test_pki.sh. With --cert server (the default) the
stand-in issues DIR/server.pem for 127.0.0.1 and localhost from the test CA (once); any other NAME
serves DIR/NAME.pem and DIR/NAME.key as they are (intruder: a certificate no CA vouches for).
--require-client-cert asks for a client certificate issued by the test CA.

--record DIR gets, per request, NNNN.body (the body as received) and NNNN.meta (key=value lines:
outcome, content_type, soap_action, client_subject, message_id, sender, sender_intermediator,
receiver, receiver_intermediator, cpa_id, timestamp, fault), and invoices/<MessageId in hex>.xml
with the Finvoice document's bytes as they followed the frame, once per MessageId.

Steering, POST /control/<what>?count=N (other query keys per kind), answered "ok":
  fail?status=500      the next N calls get that status and a text body, nothing is stored
  slow?seconds=S       the next N calls are stored, then answered after S seconds
  ack-other            the next N calls are stored and acknowledged for another MessageId
  error-list           the next N calls get an eb:ErrorList with severity Error, nothing stored
  server-fault         the next N calls get a SOAP fault with faultcode Server, nothing stored
  reset                forgets pending steering
GET /control/stats answers "requests=N\ninvoices=M\n". The stand-in exits when its stdin closes,
so a test that dies leaves no server behind. Python 3 standard library only.
"""
import argparse
import datetime
import http.server
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
EB = 'http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd'
XLINK = 'http://www.w3.org/1999/xlink'
DATETIME = re.compile(r'^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$')


class FrameError(Exception):
    pass


def issue_server_cert(pki):
    """server.pem/.key for 127.0.0.1 and localhost, signed by the test CA (the PKI script has
    signing certificates only, without the subjectAltName a TLS client checks)."""
    cert, key = os.path.join(pki, 'server.pem'), os.path.join(pki, 'server.key')
    if os.path.exists(cert) and os.path.exists(key):
        return cert, key
    env = dict(os.environ, OPENSSL_CONF='/dev/null')
    ext = os.path.join(pki, 'server.ext')
    with open(ext, 'w') as f:
        f.write('basicConstraints = critical, CA:false\n'
                'keyUsage = critical, digitalSignature, keyEncipherment\n'
                'extendedKeyUsage = serverAuth\n'
                'subjectAltName = IP:127.0.0.1, DNS:localhost\n')
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, env=env, cwd=pki)
    run('openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'server.key.tmp')
    run('openssl', 'req', '-new', '-key', 'server.key.tmp', '-subj', '/O=eigw test/CN=127.0.0.1',
        '-out', 'server.csr')
    run('openssl', 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
        '-days', '30', '-sha256', '-extfile', 'server.ext', '-out', 'server.pem.tmp')
    os.replace(os.path.join(pki, 'server.key.tmp'), key)
    os.replace(os.path.join(pki, 'server.pem.tmp'), cert)
    return cert, key


def split_body(body):
    """(envelope bytes, document bytes): the envelope ends with the end tag of its root."""
    m = re.match(rb'\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)', body, re.S)
    if not m:
        raise FrameError('the body does not start with an XML element')
    end_tag = b'</' + m.group(1) + b'>'
    end = body.find(end_tag)
    if end < 0:
        raise FrameError('the SOAP envelope has no end tag ' + end_tag.decode())
    end += len(end_tag)
    return body[:end], body[end:].lstrip(b' \t\r\n')


def text(element):
    return (element.text or '').strip() if element is not None else ''


def declared_encoding(document):
    m = re.match(rb'(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["\']([A-Za-z0-9._\-]+)["\']', document)
    return m.group(1).decode() if m else 'UTF-8'


def check(body, content_type, own_id, cpa_id):
    """The frame's routing as a dict; FrameError with every problem found."""
    if b'<!DOCTYPE' in body or b'<!ENTITY' in body:
        raise FrameError('a DOCTYPE is not accepted')
    envelope, document = split_body(body)
    problems = []
    try:
        root = ET.fromstring(envelope)
    except ET.ParseError as e:
        raise FrameError(f'the SOAP envelope is not well-formed: {e}')
    if root.tag != f'{{{SOAP}}}Envelope':
        raise FrameError(f'the root is {root.tag}, not a SOAP 1.1 Envelope')
    header = root.find(f'{{{SOAP}}}Header')
    mh = header.find(f'{{{EB}}}MessageHeader') if header is not None else None
    if mh is None:
        raise FrameError('no SOAP-ENV:Header/eb:MessageHeader')
    if mh.get(f'{{{SOAP}}}mustUnderstand') != '1':
        problems.append('eb:MessageHeader must have SOAP-ENV:mustUnderstand="1"')
    if mh.get(f'{{{EB}}}version') != '2.0':
        problems.append('eb:MessageHeader must have eb:version="2.0"')
    parties = {}
    for side, roles in (('From', ('Sender', 'Intermediator')), ('To', ('Receiver', 'Intermediator'))):
        found = {}
        for p in mh.findall(f'{{{EB}}}{side}'):
            found[text(p.find(f'{{{EB}}}Role'))] = text(p.find(f'{{{EB}}}PartyId'))
        for role in roles:
            if not found.get(role):
                problems.append(f'eb:{side} with eb:Role {role} and its eb:PartyId is missing')
        if sorted(found) != sorted(roles):
            problems.append(f'eb:{side} roles are {sorted(found)}, expected {list(roles)}')
        parties[side] = found
    r = {
        'sender': parties['From'].get('Sender', ''),
        'sender_intermediator': parties['From'].get('Intermediator', ''),
        'receiver': parties['To'].get('Receiver', ''),
        'receiver_intermediator': parties['To'].get('Intermediator', ''),
        'cpa_id': text(mh.find(f'{{{EB}}}CPAId')),
        'message_id': text(mh.find(f'{{{EB}}}MessageData/{{{EB}}}MessageId')),
        'timestamp': text(mh.find(f'{{{EB}}}MessageData/{{{EB}}}Timestamp')),
    }
    if r['receiver_intermediator'] and r['receiver_intermediator'] != own_id:
        problems.append(f"the message is for intermediator {r['receiver_intermediator']}, not for this one ({own_id})")
    if not r['cpa_id']:
        problems.append('eb:CPAId is missing')
    elif cpa_id and r['cpa_id'] != cpa_id:
        problems.append(f"eb:CPAId is {r['cpa_id']}, the agreement with this operator is {cpa_id}")
    if text(mh.find(f'{{{EB}}}Service')) != 'Routing':
        problems.append('eb:Service must be Routing')
    if text(mh.find(f'{{{EB}}}Action')) != 'ProcessInvoice':
        problems.append('eb:Action must be ProcessInvoice')
    if not r['message_id']:
        problems.append('eb:MessageData/eb:MessageId is missing')
    if not DATETIME.match(r['timestamp']):
        problems.append(f"eb:MessageData/eb:Timestamp '{r['timestamp']}' is not an xs:dateTime")
    refs = [ref.get(f'{{{XLINK}}}href') for ref in root.iterfind(
        f'{{{SOAP}}}Body/{{{EB}}}Manifest/{{{EB}}}Reference')]
    if r['message_id'] not in refs:
        problems.append(f"no eb:Manifest/eb:Reference with xlink:href {r['message_id']} (found {refs})")
    if not document:
        problems.append('no Finvoice document follows the SOAP envelope')
    else:
        try:
            finvoice = ET.fromstring(document)
            if finvoice.tag != 'Finvoice' or finvoice.get('Version') != '3.0':
                problems.append(f'the document after the envelope is {finvoice.tag}, not Finvoice Version 3.0')
        except (ET.ParseError, LookupError) as e:
            problems.append(f'the document after the envelope is not well-formed XML: {e}')
        encoding = declared_encoding(document)
        m = re.search(r'charset\s*=\s*"?([^";\s]+)', content_type or '')
        if not (content_type or '').lower().startswith('text/xml'):
            problems.append(f"Content-Type is '{content_type}', not text/xml")
        elif not m or m.group(1).lower() != encoding.lower():
            problems.append(f"Content-Type '{content_type}' does not declare the document's charset {encoding}")
    if problems:
        raise FrameError('; '.join(problems))
    r['document'] = document
    return r


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def acknowledgment(r, ref, own_id):
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}" xmlns:eb="{EB}">
  <SOAP-ENV:Header>
    <eb:MessageHeader SOAP-ENV:mustUnderstand="1" eb:version="2.0">
      <eb:From><eb:PartyId>{esc(own_id)}</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:From>
      <eb:To><eb:PartyId>{esc(r['sender_intermediator'])}</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:To>
      <eb:CPAId>{esc(r['cpa_id'])}</eb:CPAId>
      <eb:ConversationId>{esc(ref)}</eb:ConversationId>
      <eb:Service>urn:oasis:names:tc:ebxml-msg:service</eb:Service>
      <eb:Action>Acknowledgment</eb:Action>
      <eb:MessageData>
        <eb:MessageId>ack-{uuid.uuid4()}</eb:MessageId>
        <eb:Timestamp>{now()}</eb:Timestamp>
        <eb:RefToMessageId>{esc(ref)}</eb:RefToMessageId>
      </eb:MessageData>
    </eb:MessageHeader>
    <eb:Acknowledgment SOAP-ENV:mustUnderstand="1" eb:version="2.0"
        SOAP-ENV:actor="urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH">
      <eb:Timestamp>{now()}</eb:Timestamp>
      <eb:RefToMessageId>{esc(ref)}</eb:RefToMessageId>
    </eb:Acknowledgment>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body/>
</SOAP-ENV:Envelope>
'''


def fault(code, message):
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}">
  <SOAP-ENV:Body>
    <SOAP-ENV:Fault>
      <faultcode>SOAP-ENV:{code}</faultcode>
      <faultstring>{esc(message)}</faultstring>
    </SOAP-ENV:Fault>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
'''


def error_list(ref):
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}" xmlns:eb="{EB}">
  <SOAP-ENV:Header>
    <eb:ErrorList SOAP-ENV:mustUnderstand="1" eb:version="2.0" eb:highestSeverity="Error">
      <eb:Error eb:errorCode="DeliveryFailure" eb:severity="Error" eb:location="{esc(ref)}">
        <eb:Description xml:lang="en">Recipient address is not registered with this operator</eb:Description>
      </eb:Error>
    </eb:ErrorList>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body/>
</SOAP-ENV:Envelope>
'''


class State:
    def __init__(self, record):
        self.lock = threading.Lock()
        self.record = record
        self.requests = 0
        self.invoices = {}  # MessageId -> document bytes
        self.steer = {}  # kind -> [count, params]
        os.makedirs(os.path.join(record, 'invoices'), exist_ok=True)

    def take(self, kind):
        """The parameters of a pending steering of this kind, counting it down; None when none."""
        with self.lock:
            entry = self.steer.get(kind)
            if not entry or entry[0] <= 0:
                return None
            entry[0] -= 1
            return entry[1]


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # failed handshakes and clients that gave up are part of the tests


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'FinvoiceStandIn/1.0'

    def log_message(self, fmt, *args):  # quiet: the test reads the records instead
        pass

    def send(self, status, body, content_type='text/xml; charset=UTF-8'):
        data = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def do_GET(self):
        st = self.server.state
        if urllib.parse.urlsplit(self.path).path == '/control/stats':
            with st.lock:
                self.send(200, f'requests={st.requests}\ninvoices={len(st.invoices)}\n', 'text/plain')
        else:
            self.send(405, 'POST Finvoice transmission files here\n', 'text/plain')

    def control(self, url):
        self.read_body()
        st = self.server.state
        kind = url.path[len('/control/'):]
        query = dict(urllib.parse.parse_qsl(url.query))
        with st.lock:
            if kind == 'reset':
                st.steer.clear()
            elif kind in ('fail', 'slow', 'ack-other', 'error-list', 'server-fault'):
                st.steer[kind] = [int(query.get('count', '1')), query]
            else:
                self.send(404, f'unknown control {kind}\n', 'text/plain')
                return
        self.send(200, 'ok\n', 'text/plain')

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith('/control/'):
            return self.control(url)
        st, args = self.server.state, self.server.args
        body = self.read_body()
        with st.lock:
            st.requests += 1
            n = st.requests
        meta = {'content_type': self.headers.get('Content-Type', ''),
                'soap_action': self.headers.get('SOAPAction', '(none)'),
                'client_subject': self.client_subject()}
        with open(os.path.join(st.record, f'{n:04d}.body'), 'wb') as f:
            f.write(body)
        status, answer, delay = self.handle_message(body, meta)
        with open(os.path.join(st.record, f'{n:04d}.meta'), 'w') as f:
            for k, v in meta.items():
                f.write(f'{k}={v}\n')
        if delay:
            time.sleep(delay)
        try:
            self.send(status, answer, 'text/plain' if status != 200 and not answer.startswith('<?xml') else
                      'text/xml; charset=UTF-8')
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the client gave up waiting (timeout test)

    def handle_message(self, body, meta):
        """(status, answer, seconds to wait before answering)."""
        st, args = self.server.state, self.server.args
        failing = st.take('fail')
        if failing is not None:
            meta['outcome'] = 'steered-fail'
            return int(failing.get('status', '500')), 'steered failure\n', 0
        if 'SOAPAction' not in self.headers:
            meta['outcome'] = 'fault'
            meta['fault'] = 'no SOAPAction header'
            return 500, fault('Client', 'the SOAPAction header is missing (SOAP 1.1 section 6.1.1)'), 0
        try:
            r = check(body, self.headers.get('Content-Type'), args.intermediator, args.cpa_id)
        except FrameError as e:
            meta['outcome'] = 'fault'
            meta['fault'] = str(e)
            return 500, fault('Client', f'the message frame is not valid: {e}'), 0
        for k in ('message_id', 'sender', 'sender_intermediator', 'receiver', 'receiver_intermediator',
                  'cpa_id', 'timestamp'):
            meta[k] = r[k]
        if st.take('error-list') is not None:
            meta['outcome'] = 'error-list'
            return 200, error_list(r['message_id']), 0
        if st.take('server-fault') is not None:
            meta['outcome'] = 'server-fault'
            return 500, fault('Server', 'the invoice store is being maintained, try again later'), 0
        with st.lock:
            duplicate = r['message_id'] in st.invoices
            if not duplicate:
                st.invoices[r['message_id']] = r['document']
                name = r['message_id'].encode('utf-8').hex() + '.xml'
                with open(os.path.join(st.record, 'invoices', name), 'wb') as f:
                    f.write(r['document'])
        meta['outcome'] = 'duplicate' if duplicate else 'stored'
        ref = r['message_id']
        if st.take('ack-other') is not None:
            ref = 'other-' + ref
        slow = st.take('slow')
        delay = float(slow.get('seconds', '2')) if slow is not None else 0
        return 200, acknowledgment(r, ref, args.intermediator), delay

    def client_subject(self):
        try:
            cert = self.connection.getpeercert()
        except (AttributeError, ValueError):
            return ''
        if not cert:
            return ''
        return ','.join(f'{k}={v}' for rdn in cert.get('subject', ()) for k, v in rdn)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--pki', required=True)
    p.add_argument('--record', required=True)
    p.add_argument('--cert', default='server')
    p.add_argument('--require-client-cert', action='store_true')
    p.add_argument('--intermediator', default='NDEAFIHH')
    p.add_argument('--cpa-id', default='')
    args = p.parse_args()

    if args.cert == 'server':
        cert, key = issue_server_cert(args.pki)
    else:
        cert, key = (os.path.join(args.pki, args.cert + ext) for ext in ('.pem', '.key'))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if args.require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(os.path.join(args.pki, 'ca.pem'))

    server = Server(('127.0.0.1', 0), Handler)
    # The handshake happens in the handler's thread on its first read, so that a client that fails
    # it (the untrusted-certificate test) or stalls does not hold up accepting the next one.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.state = State(args.record)
    server.args = args

    def stop_when_stdin_closes():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
