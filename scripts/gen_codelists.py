#!/usr/bin/env python3
"""Generates formats/codelists/codelists_data.cc from the official EN16931 and Peppol Schematron.

The product never reads ../shared at run time, so the code lists are compiled into C++ tables and
committed. Each list is taken from the assertion(s) named in LISTS below; when EN16931 and Peppol
BIS 3.0 both restrict a term, the table is the intersection, so a code we accept passes both rule
sets. Output is deterministic (sorted, no timestamps); the unit test
tests/formats/codelists/codelists_test.cc re-runs this script and compares the result byte for byte.

Usage: python3 scripts/gen_codelists.py [--shared ../shared] [--output formats/codelists/codelists_data.cc]
Stdlib only. Exits non-zero, with a message on stderr, when a rule or variable is missing or a list
comes out empty.
"""

import argparse
import hashlib
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

SCH_NS = "{http://purl.oclc.org/dsdl/schematron}"

# Inputs, relative to shared/SCHEMATRON_DIR.
SCHEMATRON_DIR = "conformance/schematron"
EN_RULES = "en16931/ubl/schematron/preprocessed/EN16931-UBL-validation-preprocessed.sch"
EN_CODES = "en16931/ubl/schematron/codelist/EN16931-UBL-codes.sch"
PEPPOL_RULES = "peppol/sch/PEPPOL-EN16931-UBL.sch"

# (C++ function, C++ array, description, EN16931 sources, Peppol sources, note).
# A source is a rule id, or (rule id, part) where part selects the branch of a test that starts
# with `self::cbc:<part>` (BR-CL-01 holds both the invoice and the credit note list).
LISTS = [
    ("IsCurrency", "kCurrency", "ISO 4217 alpha-3 currency codes",
     ["BR-CL-03", "BR-CL-04", "BR-CL-05"], ["PEPPOL-EN16931-CL007"], None),
    ("IsCountry", "kCountry", "ISO 3166-1 alpha-2 country codes (plus 1A Kosovo)",
     ["BR-CL-14", "BR-CL-15"], [], None),
    ("IsElectronicAddressScheme", "kElectronicAddressScheme", "CEF EAS electronic address schemes",
     ["BR-CL-25"], ["PEPPOL-EN16931-CL008"], None),
    ("IsIdentifierScheme", "kIdentifierScheme", "ISO 6523 ICD identifier schemes",
     ["BR-CL-10", "BR-CL-11", "BR-CL-21", "BR-CL-26"], [],
     "BR-CL-10 also allows SEPA for seller and payee identifiers (BT-29, BT-60); that conditional\n"
     "alternative is not in this table."),
    ("IsUnitCode", "kUnitCode", "UN/ECE Recommendation 20 and 21 unit codes",
     ["BR-CL-23"], [], None),
    ("IsVatCategory", "kVatCategory", "UNTDID 5305 VAT category codes (EN16931 subset)",
     ["BR-CL-17", "BR-CL-18"], [], None),
    ("IsInvoiceTypeCode", "kInvoiceTypeCode", "UNTDID 1001 invoice type codes",
     [("BR-CL-01", "InvoiceTypeCode")], [("PEPPOL-EN16931-P0100", None)],
     "PEPPOL-EN16931-P0112 further allows 326 and 384 only when seller and buyer are German."),
    ("IsCreditNoteTypeCode", "kCreditNoteTypeCode", "UNTDID 1001 credit note type codes",
     [("BR-CL-01", "CreditNoteTypeCode")], [("PEPPOL-EN16931-P0101", None)], None),
    ("IsPaymentMeansCode", "kPaymentMeansCode", "UNTDID 4461 payment means codes",
     ["BR-CL-16"], [], None),
    ("IsAllowanceReasonCode", "kAllowanceReasonCode", "UNTDID 5189 allowance reason codes",
     ["BR-CL-19"], ["PEPPOL-EN16931-CL002"], None),
    ("IsChargeReasonCode", "kChargeReasonCode", "UNTDID 7161 charge reason codes",
     ["BR-CL-20"], ["PEPPOL-EN16931-CL003"], None),
    ("IsItemClassificationScheme", "kItemClassificationScheme",
     "UNTDID 7143 item classification schemes", ["BR-CL-13"], [], None),
    ("IsMimeCode", "kMimeCode", "MIME types of attachments",
     ["BR-CL-24"], ["PEPPOL-EN16931-CL001"], None),
    ("IsVatExemptionCode", "kVatExemptionCode", "CEF VATEX exemption reason codes",
     ["BR-CL-22"], [],
     "BR-CL-22 upper-cases the value before the lookup; this table is matched exactly."),
    ("IsTextSubjectCode", "kTextSubjectCode", "UNTDID 4451 text subject codes",
     ["BR-CL-08"], [],
     "In UBL the code is written inside cbc:Note as #CODE#text; BR-CL-08 checks the part\n"
     "between the first two '#'."),
    ("IsVatDateCode", "kVatDateCode", "UNTDID 2005 VAT point date codes (EN16931 subset)",
     ["BR-CL-06"], ["PEPPOL-EN16931-CL006"], None),
    ("IsObjectIdentifierScheme", "kObjectIdentifierScheme",
     "UNTDID 1153 object identifier schemes", ["BR-CL-07"], [], None),
]

