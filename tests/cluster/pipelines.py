#!/usr/bin/env python3
"""The cluster suite's pipelines, written as Elyra .pipeline files.

    pipelines.py CASE DIR   writes DIR/CASE.pipeline and its node files
                            (custom: also DIR/image/, the component image's files)
    pipelines.py values     prints the params case's run values as JSON
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
        "cells": [{"cell_type": "code", "execution_count": None, "id": "cell%d" % i, "metadata": {},
                   "outputs": [], "source": c} for i, c in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}, indent=1)


def node(nid, fname, text, parents=(), **props):
    return {"id": nid, "file": fname, "text": text, "parents": list(parents),
            "props": props}


def custom(nid, fname, text, parents, props):
    """A custom node: props are its component_parameters (property ids)."""
    return {"id": nid, "file": fname, "text": text, "parents": list(parents), "props": props}


def write(case, nodes, out, params=()):
    os.makedirs(out, exist_ok=True)
    doc_nodes = []
    for n in nodes:
        path = os.path.join(out, n["file"])
        with open(path, "w") as f:
            f.write(n["text"])
        links = [{"id": "l-%s-%s" % (p, n["id"]), "node_id_ref": p, "port_id_ref": "outPort"}
                 for p in n["parents"]]
        app = {"ui_data": {"label": n["id"]}}
        if n["file"].endswith(".yaml"):
            # a custom node: its component from a local-file-catalog, its
            # inputs as Elyra's properties panel writes them
            op = "local-file-catalog:" + n["file"][:-5]
            app["component_parameters"] = n["props"]
            app["component_source"] = json.dumps({"catalog_type": "local-file-catalog",
                                                  "component_ref": {"base_dir": ".", "path": n["file"]}})
        else:
            op = OPS[n["file"].rsplit(".", 1)[1].lower()]
            cp = {"filename": n["file"], "runtime_image": IMAGE, "dependencies": [],
                  "include_subdirectories": False, "outputs": [], "env_vars": []}
            cp.update(n["props"])
            app["component_parameters"] = cp
        doc_nodes.append({
            "id": n["id"], "type": "execution_node", "op": op, "app_data": app,
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

# Run parameters of every type Elyra has, each changed at submit
# (tests/cluster/run sets spec.arguments as the KFP run form does, with
# the values of PARAM_VALUES); a script, a notebook and a shell node print
# what reached them, as JSON lines 'PARAMS <node> {...}'.
PARAM_TYPES = {"P_TEXT": ("String", "default text"), "P_EMPTY": ("String", "not empty"),
               "P_INT": ("Integer", 5), "P_FLOAT": ("Float", 2.5), "P_BOOL": ("Boolean", True)}
# the value classes: whitespace at both ends, non-ASCII, quotes, a
# backslash, shell and Argo-looking text; empty; negative; subnormal; false
PARAM_VALUES = {"P_TEXT": " two  words, ünï ✓ 'q' \"dq\" back\\slash $HOME `x` {y} ",
                "P_EMPTY": "", "P_INT": "-7", "P_FLOAT": "4.9e-324", "P_BOOL": "false"}
SHOW_PY = """import json, os
print("PARAMS %s " + json.dumps({k: os.environ.get(k) for k in %r}, ensure_ascii=False), flush=True)
"""
PARAMS = [
    node("script", "show.py", SHOW_PY % ("script", sorted(PARAM_TYPES)), pipeline_parameters=sorted(PARAM_TYPES)),
    node("cells", "show.ipynb", notebook(SHOW_PY % ("cells", sorted(PARAM_TYPES))), ["script"],
         pipeline_parameters=sorted(PARAM_TYPES)),
    node("shell", "show.sh", "exec python3 -c '%s'\n" % (SHOW_PY % ("shell", sorted(PARAM_TYPES))).replace("'", "'\\''"),
         ["script"], pipeline_parameters=sorted(PARAM_TYPES)),
]
PARAMS_DEFS = [{"name": k, "description": "", "required": False,
                "default_value": {"type": t, "value": v}} for k, (t, v) in sorted(PARAM_TYPES.items())]

# A KFP v1 component whose image tests/cluster/run builds (the runtime
# image and a layer of COMPONENT_FILES, pushed as quay.io/t3q/wordcount:1),
# between notebook nodes: prep (notebook) -> count (component: a run
# parameter, a number, two outputs) -> show (component: count's Report as
# an input artifact, its Words as a value) -> after (notebook, reading
# prep's file through the object store).
COMPONENT_IMAGE = "quay.io/t3q/wordcount:1"
COMPONENT_FILES = {
    "opt/wordcount/IMAGE": "wordcount image 1, built by tests/cluster/run\n",
    "opt/wordcount/count.py": """import argparse, os
