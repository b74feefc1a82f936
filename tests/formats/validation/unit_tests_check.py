#!/usr/bin/env python3
"""Runs `eigw validate` over the official per-rule unit tests and checks every expectation.

The unit tests are VEFA-validator testSet files (../shared/conformance/tests/: EN16931 UBL Invoice
and CreditNote, EN16931 CII, Peppol UBL with its national rules): each <test> holds
a document and says which rule must fire (<error>/<warning>, optionally number="N") or must not
fire (<success>), within the <scope> of rule ids. The semantics are those of the vefa validator,
as ../shared/conformance/run-unit-tests applies them to the official oracle:
  * only assertions whose id is in <scope> count (all of them when there is no scope);
  * <success>ID</success>: ID must not fire;
  * <error>ID</error> / <warning>ID</warning>: ID must fire exactly N times (default 1) as
    fatal / warning;
  * any other in-scope firing is unexpected.
A test's own expectations come first, the testSet-level ones after (and override them).

    unit_tests_check.py EIGW SHARED_DIR [-v]

Exit 0 when every case agrees, 1 otherwise (the disagreements are listed)."""
import collections
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

V = '{http://difi.no/xsd/vefa/validator/1.0}'
GROUPS = ['en16931/Invoice-unit-UBL', 'en16931/CreditNote-unit-UBL', 'en16931/unit-CII'] + [
    f'peppol/unit-UBL-{c}' for c in ('PEPPOL', 'DE', 'DK', 'GR', 'IT', 'NL', 'NO', 'SE')]


def rules_for(config):
    """Which of our rule sets the configuration names (as the oracle's run-unit-tests decides)."""
    if config in ('tc434-ubl', 'tc434-ubl-cn', 'tc434-ubl-peppol', 'tc434-ubl-peppol-cn'):
        return 'en16931-ubl'
    if config == 'tc434-cii':
        return 'en16931-cii'
    if config == 'peppolbis-en16931-base-3.0-ubl':
        return 'peppol-bis3'
    if config in ('peppolbis-en16931-01-3.0-ubl-invoice', 'peppolbis-en16931-01-3.0-ubl-creditnote'):
        return 'en16931-ubl,peppol-bis3'
    return None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    eigw, shared = sys.argv[1], sys.argv[2]
    verbose = '-v' in sys.argv[3:]
    base = os.path.join(shared, 'conformance', 'tests')
    cases = []  # (group, file, test no, rules, scope, expectations, description)
    work = tempfile.mkdtemp(prefix='eigw-unit-')
    for group in GROUPS:
        folder = os.path.join(base, group)
        if not os.path.isdir(folder):
            sys.exit(f'unit_tests_check.py: missing {folder}')
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            root = ET.parse(path).getroot()
            if root.tag != V + 'testSet':
                continue
            set_asserts = root.findall(V + 'assert')
            for n, test in enumerate(root.findall(V + 'test'), 1):
                config = test.get('configuration') or root.get('configuration')
                rules = rules_for(config)
                if rules is None:
                    continue
                asserts = test.findall(V + 'assert') + set_asserts
                scope = {' '.join(s.text.split()) for a in asserts for s in a.findall(V + 'scope') if s.text}
                expect = collections.OrderedDict()
                for a in asserts:
                    for e in a:
                        kind = e.tag.replace(V, '')
                        if kind in ('success', 'error', 'warning', 'fatal'):
                            expect[' '.join((e.text or '').split())] = (kind, int(e.get('number', '1')))
                children = [c for c in test if c.tag != V + 'assert']
                if not children:
                    continue
                doc = os.path.join(work, f'{len(cases):05d}.xml')
                ET.ElementTree(children[0]).write(doc, encoding='UTF-8', xml_declaration=True)
                description = ' '.join(''.join(a.findtext(V + 'description') or '' for a in asserts).split())
                cases.append((group, f'{group}/{name}', n, rules, scope, expect, description, doc))

    # One eigw run per rule-set combination.
    fired = {}
    by_rules = collections.defaultdict(list)
    for c in cases:
        by_rules[c[3]].append(c[7])
    for rules, docs in by_rules.items():
        proc = subprocess.run([eigw, 'validate', '--format', 'json', '--rules', rules] + docs,
                              capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            sys.exit(f'unit_tests_check.py: eigw validate exited {proc.returncode}: {proc.stderr[:2000]}')
        for line in proc.stdout.splitlines():
            r = json.loads(line)
            fired[r['file']] = [(f['rule'], f['severity']) for f in r['findings']]

    per_group = collections.Counter()
    agree_group = collections.Counter()
    bad = []
    for group, where, n, rules, scope, expect, description, doc in cases:
        per_group[group] += 1
        succ = {i for i, (k, _) in expect.items() if k == 'success'}
        errs = {i: c for i, (k, c) in expect.items() if k in ('error', 'fatal')}
        warns = {i: c for i, (k, c) in expect.items() if k == 'warning'}
        ok, why, seen = True, [], []
        for rule, severity in fired.get(doc, []):
            if scope and rule not in scope:
                continue
            seen.append(f'{rule}({severity})')
            flag = 'error' if severity == 'fatal' else severity
            if rule in succ:
                ok = False
                why.append(f'{rule}: fired, success expected')
            elif flag == 'error' and errs.get(rule, 0) > 0:
                errs[rule] -= 1
            elif flag == 'warning' and warns.get(rule, 0) > 0:
                warns[rule] -= 1
            else:
                ok = False
                why.append(f'{rule}: unexpected {flag}')
        for rule, left in list(errs.items()) + list(warns.items()):
            if left > 0:
                ok = False
                why.append(f'{rule}: expected {left} more firing(s)')
        if ok:
            agree_group[group] += 1
        else:
            bad.append(f'{where} #{n} [{rules}] fired: {" ".join(seen) or "none"} | {"; ".join(why)} | {description[:120]}')

    total = sum(per_group.values())
    agreed = sum(agree_group.values())
    print(f'{"group":40} {"cases":>6} {"agree":>6}')
    for group in GROUPS:
        print(f'{group:40} {per_group[group]:6} {agree_group[group]:6}')
    print(f'{"TOTAL":40} {total:6} {agreed:6}')
    if bad:
        print('\nDisagreements:')
        for line in bad if verbose else bad[:60]:
            print('  ' + line)
        if not verbose and len(bad) > 60:
            print(f'  ... {len(bad) - 60} more (-v)')
    if total < 1600:
        print(f'unit_tests_check.py: only {total} cases found; expected about 1,674')
        return 1
    return 0 if agreed == total else 1


if __name__ == '__main__':
    sys.exit(main())