CODE_RE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no space
CONTAINS_RE = re.compile(r"contains\(\s*'([^']*)'\s*,")
EQUALS_RE = re.compile(r"@\w+\s*=\s*'([^']*)'")
SOME_VAR_RE = re.compile(r"some\s+\$\w+\s+in\s+\$(\w+)")
SOME_TOKENIZE_RE = re.compile(r"some\s+\$\w+\s+in\s+tokenize\(\s*'([^']*)'")
TOKENIZE_RE = re.compile(r"^\s*tokenize\(\s*'([^']*)'\s*,\s*'\\s'\s*\)\s*$")


class GenError(Exception):
    pass


def read_input(shared, rel):
    path = shared / SCHEMATRON_DIR / rel
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GenError(f"cannot read {path}: {e}") from e
    return data


def asserts_by_id(data, rel):
    """Maps assertion id -> test expression (entities already decoded by the parser)."""
    root = ET.fromstring(data)
    tests = {}
    for a in root.iter(SCH_NS + "assert"):
        rid = a.get("id")
        if rid is None:
            continue
        if rid in tests and tests[rid] != a.get("test"):
            raise GenError(f"{rel}: assertion {rid} appears twice with different tests")
        tests[rid] = a.get("test", "")
    if not tests:
        raise GenError(f"{rel}: no assertions found")
    return root, tests


def lets_by_name(root):
    lets = {}
    for let in root.iter(SCH_NS + "let"):
        lets.setdefault(let.get("name"), []).append(let.get("value", ""))
    return lets


def split_codes(literal, where):
    codes = literal.split()
    for c in codes:
        if not CODE_RE.match(c) or '"' in c or "\\" in c:
            raise GenError(f"{where}: unexpected code {c!r}")
    return codes


def select_part(test, part, where):
    """The branch of `test` that starts at self::cbc:<part>, up to the next self::cbc: branch."""
    if part is None:
        return test
    start = test.find("self::cbc:" + part)
    if start < 0:
        raise GenError(f"{where}: no self::cbc:{part} branch in the test")
    end = test.find("self::cbc:", start + len("self::cbc:" + part))
    return test[start:] if end < 0 else test[start:end]


def en_codes(tests, rid, part, rel):
    """Codes of an EN16931 assertion: the one `contains(' A B ', ...)` list of the (selected part
    of the) test, or its `@attr = 'x' or ...` alternatives (BR-CL-24)."""
    where = f"{rel}: {rid}" + (f" ({part})" if part else "")
    if rid not in tests:
        raise GenError(f"{where}: assertion not found")
    test = select_part(tests[rid], part, where)
    literals = [lit for lit in CONTAINS_RE.findall(test) if lit.strip()]
    if literals:
        # BR-CL-10 adds `or (contains(' SEPA ', ...) and (ancestor::...))`: an alternative that holds
        # only under an extra condition. The unconditional list is the first one.
        return split_codes(literals[0], where), [split_codes(lit, where) for lit in literals[1:]]
    equals = EQUALS_RE.findall(test)
    if equals:
        return [c for lit in equals for c in split_codes(lit, where)], []
    raise GenError(f"{where}: no code list found in the test")


