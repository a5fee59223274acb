#!/usr/bin/env python3
"""elyra_diff.py: the checks of t-elyra-diff.sh over a generated set of
pipelines (gen_pipelines.py), judged against Elyra 4.0.0's own export
(tests/tools/elyra/batch_export.py).

  elyra_diff.py list CASES RUNTIMES_DIR
      prints batch_export.py's list: one line per case, Elyra's v8 file.
  elyra_diff.py check CASES ELYRA_OUT T3Q_BIN RUNTIMES_DIR REPORT
      compiles every t3q variant of every case and writes REPORT/<check>.txt,
      one line per failure (an empty file: the check passed), for:
        refusal   Elyra refuses <=> t3q exits 1 (but for ACCEPT below)
        fields    elyra_peer.py's field-by-field comparison (its ALLOW list)
        archives  each node's archive members, t3q's --upload=file:// (tar
                  tzf) vs Elyra's create_temp_archive
        upload    --upload without --timestamp names a fresh directory:
                  <cos directory>-MMDDHHMMSS, as Elyra's export does
      and REPORT/yamls.txt, the workflows for argolint.
  elyra_diff.py run CASES T3Q_BIN REPORT WORK [MAX]
      t3q-run over up to MAX (25) runnable cases that Elyra exported: every
      script checks its ancestors' outputs are in its work dir and writes
      its own (run.txt); and the artifact names: what t3q-bootstrap staged
      in each node's artifacts/out and what the next node found in
      artifacts/in are exactly the paths the compiled YAML declares
      (names.txt).
  elyra_diff.py summary REPORT
      prints every failure grouped by cause (the field, or the check).
  elyra_diff.py classes CASES
      fails unless every value class of gen_pipelines.py (CLASS_NAMES) is
      held by some case (gen_pipelines.py --classes).
"""
import contextlib
import io
import json
import os
import re
import subprocess
import sys

import yaml

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import elyra_peer  # noqa: E402

TIMESTAMP = "2026-01-01T00:00:00Z"

# Pipelines that Elyra refuses and t3q accepts on purpose: (name, test on
# (case, Elyra's result), why). Empty: t3q refuses all that Elyra refuses.
def _elyra_archive_module():
    """Elyra's own elyra/util/archive.py, from the peer venv, by path."""
    import glob
    import importlib.util
    venv = os.environ.get("T3Q_ELYRA_VENV", "")
    paths = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages", "elyra", "util", "archive.py"))
    if not paths:
        return None
    spec = importlib.util.spec_from_file_location("elyra_archive", paths[0])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _generic_nodes(c):
    with open(os.path.join(c["dir"], c["elyra"]), encoding="utf-8") as fh:
        doc = json.load(fh)
    for pl in doc.get("pipelines", []):
        for n in pl.get("nodes", []):
            cp = (n.get("app_data") or {}).get("component_parameters") or {}
            if n.get("type") == "execution_node" and cp.get("filename"):
                yield n, cp


def subflow_ids(c):
    """The ids of the nodes inside supernodes (every pipeline but the
    primary one)."""
    with open(os.path.join(c["dir"], c["elyra"]), encoding="utf-8") as fh:
        doc = json.load(fh)
    return {n.get("id") for p in doc.get("pipelines", []) if p.get("id") != doc.get("primary_pipeline")
            for n in p.get("nodes", [])}


def overlapping_patterns(c, res):
    """Elyra's "referenced dependencies that were not found", where each one
    named did match a file that Elyra's own archive (built again without
    require_complete) holds: only its credit went to another pattern."""
    import fnmatch
    import tarfile
    msg = res.get("message") or ""
    named = set(re.findall(r"'([^']*)'", " ".join(re.findall(r"not found: \{([^}]*)\}", msg))))
    arch = _elyra_archive_module()
    if not named or not arch:
        return False
    base = os.path.dirname(os.path.join(c["dir"], c["elyra"]))
    satisfied = set()
    for i, (n, cp) in enumerate(_generic_nodes(c)):
        fn = cp["filename"]
        names = [os.path.basename(fn)] + list(cp.get("dependencies") or [])
        if not named & set(names):
            continue
        path = arch.create_temp_archive("t3q-accept-%d-%d.tar.gz" % (os.getpid(), i),
                                        os.path.join(base, os.path.dirname(fn)), names,
                                        bool(cp.get("include_subdirectories")), False)
        with tarfile.open(path) as tf:
            members = [m.name for m in tf.getmembers() if m.isfile()]
        os.unlink(path)
        for f in named & set(names):
            flat = arch.has_wildcards(f) and not arch.directory_prefixed(f)
            if any(fnmatch.fnmatch(m, f) or (flat and fnmatch.fnmatch(os.path.basename(m), f))
                   for m in members):
                satisfied.add(f)
    return satisfied == named


