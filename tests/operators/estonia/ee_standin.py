#!/usr/bin/env python3
"""A local stand-in for the Finbite (formerly Omniva) e-arvekeskus "ErpDataExchange" SOAP service,
for the tests of the ee-erp client (operators/estonia/ee_erp_client.h). Python 3 standard library
only.

It serves, over plain HTTP on a loopback port, the three operations of
../shared/formats/estonia-einvoice/transport/omniva-e-arvekeskus-ErpDataExchange.wsdl the client
uses, in the WSDL's message shapes (SOAP 1.1, document/literal, namespace
http://e-arvetekeskus.eu/erp, unqualified attributes, the authPhrase attribute on every request):

  EInvoiceRequest          -> EInvoiceResponse{ErrorCode, Message}; stores what it received
  CompanyStatusRequest     -> CompanyStatusResponse{CompanyActive@regNumber = YES|NO}, <= 100
  BuyInvoiceExportRequest  -> BuyInvoiceExportResponse@includesLatest@latestChange{E_Invoice}

Its behaviour, documented here because the real service's error codes are not public:
  - a wrong or missing authPhrase is a SOAP Client fault (HTTP 500) whose faultstring echoes the
    phrase given (the worst case for a client that quotes it);
  - ErrorCode 2: the E_Invoice is invalid (no FileId, no Invoice, a required routing attribute
    missing, a Footer count that does not match);
  - ErrorCode 3: the buyer (Invoice@regNumber) is unknown or does not receive e-invoices;
  - ErrorCode 4: a duplicate: the FileId, or an invoice (sellerRegnumber, invoiceId), was already
    received; nothing is stored a second time;
  - export: the invoices of data/standin.json "received" whose sent_at is after `since`, at most
    "export_page_size" per answer, includesLatest="NO" while more follow; each Invoice gets the
    operator's id as invoiceId ("id of invoice is identification used by EAK"); the E_Invoice is
    in the WSDL's namespace http://www.pangaliit.ee/arveldused/e-arve/ (prefix epl; switchable to
    none) and, like the
    WSDL's E_Invoice type, has no Footer.

Control requests (for tests; not part of the WSDL):
  POST /control/reset                      forget everything received, counters, faults
  POST /control/fault?mode=M&count=N&seconds=S
                                           the next N SOAP calls: M = http500 (plain HTTP 500),
                                           server-fault (SOAP Server fault), hang (sleep S seconds,
                                           then answer normally: the call takes effect late)
  POST /control/export?qualified=yes|no    the export's E_Invoice with or without namespace
  GET  /control/stats                      "name value" lines: requests per operation, invoices
                                           stored, RegNumbers in the last CompanyStatusRequest
  GET  /control/invoice?i=N                the N-th stored E_Invoice, the bytes as they arrived
  GET  /control/last?op=OPERATION          the last SOAP request of that operation, as received

Usage: ee_standin.py [--port 0] [--data DIR] [--shared DIR]. Prints the port on stdout when ready.
"""

import argparse
import copy
import json
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape, quoteattr

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
ERP_NS = "http://e-arvetekeskus.eu/erp"
EINVOICE_NS = "http://www.pangaliit.ee/arveldused/e-arve/"
ET.register_namespace("epl", EINVOICE_NS)
OPERATIONS = {
    "{%s}EInvoiceRequest" % ERP_NS: "EInvoice",
    "{%s}CompanyStatusRequest" % ERP_NS: "CompanyStatus",
    "{%s}BuyInvoiceExportRequest" % ERP_NS: "BuyInvoiceExport",
}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def children(element, name):
    return [c for c in element if local(c.tag) == name]


def child_text(element, *path):
    for name in path:
        found = children(element, name) if element is not None else []
        element = found[0] if found else None
    return (element.text or "").strip() if element is not None else ""