def peppol_codes(tests, lets, rid, rel):
    """Codes of a Peppol assertion: `some $code in $VAR` with `<let name="VAR"
    value="tokenize('A B', '\\s')"/>`, or `some $code in tokenize('A B', '\\s')` inline."""
    where = f"{rel}: {rid}"
    if rid not in tests:
        raise GenError(f"{where}: assertion not found")
    test = tests[rid]
    m = SOME_VAR_RE.search(test)
    if m:
        values = lets.get(m.group(1), [])
        if len(values) != 1:
            raise GenError(f"{where}: variable ${m.group(1)} defined {len(values)} times")
        t = TOKENIZE_RE.match(values[0])
        if not t:
            raise GenError(f"{where}: ${m.group(1)} is not tokenize('...', '\\s')")
        return split_codes(t.group(1), f"{where} ${m.group(1)}")
    m = SOME_TOKENIZE_RE.search(test)
    if m:
        return split_codes(m.group(1), where)
    raise GenError(f"{where}: no code list found in the test")


def version_of(data, pattern, rel):
    m = re.search(pattern, data.decode("utf-8"))
    if not m:
        raise GenError(f"{rel}: version comment not found")
    return " ".join(m.group(1).split()).rstrip(".")


def cross_check(en_tests, codes_tests):
    """The codelist module and the preprocessed rules must agree; the preprocessed file is what the
    compiled XSLT (and so the conformance oracle) runs."""
    for rid, test in sorted(codes_tests.items()):
        if rid not in en_tests:
            raise GenError(f"{EN_CODES}: {rid} is missing from {EN_RULES}")
        if test.split() != en_tests[rid].split():
            raise GenError(f"{rid}: test differs between {EN_CODES} and {EN_RULES}")


def build_lists(shared):
    raw = {rel: read_input(shared, rel) for rel in (EN_RULES, EN_CODES, PEPPOL_RULES)}
    _, en_tests = asserts_by_id(raw[EN_RULES], EN_RULES)
    _, codes_tests = asserts_by_id(raw[EN_CODES], EN_CODES)
    cross_check(en_tests, codes_tests)
    peppol_root, peppol_tests = asserts_by_id(raw[PEPPOL_RULES], PEPPOL_RULES)
    peppol_lets = lets_by_name(peppol_root)

    results = []
    for func, array, desc, en_sources, peppol_sources, note in LISTS:
        sets = {}  # source rule id -> set of codes
        ignored = []
        for src in en_sources:
            rid, part = src if isinstance(src, tuple) else (src, None)
            codes, alternatives = en_codes(en_tests, rid, part, EN_RULES)
            if not codes:
                raise GenError(f"{EN_RULES}: {rid} has an empty list")
            sets[rid] = set(codes)
            ignored += [c for alt in alternatives for c in alt]
        for src in peppol_sources:
            rid = src[0] if isinstance(src, tuple) else src
            codes = peppol_codes(peppol_tests, peppol_lets, rid, PEPPOL_RULES)
            if not codes:
                raise GenError(f"{PEPPOL_RULES}: {rid} has an empty list")
            sets[rid] = set(codes)
        en_union = set().union(*(sets[r] for r in sets if not r.startswith("PEPPOL")))
        peppol_union = set().union(*(sets[r] for r in sets if r.startswith("PEPPOL")))
        codes = sorted(set.intersection(*sets.values()))
        if not codes:
            raise GenError(f"{func}: the list came out empty")
        dropped_en = sorted(en_union - set(codes))
        dropped_peppol = sorted(peppol_union - set(codes))
        results.append({
            "func": func, "array": array, "desc": desc, "note": note, "codes": codes,
            "sources": list(sets), "dropped_en": dropped_en, "dropped_peppol": dropped_peppol,
            "ignored": sorted(set(ignored)),
        })

    inputs = [
        (EN_RULES, "CEN/TC 434 EN16931 UBL validation artefacts, "
         + version_of(raw[EN_RULES], r"<!--\s*(Schematron version[^-]*-[^>]*?)\s*-->", EN_RULES),
         hashlib.sha256(raw[EN_RULES]).hexdigest()),
        (EN_CODES, "CEN/TC 434 EN16931 UBL code lists (cross-checked against the above)",
         hashlib.sha256(raw[EN_CODES]).hexdigest()),
        (PEPPOL_RULES, "OpenPeppol BIS Billing 3.0, "
         + version_of(raw[PEPPOL_RULES], r"(Last update:[^\n]*)", PEPPOL_RULES),
         hashlib.sha256(raw[PEPPOL_RULES]).hexdigest()),
    ]
    return inputs, results