def supernode_without_properties(c, res):
    """Elyra's structure check ("Node is missing 'component_parameters'
    field") failing only on supernodes."""
    if not any("component_parameters" in (i.get("message") or "") for i in res.get("issues") or []):
        return False
    with open(os.path.join(c["dir"], c["elyra"]), encoding="utf-8") as fh:
        doc = json.load(fh)
    primary = next(p for p in doc["pipelines"] if p["id"] == doc["primary_pipeline"])
    missing = [n for n in primary["nodes"] if "component_parameters" not in (n.get("app_data") or {})]
    return bool(missing) and all(n.get("type") == "super_node" for n in missing)


def _doc(c):
    with open(os.path.join(c["dir"], c["elyra"]), encoding="utf-8") as fh:
        return json.load(fh)


def _props(c):
    """The pipeline properties, then every node's component_parameters and
    the pipeline defaults (dicts)."""
    doc = _doc(c)
    props = doc["pipelines"][0]["app_data"].get("properties") or {}
    cps = [props.get("pipeline_defaults") or {}]
    cps += [n.get("app_data", {}).get("component_parameters") or {} for pl in doc["pipelines"]
            for n in pl.get("nodes", [])]
    return props, cps


def _msg(res):
    return (res.get("message") or "") + " ".join(i.get("message") or "" for i in res.get("issues") or [])


def backslash_default(c, res):
    """Elyra's component YAML holds the default in double quotes, unescaped."""
    props, _ = _props(c)
    return "while scanning a double-quoted scalar" in _msg(res) and any(
        p.get("default_value", {}).get("type") == "String" and "\\" in str(p["default_value"].get("value"))
        for p in props.get("pipeline_parameters") or [])


def newline_in_code(c, res):
    """Elyra's generated DSL holds an env value or the description with a
    raw newline inside a one-line string literal."""
    props, cps = _props(c)
    nl = "\n" in str(props.get("description") or "") or any(
        "\n" in str(e.get("value")) for cp in cps for e in cp.get("env_vars") or [] if isinstance(e, dict))
    return nl and "cannot parse" in _msg(res) and "UnterminatedString" in _msg(res)


def fractional_resource(c, res):
    """cpu below 1 (Elyra's validator takes int() of it) or fractional
    memory (kfp 1.8.22's set_memory_request wants an integer)."""
    _, cps = _props(c)
    m = _msg(res)
    cpu = any(isinstance(cp.get("cpu"), float) and 0 < cp["cpu"] < 1 for cp in cps)
    mem = any(isinstance(cp.get("memory"), float) and cp["memory"] != int(cp["memory"]) for cp in cps)
    return (cpu and "Property must be greater than zero" in m) or (mem and "Invalid memory string" in m)


def v7_item_in_v8(c, res):
    """A v8 pipeline with a v7 "key=value" string among its pod labels."""
    _, cps = _props(c)
    return "Required label key was not specified" in _msg(res) and any(
        isinstance(x, str) for cp in cps for x in cp.get("kubernetes_pod_labels") or [])


def number_as_text(c, res):
    """A number where Elyra wants a string: an env value (its processor
    runs a regex on it), a pod label or annotation value (its validator)."""
    _, cps = _props(c)

    def nums(prop):
        return any(isinstance(x, dict) and isinstance(x.get("value"), (int, float))
                   and not isinstance(x.get("value"), bool) for cp in cps for x in cp.get(prop) or [])
    m = _msg(res)
    return ((nums("env_vars") and "expected string or bytes-like object, got 'int'" in m)
            or (nums("kubernetes_pod_annotations") and "is not a valid Kubernetes annotation value" in m)
            or (nums("kubernetes_pod_labels") and m.strip() == "Pipeline validation FAILED. The pipeline "
                "was not exported." and not [i for i in res.get("issues") or [] if i.get("severity") == 1]))


