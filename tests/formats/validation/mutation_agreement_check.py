#!/usr/bin/env python3
"""Differential test: `eigw validate` and the official oracle (../shared/conformance/validate,
Saxon-HE + the official EN16931 and Peppol Schematron XSLT) over many mutated UBL and CII invoices.

The mutants come from scripts/mutate_ubl.py (deterministic, --seed): each is one seed document
with 1 to 3 realistic edits (deleted or duplicated elements, odd numbers, codes, dates and
texts, names the rules tell apart swapped, the specification identifier changed, attributes
moved or deleted). The UBL seeds are the UBL examples in ../shared/conformance/examples and the
UBL our writer produces from tests/data/json/valid (`eigw convert --to ubl`); the CII seeds are
the UN/CEFACT CII D16B documents (root rsm:CrossIndustryInvoice) in ../shared/conformance/examples
and ../shared/formats (EN16931 examples, XRechnung, Factur-X/ZUGFeRD of every profile, RO CIUS).
A share of the mutants (--cii-share, default 1/3) is made from CII seeds. The mutants exercise
the rules in combinations the examples never reach, and often make a rule's test raise a
dynamic XPath error.

The minimal reproductions of past disagreements in tests/data/validation/mutants/ (if present)
are added to every batch and compared the same way, as regression cases.

The oracle runs in one batch with its own ("auto") choice of rule sets: EN16931 of the
document's syntax always (en16931-ubl or en16931-cii), Peppol when a UBL document's
cbc:CustomizationID names Peppol BIS Billing 3.0; eigw is given the same rule sets
(oracle_choice.py: it would add XRechnung rules, which the oracle lacks). Only Schematron findings are
compared (the oracle runs with --no-xsd). For every document:
  * both must see the same document type and choose the same rule sets, and eigw must report
    no rule id that the official XSLT does not have;
  * for each rule set (layer) the oracle completed: the same set of fatal rule ids, the same set
    of warning rule ids, and eigw must have evaluated every test (no "[the test could not be
    evaluated: ...]" finding), since the official XSLT evaluated them all without an error.

Documents the oracle cannot process. The official XSLT has no error handling: a dynamic XPath
error in any test (xs:decimal('abc'), xs:date('2024-02-30'), normalize-space() of two nodes,
'1,50' compared with a number, ...) aborts the whole Saxon transformation of that layer. The
oracle catches this per layer (lib/batch.xsl, xsl:try around fn:transform) and reports it as one
line `FINDING <file> en16931|peppol fatal SCHEMATRON-ERROR - <Saxon's message>`; the other layer
of the same document still runs and is compared normally, and the exit status stays 0/1 (exit 2
is only for usage errors and a failure of the whole JVM). No finding of the aborted layer
survives, so its verdicts are unknown. (About one mutant in six aborts a
layer.) eigw instead reports each assertion whose test cannot be evaluated as fired, with its
own flag and "[the test could not be evaluated: ...]" in the message, and evaluates all the
others. To compare such layers rule by rule, this script also runs an error-tolerant copy of the
oracle over those documents: the same files, except that in the compiled Schematron XSLTs (UBL,
Peppol and CII share the same layout) every
assertion's <xsl:choose> is wrapped in <xsl:try> (XSLT 3.0, which Saxon-HE 9.9 runs); a caught
error is reported as the assertion's id with level "info" and the message
"EVAL-ERROR <code>: <description>". For a layer the official oracle aborted:
  * the fatal ids, the warning ids (assertions evaluated to false) and the ids whose test raised
    an error must be the same on both sides (eigw's not-evaluable findings count as raised,
    whatever their flag);
  * when the tolerant oracle aborts the layer too (the error is raised outside any assertion: in
    a rule variable that Saxon evaluates where it is declared, such as Peppol's
    $quantity := xs:decimal(cbc:InvoicedQuantity) for PEPPOL-EN16931-R120), all that is known is
    that the layer cannot be evaluated: eigw must then report at least one not-evaluable finding
    in it.
The tolerant oracle starts as soon as eigw is done, on the documents eigw could not evaluate
completely (nearly always the ones the oracle aborts), beside the official oracle; a second run
takes any other document the official oracle aborted.

    mutation_agreement_check.py EIGW SHARED_DIR SOURCE_DIR [--count N] [--seed S] [--cii-share F]
                                [--keep DIR] [-v]

--count: number of mutants, UBL and CII together (default 600). --seed: the mutator's seed
(default 1). --cii-share: the share of CII mutants (default 1/3; 0 for UBL only, which gives
the same UBL mutants as before CII was added, 1 for CII only). --keep DIR:
write the seeds, the mutants (with their manifest mutants.tsv, one line of edits per mutant) and
the raw reports into DIR and keep them. -v: list every difference and the time of each phase.
Time: about 35 s of CPU for 600 mutants, a third of them CII (the oracle ~17 ms per document
plus a few seconds of start-up to compile the UBL, Peppol and CII XSLT, the tolerant oracle ~4 s
plus its documents, eigw a few seconds); 55-65 s of wall time measured on the 2-core machine
while other builds kept its load at 5-6 (UBL only), well under that when it is idle. The CII
share adds about 10% of CPU and 10-25% of wall time to a batch of the same size (25-33 s against
19-30 s, measured side by side at a load of 2-4).
Exit 0 when every document agrees, 1 otherwise (the differences are listed with the edits that
made each mutant, and counted by rule)."""
import argparse
import collections
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from oracle_choice import oracle_rules

