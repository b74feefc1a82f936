#!/usr/bin/env python3
"""XAdES interoperability with an independent implementation: xadesjs (npm) run with Node.

    xades_interop_check.py EIGW SHARED_DIR SOURCE_DIR

1. A throw-away PKI (certs/pki/make_test_pki.sh) in a temporary folder.
2. xadesjs and its dependencies, pinned to exact versions (PACKAGES), installed with npm into
   /tmp/eigw-node-xadesjs-<hash of the pins> at test time (reused by later runs). No node, no npm
   or a failing install: the reason is printed and the test exits 77 (ctest SKIP_RETURN_CODE).
3. Ours -> theirs: `eigw sign` with xades-bes and xades-epes, RSA-2048 and ECDSA P-256, of the
   Peppol base example (read in place from SHARED_DIR); xades_interop.js verifies each with
   xadesjs (references including SignedProperties, SignatureValue with the key of ds:KeyInfo and
   with the signer certificate's key), the SigningCertificate digest and IssuerSerial against the
   certificate, and for EPES the policy identifier and hash. Negative control: the same signed
   invoice with a changed amount must be refused by xadesjs.
4. Theirs -> ours: xades_interop.js signs the invoice with XAdES-BES (enveloped, exclusive c14n,
   RSA-SHA256 and ECDSA-SHA256, SigningTime, SigningCertificate and SigningCertificateV2) in the
   UBL signature extension; `eigw verify --trust ca.pem` must accept each (exit 0) and refuse a
   copy with a changed amount (exit nonzero, rule signature.digest).
5. Prints the counts. Exit 0 when every case passed, 1 otherwise, 77 when skipped.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
# Exact versions of xadesjs and of everything it pulls in (the whole tree is pinned at top level,
# so npm resolves no range).
PACKAGES = {
    'xadesjs': '2.6.8',
    'xmldsigjs': '2.8.8',
    'xml-core': '1.2.6',
    '@xmldom/xmldom': '0.9.12',
    'xpath': '0.0.34',
    'asn1js': '3.1.0',
    'pkijs': '3.4.3',
    'pvtsutils': '1.3.6',
    'pvutils': '1.2.0',
    'tslib': '2.9.1',
    '@noble/hashes': '1.8.0',
    'bytestreamjs': '2.0.1',
}
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, 'xades_interop.js')
INVOICE = 'conformance/examples/peppol/examples/base-example.xml'
POLICY = ['--policy-id', 'urn:oid:2.16.724.1.3.1.1.2.1.9',
          '--policy-hash', 'xWIJr/z1CecayRwHaQbTdIdmuqbamJ52t78uvZsW6Mo=']


def skip(reason):
    print(f'SKIPPED: {reason}')
    sys.exit(SKIP)


def run(cmd, env=None, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def install_xadesjs():
    """The node_modules folder with PACKAGES, installed on first use; skips when npm cannot."""
    for tool in ('node', 'npm'):
        if not shutil.which(tool):
            skip(f'{tool} is not installed')
    version = run(['node', '--version']).stdout.strip()
    if not re.match(r'v(\d+)', version) or int(re.match(r'v(\d+)', version).group(1)) < 18:
        skip(f'node {version} is too old (18+ needed for crypto.webcrypto)')
    manifest = {'name': 'eigw-xades-interop', 'version': '1.0.0', 'private': True, 'dependencies': PACKAGES}
    key = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    home = os.path.join(tempfile.gettempdir(), f'eigw-node-xadesjs-{key}')
    modules = os.path.join(home, 'node_modules')
    if os.path.exists(os.path.join(home, 'installed.ok')):
        return modules
    staging = tempfile.mkdtemp(prefix=f'eigw-node-xadesjs-{key}-', dir=tempfile.gettempdir())
    with open(os.path.join(staging, 'package.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
    cmd = ['npm', 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact',
           '--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000',
           '--fetch-timeout=60000', '--cache', os.path.join(tempfile.gettempdir(), 'eigw-node-npm-cache')]
    started = time.monotonic()
    try:
        result = subprocess.run(cmd, cwd=staging, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        skip('npm install timed out after 300 s')
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        skip('npm install failed:\n' + (result.stderr or result.stdout)[-2000:])
    open(os.path.join(staging, 'installed.ok'), 'w').close()
    try:
        os.rename(staging, home)  # atomic; a concurrent run that won keeps its copy
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    print(f'npm install of xadesjs {PACKAGES["xadesjs"]} into {home}: {time.monotonic() - started:.1f} s')
    return modules


def change_amount(xml):
    changed = re.sub(r'(<cbc:PayableAmount[^>]*>)([0-9.]+)(<)', lambda m: m.group(1) + '9' + m.group(2) + m.group(3),
                     xml, count=1)
    assert changed != xml, 'no cbc:PayableAmount to change'
    return changed


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    eigw, shared, source = sys.argv[1:]
    invoice = os.path.join(shared, INVOICE)
    if not os.path.exists(invoice):
        print(f'FAIL: {invoice} not found')
        return 1
    modules = install_xadesjs()
    env = dict(os.environ, NODE_PATH=modules)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix='eigw-xades-interop-')
    failures, passed = [], {'ours->xadesjs': 0, 'xadesjs->ours': 0, 'tampered refused': 0}
    try:
        pki = os.path.join(work, 'pki')
        r = run(['bash', os.path.join(source, 'certs/pki/make_test_pki.sh'), pki])
        if r.returncode != 0:
            print('FAIL: make_test_pki.sh\n' + r.stderr)
            return 1
        ca = os.path.join(pki, 'ca.pem')

        def node(*args):
            r = run(['node', SCRIPT, *args], env=env)
            try:
                out = json.loads(r.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                out = {'ok': False, 'errors': [r.stdout + r.stderr]}
            return r.returncode, out

        def write(name, text):
            path = os.path.join(work, name)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            return path

        # Ours -> theirs.
        for key in ('rsa', 'ec'):
            for profile in ('xades-bes', 'xades-epes'):
                case = f'eigw {profile} {key.upper()} -> xadesjs'
                signed = os.path.join(work, f'ours-{profile}-{key}.xml')
                r = run([eigw, 'sign', '--profile', profile, '--key', f'{pki}/signer-{key}.key',
                         '--cert', f'{pki}/signer-{key}.pem', *(POLICY if profile == 'xades-epes' else []),
                         invoice, '-o', signed])
                if r.returncode != 0:
                    failures.append(f'{case}: eigw sign exit {r.returncode}: {r.stdout}{r.stderr}')
                    continue
                extra = ['epes'] if profile == 'xades-epes' else []
                rc, out = node('verify', signed, f'{pki}/signer-{key}.pem', *extra)
                if rc == 0:
                    passed['ours->xadesjs'] += 1
                    print(f'ok    {case}  (xadesjs SigningCertificate check: {out.get("xadesjsSigningCertificate")})')
                else:
                    failures.append(f'{case}: {"; ".join(out.get("errors", []))}')
                with open(signed, encoding='utf-8') as f:
                    tampered = write(f'ours-{profile}-{key}-tampered.xml', change_amount(f.read()))
                rc, out = node('verify', tampered, f'{pki}/signer-{key}.pem', *extra)
                if rc != 0 and not out.get('checks', {}).get('xadesjs-verify-keyinfo', True):
                    passed['tampered refused'] += 1
                    print(f'ok    {case}, amount changed: refused by xadesjs')
                else:
                    failures.append(f'{case}, amount changed: xadesjs did not refuse it: {out}')

        # Theirs -> ours.
        for key in ('rsa', 'ec'):
            for version in ('v1', 'v2'):
                name = 'SigningCertificate' + ('V2' if version == 'v2' else '')
                case = f'xadesjs XAdES-BES {key.upper()} {name} -> eigw verify'
                signed = os.path.join(work, f'theirs-{key}-{version}.xml')
                rc, out = node('sign', invoice, signed, f'{pki}/signer-{key}.key', f'{pki}/signer-{key}.pem', version)
                if rc != 0:
                    failures.append(f'{case}: xadesjs could not sign: {out}')
                    continue
                r = run([eigw, 'verify', '--trust', ca, signed])
                if r.returncode == 0 and 'xades-bes' in r.stdout:
                    passed['xadesjs->ours'] += 1
                    print(f'ok    {case}')
                else:
                    failures.append(f'{case}: eigw verify exit {r.returncode}:\n{r.stdout}{r.stderr}')
                with open(signed, encoding='utf-8') as f:
                    tampered = write(f'theirs-{key}-{version}-tampered.xml', change_amount(f.read()))
                r = run([eigw, 'verify', '--trust', ca, tampered])
                if r.returncode != 0 and 'signature.digest' in r.stdout:
                    passed['tampered refused'] += 1
                    print(f'ok    {case}, amount changed: refused (signature.digest)')
                else:
                    failures.append(f'{case}, amount changed: eigw verify exit {r.returncode}, '
                                    f'expected nonzero with signature.digest:\n{r.stdout}{r.stderr}')
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f'\nxadesjs {PACKAGES["xadesjs"]} (node {run(["node", "--version"]).stdout.strip()}): '
          f'ours verified by xadesjs {passed["ours->xadesjs"]}/4, xadesjs verified by ours '
          f'{passed["xadesjs->ours"]}/4, changed amount refused {passed["tampered refused"]}/8; '
          f'{time.monotonic() - started:.1f} s after install')
    for f in failures:
        print('FAIL  ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