ACCEPT = [
    ("Elyra's export never ends",
     lambda c, res: res.get("hung"),
     "Elyra 4.0.0 formats its generated kfp DSL with autopep8 (kfp_processor.py:627), which loops "
     "forever on a String parameter whose default holds a newline; t3q passes the value whole "
     "as an env value"),
    ("a parameter name with capitals",
     lambda c, res: re.search(r"pass_locals\(\) got an unexpected keyword argument '[^']*[A-Z]", res.get("message") or ""),
     "Elyra 4.0.0's generated kfp DSL fails to compile (kfp 1.8.22 create_function_from_parameters: "
     "unexpected keyword argument) when a parameter name has capitals; t3q passes it as the env "
     "var of that name"),
    ("a String parameter holding a double quote",
     lambda c, res: "cannot parse" in (res.get("message") or "") and ': str = "' in (res.get("message") or ""),
     "Elyra 4.0.0 writes the default into its generated kfp DSL as a Python string literal "
     "without escaping, so the DSL does not parse; t3q passes the value whole as an env value"),
    ("overlapping dependency patterns",
     overlapping_patterns,
     "Elyra 4.0.0's create_temp_archive credits each file to only the first pattern it matches, in "
     "the order of a Python set (per-process hash seed), so when patterns overlap ('*.csv' and "
     "'data/a.csv') its completeness check fails or passes at random; the file is in the archive "
     "either way, and t3q credits every pattern a file matches"),
    ("a supernode without component_parameters",
     supernode_without_properties,
     "Elyra 4.0.0's PipelineDefinition structure check wants component_parameters on every node of "
     "the primary pipeline, supernodes too, though its own test pipelines (kf_supernode_valid) have "
     "none there; t3q flattens supernodes, which carry no properties"),
    ("a version 7 pipeline",
     lambda c, res: re.search(r"Pipeline version [0-7] is out of date", _msg(res)),
     "Elyra 4.0.0's export refuses a pipeline older than version 8 (`out of date and needs to be "
     "migrated using the Elyra pipeline editor`); t3q reads the v7 forms as the editor's migration "
     "does, and the differential test compares its v7 compile with Elyra's export of the migrated copy"),
    ("a backslash in a String parameter's default",
     backslash_default,
     "Elyra 4.0.0 writes the default into its component YAML between double quotes without escaping, "
     "so `a\\tb` becomes a tab or, as here, a YAML error (`while scanning a double-quoted scalar`); "
     "t3q passes the value as written"),
    ("a newline in an env value or in the description",
     newline_in_code,
     "Elyra 4.0.0 writes the value into a one-line Python string literal of its generated kfp DSL, "
     "which then does not parse (`cannot parse ... UnterminatedString`); t3q passes the value whole"),
    ("a fractional cpu or memory",
     fractional_resource,
     "Elyra 4.0.0's validator takes int() of cpu, so cpu 0.5 is `Property must be greater than zero`, "
     "and kfp 1.8.22 refuses memory 1.5 (`Invalid memory string`); Kubernetes takes both (`500m`, "
     "`1.5G`), and t3q passes them"),
    ("a v8 pipeline holding a v7 \"key=value\" pod label",
     v7_item_in_v8,
     "Elyra 4.0.0 reads only v8's dicts in a v8 pipeline (`Required label key was not specified`); "
     "t3q reads the v7 string form wherever it finds it, as it does in a v7 pipeline"),
    ("a number as an env, pod label or annotation value",
     number_as_text,
     "Elyra 4.0.0's processor runs a regex on the env value and fails (`expected string or "
     "bytes-like object, got 'int'`), and its validator refuses a label or annotation value that is "
     "not a string; t3q writes the number as Python prints it, a string Kubernetes takes"),
]


def has_class(c, *names):
    return any(k in (c.get("classes") or []) for k in names)