# The layers compared, each with its syntax and official XSLT. The UBL layers keep their short
# names (en16931, peppol) so that the differences read as before CII came.
XSLT = {'en16931': 'schematron/en16931/ubl/xslt/EN16931-UBL-validation.xslt',
        'peppol': 'schematron/peppol/xslt/PEPPOL-EN16931-UBL.xslt',
        'en16931-cii': 'schematron/en16931/cii/xslt/EN16931-CII-validation.xslt'}
SYNTAX = {'en16931': 'ubl', 'peppol': 'ubl', 'en16931-cii': 'cii'}
DOCUMENT_TYPES = {'ubl-invoice': 'ubl', 'ubl-creditnote': 'ubl', 'cii': 'cii'}
ORACLE_LAYERS = {'en16931-ubl': 'en16931', 'peppol-ubl': 'peppol', 'en16931-cii': 'en16931-cii'}
EIGW_LAYERS = {'en16931-ubl': 'en16931', 'peppol-bis3': 'peppol', 'en16931-cii': 'en16931-cii'}
NOT_EVALUATED = '[the test could not be evaluated:'
# eigw's decimals hold 38 digits (Saxon's are unbounded): a test that needs more is reported as
# a fatal finding that says so. That is the documented limit, counted as the rule firing.
BEYOND_PRECISION = 'decimal value beyond 38 digits'
ASSERT = re.compile(r'(<!--ASSERT -->\s*)(<xsl:choose>.*?</xsl:choose>)', re.S)
ASSERT_ID = re.compile(r'<xsl:attribute name="id">([^<]*)</xsl:attribute>')


