#!/usr/bin/env python3
"""Generates the rule tables of the native validator from the official Schematron sources:

    formats/validation/rules_en16931_ubl_data.cc   EN16931 UBL (CEN/TC 434), preprocessed .sch
    formats/validation/rules_peppol_ubl_data.cc    Peppol BIS Billing 3.0 UBL .sch
    formats/validation/rules_en16931_cii_data.cc   EN16931 UN/CEFACT CII D16B, preprocessed .sch
    formats/validation/rules_xrechnung_ubl_data.cc XRechnung 3.0 UBL rules (BR-DE-*, BR-DEX-*, ...), with
                                                   the whitelist of Peppol rules XRechnung merges in
    formats/validation/rules_xrechnung_cii_data.cc XRechnung 3.0 CII rules

Each table is a flat list of records in document order: namespaces (N), rule-set variables (L),
functions (F, the XSLT helper functions of the Peppol rules, rewritten as one XPath expression
with let/if), patterns (P), pattern variables (Q), rules (R), rule variables (V) and assertions
(A: id, flag, test, message). The C++ side (schematron.cc) compiles the XPath text once at start-up.
Code lists stay data: they are inside the official test expressions.

    scripts/gen_rules.py [--shared DIR]

DIR defaults to ../shared beside the project. The outputs are committed; the product never reads
../shared at run time."""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

S = '{http://purl.oclc.org/dsdl/schematron}'
XSL = '{http://www.w3.org/1999/XSL/Transform}'

SOURCES = [
    ('en16931_ubl', 'kEn16931UblRules', 'en16931-ubl', '1.3.16',
     'conformance/schematron/en16931/ubl/schematron/preprocessed/EN16931-UBL-validation-preprocessed.sch'),
    ('peppol_ubl', 'kPeppolUblRules', 'peppol-bis3', '3.0.19',
     'conformance/schematron/peppol/sch/PEPPOL-EN16931-UBL.sch'),
    ('en16931_cii', 'kEn16931CiiRules', 'en16931-cii', '1.3.16',
     'conformance/schematron/en16931/cii/schematron/preprocessed/EN16931-CII-validation-preprocessed.sch'),
    ('xrechnung_ubl', 'kXRechnungUblRules', 'xrechnung-ubl', '3.0',
     'formats/xrechnung/schematron/ubl/XRechnung-UBL-validation.sch'),
    ('xrechnung_cii', 'kXRechnungCiiRules', 'xrechnung-cii', '3.0',
     'formats/xrechnung/schematron/cii/XRechnung-CII-validation.sch'),
]

# The Peppol BIS Billing rules the XRechnung build merges into its UBL rules (KoSIT's whitelist).
XRECHNUNG_PEPPOL_LIST = 'formats/xrechnung/schematron/rule-list.xml'

# XRechnung rules that take the place of an EN16931 rule for extension or CVD documents. Most are
# stated in the XRechnung sources ("<!-- BR-DEX-04 Überschreibt BR-CL-10 ... -->", read by
# overrides_of); BR-TMP-CVD-01 is BR-CL-13's test with the code 'CVD' added to UNTDID 7143 and
# says so in no comment.
EXTRA_OVERRIDES = [('BR-TMP-CVD-01', 'BR-CL-13')]