# Pipelines that Elyra exports and t3q refuses: (name, test on (case, t3q's
# stderr), why). Checked as ACCEPT is: each needed, each in docs/parity.md.
REFUSE = [
    ("a fractional GPU count",
     lambda c, err: "Property must be a whole number of GPUs" in err,
     "Elyra 4.0.0's validator takes int() of it (1.5 passes as 1), and its export asks for "
     "`nvidia.com/gpu: '1.5'`, which Kubernetes refuses (an extended resource must be a whole "
     "number); t3q refuses it at compile time, naming the node"),
    ("a shared-memory size in exponent form",
     lambda c, err: "is not a Kubernetes quantity with units 'G'" in err,
     "Elyra 4.0.0 appends `G` to the number as Python prints it, so 5e-324 becomes `sizeLimit: "
     "5e-324G`, which is no Kubernetes quantity: Argo refuses the workflow on every KFP backend; t3q "
     "refuses the pipeline, naming the node"),
    ("an Integer default beyond +-2^53",
     lambda c, err: "is beyond +-2^53 (9007199254740992)" in err,
     "Elyra 4.0.0 writes the digits into the workflow, but KFP v2 holds a run parameter as a JSON "
     "number, exact only to 2^53, so the two targets would run different values; t3q refuses it on "
     "both, naming the parameter, and says to make it a String"),
    ("a shared-memory size over 1000000",
     lambda c, err: "Shared memory size" in err and "is too large (at most 1000000)" in err,
     "Elyra 4.0.0 exports any size; t3q caps it at 1000000 (gigabytes) as it caps memory, a guard "
     "against typos (issue 21's hostile-input round listed 1000001 as accepted where it should not "
     "be); Kubernetes itself would take it"),
]


def cases(root):
    for d in sorted(os.listdir(root)):
        p = os.path.join(root, d, "case.json")
        if os.path.isfile(p):
            with open(p, encoding="utf-8") as fh:
                c = json.load(fh)
            c["dir"] = os.path.join(root, d)
            c["id"] = d
            yield c


def cmd_list(root, runtimes):
    for c in cases(root):
        print(json.dumps({"id": c["id"], "pipeline": os.path.abspath(os.path.join(c["dir"], c["elyra"])),
                          "runtime": c["auth"]}, ensure_ascii=False))
    return 0


def compile_(bin_, pipeline, runtime, out, *extra):
    d, f = os.path.split(pipeline)
    r = subprocess.run([os.path.join(bin_, "compiler", "t3q-compile"), f, "--runtime-config", runtime,
                        "-o", out] + list(extra), cwd=d, capture_output=True, text=True, errors="replace")
    return r.returncode, r.stderr


def tar_members(path):
    r = subprocess.run(["tar", "tzf", path], capture_output=True, text=True)
    if r.returncode:
        return None
    return sorted(m[2:] if m.startswith("./") else m for m in r.stdout.splitlines() if m and not m.endswith("/"))


def cos_dirs(path):
    with open(path) as fh:
        wf = yaml.safe_load(fh)
    out = {}
    for t in wf["spec"]["templates"]:
        args = (t.get("container") or {}).get("args") or []
        fl = elyra_peer.parse_t3q_args(args)
        if "--cos-dependencies-archive" in fl:
            out[fl["--cos-dependencies-archive"]] = fl.get("--cos-directory")
    return out


def brief(text, n=3):
    lines = [x for x in (text or "").splitlines() if x.strip()]
    errors = [x for x in lines if "error" in x.lower()]
    lines = errors or lines
    return " | ".join(lines[:n])


def elyra_refusal(res):
    issues = [i for i in res.get("issues") or [] if i.get("severity") == 1]
    if issues:
        return "; ".join("%s [%s]" % (i.get("message"), (i.get("data") or {}).get("propertyName", ""))
                         for i in issues[:3])
    return brief(res.get("message"), 4)


