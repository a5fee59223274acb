#!/usr/bin/env python3
"""ir_corpus.py CASES BIN RT OUT: compiles every pipeline that
gen_pipelines.py wrote under CASES with t3q-compile (BIN/compiler) for both
targets, with the case's runtime configuration (RT/<auth>.json), and
checks that the targets agree on what is valid:

  - what kfp-v1 refuses, kfp-v2 refuses with the same diagnostics;
  - what kfp-v1 compiles, kfp-v2 compiles, unless its only errors are the
    ones KFP v2 alone has (a typed run parameter's default);

The IR files go to OUT/, their paths to OUT/list.txt (for check_ir.py),
and each with its v1 workflow to OUT/pairs.txt (for ir_v1_agree.py).
Prints the failures and counts; exit 1 on any failure, or when fewer than
half of the pipelines compiled (the corpus would prove little).
"""
import json
import os
import subprocess
import sys

V2_ONLY = "and KFP v2 types run parameters"


def run(bin_, pipeline, runtime, out, *extra):
    d, f = os.path.split(pipeline)
    r = subprocess.run([os.path.join(bin_, "compiler", "t3q-compile"), f, "--runtime-config", runtime,
                        "-o", out] + list(extra), cwd=d, capture_output=True, text=True, errors="replace")
    return r.returncode, r.stderr


def main(cases, bin_, rt, out):
    os.makedirs(out, exist_ok=True)
    fails, written, pairs, total, v2_only = [], [], [], 0, 0
    for name in sorted(os.listdir(cases)):
        path = os.path.join(cases, name, "case.json")
        if not os.path.isfile(path):
            continue
        with open(path) as fh:
            case = json.load(fh)
        runtime = os.path.join(rt, case["auth"] + ".json")
        for k, rel in enumerate(case["t3q"]):
            pipeline = os.path.abspath(os.path.join(cases, name, rel))
            y1 = os.path.join(out, "%s-%d-v1.yaml" % (name, k))
            y2 = os.path.join(out, "%s-%d.yaml" % (name, k))
            total += 1
            rc1, err1 = run(bin_, pipeline, runtime, y1)
            rc2, err2 = run(bin_, pipeline, runtime, y2, "--target", "kfp-v2")
            tag = "%s/%s" % (name, rel)
            if rc1 not in (0, 1) or rc2 not in (0, 1):
                fails.append("%s: exit %d (kfp-v1), %d (kfp-v2): %s" % (tag, rc1, rc2, err1 + err2))
            elif rc1 == 1 and (rc2 != 1 or err1 != err2):
                fails.append("%s: kfp-v1 refuses it, kfp-v2 exits %d with other diagnostics:\n%s\n---\n%s" % (
                    tag, rc2, err1, err2))
            elif rc1 == 0 and rc2 == 1:
                errors = [x for x in err2.splitlines() if "error" in x]
                if not errors or any(V2_ONLY not in x for x in errors):
                    fails.append("%s: kfp-v1 compiles it, kfp-v2 refuses it:\n%s" % (tag, err2))
                v2_only += 1
            elif rc2 == 0:
                written.append(y2)
                pairs += [y1, y2]
    with open(os.path.join(out, "list.txt"), "w") as fh:
        fh.write("".join(p + "\n" for p in written))
    with open(os.path.join(out, "pairs.txt"), "w") as fh:
        fh.write("".join(p + "\n" for p in pairs))
    for f in fails:
        print(f)
    print("%d pipelines: %d compiled to IR, %d refused by kfp-v2 alone, %d failures" % (
        total, len(written), v2_only, len(fails)))
    if len(written) * 2 < total:
        print("fewer than half compiled: the generator changed?")
        return 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