def overrides_of(path):
    """(XRechnung rule, EN16931 rule it overrides) pairs from the comments of a Schematron file."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    pairs = []
    for comment in re.findall(r'<!--(.*?)-->', text, re.S):
        m = re.match(r'\s*(BR-[A-Z0-9-]+)\s+(?:Overrides|Überschreibt)\s+(BR-[A-Z0-9-]+)', comment)
        if m:
            pairs.append((m.group(1), m.group(2)))
    return pairs + EXTRA_OVERRIDES


def cpp(s):
    if s is None:
        return 'nullptr'
    out = ['"']
    for ch in s:
        if ch == '\\':
            out.append('\\\\')
        elif ch == '"':
            out.append('\\"')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif ch == '?':
            out.append('\\?')  # no trigraphs
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def squash(s):
    """Collapses whitespace outside string literals (XPath ignores it there)."""
    out, quote = [], None
    for ch in s:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in '\'"':
            quote = ch
            out.append(ch)
        elif ch in ' \t\r\n':
            if out and out[-1] != ' ':
                out.append(' ')
        else:
            out.append(ch)
    return ''.join(out).strip()


def xpath_string(text):
    return "'" + text.replace("'", "''") + "'"


def function_body(elements):
    """XSLT function body (variables, then value-of/sequence or choose) -> one XPath expression."""
    lets, final = [], None
    for el in elements:
        tag = el.tag.replace(XSL, '')
        if tag == 'param':
            continue
        if tag == 'variable':
            if el.get('select') is not None:
                value = el.get('select')
            elif len(el):
                value = function_body(list(el))
            else:
                value = xpath_string(el.text or '')
            lets.append((el.get('name'), squash(value)))
        elif tag in ('value-of', 'sequence'):
            final = squash(el.get('select'))
        elif tag == 'choose':
            branches = []
            otherwise = '()'
            for b in el:
                btag = b.tag.replace(XSL, '')
                if btag == 'when':
                    branches.append((squash(b.get('test')), function_body(list(b))))
                elif btag == 'otherwise':
                    otherwise = function_body(list(b))
            expr = otherwise
            for test, body in reversed(branches):
                expr = f'if ({test}) then ({body}) else ({expr})'
            final = expr
        elif isinstance(el.tag, str):
            sys.exit(f'gen_rules.py: unsupported XSLT element {tag} in a function')
    if final is None:
        sys.exit('gen_rules.py: a function without a result')
    if not lets:
        return final
    return 'let ' + ', '.join(f'${n} := ({v})' for n, v in lets) + f' return ({final})'


def inline_includes(element, base_dir):
    """Replaces every <include href="..."/> below `element` by the root of the file it names."""
    for i, child in enumerate(list(element)):
        if child.tag == S + 'include':
            included = ET.parse(os.path.join(base_dir, child.get('href'))).getroot()
            element.remove(child)
            element.insert(i, included)
        else:
            inline_includes(child, base_dir)


def records_of(path):
    root = ET.parse(path).getroot()
    inline_includes(root, os.path.dirname(path))
    recs = []
    for child in root:
        tag = child.tag
        if tag == S + 'ns':
            recs.append(('N', child.get('prefix'), child.get('uri'), None, None))
        elif tag == S + 'let':
            recs.append(('L', child.get('name'), squash(child.get('value')), None, None))
        elif tag == XSL + 'function':
            params = ','.join(f"{p.get('name')}:{p.get('as') or ''}" for p in child if p.tag == XSL + 'param')
            recs.append(('F', child.get('name'), params, function_body(list(child)), None))
    for pattern in root.iter(S + 'pattern'):
        recs.append(('P', pattern.get('id') or '', None, None, None))
        for child in pattern:
            if child.tag == S + 'let':
                recs.append(('Q', child.get('name'), squash(child.get('value')), None, None))
            elif child.tag == S + 'rule':
                recs.append(('R', squash(child.get('context')), None, None, None))
                for item in child:
                    if item.tag == S + 'let':
                        recs.append(('V', item.get('name'), squash(item.get('value')), None, None))
                    elif item.tag == S + 'assert':
                        message = ' '.join(''.join(item.itertext()).split())
                        recs.append(('A', item.get('id'), item.get('flag') or 'fatal',
                                     squash(item.get('test')), message))
                    elif item.tag == S + 'report':
                        sys.exit('gen_rules.py: <report> is not supported yet')
    return recs


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--shared', default=os.path.join(here, '..', 'shared'))
    args = ap.parse_args()
    for stem, symbol, name, version, rel in SOURCES:
        src = os.path.join(args.shared, rel)
        if not os.path.isfile(src):
            sys.exit(f'gen_rules.py: missing {src} (give --shared)')
        recs = records_of(src)
        out = os.path.join(here, 'formats', 'validation', f'rules_{stem}_data.cc')
        lines = [
            f'// Generated by scripts/gen_rules.py from {rel} (in ../shared). Do not edit.',
            '#include "formats/validation/rule_source.h"',
            '',
            'namespace gw::formats::validation {',
            '',
            f'static const RuleRecord kRecords[] = {{',
        ]
        for kind, a, b, c, d in recs:
            lines.append(f"    {{'{kind}', {cpp(a)}, {cpp(b)}, {cpp(c)}, {cpp(d)}}},")
        lines += [
            '};',
            '',
            f'extern const RuleSource {symbol} = {{"{name}", "{version}", "{rel}", kRecords, '
            f'sizeof(kRecords) / sizeof(kRecords[0])}};',
            '',
            '}  // namespace gw::formats::validation',
            '',
        ]
        if stem.startswith('xrechnung_'):
            pairs = overrides_of(src)
            lines[-2:-2] = [
                '// XRechnung rules that replace an EN16931 rule for extension or CVD documents.',
                f'extern const RuleOverride {symbol}Overrides[] = {{',
            ] + [f'    {{{cpp(a)}, {cpp(b)}}},' for a, b in pairs] + [
                '};',
                f'extern const size_t {symbol}OverrideCount = {len(pairs)};',
                '',
            ]
        if stem == 'xrechnung_ubl':
            ids = [r.text.strip() for r in ET.parse(os.path.join(args.shared, XRECHNUNG_PEPPOL_LIST)).getroot()
                   if r.text and r.text.strip()]
            lines[-2:-2] = [
                f'// The Peppol rules the XRechnung build merges in ({XRECHNUNG_PEPPOL_LIST}).',
                'extern const char* const kXRechnungPeppolRuleIds[] = {',
            ] + [f'    {cpp(i)},' for i in ids] + [
                '};',
                f'extern const size_t kXRechnungPeppolRuleIdCount = {len(ids)};',
                '',
            ]
        with open(out, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines))
        asserts = sum(1 for r in recs if r[0] == 'A')
        print(f'gen_rules.py: {name}@{version}: {asserts} assertions -> {out}')


if __name__ == '__main__':
    main()