def cmd_check(root, elyra_out, bin_, runtimes, report):
    root, elyra_out, bin_, runtimes, report = map(os.path.abspath, (root, elyra_out, bin_, runtimes, report))
    os.makedirs(report, exist_ok=True)
    fails = {k: [] for k in ("refusal", "fields", "archives", "upload")}
    yamls = []
    used = os.path.join(report, "used")
    stats = {"cases": 0, "elyra-exports": 0, "both-refuse": 0, "accepted": 0}
    for c in cases(root):
        stats["cases"] += 1
        with open(os.path.join(elyra_out, c["id"], "result.json"), encoding="utf-8") as fh:
            res = json.load(fh)
        rt = os.path.join(runtimes, c["auth"] + ".json")
        out = os.path.join(elyra_out, c["id"])
        stats["elyra-exports"] += bool(res["exported"])
        for variant in c["t3q"]:
            tag = "%s %s" % (c["id"], variant.split("/")[0])  # e.g. "0042 v7"
            pipe = os.path.join(c["dir"], variant)
            vname = variant.split("/")[0]
            y = os.path.join(out, "t3q-%s.yaml" % vname)
            rc, err = compile_(bin_, pipe, rt, y)
            if not res["exported"]:
                if rc == 1:
                    stats["both-refuse"] += 1
                    continue
                why = next((a for a in ACCEPT if a[1](c, res)), None)
                if why:
                    stats["accepted"] += 1
                    with open(os.path.join(report, "accepted.txt"), "a") as fh:
                        fh.write(why[0] + "\n")
                    continue
                fails["refusal"].append("%s: Elyra refuses (%s); t3q exits %d%s" % (
                    tag, elyra_refusal(res), rc, (": " + brief(err)) if rc else ""))
                continue
            if rc != 0:
                why = next((a for a in REFUSE if rc == 1 and a[1](c, err)), None)
                if why:
                    stats["refused"] = stats.get("refused", 0) + 1
                    with open(os.path.join(report, "accepted.txt"), "a") as fh:
                        fh.write(why[0] + "\n")
                    continue
                fails["refusal"].append("%s: Elyra exports; t3q exits %d: %s" % (tag, rc, brief(err)))
                continue
            yamls.append(y)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                elyra_peer.compare(os.path.join(out, "elyra.yaml"), y, used, subflow_ids(c))
            for line in buf.getvalue().splitlines():
                if line.startswith("DIFFERENT: "):
                    fails["fields"].append("%s: %s" % (tag, line[len("DIFFERENT: "):]))
            # archives: t3q's --upload to a file:// store, against Elyra's
            arch = os.path.join(out, "t3q-%s-archives" % vname)
            rc, err = compile_(bin_, pipe, rt, os.path.join(out, "t3q-%s-up.yaml" % vname),
                               "--upload=file://" + arch, "--timestamp=" + TIMESTAMP)
            if rc != 0:
                fails["archives"].append("%s: t3q-compile --upload=file:// exits %d: %s" % (tag, rc, brief(err)))
            else:
                for name, members in sorted(res["archives"].items()):
                    mine = tar_members(os.path.join(arch, name))
                    if mine is None:
                        fails["archives"].append("%s: %s: t3q uploaded no such archive" % (tag, name))
                    elif isinstance(members, dict):
                        fails["archives"].append("%s: %s: Elyra's create_temp_archive failed: %s" % (
                            tag, name, members["error"]))
                    elif mine != members:
                        fails["archives"].append("%s: %s: only Elyra's: %s; only t3q's: %s" % (
                            tag, name, sorted(set(members) - set(mine)), sorted(set(mine) - set(members))))
            # --upload without --timestamp: a fresh MMDDHHMMSS directory
            up2 = os.path.join(out, "t3q-%s-up2.yaml" % vname)
            rc, err = compile_(bin_, pipe, rt, up2, "--upload=file://" + arch + "-2")
            if rc != 0:
                fails["upload"].append("%s: t3q-compile --upload (no --timestamp) exits %d: %s" % (tag, rc, brief(err)))
            else:
                plain, up = cos_dirs(y), cos_dirs(up2)
                for k, d in plain.items():
                    u = up.get(k)
                    if not (isinstance(u, str) and re.fullmatch(re.escape(d) + r"-\d{10}", u)):
                        fails["upload"].append("%s: %s: --cos-directory %r with --upload, want %r" % (
                            tag, k, u, d + "-MMDDHHMMSS"))
    for k, v in fails.items():
        with open(os.path.join(report, k + ".txt"), "w", encoding="utf-8") as fh:
            fh.writelines(x + "\n" for x in v)
    with open(os.path.join(report, "yamls.txt"), "w") as fh:
        fh.writelines(x + "\n" for x in yamls)
    with open(os.path.join(report, "stats.json"), "w") as fh:
        json.dump(stats, fh)
    print(json.dumps(stats))
    return 0


