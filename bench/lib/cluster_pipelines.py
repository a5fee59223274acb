#!/usr/bin/env python3
"""bench/cluster's pipelines, as Elyra .pipeline files that both t3q-compile
and Elyra 4.0.0's own exporter compile.

    cluster_pipelines.py CASE DIR IMAGE ENV_JSON

CASEs: iris (examples/iris without its pipeline parameters), chain (10 trivial Python nodes in a
row), fan (30 nodes: one source, 28 beside one another, one sink), big (a
node writes 1 GiB, the next reads it). Every node runs IMAGE and gets the
environment ENV_JSON ({"NAME": "value"}: the pip settings Elyra's pods
need; t3q's pods get them too and do not use them), so that both tools'
pods are alike but for what each tool puts in them. The trivial nodes
print their own start and end time ("BENCH start|end EPOCH").
"""
import json
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "tests", "cluster"))
import pipelines  # noqa: E402  (tests/cluster's writer: write(), node())

TRIVIAL = """import time
print("BENCH start %.6f" % time.time(), flush=True)
print("node {name}", flush=True)
print("BENCH end %.6f" % time.time(), flush=True)
"""
# 1 GiB of bytes that do not compress, 16 MiB at a time
BIG_WRITE = """import os, time
print("BENCH start %.6f" % time.time(), flush=True)
block = os.urandom(16 << 20)
with open("big.bin", "wb") as f:
    for i in range(64):
        f.write(block[i:] + block[:i])
print("wrote", os.path.getsize("big.bin"), "bytes", flush=True)
print("BENCH end %.6f" % time.time(), flush=True)
"""
BIG_READ = """import os, time
print("BENCH start %.6f" % time.time(), flush=True)
n = 0
with open("big.bin", "rb") as f:
    while True:
        b = f.read(16 << 20)
        if not b:
            break
        n += len(b)
print("read", n, "bytes", flush=True)
assert n == 1 << 30, n
print("BENCH end %.6f" % time.time(), flush=True)
"""


def trivial(name, parents=()):
    return pipelines.node(name, name + ".py", TRIVIAL.format(name=name), parents)


def nodes_of(case):
    if case == "chain":
        return [trivial("c%02d" % i, ["c%02d" % (i - 1)] if i > 1 else []) for i in range(1, 11)]
    if case == "fan":
        mid = ["f%02d" % i for i in range(1, 29)]
        return ([trivial("source")] + [trivial(m, ["source"]) for m in mid] +
                [trivial("sink", mid)])
    if case == "big":
        return [pipelines.node("make", "make.py", BIG_WRITE, outputs=["big.bin"]),
                pipelines.node("use", "use.py", BIG_READ, ["make"])]
    raise SystemExit("cluster_pipelines.py: unknown case '%s' (iris chain fan big)" % case)


def set_image_env(path, image, env):
    """Every generic node of PATH runs IMAGE with ENV added to its env_vars."""
    with open(path) as f:
        doc = json.load(f)
    extra = [{"env_var": k, "value": v} for k, v in sorted(env.items())]
    for p in doc["pipelines"]:
        # Elyra's parser reads the pipeline's ui_data (comments)
        p["app_data"].setdefault("ui_data", {"comments": []})
        # Elyra 4.0.0's own compiler cannot compile pipeline parameters
        # named in capitals (kfp 1.8: "pass_locals() got an unexpected
        # keyword argument 'TEST_SIZE'"; bench/submit.sh): both tools get
        # iris without them, and its nodes use their defaults
        p["app_data"]["properties"].pop("pipeline_parameters", None)
        p["app_data"]["properties"].setdefault("pipeline_defaults", {})["runtime_image"] = image
        for n in p["nodes"]:
            cp = n["app_data"].get("component_parameters", {})
            if "filename" in cp:
                cp["runtime_image"] = image
                cp.pop("pipeline_parameters", None)
                cp["env_vars"] = list(cp.get("env_vars") or []) + extra
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    case, out, image, env = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    if case == "iris":
        shutil.copytree(os.path.join(root, "examples", "iris"), out, dirs_exist_ok=True)
    else:
        pipelines.write(case, nodes_of(case), out)
    set_image_env(os.path.join(out, case + ".pipeline"), image, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
