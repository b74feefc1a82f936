#!/usr/bin/python3
"""Checks docs/formats/invoice.schema.json against the ERP JSON corpus and the JSON writer's output.

Without options: every file of tests/data/json/valid must validate; every file of
tests/data/json/invalid that is well-formed JSON and whose defect the schema can express (all but the
semantic ones listed in SEMANTIC) must be rejected.

  --documents DIR  instead: every *.json of DIR (documents the JSON writer wrote; json_writer_test.cc
                   passes them) must validate.
  --eigw EIGW      instead: every valid corpus file and every UBL example of ../shared/conformance/
                   examples, converted with `EIGW convert --to json` (UBL with --as-is), must convert
                   and validate; except UBL examples whose JSON the gateway refuses as input (they
                   break a Peppol requirement that the schema states, such as the electronic
                   address: json_writer_test.cc checks the reasons), which are counted as skipped.

Uses Debian's python3-jsonschema (draft 2020-12). Prints a closing line 'N passed, N failed'; exits 1
on any failure.
"""
import argparse
import json
import pathlib
import subprocess
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


def check_written(validator, name, text):
    """1 when `text` (a writer's output) is one JSON object that validates, else 0 after printing why."""
    try:
        doc = json.loads(text, parse_constant=reject_constant)
    except ValueError as e:
        print(f"FAIL {name}: not JSON: {e}")
        return 0
    errors = list(validator.iter_errors(doc))
    if errors:
        print(f"FAIL {name}: {errors[0].json_path}: {errors[0].message[:200]}")
        return 0
    return 1


def check_documents(validator, directory):
    files = sorted(pathlib.Path(directory).glob("*.json"))
    passed = sum(check_written(validator, p.name, p.read_text(encoding="utf-8")) for p in files)
    if not files:
        print(f"FAIL: no *.json in {directory}")
        return 0, 1
    return passed, len(files) - passed


def ubl_examples():
    root = ROOT.parent / "shared" / "conformance" / "examples"
    for path in sorted(root.rglob("*.xml")):
        head = path.read_bytes()[:4096].decode("utf-8", "replace")
        if "StandardBusinessDocument" in head:
            continue
        if ("ubl:schema:xsd:Invoice-2" in head) or ("ubl:schema:xsd:CreditNote-2" in head):
            yield path


def check_eigw(validator, eigw):
    passed = failed = skipped = 0
    inputs = [(p, []) for p in sorted((CORPUS / "valid").glob("*.json"))]
    inputs += [(p, ["--as-is"]) for p in ubl_examples()]
    for path, flags in inputs:
        run = subprocess.run([eigw, "convert", "--to", "json", *flags, str(path)],
                             capture_output=True, check=False)
        name = path.relative_to(ROOT.parent) if ROOT.parent in path.parents else path.name
        if run.returncode != 0:
            failed += 1
            print(f"FAIL {name}: eigw convert exit {run.returncode}: {run.stderr.decode()[:300]}")
            continue
        if flags:  # a received document: is its JSON acceptable input?
            back = subprocess.run([eigw, "convert", "--from", "json", "--to", "json", "-"],
                                  input=run.stdout, capture_output=True, check=False)
            if back.returncode == 1:
                skipped += 1
                continue
        ok = check_written(validator, str(name), run.stdout.decode("utf-8"))
        passed += ok
        failed += 1 - ok
    print(f"eigw convert --to json: {skipped} UBL examples skipped (their JSON is refused as input)")
    return passed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", help="validate every *.json of this folder instead")
    parser.add_argument("--eigw", help="validate `eigw convert --to json` of corpus and examples instead")
    args = parser.parse_args()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    if args.documents or args.eigw:
        passed = failed = 0
        for check, arg in ((check_documents, args.documents), (check_eigw, args.eigw)):
            if arg:
                p, f = check(validator, arg)
                passed += p
                failed += f
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
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
