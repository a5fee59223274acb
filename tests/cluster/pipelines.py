#!/usr/bin/env python3
"""The cluster suite's pipelines, written as Elyra .pipeline files.

    pipelines.py CASE DIR   writes DIR/CASE.pipeline and its node files
    pipelines.py equiv DIR COUNT SEED   COUNT generated pipelines, DIR/eqNN/

Each case is a list of nodes (id, kind, file, text, parents, properties);
the files are what a user would write in JupyterLab. tests/cluster/run
compiles them with t3q-compile and submits the YAML to Argo.
"""
import json
import os
import sys

IMAGE = "quay.io/t3q/runtime:latest"
OPS = {"py": "execute-python-node", "sh": "execute-shell-node",
       "ipynb": "execute-notebook-node", "r": "execute-r-node"}


def notebook(*cells):
    """A notebook whose code cells are CELLS, on the python3 kernel."""
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": c} for c in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}, indent=1)


def node(nid, fname, text, parents=(), **props):
    return {"id": nid, "file": fname, "text": text, "parents": list(parents),
            "props": props}


def write(case, nodes, out, params=()):
    os.makedirs(out, exist_ok=True)
    doc_nodes = []
    for n in nodes:
        path = os.path.join(out, n["file"])
        with open(path, "w") as f:
            f.write(n["text"])
        kind = n["file"].rsplit(".", 1)[1].lower()
        cp = {"filename": n["file"], "runtime_image": IMAGE, "dependencies": [],
              "include_subdirectories": False, "outputs": [], "env_vars": []}
        cp.update(n["props"])
        links = [{"id": "l-%s-%s" % (p, n["id"]), "node_id_ref": p, "port_id_ref": "outPort"}
                 for p in n["parents"]]
        doc_nodes.append({
            "id": n["id"], "type": "execution_node", "op": OPS[kind],
            "app_data": {"component_parameters": cp, "ui_data": {"label": n["id"]}},
            "inputs": [{"id": "inPort", "links": links}], "outputs": [{"id": "outPort"}]})
    props = {"name": case, "runtime": "Kubeflow Pipelines", "pipeline_defaults": {}}
    if params:
        props["pipeline_parameters"] = list(params)
    doc = {"doc_type": "pipeline", "version": "3.0", "id": case, "primary_pipeline": "p",
           "pipelines": [{"id": "p", "nodes": doc_nodes,
                          "app_data": {"version": 8, "runtime_type": "KUBEFLOW_PIPELINES",
                                       "properties": props}}],
           "schemas": []}
    with open(os.path.join(out, case + ".pipeline"), "w") as f:
        json.dump(doc, f, indent=1)


# A node that exits 3; its child and grandchild must not run.
FAIL = [
    node("fails", "fails.sh", "echo 'fails: about to exit 3'\nexit 3\n"),
    node("child", "child.sh", "echo 'child ran'\n", ["fails"]),
    node("grandchild", "grandchild.sh", "echo 'grandchild ran'\n", ["child"]),
]

# A long node, deleted while it runs (tests/cluster/run deletes its pod).
LONG = [node("long", "long.py", """import time
print("long: started", flush=True)
for i in range(300):
    print("tick", i, flush=True)
    time.sleep(1)
""")]

# A producer and a consumer; the run adds an input no node writes.
MISSING = [
    node("make", "make.py", "open('made.txt', 'w').write('made\\n')\n", outputs=["made.txt"]),
    node("use", "use.py", "print(open('made.txt').read())\n", ["make"]),
]

# One line a second from a script and from notebook cells, each stamped
# with the time it was printed.
LIVE = [
    node("script", "live.py", """import time
for i in range(12):
    print("LIVE %d %.3f" % (i, time.time()), flush=True)
    time.sleep(1)
"""),
    node("cells", "live.ipynb", notebook(*[
        "import time\nprint('LIVE %d %%.3f' %% time.time(), flush=True)\ntime.sleep(1)" % i
        for i in range(10)])),
]

PRODUCER = r'''import os, sys, shutil
bad = []
def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        bad.append(what)
check("env T3Q_PLAIN=plain value", os.environ.get("T3Q_PLAIN") == "plain value")
check("secret as env T3Q_SECRET", os.environ.get("T3Q_SECRET") == "s3cr3t-from-k8s")
open("/mnt/data/from-producer.txt", "w").write("on the volume\n")
check("PVC mounted at /mnt/data", os.path.exists("/mnt/data/from-producer.txt"))
st = os.statvfs("/dev/shm")
shm = st.f_blocks * st.f_frsize
print("/dev/shm size", shm)
check("/dev/shm is larger than 64 MiB (0.5 GB asked)", shm > 64 * 1024 * 1024)
os.makedirs("outdir/sub", exist_ok=True)
open("outdir/a.txt", "w").write("A\n")
open("outdir/sub/b.txt", "w").write("B\n")
open("x.txt", "w").write("X\n")
os.makedirs("globbed", exist_ok=True)
for n in ("one", "two"):
    open("globbed/%s.csv" % n, "w").write(n + "\n")
open("globbed/skip.txt", "w").write("not matched\n")
sys.exit(1 if bad else 0)
'''

