"""measure.py: runs commands several times, interleaved, and records for
each run the wall time and the peak RSS that /usr/bin/time -v reports.

  measure.py --out FILE --runs N [--warmup K] [--cwd DIR]
             --cmd ID 'ARGV' [--cmd ID 'ARGV' ...]
             [--after ID 'ARGV'] [--env ID NAME=VALUE]...

Each ARGV is split with shlex (no shell: write `sh -c '...'` when a pipe
is wanted); "{i}" in it becomes the run's number. Run r runs the commands in
the given order for even r, reversed for odd r (ABBA), so that drift on a
noisy machine hits both sides alike. Every command is wrapped in
`/usr/bin/time -v -o TMP`, so both sides pay the same wrapper; the wall
time is taken here around the whole wrapper (the wrapper's own resolution
is 10 ms). stdout goes to /dev/null, stderr to a temp file that is printed
if the command fails, which fails the benchmark: a number measured on a
failed run is not a number. "--after ID ARGV" runs after each run of ID,
untimed (to delete what it wrote).

Appends one JSON line per command to FILE:
  {"id": ID, "wall_s": [...], "rss_kib": [...]}
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

TIME = "/usr/bin/time"


def run_once(argv, cwd, env, tmp):
    tfile = os.path.join(tmp, "time.txt")
    efile = os.path.join(tmp, "stderr.txt")
    with open(efile, "wb") as err, open(os.devnull, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.run([TIME, "-v", "-o", tfile] + argv, cwd=cwd,
                           env=env, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=err)
        wall = time.perf_counter() - t0
    report = open(tfile, errors="replace").read()
    if p.returncode != 0:
        sys.stderr.write("measure: command failed (exit %d): %s\n"
                         % (p.returncode, " ".join(argv)))
        sys.stderr.write(open(efile, errors="replace").read()[-4000:])
        sys.stderr.write(report)
        sys.exit(1)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    if not m:
        sys.exit("measure: no 'Maximum resident set size' from %s" % TIME)
    return wall, int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--cwd")
    ap.add_argument("--cmd", nargs=2, action="append", required=True,
                    metavar=("ID", "ARGV"))
    ap.add_argument("--after", nargs=2, action="append", default=[],
                    metavar=("ID", "ARGV"))
    ap.add_argument("--env", nargs=2, action="append", default=[],
                    metavar=("ID", "NAME=VALUE"))
    a = ap.parse_args()

    cmds = [(cid, argv) for cid, argv in a.cmd]
    after = dict(a.after)
    envs = {}
    for cid, kv in a.env:
        name, _, value = kv.partition("=")
        envs.setdefault(cid, {})[name] = value
    res = {cid: {"id": cid, "wall_s": [], "rss_kib": []} for cid, _ in cmds}
    with tempfile.TemporaryDirectory(prefix="t3q-measure.") as tmp:
        for r in range(a.warmup + a.runs):
            order = cmds if r % 2 == 0 else list(reversed(cmds))
            for cid, argv in order:
                env = dict(os.environ, **envs.get(cid, {}))
                words = [w.replace("{i}", str(r)) for w in shlex.split(argv)]
                wall, rss = run_once(words, a.cwd, env, tmp)
                if cid in after:
                    subprocess.run([w.replace("{i}", str(r))
                                    for w in shlex.split(after[cid])],
                                   cwd=a.cwd, check=True)
                if r >= a.warmup:
                    res[cid]["wall_s"].append(round(wall, 6))
                    res[cid]["rss_kib"].append(rss)
    with open(a.out, "a") as f:
        for cid, _ in cmds:
            f.write(json.dumps(res[cid]) + "\n")


if __name__ == "__main__":
    main()