def wrap_comment(text, prefix="// ", width=100):
    lines = []
    for paragraph in text.split("\n"):
        line = prefix
        for word in paragraph.split():
            if len(line) + len(word) + 1 > width and line != prefix:
                lines.append(line.rstrip())
                line = prefix
            line += word + " "
        lines.append(line.rstrip())
    return lines


def render(inputs, results):
    out = [
        "// GENERATED FILE - DO NOT EDIT. Regenerate with:",
        "//   python3 scripts/gen_codelists.py --shared ../shared",
        "// (tests/formats/codelists/codelists_test.cc checks that this file is up to date.)",
        "//",
        "// Generated by scripts/gen_codelists.py from these files,",
        f"// in shared/{SCHEMATRON_DIR}/:",
    ]
    for rel, version, digest in inputs:
        out.append(f"//   {rel}")
        out += wrap_comment(version, prefix="//     ")
        out.append(f"//     sha256 {digest}")
    out += [
        "//",
        "// Each table is the intersection of the lists of the rules named above it, sorted in byte",
        "// order for std::binary_search.",
        "",
        "// Not clang-formatted: the file must stay byte-identical to the generator's output.",
        "// clang-format off",
        "",
        '#include "formats/codelists/codelists.h"',
        "",
        "#include <algorithm>",
        "#include <cstddef>",
        "#include <functional>",
        "#include <iterator>",
        "#include <string_view>",
        "",
        "namespace gw::codelists {",
        "namespace {",
        "",
        "// Strictly ascending: binary_search works and there are no duplicates.",
        "template <std::size_t N>",
        "constexpr bool IsStrictlyAscending(const std::string_view (&codes)[N]) {",
        "  return std::adjacent_find(std::begin(codes), std::end(codes), std::greater_equal<>()) ==",
        "         std::end(codes);",
        "}",
        "",
        "template <std::size_t N>",
        "bool Contains(const std::string_view (&codes)[N], std::string_view code) {",
        "  return std::binary_search(std::begin(codes), std::end(codes), code);",
        "}",
    ]
    for r in results:
        out.append("")
        out += wrap_comment(f"{r['desc']}: {len(r['codes'])} codes, {' & '.join(r['sources'])}.")
        if r["dropped_en"]:
            out += wrap_comment("Left out, in EN16931 only: " + " ".join(r["dropped_en"]) + ".")
        if r["dropped_peppol"]:
            out += wrap_comment("Left out, in Peppol only: " + " ".join(r["dropped_peppol"]) + ".")
        if r["note"]:
            out += wrap_comment(r["note"])
        out.append(f"constexpr std::string_view {r['array']}[] = {{")
        line = "   "
        for code in r["codes"]:
            item = f' "{code}",'
            if len(line) + len(item) > 100:
                out.append(line)
                line = "   "
            line += item
        out.append(line)
        out.append("};")
        out.append(f"static_assert(IsStrictlyAscending({r['array']}));")
    out += ["", "}  // namespace", ""]
    for r in results:
        out += [f"bool {r['func']}(std::string_view code) {{",
                f"  return Contains({r['array']}, code);", "}"]
    out += ["", "}  // namespace gw::codelists", "", "// clang-format on", ""]
    for line in out:
        if len(line) > 100:
            raise GenError(f"generated line longer than 100 columns: {line[:60]}...")
    return "\n".join(out)


def main():
    repo = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=pathlib.Path, default=repo.parent / "shared",
                        help="the shared/ folder (default: ../shared next to the repository)")
    parser.add_argument("--output", type=pathlib.Path,
                        default=repo / "formats" / "codelists" / "codelists_data.cc",
                        help="file to write (default: formats/codelists/codelists_data.cc)")
    args = parser.parse_args()
    try:
        inputs, results = build_lists(args.shared)
        text = render(inputs, results)
    except GenError as e:
        print(f"gen_codelists.py: error: {e}", file=sys.stderr)
        return 1
    for r in results:
        extra = ""
        if r["dropped_en"] or r["dropped_peppol"]:
            extra = (f"; left out EN16931-only [{' '.join(r['dropped_en'])}]"
                     f" Peppol-only [{' '.join(r['dropped_peppol'])}]")
        if r["ignored"]:
            extra += f"; conditional alternative not included [{' '.join(r['ignored'])}]"
        print(f"{r['func']:<27} {len(r['codes']):5}  {' & '.join(r['sources'])}{extra}")
    args.output.write_text(text, encoding="ascii", newline="\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
