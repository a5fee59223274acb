#!/usr/bin/python3
"""Fuzz t3q-bootstrap's S3 client against tests/tools/fakes3.py.

Starts fakes3 with a seeded fault on a share of its requests, then runs
`t3q-bootstrap s3 get` and `put` over and over (objects of every kind:
small and large, checksums of each algorithm, multipart composite and
full-object, plain-MD5 ETags) and checks after each run:

  - no crash: no signal, no sanitizer exit (23) or report file;
  - no wrong file: a get leaves the exact bytes (exit 0) or no file at all
    (exit 1); a put leaves the exact bytes in the server or no object;
  - no temp file left beside the target;
  - the run ends within its deadline.

  fuzzs3.py --bin BUILD/bootstrap/t3q-bootstrap --seed 7 --runs 40
  fuzzs3.py --bin ... --seconds 600          # scripts/fuzz-s3

Prints one line per violation and a summary; exits 1 on any violation.
Standard library only; loopback only.
"""
import argparse
import glob
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1 << 20
PART = 5 * MiB
RUN_DEADLINE = 60           # seconds a run may take, retries and all
# The client's limits, tight so that a run of faults ends in seconds.
CLIENT = ['--part-size', str(PART), '--max-attempts', '4',
          '--stall-timeout', '1', '--min-speed', '2000',
          '--request-timeout', '2', '--max-time', '8']


def make_objects(work, rng):
    """(key, path, fakes3 spec) of each preloaded object."""
    specs = [('small-crc32c', 300000, '', 'crc32c', 'FULL_OBJECT'),
             ('small-md5', 200000, '', 'none', ''),
             ('inline-md5', 1000, '', 'none', ''),
             ('big-md5', int(1.5 * MiB), '', 'none', ''),
             ('small-sha256', 250000, '', 'sha256', 'FULL_OBJECT'),
             ('small-sha1', 90000, '', 'sha1', 'FULL_OBJECT'),
             ('small-crc64', 120000, '', 'crc64nvme', 'FULL_OBJECT'),
             ('small-crc32', 310000, '', 'crc32', 'FULL_OBJECT'),
             ('mp-crc32', 2 * PART + 4321, PART, 'crc32', 'COMPOSITE'),
             ('mp-sha256', 2 * PART + 777, PART, 'sha256', 'COMPOSITE'),
             ('mp-crc64', 2 * PART + 99, PART, 'crc64nvme', 'FULL_OBJECT'),
             ('mp-none', 2 * PART + 5, PART, 'none', 'COMPOSITE')]
    out = []
    for key, size, psize, algo, ctype in specs:
        path = os.path.join(work, 'src', key)
        with open(path, 'wb') as fh:
            fh.write(rng.randbytes(size))
        out.append((key, path, 'b/%s=%s:%s:%s:%s' % (key, path, psize,
                                                     algo, ctype)))
    return out


def start_server(work, seed, rate, objs):
    port_file = os.path.join(work, 'port')
    cmd = ['/usr/bin/python3', os.path.join(HERE, 'fakes3.py'),
           '--port-file', port_file, '--seed', str(seed), '--rate', str(rate),
           '--slow-seconds', '4', '--store', os.path.join(work, 'store'),
           '--log', os.path.join(work, 'requests.log'), '--lifetime', '7200']
    for _, _, spec in objs:
        cmd += ['--object', spec]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, 'server.err'), 'w'))
    for _ in range(600):         # the CRCs of the large objects take seconds
        if os.path.exists(port_file):
            with open(port_file) as fh:
                return proc, 'http://127.0.0.1:' + fh.read().strip()
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.exit('fakes3 did not start: ' + open(os.path.join(work, 'server.err')).read())


def sanitizer_reports(work):
    return glob.glob(os.path.join(work, 'sanitizer.*'))


def run_client(args, endpoint, work, verb_args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID='fake',
               AWS_SECRET_ACCESS_KEY='fake-secret', T3Q_S3_PROGRESS_INTERVAL='0')
    for k in ('T3Q_S3_ENDPOINT', 'T3Q_S3_PART_SIZE'):
        env.pop(k, None)
    if args.sanitize:
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
            env[k] = '%s:log_path=%s/sanitizer' % (
                env.get(k, 'detect_leaks=1:exitcode=23'), work)
    cmd = [args.bin, 's3', '-e', endpoint] + CLIENT + verb_args
    t0 = time.time()
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=RUN_DEADLINE)
        return p.returncode, p.stdout.decode(errors='replace'), time.time() - t0
    except subprocess.TimeoutExpired as e:
        return 'timeout', (e.stdout or b'').decode(errors='replace'), RUN_DEADLINE