def parse_instant(text):
    """xs:dateTime -> aware datetime (no zone: UTC)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def format_instant(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SoapFault(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


class State:
    def __init__(self, data_dir, shared_dir):
        with open(os.path.join(data_dir, "standin.json"), encoding="utf-8") as f:
            data = json.load(f)
        self.auth_phrase = data["auth_phrase"]
        self.page_size = int(data.get("export_page_size", 100))
        self.companies = {c["reg_number"]: c["active"] for c in data["companies"]}
        self.received = []
        parsed = {}
        for entry in data["received"]:
            where, name = entry["file"].split(":", 1)
            path = os.path.join(shared_dir if where == "shared" else data_dir, name)
            if path not in parsed:
                parsed[path] = ET.parse(path).getroot()
            invoice = copy.deepcopy(children(parsed[path], "Invoice")[int(entry.get("index", 0))])
            invoice.set("invoiceId", entry["eak_id"])
            self.received.append((parse_instant(entry["sent_at"]), entry["eak_id"], invoice))
        self.received.sort(key=lambda r: r[0])
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = {name: 0 for name in OPERATIONS.values()}
        self.stored = []  # the E_Invoice texts as they arrived
        self.file_ids = set()
        self.invoice_keys = set()
        self.faults = []  # (mode, seconds), one per coming SOAP call
        self.qualified_export = True
        self.last = {}
        self.last_regnumbers = 0


STATE = None


def envelope(body):
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<SOAP-ENV:Envelope xmlns:SOAP-ENV="%s"><SOAP-ENV:Header/><SOAP-ENV:Body>%s'
            '</SOAP-ENV:Body></SOAP-ENV:Envelope>' % (SOAP_NS, body))


def simple_response(name, code, message):
    return envelope('<ns2:%s xmlns:ns2="%s"><ns2:ErrorCode>%d</ns2:ErrorCode><ns2:Message>%s</ns2:Message>'
                    '</ns2:%s>' % (name, ERP_NS, code, escape(message), name))


def e_invoice(request):
    found = [c for c in request if local(c.tag) == "E_Invoice"]
    return found[0] if found else None


def handle_einvoice(request, raw):
    document = e_invoice(request)
    if document is None:
        return 2, "Invalid request: no E_Invoice"
    # The bytes of the element as sent, to check that the client passed the file through intact.
    match = re.search(rb"<E_Invoice[\s>/].*</E_Invoice>", raw, re.S)
    text = match.group(0) if match else ET.tostring(document)
    file_id = child_text(document, "Header", "FileId")
    invoices = children(document, "Invoice")
    if not file_id:
        return 2, "Invalid e-invoice: Header/FileId is missing"
    if not invoices:
        return 2, "Invalid e-invoice: no Invoice"
    for n, invoice in enumerate(invoices, 1):
        for attribute in ("invoiceId", "regNumber", "sellerRegnumber"):
            if not invoice.get(attribute, "").strip():
                return 2, "Invalid e-invoice: Invoice[%d] has no %s" % (n, attribute)
    count = child_text(document, "Footer", "TotalNumberInvoices")
    if count and count != str(len(invoices)):
        return 2, "Invalid e-invoice: Footer/TotalNumberInvoices is %s, the file has %d" % (count, len(invoices))
    keys = [(i.get("sellerRegnumber"), i.get("invoiceId")) for i in invoices]
    with STATE.lock:
        if file_id in STATE.file_ids:
            return 4, "Duplicate: file '%s' has already been received" % file_id
        for seller, invoice_id in keys:
            if (seller, invoice_id) in STATE.invoice_keys:
                return 4, "Duplicate: invoice '%s' of seller %s already exists" % (invoice_id, seller)
        for invoice in invoices:
            buyer = invoice.get("regNumber").strip()
            status = STATE.companies.get(buyer)
            if status is None:
                return 3, "Buyer %s is not an e-invoice receiver: unknown registry code" % buyer
            if status != "YES":
                return 3, "Buyer %s does not receive e-invoices" % buyer
        STATE.file_ids.add(file_id)
        STATE.invoice_keys.update(keys)
        STATE.stored.append(text)
    return 0, "OK: %d invoice(s) received" % len(invoices)


def handle_company_status(request):
    numbers = [(c.text or "").strip() for c in children(request, "RegNumber")]
    if len(numbers) > 100:  # CompanyStatusRequestType: maxOccurs="100"
        raise SoapFault("SOAP-ENV:Client", "Validation error: at most 100 RegNumber elements are allowed, got %d"
                        % len(numbers))
    with STATE.lock:
        STATE.last_regnumbers = len(numbers)
    body = "".join('<ns2:CompanyActive regNumber=%s>%s</ns2:CompanyActive>'
                   % (quoteattr(n), STATE.companies.get(n, "NO")) for n in numbers)
    return envelope('<ns2:CompanyStatusResponse xmlns:ns2="%s">%s</ns2:CompanyStatusResponse>' % (ERP_NS, body))


def handle_export(request):
    try:
        since = parse_instant(request.get("since", ""))
    except ValueError:
        raise SoapFault("SOAP-ENV:Client", "Validation error: since %r is not an xs:dateTime" % request.get("since"))
    after = [r for r in STATE.received if r[0] > since]
    page = after[:STATE.page_size]
    qualified = STATE.qualified_export

    def rename(element):
        element.tag = "{%s}%s" % (EINVOICE_NS, local(element.tag)) if qualified else local(element.tag)
        for c in element:
            rename(c)
        return element

    root = ET.Element("E_Invoice")
    header = ET.SubElement(root, "Header")
    ET.SubElement(header, "Date").text = (page[-1][0] if page else since).strftime("%Y-%m-%d")
    ET.SubElement(header, "FileId").text = "EXP-%d" % (STATE.requests["BuyInvoiceExport"])
    ET.SubElement(header, "Version").text = "1.2"
    for _, _, invoice in page:
        root.append(copy.deepcopy(invoice))
    rename(root)
    # Qualified with a prefix (epl:, the WSDL's own) rather than a default namespace: ElementTree
    # cannot write unqualified attributes under a default namespace.
    text = ET.tostring(root, encoding="unicode")
    latest = format_instant(page[-1][0]) if page else request.get("since")
    return envelope('<ns2:BuyInvoiceExportResponse xmlns:ns2="%s" includesLatest="%s" latestChange=%s>%s'
                    '</ns2:BuyInvoiceExportResponse>'
                    % (ERP_NS, "NO" if len(after) > len(page) else "YES", quoteattr(latest), text))


def fault_envelope(code, text):
    return envelope('<SOAP-ENV:Fault><faultcode>%s</faultcode><faultstring xml:lang="en">%s</faultstring>'
                    '</SOAP-ENV:Fault>' % (code, escape(text)))


class HttpAnswer(Exception):
    """A plain HTTP answer instead of SOAP (a failing proxy or application server)."""

    def __init__(self, status, text):
        super().__init__(status)
        self.status = status
        self.text = text


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects

    def log_message(self, fmt, *args):
        if os.environ.get("EE_STANDIN_VERBOSE"):
            sys.stderr.write("ee_standin: " + (fmt % args) + "\n")

    def answer(self, status, body, content_type="text/xml; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        with STATE.lock:
            if url.path == "/control/stats":
                lines = ["requests.%s %d" % item for item in sorted(STATE.requests.items())]
                lines += ["invoices %d" % len(STATE.stored), "last.CompanyStatus.RegNumber %d" % STATE.last_regnumbers]
                return self.answer(200, "\n".join(lines) + "\n", "text/plain")
            if url.path == "/control/invoice":
                i = int(query.get("i", ["0"])[0])
                if i < len(STATE.stored):
                    return self.answer(200, STATE.stored[i], "application/xml")
            if url.path == "/control/last":
                op = query.get("op", [""])[0]
                if op in STATE.last:
                    return self.answer(200, STATE.last[op], "text/xml")
        self.answer(404, "not found\n", "text/plain")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlparse(self.path)
        if url.path.startswith("/control/"):
            return self.control(url.path, parse_qs(url.query))
        try:
            self.answer(200, self.soap(raw))
        except SoapFault as fault:  # SOAP 1.1 section 6.2: faults come with HTTP 500
            self.answer(500, fault_envelope(fault.code, fault.text))
        except HttpAnswer as plain:
            self.answer(plain.status, plain.text, "text/html")

    def control(self, path, query):
        with STATE.lock:
            if path == "/control/reset":
                STATE.reset()
            elif path == "/control/fault":
                mode = query.get("mode", ["http500"])[0]
                seconds = float(query.get("seconds", ["0"])[0])
                STATE.faults += [(mode, seconds)] * int(query.get("count", ["1"])[0])
            elif path == "/control/export":
                STATE.qualified_export = query.get("qualified", ["yes"])[0] != "no"
            else:
                return self.answer(404, "unknown control request\n", "text/plain")
        self.answer(200, "ok\n", "text/plain")

    def soap(self, raw):
        # SOAP 1.1 over HTTP: text/xml and a SOAPAction header (WSDL soapAction "").
        if not self.headers.get("Content-Type", "").startswith("text/xml"):
            raise SoapFault("SOAP-ENV:Client", "Content-Type must be text/xml (SOAP 1.1)")
        if self.headers.get("SOAPAction") is None:
            raise SoapFault("SOAP-ENV:Client", "SOAPAction header missing")
        if b"<!DOCTYPE" in raw:
            raise SoapFault("SOAP-ENV:Client", "DTDs are not allowed")
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as e:
            raise SoapFault("SOAP-ENV:Client", "Malformed request: %s" % e)
        if root.tag != "{%s}Envelope" % SOAP_NS:
            raise SoapFault("SOAP-ENV:VersionMismatch", "Not a SOAP 1.1 envelope")
        body = root.find("{%s}Body" % SOAP_NS)
        request = body[0] if body is not None and len(body) else None
        operation = OPERATIONS.get(request.tag if request is not None else "")
        if operation is None:
            raise SoapFault("SOAP-ENV:Client", "No endpoint mapping found for %s" %
                            (request.tag if request is not None else "an empty Body"))
        with STATE.lock:
            STATE.requests[operation] += 1
            STATE.last[operation] = raw
            mode, seconds = STATE.faults.pop(0) if STATE.faults else (None, 0)
        if mode == "http500":
            raise HttpAnswer(500, "<html><body><h1>500 Internal Server Error</h1></body></html>")
        if mode == "server-fault":
            raise SoapFault("SOAP-ENV:Server", "Internal error, please try again later")
        if mode == "hang":
            time.sleep(seconds)
        if request.get("authPhrase") != STATE.auth_phrase:
            raise SoapFault("SOAP-ENV:Client", "Authentication failed: authPhrase '%s' is not valid"
                            % request.get("authPhrase", ""))
        if operation == "EInvoice":
            code, message = handle_einvoice(request, raw)
            return simple_response("EInvoiceResponse", code, message)
        if operation == "CompanyStatus":
            return handle_company_status(request)
        return handle_export(request)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", default=os.path.join(here, "data"))
    parser.add_argument("--shared", default=os.path.normpath(os.path.join(here, "../../../../shared")))
    args = parser.parse_args()
    global STATE
    STATE = State(args.data, args.shared)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    # A test that dies without stopping us (a crash, a timeout's SIGKILL) must not leave us
    # serving forever: exit once our parent is gone.
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
