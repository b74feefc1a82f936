"""The official oracle's verdicts on a batch of files, for the conversion checks.

run(shared, files) runs SHARED/conformance/validate --format tsv once on all files and returns
(verdict, fatal): verdict[file] is PASS or FAIL, fatal[file] the list of "layer:rule" of its fatal
findings. Raises RuntimeError when the oracle itself fails (exit code other than 0 or 1)."""
import os
import subprocess


def run(shared, files):
    proc = subprocess.run([os.path.join(shared, 'conformance', 'validate'), '--format', 'tsv'] + list(files),
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f'the oracle failed (exit {proc.returncode}): {proc.stderr[:2000]}')
    verdict, fatal = {}, {}
    for line in proc.stdout.splitlines():
        f = line.split('\t')
        if f[0] == 'FILE':
            verdict[f[1]] = f[2]
        elif f[0] == 'FINDING' and f[3] == 'fatal':
            fatal.setdefault(f[1], []).append(f'{f[2]}:{f[4]}')
    return verdict, fatal
