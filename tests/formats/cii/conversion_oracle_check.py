#!/usr/bin/env python3
"""Every conversion of a real sample passes the official oracle whenever the sample does.

For every UBL and CII sample of ../shared (conformance examples, XRechnung test suite, Factur-X
EN16931 and BASIC, RO-CIUS), `eigw convert --as-is --to cii` and `--to ubl` write the sample in
both syntaxes without recomputing it; ../shared/conformance/validate (XSD + EN16931 Schematron, and
Peppol for UBL that declares it) then checks the samples and the outputs in one batch. An output
whose input passed (no fatal finding) must pass too; the business rules are chosen from the
document, as the official validators do. The JSON corpus is converted to CII (computed) and must
pass as well.

Profiles: every sample of the XRechnung test suite converted to xrechnung-ubl and xrechnung-cii
passes the XRechnung rules natively (eigw validate chooses them from the specification
identifier), except the extension instances whose terms lie outside EN16931 (KNOWN_OUTSIDE_MODEL,
which must still fail, so that the exception does not outlive its reason); the JSON corpus and the
Factur-X EN16931 samples converted to facturx are valid against the Factur-X 1.0 EN16931 profile
schema (xmllint) and pass the oracle; the JSON corpus converted to facturx-basic is valid against
the BASIC schema and passes the oracle, except the invoices with a rounding amount, which must be
refused (BASIC has no BT-114).

    conversion_oracle_check.py EIGW SHARED_DIR SOURCE_DIR

Exit 0 when every output passes where its input did, 1 otherwise (the failures are listed)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import oracle_verdicts  # noqa: E402  (tests/formats/oracle_verdicts.py)
import xml.etree.ElementTree as ET

UBL = ('{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice',
       '{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote')
CII = '{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice'
# XRechnung extension instances with terms the EN16931 model has no place for (third-party
# payments, cac:PrepaidPayment, BT-DEX-002): their conversions cannot keep the amounts consistent.
KNOWN_OUTSIDE_MODEL = {'05.01a-INVOICE_ubl.xml'}
FOLDERS = ['conformance/examples', 'formats/xrechnung/testsuite', 'formats/facturx-zugferd/samples/en16931',
           'formats/facturx-zugferd/samples/basic', 'formats/ro-cius/samples']


def syntax_of(path):
    try:
        for _, elem in ET.iterparse(path, events=('start',)):
            return 'ubl' if elem.tag in UBL else 'cii' if elem.tag == CII else None
    except (ET.ParseError, OSError):
        return None
    return None


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    eigw, shared, source = sys.argv[1:]
    samples = []
    for folder in FOLDERS:
        for dirpath, _, names in os.walk(os.path.join(shared, folder)):
            for n in sorted(names):
                p = os.path.join(dirpath, n)
                if n.endswith('.xml') and syntax_of(p):
                    samples.append(p)
    samples.sort()
    work = tempfile.mkdtemp(prefix='eigw-conversion-')
    outputs = {}  # output -> input (None for the JSON corpus)
    failures = []

    def convert(source_file, target, out, as_is):
        """eigw convert; True when it wrote `out`, else the failure is recorded."""
        flags = ['--as-is'] if as_is else []
        proc = subprocess.run([eigw, 'convert'] + flags + ['--to', target, source_file, '-o', out],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            failures.append(f'{source_file} -> {target}: eigw convert exited {proc.returncode}: {proc.stderr[:300]}')
        return proc.returncode == 0

    for i, sample in enumerate(samples):
        for target in ('cii', 'ubl'):
            out = os.path.join(work, f'{i:04d}-{target}-{os.path.basename(sample)}')
            if convert(sample, target, out, True):
                outputs[out] = sample
    corpus = os.path.join(source, 'tests', 'data', 'json', 'valid')
    json_inputs = [os.path.join(corpus, n) for n in sorted(os.listdir(corpus)) if n.endswith('.json')]
    for path in json_inputs:
        out = os.path.join(work, 'json-' + os.path.basename(path)[:-5] + '.xml')
        if convert(path, 'cii', out, False):
            outputs[out] = None

    # Profiles.
    xrechnung_outputs = {}
    for i, sample in enumerate(s for s in samples if '/xrechnung/testsuite/' in s):
        for target in ('xrechnung-ubl', 'xrechnung-cii'):
            out = os.path.join(work, f'xr{i:03d}-{target}-{os.path.basename(sample)}')
            if convert(sample, target, out, True):
                xrechnung_outputs[out] = sample
    proc = subprocess.run([eigw, 'validate', '--format', 'json'] + sorted(xrechnung_outputs),
                          capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        name = os.path.basename(xrechnung_outputs[r['file']])
        xr = any(rules.startswith('xrechnung-') for rules in r['rules'])
        if name in KNOWN_OUTSIDE_MODEL:
            if r['valid']:
                failures.append(f'{os.path.basename(r["file"])}: now passes; remove it from KNOWN_OUTSIDE_MODEL')
            continue
        if not r['valid'] or not xr:
            fatal = [f['rule'] for f in r['findings'] if f['severity'] == 'fatal']
            failures.append(f'{os.path.basename(r["file"])}: XRechnung rules {"ran" if xr else "not chosen"}, '
                            f'fatal {fatal[:10]}')
    facturx_inputs = [(p, False) for p in json_inputs] + [
        (s, True) for s in samples if '/facturx-zugferd/samples/en16931/' in s]
    facturx_files = []
    for i, (src, as_is) in enumerate(facturx_inputs):
        out = os.path.join(work, f'fx{i:03d}-{os.path.basename(src)}.xml')
        if convert(src, 'facturx', out, as_is):
            facturx_files.append(out)
            outputs[out] = src if as_is else None
    xsd = os.path.join(shared, 'formats', 'facturx-zugferd', 'xsd', 'en16931', 'FACTUR-X_EN16931.xsd')
    proc = subprocess.run(['xmllint', '--noout', '--schema', xsd] + facturx_files, capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if 'validates' not in line:
            failures.append('Factur-X EN16931 schema: ' + line[:300])
    # The BASIC profile: the JSON corpus, each output valid against the BASIC schema and passing the
    # oracle; an invoice with a rounding amount (not in BASIC) is refused, naming the term.
    basic_files = []
    for path in json_inputs:
        out = os.path.join(work, 'fxb-' + os.path.basename(path)[:-5] + '.xml')
        proc = subprocess.run([eigw, 'convert', '--to', 'facturx-basic', path, '-o', out], capture_output=True, text=True)
        with open(path, encoding='utf-8') as f:
            rounding = '"rounding"' in f.read()
        if rounding:
            if proc.returncode != 1 or 'cii.profile' not in proc.stderr:
                failures.append(f'{path} -> facturx-basic: a rounding amount must be refused, got exit {proc.returncode}')
            continue
        if proc.returncode != 0:
            failures.append(f'{path} -> facturx-basic: eigw convert exited {proc.returncode}: {proc.stderr[:300]}')
            continue
        basic_files.append(out)
        outputs[out] = None
    xsd = os.path.join(shared, 'formats', 'facturx-zugferd', 'xsd', 'basic', 'FACTUR-X_BASIC.xsd')
    proc = subprocess.run(['xmllint', '--noout', '--schema', xsd] + basic_files, capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if 'validates' not in line:
            failures.append('Factur-X BASIC schema: ' + line[:300])

    files = samples + sorted(outputs)
    try:
        verdict, fatal = oracle_verdicts.run(shared, files)
    except RuntimeError as e:
        print(e)
        return 1
    passing_inputs = sum(1 for s in samples if verdict.get(s) == 'PASS')
    for out, src in sorted(outputs.items()):
        if src is not None and verdict.get(src) != 'PASS':
            continue  # the input fails already: nothing to require of its conversions
        if verdict.get(out) != 'PASS':
            what = os.path.basename(src) if src else 'JSON corpus'
            failures.append(f'{os.path.basename(out)} (from {what}): {verdict.get(out, "not reported")} '
                            f'{" ".join(fatal.get(out, []))[:400]}')
    print(f'{len(samples)} samples ({passing_inputs} pass the oracle), {len(outputs)} conversions checked by the '
          f'oracle ({len(facturx_files)} to facturx and {len(basic_files)} to facturx-basic, also against the Factur-X '
          f'EN16931 and BASIC schemas), '
          f'{len(xrechnung_outputs)} to XRechnung checked natively; {len(failures)} failures')
    for f in failures:
        print('  ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
