#!/usr/bin/env python3
"""Runs `eigw validate` and the official oracle (../shared/conformance/validate, Saxon + the
official Schematron XSLT) over the same UBL and CII documents and requires the same verdicts: for
each file, the same set of fired fatal rule ids and the same set of warning rule ids.

The documents: every UBL and CII example in ../shared/conformance/examples and ../shared/formats, and
every UBL document our writer produces from the JSON corpus (tests/data/json/valid, converted
with `eigw convert --to ubl`). The oracle chooses its rule sets itself ("auto" mode); eigw is
given the same ones (oracle_choice.py), since it would add XRechnung rules the oracle lacks. Schema (XSD) findings are not compared here.

    oracle_agreement_check.py EIGW SHARED_DIR SOURCE_DIR

Exit 0 when every file agrees, 1 otherwise (the differences are listed)."""
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from oracle_choice import oracle_rules, syntax_of

def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    eigw, shared, source = sys.argv[1:]
    files = []
    for folder in (os.path.join(shared, 'conformance', 'examples'), os.path.join(shared, 'formats')):
        for dirpath, _, names in os.walk(folder):
            files += [os.path.join(dirpath, n) for n in names if n.endswith('.xml')]
    files = sorted(f for f in files if syntax_of(f))
    cii = sum(1 for f in files if syntax_of(f) == 'cii')
    work = tempfile.mkdtemp(prefix='eigw-oracle-')
    corpus = os.path.join(source, 'tests', 'data', 'json', 'valid')
    written = 0
    for name in sorted(os.listdir(corpus)):
        if not name.endswith('.json'):
            continue
        out = os.path.join(work, name[:-5] + '.xml')
        proc = subprocess.run([eigw, 'convert', '--to', 'ubl', os.path.join(corpus, name), '-o', out],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f'eigw convert failed for {name}: {proc.stderr[:500]}')
            return 1
        files.append(out)
        written += 1

    # The oracle, in one batch (one JVM).
    proc = subprocess.run([os.path.join(shared, 'conformance', 'validate'), '--no-xsd', '--format', 'tsv'] + files,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(f'the oracle failed (exit {proc.returncode}): {proc.stderr[:2000]}')
        return 1
    oracle = collections.defaultdict(lambda: (set(), set()))
    seen = set()
    for line in proc.stdout.splitlines():
        f = line.split('\t')
        if f[0] == 'FILE':
            seen.add(f[1])
        elif f[0] == 'FINDING' and f[2] in ('en16931', 'peppol'):
            oracle[f[1]][0 if f[3] == 'fatal' else 1].add(f[4])
        elif f[0] == 'FINDING' and f[2] in ('parse', 'detect', 'input'):
            oracle[f[1]][0].add('NOT-VALIDATED')

    # eigw with the rule sets the oracle runs (it has no XRechnung layer, so eigw's automatic
    # choice would add the XRechnung rules for those documents).
    groups = collections.defaultdict(list)
    for f in files:
        groups[oracle_rules(f)].append(f)
    ours = collections.defaultdict(lambda: (set(), set()))
    for rules, group in groups.items():
        proc = subprocess.run([eigw, 'validate', '--format', 'json', '--rules', rules] + group,
                              capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            print(f'eigw validate failed (exit {proc.returncode}): {proc.stderr[:2000]}')
            return 1
        for line in proc.stdout.splitlines():
            r = json.loads(line)
            for finding in r['findings']:
                ours[r['file']][0 if finding['severity'] == 'fatal' else 1].add(finding['rule'])

    differ = []
    for f in files:
        if f not in seen:
            differ.append(f'{f}: the oracle did not report it')
            continue
        (of, ow), (uf, uw) = oracle[f], ours[f]
        if of != uf:
            differ.append(f'{f}: fatal: oracle only {sorted(of - uf)}, eigw only {sorted(uf - of)}')
        if ow != uw:
            differ.append(f'{f}: warnings: oracle only {sorted(ow - uw)}, eigw only {sorted(uw - ow)}')
    failing = sum(1 for f in files if oracle[f][0])
    print(f'{len(files)} documents ({len(files) - written - cii} official UBL examples and samples, {cii} CII '
          f'examples and samples, {written} UBL written by eigw convert); {failing} with fatal findings; '
          f'{len(differ)} differences')
    for d in differ:
        print('  ' + d)
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
