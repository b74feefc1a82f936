#!/usr/bin/env python3
"""The JSON corpus through a national format and on to UBL passes the official oracle.

For each FORMAT given (ee-einvoice, finvoice) and every invoice of tests/data/json/valid:

 1. `eigw convert --to FORMAT` with the routing data the format needs. The check first gives only
    an identifier of the transmission (file_id / message_id); when eigw names further routing
    keys as missing ("routing key 'reg_number' ... is missing"), it supplies those with fixed test
    values and tries again, so the check also shows that every missing key is named. An invoice
    the format cannot hold without changing it is refused by the writer ("the invoice cannot be
    written as ...", with the format's findings), which is counted and listed, never an error of
    the check; any other failure is.
 2. `eigw validate --schemas SHARED/formats` on every output: the format's XSD (for the Estonian
    format with its EN16931 extension blocks checked) and its own rules must pass.
 3. `eigw convert --as-is --from FORMAT --to ubl` on every output, and the official oracle
    (SHARED/conformance/validate: XSD + EN16931 + Peppol) on the UBL: it must pass, as the same
    JSON converted straight to UBL does (the oracle agreement test shows that).

The official samples of the national formats are not used here: none of the Estonian ones carries
what EN16931 makes mandatory (the description's 4.1 sample has no VAT breakdown, addresses or
payment means; 4.2 is a template of placeholder values; the binding's Annex A example uses codes
outside the EN code lists, category AC and currency SEC among them, and totals that do not add up),
so their UBL cannot pass; their round trips are tested in ee_invoice_test.cc.

    national_conversion_check.py EIGW SHARED_DIR SOURCE_DIR FORMAT...

Exit 0 when every converted invoice passes, 1 otherwise (the failures are listed)."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_verdicts  # noqa: E402  (tests/formats/oracle_verdicts.py)

# Test values for routing keys a format may ask for, by key.
ROUTING_VALUES = {
    'file_id': 'CHECK-1', 'reg_number': '10000001', 'seller_reg_number': '10000002',
    'message_id': 'CHECK-MSG-1', 'timestamp': '2026-11-27T10:00:00+02:00',
    'sender_address': '003710000002', 'sender_intermediator': 'HELSFIHH',
    'receiver_address': '003710000001', 'receiver_intermediator': 'NDEAFIHH',
}
FIRST_KEY = {'ee-einvoice': 'file_id', 'finvoice': 'message_id'}
# Conversions whose UBL fails the oracle because of a term the national format cannot hold (the
# writer reports it as lost), with the fatal rules it must still fail with, so that the exception
# does not outlive its reason.
KNOWN_LOSSES = {
    'ee-einvoice': {
        # The scheme of the seller's legal registration identifier (BT-30-1): RegNumber has none.
        # The national Peppol rules of DK, IS and NL require it.
        'credit-note-dk-complete': ['peppol:DK-R-014'],
        'mixed-number-and-string': ['peppol:DK-R-014'],
        'seller-dk-cvr': ['peppol:DK-R-014'],
        'vat-point-date-code': ['peppol:DK-R-014'],
        'seller-is-kennitala': ['peppol:IS-R-002', 'peppol:IS-R-004'],
        'vat-ae-reverse-charge': ['peppol:NL-R-003'],
        # The buyer's address has only a country: the Estonian MailAddress needs a street and a
        # city, so the address (BG-8, mandatory: BR-10) cannot be written.
        'minimal-lines-only': ['en16931:BR-10'],
    },
    'finvoice': {
        # The buyer's address has only a city: Finvoice addresses need street and post code too.
        'minimal-lines-only': ['en16931:BR-10'],
        # The payment service provider (BT-86) is a Danish bank registration number, not a BIC,
        # which EpiBfiIdentifier requires; DK-R-006 needs it with payment means 31/42.
        'mixed-number-and-string': ['peppol:DK-R-006'],
    },
}
MISSING = re.compile(r"routing key '([a-z_]+)' \([^)]*\) is missing")


def convert(eigw, fmt, source, out):
    """Converts with as few routing keys as eigw accepts; returns (ok, stderr, keys given)."""
    routing = {FIRST_KEY[fmt]: ROUTING_VALUES[FIRST_KEY[fmt]]}
    for _ in range(4):
        args = [eigw, 'convert', '--to', fmt, source, '-o', out]
        for k, v in routing.items():
            args += ['--routing', f'{k}={v}']
        proc = subprocess.run(args, capture_output=True, text=True)
        if proc.returncode == 0:
            return True, proc.stderr, routing
        missing = [k for k in MISSING.findall(proc.stderr) if k not in routing]
        if not missing:
            return False, proc.stderr, routing
        for k in missing:
            if k not in ROUTING_VALUES:
                return False, f'eigw asks for routing key {k}, which the check does not know\n' + proc.stderr, routing
            routing[k] = ROUTING_VALUES[k]
    return False, proc.stderr, routing


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    eigw, shared, source = sys.argv[1:4]
    formats = sys.argv[4:]
    corpus = os.path.join(source, 'tests', 'data', 'json', 'valid')
    inputs = sorted(os.path.join(corpus, n) for n in os.listdir(corpus) if n.endswith('.json'))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        ubl_outputs = {}
        summary = []
        for fmt in formats:
            prefix = 'ee' if fmt == 'ee-einvoice' else fmt
            written, refused, asked = [], [], set()
            for path in inputs:
                name = os.path.splitext(os.path.basename(path))[0]
                out = os.path.join(tmp, f'{name}.{fmt}.xml')
                ok, err, routing = convert(eigw, fmt, path, out)
                asked.update(k for k in routing if k != FIRST_KEY[fmt])
                if ok:
                    written.append(out)
                elif 'the invoice cannot be written as' in err and f'[{prefix}.' in err:
                    refused.append(f'{name}: ' + err.strip().splitlines()[-1][:200])
                else:
                    failures.append(f'{fmt} {name}: {err.strip()[:600]}')
            proc = subprocess.run([eigw, 'validate', '--format', 'json', '--schemas', os.path.join(shared, 'formats')]
                                  + written, capture_output=True, text=True)
            for line in proc.stdout.splitlines():
                r = json.loads(line)
                if not r['valid']:
                    failures.append(f'{os.path.basename(r["file"])}: eigw validate: '
                                    + '; '.join(f'{f["rule"]} {f["message"][:160]}' for f in r['findings'][:4]))
            for out in written:
                ubl = out[:-4] + '.ubl.xml'
                proc = subprocess.run([eigw, 'convert', '--as-is', '--from', fmt, '--to', 'ubl', out, '-o', ubl],
                                      capture_output=True, text=True)
                if proc.returncode != 0:
                    failures.append(f'{os.path.basename(out)} to UBL: {proc.stderr.strip()[:400]}')
                else:
                    ubl_outputs[ubl] = fmt
            summary.append(f'{fmt}: {len(written)} written and valid, {len(refused)} refused as unconvertible, '
                           f'routing keys asked for besides {FIRST_KEY[fmt]}: {", ".join(sorted(asked)) or "none"}')
            for r in refused:
                summary.append('    refused ' + r)

        try:
            verdict, fatal = oracle_verdicts.run(shared, sorted(ubl_outputs))
        except RuntimeError as e:
            print(e)
            return 1
        known = 0
        for ubl, fmt in sorted(ubl_outputs.items()):
            name = os.path.basename(ubl).split('.')[0]
            expected = KNOWN_LOSSES.get(fmt, {}).get(name)
            got = sorted(set(':'.join(x.split(':')[:2]) for x in fatal.get(ubl, [])))
            if expected is not None:
                known += 1
                if verdict.get(ubl) == 'PASS' or got != sorted(expected):
                    failures.append(f'{os.path.basename(ubl)}: expected to fail with exactly {expected} (a known loss), '
                                    f'got {verdict.get(ubl)} {got}')
            elif verdict.get(ubl) != 'PASS':
                failures.append(f'{os.path.basename(ubl)}: oracle {verdict.get(ubl, "not reported")} '
                                f'{" ".join(fatal.get(ubl, []))[:400]}')
        summary.append(f'{known} conversions fail the oracle as expected, for a term their format cannot hold')
    for line in summary:
        print(line)
    print(f'{len(ubl_outputs)} national-format invoices converted on to UBL and checked by the oracle; '
          f'{len(failures)} failures')
    for f in failures:
        print('  ' + f)
    return 1 if failures or not ubl_outputs else 0


if __name__ == '__main__':
    sys.exit(main())
