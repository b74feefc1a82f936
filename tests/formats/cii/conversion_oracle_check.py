#!/usr/bin/env python3
"""Every conversion of a real sample passes the official oracle whenever the sample does.

For every UBL and CII sample of ../shared (conformance examples, XRechnung test suite, Factur-X
EN16931 and BASIC, RO-CIUS), `eigw convert --as-is --to cii` and `--to ubl` write the sample in
both syntaxes without recomputing it; ../shared/conformance/validate (XSD + EN16931 Schematron, and
Peppol for UBL that declares it) then checks the samples and the outputs in one batch. An output
whose input passed (no fatal finding) must pass too; the business rules are chosen from the
document, as the official validators do. The JSON corpus is converted to CII (computed) and must
pass as well.

    conversion_oracle_check.py EIGW SHARED_DIR SOURCE_DIR

Exit 0 when every output passes where its input did, 1 otherwise (the failures are listed)."""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

UBL = ('{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice',
       '{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote')
CII = '{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice'
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
    for i, sample in enumerate(samples):
        for target in ('cii', 'ubl'):
            out = os.path.join(work, f'{i:04d}-{target}-{os.path.basename(sample)}')
            proc = subprocess.run([eigw, 'convert', '--as-is', '--to', target, sample, '-o', out],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                failures.append(f'{sample} -> {target}: eigw convert exited {proc.returncode}: {proc.stderr[:300]}')
                continue
            outputs[out] = sample
    corpus = os.path.join(source, 'tests', 'data', 'json', 'valid')
    for name in sorted(os.listdir(corpus)):
        if not name.endswith('.json'):
            continue
        out = os.path.join(work, 'json-' + name[:-5] + '.xml')
        proc = subprocess.run([eigw, 'convert', '--to', 'cii', os.path.join(corpus, name), '-o', out],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            failures.append(f'{name} -> cii: eigw convert exited {proc.returncode}: {proc.stderr[:300]}')
            continue
        outputs[out] = None

    files = samples + sorted(outputs)
    proc = subprocess.run([os.path.join(shared, 'conformance', 'validate'), '--format', 'tsv'] + files,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(f'the oracle failed (exit {proc.returncode}): {proc.stderr[:2000]}')
        return 1
    verdict, fatal = {}, {}
    for line in proc.stdout.splitlines():
        f = line.split('\t')
        if f[0] == 'FILE':
            verdict[f[1]] = f[2]
        elif f[0] == 'FINDING' and f[3] == 'fatal':
            fatal.setdefault(f[1], []).append(f'{f[2]}:{f[4]}')
    passing_inputs = sum(1 for s in samples if verdict.get(s) == 'PASS')
    for out, src in sorted(outputs.items()):
        if src is not None and verdict.get(src) != 'PASS':
            continue  # the input fails already: nothing to require of its conversions
        if verdict.get(out) != 'PASS':
            what = os.path.basename(src) if src else 'JSON corpus'
            failures.append(f'{os.path.basename(out)} (from {what}): {verdict.get(out, "not reported")} '
                            f'{" ".join(fatal.get(out, []))[:400]}')
    print(f'{len(samples)} samples ({passing_inputs} pass the oracle), {len(outputs)} conversions; '
          f'{len(failures)} failures')
    for f in failures:
        print('  ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
