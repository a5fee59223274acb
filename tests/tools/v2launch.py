#!/usr/bin/env python3
"""v2launch.py: run a KFP v2 PipelineSpec IR (t3q-compile --target kfp-v2)
on this machine as KFP's launcher would, task by task, for the tests.

    v2launch.py IR.yaml --bootstrap BIN --root DIR [--run-id ID]
                [-p NAME=VALUE]... [--report FILE]

For each task of the root DAG, in dependency order (dependentTasks and the
producers of its input artifacts), it does what KFP v2's driver and
launcher do (../shared notes: kfp-v2.md, "How a v2 step runs"):

 - the task's pod is a directory of its own, DIR/pods/<task>; the step
   runs in DIR/pods/<task>/work;
 - each output artifact gets a URI, minio://mlpipeline/v2/artifacts/
   <pipeline>/<run id>/<task>/<key>, and the local path the launcher maps
   it to, /minio/mlpipeline/v2/artifacts/..., here under the pod's
   directory; the parent directories are made, as the launcher does;
 - each input artifact (taskOutputArtifact) is the producer's output: the
   launcher downloads it to the same /minio/... path in the consumer's pod,
   here a copy of the producer's file or directory;
 - the placeholders {{$.inputs.parameters['x']}} (root defaults or -p
   overrides, through componentInputParameter; a runtimeValue constant;
   a producer's output parameter, taskOutputParameter, the text of its
   file), {{$.inputs.artifacts['y'].path}}, {{$.outputs.artifacts['z']
   .path}} and {{$.outputs.parameters['w'].output_file}} (a file under
   the pod's tmp/kfp/outputs/, its directory made) are resolved in command
   and args, and so are a custom component's {"IfPresent": ...} (Then when
   the task is given the input, else Else) and {"Concat": [...]}
   structures, as the driver expands them; any other {{$...}} placeholder
   is an error (the launcher would fail on it too); Argo's
   {{workflow.uid}} (the run id),
   {{workflow.name}} and {{workflow.namespace}} are resolved in env values;
 - the command's t3q-bootstrap (any path ending in t3q-bootstrap) is BIN;
   the env is the executor's, the platform spec's secretAsEnv (AWS_* keys
   from this process's environment, other keys "<secret>/<key>"), and
   PATH, HOME, LANG, T3Q_PYTHON, T3Q_S3_* from this process; an absolute
   ELYRA_WRITABLE_CONTAINER_DIR is moved under the pod's directory;
 - afterwards every declared output artifact and output parameter file
   must exist at its path (the launcher fails the task otherwise).

A task that fails, or misses an output, fails the run; its descendants do
not run. The exit status is 0 when every task succeeded, 1 otherwise, 2 on
a bad IR (a reference to a component, executor, task, parameter or
artifact that does not exist). --report writes JSON: per task its status,
exit code, resolved command, pod directory (its stdout and stderr are
there), and input and output paths.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

PLACEHOLDER = re.compile(r"\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\](\.path|\.output_file)?\}\}")
ANY_PLACEHOLDER = re.compile(r"\{\{\$[^}]*\}\}")
BUCKET = "mlpipeline"


class BadIR(Exception):
    pass


def load(path):
    docs = [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d]
    spec = next((d for d in docs if "root" in d), None)
    if spec is None:
        raise BadIR("%s: no PipelineSpec document (no 'root')" % path)
    platform = next((d for d in docs if "platforms" in d), {})
    return spec, platform


def param_text(value, ptype):
    """A parameter value as the launcher puts it on a command line."""
    if ptype == "BOOLEAN":
        return "true" if value in (True, "true", "True") else "false"
    if ptype == "NUMBER_INTEGER":
        return str(int(value))
    if ptype == "NUMBER_DOUBLE":
        v = float(value)
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    if ptype in ("LIST", "STRUCT"):
        return json.dumps(value if not isinstance(value, str) else json.loads(value), separators=(",", ":"))
    return str(value)


def order(tasks):
    """The tasks in dependency order (Kahn, ties by name); BadIR on a
    dangling reference or a cycle."""
    deps = {}
    for name, t in tasks.items():
        d = set(t.get("dependentTasks") or [])
        for kind, key in (("artifacts", "taskOutputArtifact"), ("parameters", "taskOutputParameter")):
            for a in ((t.get("inputs") or {}).get(kind) or {}).values():
                if a.get(key):
                    d.add(a[key].get("producerTask"))
        for x in d:
            if x not in tasks:
                raise BadIR("task %s depends on task %r, which does not exist" % (name, x))
        deps[name] = d
    done, out = set(), []
    while len(out) < len(tasks):
        ready = sorted(n for n in tasks if n not in done and deps[n] <= done)
        if not ready:
            raise BadIR("the tasks %s form a cycle" % sorted(set(tasks) - done))
        out.append(ready[0])
        done.add(ready[0])
    return out, deps


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("ir")
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--run-id", default="v2-run-1")
    ap.add_argument("-p", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--report")
    a = ap.parse_args()
    try:
        return run(a)
    except BadIR as e:
        print("v2launch: %s: %s" % (a.ir, e), file=sys.stderr)
        return 2


def run(a):
    spec, platform = load(a.ir)
    pname = spec.get("pipelineInfo", {}).get("name", "pipeline")
    comps = spec.get("components") or {}
    execs = (spec.get("deploymentSpec") or {}).get("executors") or {}
    pexecs = (((platform.get("platforms") or {}).get("kubernetes") or {}).get("deploymentSpec") or {}).get(
        "executors") or {}
    root_params = ((spec["root"].get("inputDefinitions") or {}).get("parameters")) or {}
    tasks = spec["root"]["dag"]["tasks"]
    values = {k: v.get("defaultValue") for k, v in root_params.items()}
    for p in a.p:
        name, _, value = p.partition("=")
        if name not in root_params:
            raise BadIR("-p %s: the pipeline has no parameter %r" % (p, name))
        values[name] = value
    names, deps = order(tasks)
    root = os.path.abspath(a.root)
    report, failed = {}, set()
    out_paths = {}      # (task, key) -> local path in the producer's pod
    out_params = {}     # (task, key) -> an output parameter's text
    for tname in names:
        t = tasks[tname]
        cname = (t.get("componentRef") or {}).get("name")
        comp = comps.get(cname)
        if comp is None:
            raise BadIR("task %s: component %r does not exist" % (tname, cname))
        ex = execs.get(comp.get("executorLabel"))
        if ex is None:
            raise BadIR("component %s: executor %r does not exist" % (cname, comp.get("executorLabel")))
        c = ex["container"]
        rec = report[tname] = {"status": "skipped", "inputs": {}, "outputs": {}}
        if deps[tname] & failed:
            failed.add(tname)
            continue
        pod = os.path.join(root, "pods", tname)
        work = os.path.join(pod, "work")
        os.makedirs(work, exist_ok=True)
        uri_key = "v2/artifacts/%s/%s/%s" % (pname, a.run_id, tname)

        # parameters: the task's inputs, bound to root parameters
        cdefs = (comp.get("inputDefinitions") or {})
        pvals = {}
        for pn, binding in ((t.get("inputs") or {}).get("parameters") or {}).items():
            ptype = ((cdefs.get("parameters") or {}).get(pn) or {}).get("parameterType")
            if ptype is None:
                raise BadIR("task %s: parameter %s is not in component %s's inputs" % (tname, pn, cname))
            src = binding.get("componentInputParameter")
            top = binding.get("taskOutputParameter")
            if "runtimeValue" in binding:
                pvals[pn] = param_text(binding["runtimeValue"].get("constant"), ptype)
            elif top:
                key = (top.get("producerTask"), top.get("outputParameterKey"))
                if key not in out_params:
                    raise BadIR("task %s: parameter %s comes from %s's %r, which it does not declare"
                                % (tname, pn, key[0], key[1]))
                pvals[pn] = out_params[key]
            elif src is None or src not in root_params:
                raise BadIR("task %s: parameter %s is bound to %r, no pipeline parameter" % (tname, pn, binding))
            else:
                pvals[pn] = param_text(values[src], ptype)
        # input artifacts: the producer's output, copied into this pod
        ins = {}
        for an, binding in ((t.get("inputs") or {}).get("artifacts") or {}).items():
            tao = binding.get("taskOutputArtifact") or {}
            key = (tao.get("producerTask"), tao.get("outputArtifactKey"))
            if key not in out_paths:
                raise BadIR("task %s: input artifact %s comes from %s's %r, which it does not declare"
                            % (tname, an, key[0], key[1]))
            if an not in ((cdefs.get("artifacts") or {})):
                raise BadIR("task %s: artifact %s is not in component %s's inputs" % (tname, an, cname))
            src = out_paths[key]
            dst = pod + src[len(os.path.join(root, "pods", key[0])):]
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, dst)
            else:
                shutil.copy2(src, dst)
            ins[an] = rec["inputs"][an] = dst
        # output artifacts: launcher paths, parents made
        outs = {}
        for an in ((comp.get("outputDefinitions") or {}).get("artifacts") or {}):
            path = os.path.join(pod, "minio", BUCKET, uri_key, an)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            outs[an] = rec["outputs"][an] = path
        # output parameters: a file each, which the launcher reads after
        pouts = {}
        for pn in ((comp.get("outputDefinitions") or {}).get("parameters") or {}):
            path = os.path.join(pod, "tmp", "kfp", "outputs", pn)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            pouts[pn] = rec["outputs"][pn] = path
        given = set(pvals) | set(ins)

        def resolve(s):
            def sub(m):
                io, kind, name, dotpath = m.groups()
                if kind == "parameters" and io == "inputs" and not dotpath:
                    if name not in pvals:
                        raise BadIR("task %s: {{$.inputs.parameters['%s']}} is not an input of it" % (tname, name))
                    return pvals[name]
                if kind == "parameters" and io == "outputs" and dotpath == ".output_file":
                    if name not in pouts:
                        raise BadIR("task %s: %s names no output parameter of it" % (tname, m.group(0)))
                    return pouts[name]
                if kind == "artifacts" and dotpath == ".path":
                    table = ins if io == "inputs" else outs
                    if name not in table:
                        raise BadIR("task %s: %s names no %s artifact of it" % (tname, m.group(0), io[:-1]))
                    return table[name]
                raise BadIR("task %s: unsupported placeholder %s" % (tname, m.group(0)))
            s = PLACEHOLDER.sub(sub, s)
            left = ANY_PLACEHOLDER.search(s)
            if left:
                raise BadIR("task %s: unsupported placeholder %s" % (tname, left.group(0)))
            return s

        def expand(x):
            """kfp's IfPresent and Concat structures (a custom
            component's command line): a list of arguments"""
            if isinstance(x, str) and x.startswith(("{\"IfPresent\"", "{\"Concat\"")):
                try:
                    x = json.loads(x)
                except ValueError:
                    pass
            if isinstance(x, str):
                return [resolve(x)]
            if isinstance(x, list):
                return [y for e in x for y in expand(e)]
            if "Concat" in x:
                return ["".join("".join(expand(e)) for e in x["Concat"])]
            if "IfPresent" in x:
                ip = x["IfPresent"]
                return expand(ip.get("Then") if ip["InputName"] in given else ip.get("Else", []))
            raise BadIR("task %s: unsupported structure %r" % (tname, x))

        cmd = [y for x in (c.get("command") or []) + (c.get("args") or []) for y in expand(x)]
        if not cmd:
            raise BadIR("executor of task %s has no command" % tname)
        if cmd[0].endswith("t3q-bootstrap"):
            cmd[0] = a.bootstrap
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "T3Q_PYTHON") if k in os.environ}
        env.update({k: v for k, v in os.environ.items() if k.startswith("T3Q_S3_")})
        env["T3Q_TERMINATION_LOG"] = os.path.join(pod, "termination-log")
        globs = {"{{workflow.uid}}": a.run_id, "{{workflow.name}}": "%s-v2launch" % pname,
                 "{{workflow.namespace}}": "kubeflow"}
        for e in c.get("env") or []:
            v = e.get("value", "")
            for g, r in globs.items():
                v = v.replace(g, r)
            env[e["name"]] = v
        for sec in (pexecs.get(comp["executorLabel"]) or {}).get("secretAsEnv") or []:
            for kv in sec.get("keyToEnv") or []:
                k = kv["secretKey"]
                env[kv["envVar"]] = os.environ.get(k, "") if k.startswith("AWS_") else \
                    "%s/%s" % (sec.get("secretName"), k)
        wcd = env.get("ELYRA_WRITABLE_CONTAINER_DIR")
        if wcd and wcd.startswith("/"):
            env["ELYRA_WRITABLE_CONTAINER_DIR"] = pod + wcd
        rec["command"] = cmd
        rec["pod"] = pod
        with open(os.path.join(pod, "stdout"), "wb") as so, open(os.path.join(pod, "stderr"), "wb") as se:
            rc = subprocess.call(cmd, cwd=work, env=env, stdout=so, stderr=se)
        rec["rc"] = rc
        missing = [an for an, p in list(outs.items()) + list(pouts.items()) if not os.path.exists(p)]
        rec["missing"] = missing
        if rc or missing:
            rec["status"] = "failed"
            failed.add(tname)
            print("v2launch: task %s: %s" % (tname, "exit %d" % rc if rc else
                                             "no output at " + ", ".join(dict(outs, **pouts)[m] for m in missing)),
                  file=sys.stderr)
        else:
            rec["status"] = "succeeded"
            for an, p in outs.items():
                out_paths[(tname, an)] = p
            for pn, p in pouts.items():
                with open(p, encoding="utf-8") as fh:
                    out_params[(tname, pn)] = fh.read()
        print("v2launch: task %s: %s" % (tname, rec["status"]), file=sys.stderr)
    if a.report:
        with open(a.report, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1, sort_keys=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