def declared(wf):
    """{task name: (output artifact names, input artifact names)} of a
    t3q workflow, the names taken from the declared paths."""
    tmpl = {t["name"]: t for t in wf["spec"]["templates"]}
    root = tmpl[wf["spec"]["entrypoint"]]
    out = {}
    for task in root["dag"]["tasks"]:
        t = tmpl[task["template"]]
        outs = sorted(os.path.basename(a["path"]) for a in (t.get("outputs") or {}).get("artifacts", [])
                      if not a["name"].startswith("mlpipeline-"))
        ins = sorted(os.path.basename(a["path"]) for a in (t.get("inputs") or {}).get("artifacts", []))
        out[task["name"]] = (outs, ins)
    return out


def cmd_run(root, bin_, report, work, limit=25):
    root, bin_, report, work = map(os.path.abspath, (root, bin_, report, work))
    os.makedirs(report, exist_ok=True)
    run_fails, name_fails, ran = [], [], []
    nb_ok = subprocess.run(["/usr/bin/python3", "-c", "import nbclient, ipykernel"],
                           capture_output=True).returncode == 0
    for c in cases(root):
        if len(ran) >= limit:
            break
        if not c["runnable"] or len(c["outputs"]) < 2:
            continue
        res_path = os.path.join(root, "..", "elyra", c["id"], "result.json")
        with open(res_path, encoding="utf-8") as fh:
            if not json.load(fh)["exported"]:
                continue
        pipe = os.path.join(c["dir"], c["elyra"])
        if not nb_ok and '"execute-notebook-node"' in open(pipe, encoding="utf-8").read():
            continue
        y = os.path.join(root, "..", "elyra", c["id"], "t3q-v8.yaml")
        if not os.path.exists(y):
            continue
        ran.append(c["id"])
        w = os.path.join(work, c["id"])
        d, f = os.path.split(pipe)
        r = subprocess.run([os.path.join(bin_, "runner", "t3q-run"), f, "--work", w, "--run-id", "r1", "-j", "2"],
                           cwd=d, capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, T3Q_PYTHON="/usr/bin/python3"))
        if r.returncode != 0:
            bad = [x for x in r.stdout.splitlines() if "MISSING" in x or "failed" in x or "skipped" in x]
            run_fails.append("%s: t3q-run exits %d: %s" % (c["id"], r.returncode,
                                                        " | ".join(bad[:6]) or brief(r.stdout + r.stderr, 6)))
        with open(y) as fh:
            wf = yaml.safe_load(fh)
        for task, (outs, ins) in declared(wf).items():
            nd = os.path.join(w, "r1", task)
            if not os.path.isdir(os.path.join(nd, "work")):
                continue
            ok = os.path.exists(os.path.join(nd, "kfp"))
            staged = sorted(os.listdir(os.path.join(nd, "artifacts", "out"))) if ok else []
            got_in = sorted(os.listdir(os.path.join(nd, "artifacts", "in"))) if ok else []
            log = r.stdout
            succeeded = re.search(r"^%s\s+succeeded" % re.escape(task), log, re.M)
            if succeeded and staged != outs:
                name_fails.append("%s: %s: bootstrap staged %s; the YAML declares %s" % (c["id"], task, staged, outs))
            if succeeded and got_in != ins:
                name_fails.append("%s: %s: artifacts/in holds %s; the YAML declares %s" % (c["id"], task, got_in, ins))
    with open(os.path.join(report, "run.txt"), "w", encoding="utf-8") as fh:
        fh.writelines(x + "\n" for x in run_fails)
    with open(os.path.join(report, "names.txt"), "w", encoding="utf-8") as fh:
        fh.writelines(x + "\n" for x in name_fails)
    print("ran %d pipelines: %s" % (len(ran), " ".join(ran)))
    return 0 if ran else 1