CONSUMER = r'''import os, sys
want = {"outdir/a.txt": "A\n", "outdir/sub/b.txt": "B\n", "x.txt": "X\n",
        "globbed/one.csv": "one\n", "globbed/two.csv": "two\n"}
bad = []
for p, text in want.items():
    got = open(p).read() if os.path.exists(p) else None
    print(("ok   " if got == text else "FAIL ") + p, repr(got), flush=True)
    if got != text:
        bad.append(p)
print("globbed/skip.txt present:", os.path.exists("globbed/skip.txt"))
v = open("/mnt/data/from-producer.txt").read() if os.path.exists("/mnt/data/from-producer.txt") else None
print(("ok   " if v == "on the volume\n" else "FAIL ") + "the volume holds the producer's file", flush=True)
sys.exit(1 if bad or v != "on the volume\n" else 0)
'''

PROPS = [
    node("producer", "producer.py", PRODUCER,
         outputs=["outdir/", "./x.txt", "globbed/*.csv"],
         env_vars=[{"env_var": "T3Q_PLAIN", "value": "plain value"}],
         kubernetes_secrets=[{"env_var": "T3Q_SECRET", "name": "t3q-test-secret", "key": "token"}],
         mounted_volumes=[{"path": "/mnt/data", "pvc_name": "t3q-test-pvc", "read_only": False}],
         kubernetes_shared_mem_size={"size": 0.5},
         kubernetes_tolerations=[{"key": "t3q-test", "operator": "Exists", "effect": "NoSchedule"}],
         kubernetes_pod_labels=[{"key": "t3q-test", "value": "props"}],
         kubernetes_pod_annotations=[{"key": "t3q.test/note", "value": "a note"}],
         cpu=0.25, memory=0.25, cpu_limit=1, memory_limit=2),
    node("middle", "middle.sh", "echo \"middle: $(cat x.txt)\"\n", ["producer"],
         dependencies=[]),
    node("consumer", "consumer.py", CONSUMER, ["middle"],
         mounted_volumes=[{"path": "/mnt/data", "pvc_name": "t3q-test-pvc", "read_only": True}]),
    node("notebook", "reader.ipynb", notebook(
        "print('notebook reads', open('x.txt').read().strip())"), ["producer"]),
    node("rnode", "reader.R", "cat('R reads', readLines('x.txt'), '\\n')\n", ["producer"]),
]

# Resolves the MinIO Service's name with glibc (python3's getaddrinfo); run
# with a resolver that answers NXDOMAIN to AAAA (tests/cluster/run's dns).
DNS = [node("resolve", "resolve.py", """import socket
print("glibc resolves", sorted({a[4][0] for a in socket.getaddrinfo("minio-service.kubeflow", 9000)}))
""")]

def equiv(out, count, seed):
    """COUNT generated pipelines (seeded): 3-6 shell nodes, each a fan-out
    or fan-in of the ones before. A node writes out/<id>.txt from its
    parents' files and the run parameter WORD; tests/cluster/run runs each
    on Argo and with t3q-run and compares the files."""
    import random
    rnd = random.Random(seed)
    for k in range(count):
        n = rnd.randint(3, 6)
        nodes = []
        for i in range(n):
            nid = "n%d" % i
            parents = sorted(rnd.sample(range(i), rnd.randint(1, min(i, 3)))) if i else []
            pids = ["n%d" % p for p in parents]
            reads = "".join("cat out/%s.txt >> in.txt\n" % p for p in pids)
            text = ("mkdir -p out\n: > in.txt\n" + reads +
                    "{ echo \"%s word=$WORD\"; cksum < in.txt; } > out/%s.txt\n"
                    "cat out/%s.txt\n" % (nid, nid, nid))
            nodes.append(node(nid, "%s.sh" % nid, text, pids, outputs=["out/%s.txt" % nid],
                              pipeline_parameters=["WORD"]))
        write("eq%02d" % k, nodes, os.path.join(out, "eq%02d" % k),
              params=[{"name": "WORD", "description": "", "required": False,
                       "default_value": {"type": "String", "value": "default"}}])


CASES = {"fail": FAIL, "long": LONG, "missing": MISSING, "live": LIVE, "props": PROPS, "dns": DNS}

if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "equiv":
        equiv(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        sys.exit(0)
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: pipelines.py {%s} DIR" % "|".join(CASES))
    write(sys.argv[1], CASES[sys.argv[1]], sys.argv[2])
