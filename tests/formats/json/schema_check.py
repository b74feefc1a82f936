#!/usr/bin/python3
"""Checks docs/formats/invoice.schema.json against the ERP JSON corpus.

Every file of tests/data/json/valid must validate; every file of tests/data/json/invalid that is
well-formed JSON and whose defect the schema can express (all but the semantic ones listed in
SEMANTIC) must be rejected. Uses Debian's python3-jsonschema (draft 2020-12). Prints a closing line
'N passed, N failed'; exits 1 on any failure.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "docs/formats/invoice.schema.json"
CORPUS = ROOT / "tests/data/json"

# Invalid files whose defect only the reader or the calculator can see (code lists, arithmetic,
# duplicate keys, digit limits): the schema accepts them.
SEMANTIC = {
    "bad-currency", "bad-exemption-code", "bad-date-calendar", "duplicate-keys",
    "number-40-digits", "number-1e309", "mismatch-line-net-amount", "mismatch-totals",
    "mismatch-vat-breakdown", "mismatch-allowance-amount", "exemption-reason-missing-e",
}


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def load(path):
    return json.loads(path.read_bytes().decode("utf-8"), parse_float=str, parse_int=str,
                      parse_constant=reject_constant)


def main():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    passed = failed = 0
    for path in sorted((CORPUS / "valid").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(doc))
        if errors:
            failed += 1
            print(f"FAIL valid/{path.name}: {errors[0].json_path}: {errors[0].message[:200]}")
        else:
            passed += 1
    missing = SEMANTIC - {p.stem for p in (CORPUS / "invalid").glob("*.json")}
    if missing:
        failed += 1
        print(f"FAIL: SEMANTIC names files that do not exist: {sorted(missing)}")
    for path in sorted((CORPUS / "invalid").glob("*.json")):
        if path.stem in SEMANTIC:
            continue
        try:
            doc = json.loads(path.read_bytes().decode("utf-8"),
                             parse_constant=reject_constant)
        except (ValueError, RecursionError):
            continue  # not JSON at all: the parser's business, not the schema's
        if validator.is_valid(doc):
            failed += 1
            print(f"FAIL invalid/{path.name}: the schema accepts it")
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