def cmd_summary(report):
    groups = {}
    for check in ("refusal", "fields", "archives", "upload", "lint", "run", "names"):
        p = os.path.join(report, check + ".txt")
        if not os.path.exists(p):
            continue
        for line in open(p, encoding="utf-8"):
            line = line.rstrip("\n")
            if check == "fields":
                m = re.search(r"\): ([^:]+(?::[^ ]+)?): Elyra", line) or re.search(r"node [^:]+: (.*)$", line)
                key = "fields: " + (m.group(1) if m else "?")
                key = re.sub(r"env\.[A-Za-z_0-9]+", "env.<name>", key)
                key = re.sub(r"\[[^]]*\]", "[..]", key)
            elif check == "refusal":
                key = "refusal: " + ("Elyra refuses, t3q accepts" if "Elyra refuses" in line
                                     else "Elyra exports, t3q refuses")
            else:
                key = check
            groups.setdefault(key, []).append(line)
    for key in sorted(groups):
        v = groups[key]
        print("== %s: %d" % (key, len(v)))
        for line in v[:4]:
            print("   " + line[:400])
    return 0


SECTION = "### Pipelines Elyra refuses and t3q compiles"
SECTION_REFUSE = "### Pipelines Elyra exports and t3q refuses"


def accept_table():
    for title, table in ((SECTION, ACCEPT), (SECTION_REFUSE, REFUSE)):
        print(title + "\n")
        print("| case | why |")
        print("|---|---|")
        for name, _, why in table:
            print("| %s | %s |" % (name, why))
        print()
    return 0


def check_readme(path):
    """docs/parity.md's two tables list exactly ACCEPT and REFUSE, word for
    word (and custom_diff.py's ACCEPT, for custom nodes)."""
    import custom_diff
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    bad = []
    for section, table, name in ((SECTION, ACCEPT, "ACCEPT"), (SECTION_REFUSE, REFUSE, "REFUSE")):
        if section not in text:
            bad.append("%s has no section %r" % (path, section))
            continue
        body = re.split(r"^##", text.split(section, 1)[1], maxsplit=1, flags=re.M)[0]
        rows = [ln for ln in body.splitlines() if ln.startswith("| ") and not ln.startswith("| case |")]
        want = ["| %s | %s |" % (n, w) for n, _, w in table]
        bad += ["not in docs/parity.md (%s): %s" % (section, w) for w in want if w not in rows]
        # custom_diff.py's own ACCEPT rows (custom nodes), which it checks
        other = ["| %s | %s |" % (n, w) for n, _, w in custom_diff.ACCEPT] if table is ACCEPT else []
        bad += ["docs/parity.md row not in %s: %s" % (name, r) for r in rows if r not in want + other]
    for b in bad:
        print(b)
    return 1 if bad else 0


def check_accepted(report):
    """Every ACCEPT and REFUSE entry was needed by some generated
    pipeline."""
    path = os.path.join(report, "accepted.txt")
    used = set(open(path).read().splitlines()) if os.path.exists(path) else set()
    unused = [n for n, _, _ in ACCEPT + REFUSE if n not in used]
    for n in unused:
        print("ACCEPT/REFUSE entry never needed: " + n)
    return 1 if unused else 0


def check_classes(root):
    """Every value class of gen_pipelines.py was produced (--classes)."""
    import gen_pipelines
    made = {k for c in cases(root) for k in c.get("classes") or []}
    missing = [k for k in gen_pipelines.CLASS_NAMES if k not in made]
    for k in missing:
        print("value class not produced: " + k)
    print("%d value classes, %d produced" % (len(gen_pipelines.CLASS_NAMES), len(made)))
    return 1 if missing else 0


def main(argv):
    if argv[:1] == ["--table"]:
        return accept_table()
    if argv[:1] == ["--readme"] and len(argv) == 2:
        return check_readme(argv[1])
    if argv[:1] == ["--accepted"] and len(argv) == 2:
        return check_accepted(argv[1])
    if argv[:1] == ["classes"] and len(argv) == 2:
        return check_classes(argv[1])
    if argv[:1] == ["list"] and len(argv) == 3:
        return cmd_list(*argv[1:])
    if argv[:1] == ["check"] and len(argv) == 6:
        return cmd_check(*argv[1:])
    if argv[:1] == ["run"] and len(argv) in (5, 6):
        return cmd_run(*argv[1:5], *(int(x) for x in argv[5:]))
    if argv[:1] == ["summary"] and len(argv) == 2:
        return cmd_summary(argv[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