def load_mutator(source):
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location('mutate_ubl', os.path.join(source, 'scripts', 'mutate_ubl.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_layers(shared):
    """Syntax ('ubl' | 'cii') -> rule id -> layer, from the official XSLT. Within a syntax the id
    sets of the layers are disjoint; across syntaxes they are not (BR-01 is in UBL and CII)."""
    layers = {'ubl': {}, 'cii': {}}
    for layer, rel in XSLT.items():
        with open(os.path.join(shared, 'conformance', rel), encoding='utf-8') as f:
            for rule in ASSERT_ID.findall(f.read()):
                layers[SYNTAX[layer]][rule] = layer
    return layers


def tolerant_oracle(shared, work):
    """A copy of the oracle whose assertions report a dynamic error instead of aborting."""
    conf = os.path.join(shared, 'conformance')
    out = os.path.join(work, 'tolerant-oracle')
    os.makedirs(os.path.join(out, 'lib'), exist_ok=True)
    shutil.copy(os.path.join(conf, 'validate'), os.path.join(out, 'validate'))
    shutil.copy(os.path.join(conf, 'lib', 'batch.xsl'), os.path.join(out, 'lib', 'batch.xsl'))

    def wrap(m):
        rule = ASSERT_ID.search(m.group(2)).group(1)
        return (m.group(1) + '<xsl:try version="3.0" xmlns:err="http://www.w3.org/2005/xqt-errors">' + m.group(2) +
                '<xsl:catch><svrl:failed-assert test="">'
                f'<xsl:attribute name="id">{rule}</xsl:attribute><xsl:attribute name="flag">info</xsl:attribute>'
                '<xsl:attribute name="location">-</xsl:attribute><svrl:text>EVAL-ERROR '
                '<xsl:value-of select="$err:code"/>: <xsl:value-of select="$err:description"/></svrl:text>'
                '</svrl:failed-assert></xsl:catch></xsl:try>')

    for rel in XSLT.values():
        with open(os.path.join(conf, rel), encoding='utf-8') as f:
            text, n = ASSERT.subn(wrap, f.read())
        if n == 0:
            sys.exit(f'mutation_agreement_check.py: no assertion found in {rel}; has the XSLT layout changed?')
        os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
        with open(os.path.join(out, rel), 'w', encoding='utf-8') as f:
            f.write(text)
    return os.path.join(out, 'validate')


def new_layer():
    return {'fatal': set(), 'warning': set(), 'error': set(), 'aborted': None}


def parse_oracle(tsv):
    """file -> {'type', 'layers': [..], layer: {...}} from the oracle's TSV output."""
    result = {}
    for line in tsv.splitlines():
        f = line.split('\t')
        if f[0] == 'FILE':
            layers = [ORACLE_LAYERS[x] for x in f[4].split(',') if x in ORACLE_LAYERS]
            result[f[1]] = {'type': f[3], 'layers': layers, **{x: new_layer() for x in layers}}
        elif f[0] == 'FINDING':
            r = result[f[1]]
            source, level, rule, message = f[2], f[3], f[4], f[6] if len(f) > 6 else ''
            if source not in ('en16931', 'peppol'):
                continue  # parse / detect / input: the document type says it
            if source == 'en16931' and r['type'] == 'cii':
                source = 'en16931-cii'
            layer = r.setdefault(source, new_layer())
            if rule == 'SCHEMATRON-ERROR':
                layer['aborted'] = message
            elif level == 'info' and message.startswith('EVAL-ERROR'):
                layer['error'].add(rule)
            elif level in ('fatal', 'warning'):
                layer[level].add(rule)
    return result


def parse_eigw(lines, layer_of):
    result = {}
    for line in lines.splitlines():
        r = json.loads(line)
        layers = [EIGW_LAYERS.get(x.split('@')[0], x) for x in r.get('rules', [])]
        entry = {'type': r.get('syntax'), 'layers': layers, **{x: new_layer() for x in layers}, 'other': set()}
        of_syntax = layer_of.get(DOCUMENT_TYPES.get(entry['type']), {})
        for finding in r['findings']:
            layer = of_syntax.get(finding['rule'])
            if layer is None or layer not in entry:
                entry['other'].add(finding['rule'])
                continue
            kind = 'error' if NOT_EVALUATED in finding['message'] else finding['severity']
            if BEYOND_PRECISION in finding['message']:
                kind = finding['severity']
            entry[layer][kind].add(finding['rule'])
        result[r['file']] = entry
    return result


RUNNING = []  # started batches, stopped if the check ends early


def run(cmd, out_path):
    with open(out_path, 'w', encoding='utf-8') as out, open(out_path + '.err', 'w', encoding='utf-8') as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
    RUNNING.append(proc)
    return proc


def finish(proc, out_path, what):
    rc = proc.wait()
    if rc not in (0, 1):
        with open(out_path + '.err', encoding='utf-8') as f:
            sys.exit(f'mutation_agreement_check.py: {what} exited {rc}: {f.read()[:2000]}')
    with open(out_path, encoding='utf-8') as f:
        return f.read()


def diff_sets(label, oracle, ours):
    if oracle == ours:
        return []
    return [f'{label}: oracle only {sorted(oracle - ours)}, eigw only {sorted(ours - oracle)}']


def compare(o, e, tolerant):
    """The differences for one file (empty: they agree)."""
    if o['type'] not in DOCUMENT_TYPES:
        # Not well-formed, or neither UBL nor CII (the mutator does not make these): eigw must refuse it too.
        return [] if not e['layers'] and e['other'] else [f'the oracle could not validate it ({o["type"]}), eigw did']
    if o['type'] != e['type'] or o['layers'] != e['layers']:
        return [f'document type and rule sets: oracle {o["type"]} {o["layers"]}, eigw {e["type"]} {e["layers"]}']
    out = []
    if e['other']:
        out.append(f'eigw reported rules the official XSLT does not have: {sorted(e["other"])}')
    for layer in o['layers']:
        ol, el = o[layer], e[layer]
        if ol['aborted'] is None:
            out += diff_sets(f'{layer} fatal', ol['fatal'], el['fatal'])
            out += diff_sets(f'{layer} warning', ol['warning'], el['warning'])
            if el['error']:
                out.append(f'{layer}: eigw could not evaluate {sorted(el["error"])}, the oracle evaluated every test')
            continue
        tl = (tolerant or {}).get(layer)
        if tl is None or tl['aborted'] is not None:
            if not el['error']:
                out.append(f'{layer}: the oracle aborted ({ol["aborted"][:160]}), eigw evaluated every test '
                           f'(fatal {sorted(el["fatal"])}, warning {sorted(el["warning"])})')
            continue
        out += diff_sets(f'{layer} (oracle aborted; tolerant oracle) fatal', tl['fatal'], el['fatal'])
        out += diff_sets(f'{layer} (oracle aborted; tolerant oracle) warning', tl['warning'], el['warning'])
        out += diff_sets(f'{layer} (oracle aborted; tolerant oracle) not evaluable', tl['error'], el['error'])
    return out


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument('eigw')
    ap.add_argument('shared')
    ap.add_argument('source')
    ap.add_argument('--count', type=int, default=600)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cii-share', type=float, default=1 / 3, help='share of CII mutants (0 to 1)')
    ap.add_argument('--keep', help='folder for the seeds, mutants and reports (kept)')
    ap.add_argument('-v', '--verbose', action='store_true', help='list every difference')
    args = ap.parse_args()
    if not 0 <= args.cii_share <= 1:
        sys.exit('mutation_agreement_check.py: --cii-share must be between 0 and 1')
    started = time.monotonic()
    eigw = os.path.abspath(args.eigw)
    oracle = os.path.join(args.shared, 'conformance', 'validate')
    if args.keep:
        work = os.path.abspath(args.keep)
        if os.path.isdir(work) and os.listdir(work):
            if not os.path.exists(os.path.join(work, 'mutants', 'mutants.tsv')):
                sys.exit(f'mutation_agreement_check.py: --keep {work}: not empty and not from an earlier --keep')
            shutil.rmtree(work)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix='eigw-mutants-')
    try:
        return check(args, eigw, oracle, work, started)
    finally:
        for proc in RUNNING:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # the oracle's JVM is a child of its script
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def check(args, eigw, oracle, work, started):
    mutator = load_mutator(args.source)
    seeds_dir = os.path.join(work, 'seeds')
    os.makedirs(seeds_dir)
    corpus = os.path.join(args.source, 'tests', 'data', 'json', 'valid')
    for name in sorted(os.listdir(corpus)):
        if not name.endswith('.json'):
            continue
        proc = subprocess.run([eigw, 'convert', '--to', 'ubl', os.path.join(corpus, name), '-o',
                               os.path.join(seeds_dir, 'json-' + name[:-5] + '.xml')], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f'mutation_agreement_check.py: eigw convert failed for {name}: {proc.stderr[:500]}')
    seeds = mutator.collect([os.path.join(args.shared, 'conformance', 'examples'), seeds_dir], 256 * 1024)
    # The CII documents of the format folders (XRechnung, Factur-X/ZUGFeRD, RO CIUS): their UBL
    # documents are left out, so that the UBL seeds stay those of the conformance examples.
    seeds += mutator.collect([os.path.join(args.shared, 'formats')], 256 * 1024, syntaxes=('cii',))
    cii_seeds = {f for f in seeds if mutator.syntax_of(f) == 'cii'}
    files = mutator.generate(seeds, args.count, os.path.join(work, 'mutants'), args.seed, args.cii_share)
    # The minimal reproductions of past disagreements run with every batch (regression cases).
    regressions = os.path.join(args.source, 'tests', 'data', 'validation', 'mutants')
    if os.path.isdir(regressions):
        files += sorted(os.path.join(regressions, n) for n in os.listdir(regressions) if n.endswith('.xml'))
    phases = [('seeds and mutants', time.monotonic() - started)]
    edits = {}
    with open(os.path.join(work, 'mutants', 'mutants.tsv'), encoding='utf-8') as f:
        for line in f:
            name, seed, what = line.rstrip('\n').split('\t')
            edits[name] = (seed, what)
    cii_mutants = sum(1 for seed, _ in edits.values() if seed in cii_seeds)

    # Both batches at once (two cores): the oracle is the slow side.
    o_out, e_out = os.path.join(work, 'oracle.tsv'), os.path.join(work, 'eigw.jsonl')
    o_proc = run([oracle, '--no-xsd', '--format', 'tsv'] + files, o_out)
    # eigw with the rule sets the oracle runs: it has no XRechnung layer, and eigw's own choice
    # would add the XRechnung rules (and drop the EN16931 rules they override) for documents that
    # name XRechnung.
    groups = collections.defaultdict(list)
    for f in files:
        groups[oracle_rules(f)].append(f)
    eigw_output = []
    for i, (rules, group) in enumerate(sorted(groups.items())):
        out = f'{e_out}.{i}'
        eigw_output.append(finish(run([eigw, 'validate', '--format', 'json'] + (['--rules', rules] if rules else []) +
                                      group, out), out, 'eigw validate'))
    layer_of = rule_layers(args.shared)
    ours = parse_eigw(''.join(eigw_output), layer_of)
    phases.append(('eigw', time.monotonic() - started))

    # The tolerant oracle is needed for the documents on which the oracle aborts. eigw is done long
    # before the oracle; the documents it could not evaluate completely are nearly all of them, so
    # the tolerant oracle starts on those now, beside the oracle, and a second run takes the rest.
    tolerant_validate = tolerant_oracle(args.shared, work)
    predicted = [f for f in files if f in ours and any(ours[f][x]['error'] for x in ours[f]['layers'])]
    t_runs = []

    def start_tolerant(batch):
        out = os.path.join(work, f'tolerant-oracle-{len(t_runs)}.tsv')
        t_runs.append((run([tolerant_validate, '--no-xsd', '--format', 'tsv'] + batch, out), out))

    if predicted:
        start_tolerant(predicted)
    theirs = parse_oracle(finish(o_proc, o_out, 'the oracle'))
    phases.append(('oracle', time.monotonic() - started))
    aborted = [f for f in files if f in theirs and any(theirs[f][x]['aborted'] for x in theirs[f]['layers'])]
    rest = sorted(set(aborted) - set(predicted))
    if rest:
        start_tolerant(rest)
    tolerant = {}
    for proc, out in t_runs:
        tolerant.update(parse_oracle(finish(proc, out, 'the tolerant oracle')))
    phases.append((f'tolerant oracle ({len(predicted)} + {len(rest)} files)', time.monotonic() - started))

    differ = []
    for f in files:
        if f not in theirs or f not in ours:
            differ.append((f, ['not reported by ' + ('the oracle' if f not in theirs else 'eigw')]))
            continue
        d = compare(theirs[f], ours[f], tolerant.get(f))
        if d:
            differ.append((f, d))

    layer_runs = sum(len(theirs[f]['layers']) for f in files if f in theirs)
    aborted_layers = sum(1 for f in aborted for x in theirs[f]['layers'] if theirs[f][x]['aborted'])
    still = sum(1 for f in aborted for x in theirs[f]['layers']
                if theirs[f][x]['aborted'] and (f not in tolerant or tolerant[f].get(x, {}).get('aborted')))
    failing = sum(1 for f in files if f in theirs and any(theirs[f][x]['fatal'] for x in theirs[f]['layers']))
    cii_differ = sum(1 for f, _ in differ if mutator.syntax_of(f) == 'cii')
    print(f'{args.count} mutants ({args.count - cii_mutants} UBL of {len(seeds) - len(cii_seeds)} seeds, '
          f'{cii_mutants} CII of {len(cii_seeds)} seeds; --seed {args.seed}) and {len(files) - args.count} '
          f'regression cases; {layer_runs} rule-set runs, {failing} documents with fatal findings; the oracle '
          f'aborted {aborted_layers} runs on a dynamic error ({aborted_layers - still} compared rule by rule '
          f'through the tolerant oracle, {still} only as "not evaluable"); {len(differ)} documents differ '
          f'({len(differ) - cii_differ} UBL, {cii_differ} CII); {time.monotonic() - started:.1f} s')
    if args.verbose:
        print('  elapsed at the end of each phase: ' + ', '.join(f'{p} {t:.1f} s' for p, t in phases))
    signatures = collections.Counter()
    for f, d in differ:
        for line in d:
            label = line.split(':')[0]
            rules = sorted(set(re.findall(r"'([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)'", line)))
            signatures[f'{label}: {" ".join(rules)}'] += 1
    if differ:
        print('\nDifferences by rule (count):')
        for sig, n in signatures.most_common():
            print(f'  {n:4}  {sig}')
        print('\nMutants:')
        for f, d in differ if args.verbose else differ[:40]:
            if os.path.basename(f) not in edits:
                print(f'  {os.path.basename(f)}  (regression case)')
            else:
                seed, what = edits[os.path.basename(f)]
                # The seed under ../shared (the stems repeat across the format folders), or our own UBL.
                seed = os.path.relpath(seed, args.shared)
                seed = os.path.basename(seed) if seed.startswith('..') else seed
                print(f'  {os.path.basename(f)}  ({seed})  [{what}]')
            for line in d:
                print(f'      {line}')
        if not args.verbose and len(differ) > 40:
            print(f'  ... {len(differ) - 40} more (-v)')
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