a = argparse.ArgumentParser()
for f in ("--text", "--times", "--words", "--report"):
    a.add_argument(f, required=True)
a = a.parse_args()
print(open("/opt/wordcount/IMAGE").read().strip(), flush=True)
words = a.text.split() * int(a.times)
for p in (a.words, a.report):
    os.makedirs(os.path.dirname(p), exist_ok=True)
open(a.words, "w").write(str(len(words)))
open(a.report, "w").write("report: " + " | ".join(words) + "\\n")
print("count: %d words" % len(words), flush=True)
""",
    "opt/wordcount/show.py": """import os, sys
report, words, summary = sys.argv[1:4]
text = open(report).read()
print("show read", repr(text), "words", words, flush=True)
os.makedirs(os.path.dirname(summary), exist_ok=True)
open(summary, "w").write("%s words; %s" % (words, text))
""",
}
COUNT_YAML = """name: Count words
description: splits a text into words, repeated
inputs:
- {name: Text, type: String}
- {name: Times, type: Integer, default: '1'}
outputs:
- {name: Words, type: Integer}
- {name: Report}
implementation:
  container:
    image: %s
    command: [python3, /opt/wordcount/count.py]
    args: [--text, {inputValue: Text}, --times, {inputValue: Times},
           --words, {outputPath: Words}, --report, {outputPath: Report}]
""" % COMPONENT_IMAGE
SHOW_YAML = """name: Show report
inputs:
- {name: Report}
- {name: Words, type: Integer}
outputs:
- {name: Summary}
implementation:
  container:
    image: %s
    command: [python3, /opt/wordcount/show.py, {inputPath: Report}, {inputValue: Words},
              {outputPath: Summary}]
""" % COMPONENT_IMAGE
CUSTOM = [
    node("prep", "prep.ipynb", notebook("open('words.txt', 'w').write('from prep\\n')\nprint('prep wrote words.txt')"),
         outputs=["words.txt"]),
    custom("count", "count.yaml", COUNT_YAML, ["prep"],
           {"text": {"widget": "parameter", "value": "TEXT"}, "times": {"widget": "number", "value": 2}}),
    custom("show", "show.yaml", SHOW_YAML, ["count"],
           {"report": {"widget": "inputpath", "value": {"value": "count", "option": "output_report"}},
            "words": {"widget": "inputpath", "value": {"value": "count", "option": "output_words"}}}),
    node("after", "after.ipynb", notebook("print('after reads', open('words.txt').read().strip())"),
         ["show", "prep"]),
]
CUSTOM_DEFS = [{"name": "TEXT", "description": "", "required": False,
                "default_value": {"type": "String", "value": "the default text"}}]


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


CASES = {"fail": FAIL, "long": LONG, "missing": MISSING, "live": LIVE, "props": PROPS, "dns": DNS,
         "params": PARAMS, "custom": CUSTOM}
DEFS = {"params": PARAMS_DEFS, "custom": CUSTOM_DEFS}

if __name__ == "__main__":
    if sys.argv[1:] == ["values"]:
        print(json.dumps(PARAM_VALUES, ensure_ascii=False))
        sys.exit(0)
    if len(sys.argv) == 5 and sys.argv[1] == "equiv":
        equiv(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        sys.exit(0)
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: pipelines.py {%s} DIR" % "|".join(CASES))
    if sys.argv[1] == "custom":
        for f, text in COMPONENT_FILES.items():
            os.makedirs(os.path.join(sys.argv[2], "image", os.path.dirname(f)), exist_ok=True)
            with open(os.path.join(sys.argv[2], "image", f), "w") as fh:
                fh.write(text)
    write(sys.argv[1], CASES[sys.argv[1]], sys.argv[2], DEFS.get(sys.argv[1], ()))