def check_get(args, endpoint, work, n, key, src):
    d = os.path.join(work, 'get', str(n))
    os.makedirs(d)
    rc, out, took = run_client(args, endpoint, work,
                               ['get', 's3://b/' + key, os.path.join(d, 'f')])
    bad = []
    left = sorted(os.listdir(d))
    if rc == 0:
        with open(os.path.join(d, 'f'), 'rb') as a, open(src, 'rb') as b:
            if a.read() != b.read():
                bad.append('exit 0 but the file is not the object')
        if left != ['f']:
            bad.append('left beside it: %s' % left)
    elif rc == 1:
        if left:
            bad.append('exit 1 but left: %s' % left)
        if 's3://b/' + key not in out:
            bad.append('the error does not name the object')
    else:
        bad.append('exit %s' % rc)
    shutil.rmtree(d)
    return rc, out, took, bad


def check_put(args, endpoint, work, n, rng):
    size = rng.choice([0, 1, 4096, 300000, 2 * MiB, PART + 1 + rng.randrange(PART)])
    src = os.path.join(work, 'put.src')
    with open(src, 'wb') as fh:
        fh.write(rng.randbytes(size))
    key = 'up/%d' % n
    rc, out, took = run_client(args, endpoint, work,
                               ['put', src, 's3://b/' + key])
    stored = os.path.join(work, 'store', urllib.parse.quote('b/' + key, safe=''))
    bad = []
    if rc == 0:
        if not os.path.exists(stored):
            bad.append('exit 0 but nothing stored')
        else:
            with open(stored, 'rb') as a, open(src, 'rb') as b:
                if a.read() != b.read():
                    bad.append('exit 0 but the stored object differs')
    elif rc == 1:
        if os.path.exists(stored):
            with open(stored, 'rb') as a, open(src, 'rb') as b:
                if a.read() != b.read():
                    bad.append('exit 1 and a wrong object stored')
    else:
        bad.append('exit %s' % rc)
    if os.path.exists(stored):
        os.unlink(stored)
    return rc, out, took, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--bin', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--rate', type=float, default=0.25,
                    help='share of requests that get a fault')
    ap.add_argument('--runs', type=int, default=0)
    ap.add_argument('--seconds', type=float, default=0)
    ap.add_argument('--work', help='kept; default a temp dir, removed')
    ap.add_argument('--sanitize', action='store_true',
                    help='sanitizer reports to files in the work dir')
    args = ap.parse_args()
    if not args.runs and not args.seconds:
        args.runs = 20
    work = args.work or tempfile.mkdtemp(prefix='fuzzs3.')
    for sub in ('src', 'get', 'store'):
        os.makedirs(os.path.join(work, sub), exist_ok=True)
    rng = random.Random(args.seed)
    objs = make_objects(work, rng)
    server, endpoint = start_server(work, args.seed, args.rate, objs)
    counts = {'get ok': 0, 'get failed cleanly': 0, 'put ok': 0,
              'put failed cleanly': 0}
    violations = 0
    t0 = time.time()
    n = 0
    try:
        while True:
            if args.runs and n >= args.runs:
                break
            if args.seconds and time.time() - t0 >= args.seconds:
                break
            n += 1
            if rng.random() < 0.75:
                key, src, _ = rng.choice(objs)
                what = 'get ' + key
                rc, out, took, bad = check_get(args, endpoint, work, n, key, src)
                verb = 'get'
            else:
                what = 'put'
                rc, out, took, bad = check_put(args, endpoint, work, n, rng)
                verb = 'put'
            reports = sanitizer_reports(work)
            if reports:
                for r in reports:
                    bad.append('sanitizer report:\n' + open(r).read())
                    os.rename(r, r + '.seen')
            if rc == 'timeout':
                bad.append('still running after %d s' % RUN_DEADLINE)
            if bad:
                violations += 1
                print('VIOLATION run %d (%s, seed %d): exit %s in %.1f s: %s\n%s'
                      % (n, what, args.seed, rc, took, '; '.join(bad), out),
                      flush=True)
            else:
                counts['%s %s' % (verb, 'ok' if rc == 0 else 'failed cleanly')] += 1
    finally:
        server.kill()
        server.wait()
    faults = {}
    with open(os.path.join(work, 'requests.log')) as fh:
        for line in fh:
            f = line.split()[-1]
            faults[f] = faults.get(f, 0) + 1
    print('fuzzs3: seed %d, %d runs in %.0f s, rate %.2f: %s; %d violations'
          % (args.seed, n, time.time() - t0, args.rate,
             ', '.join('%d %s' % (v, k) for k, v in counts.items()), violations))
    print('fuzzs3: requests by fault: ' +
          ', '.join('%s %d' % kv for kv in sorted(faults.items())))
    if not args.work:
        shutil.rmtree(work)
    return 1 if violations else 0


if __name__ == '__main__':
    sys.exit(main())
