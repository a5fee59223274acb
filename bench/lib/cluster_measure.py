#!/usr/bin/env python3
"""bench/cluster's figures, from what one run left behind.

    cluster_measure.py run DIR          DIR/wf.json, DIR/pods.json, DIR/logs/POD.log
                                        and POD.init.log (kubectl logs --timestamps
                                        of main and of Argo's init) -> DIR/run.json
    cluster_measure.py report OUT.md ARGO COMMIT NOTE DIR...
                                        the runs' medians and ratios, as markdown
    cluster_measure.py splice RESULTS.md OUT.md
                                        OUT.md as bench/cluster's section of
                                        RESULTS.md (replaced, or appended)

Per step (one pod): its start (status.startTime), the user code's start and
end (the bootstrap's own lines "... - executing ..." and "... execution
completed", t3q-bootstrap's and bootstrapper.py's alike, as the log
timestamps say), and the pod's end (the last container's finishedAt).
Kubernetes stamps pods to the second; log lines to the nanosecond. So
also, to the nanosecond: Argo's init container's first log line (argoexec
starting, the first process of every pod of both tools) to the user
code's start. Per run: the workflow's startedAt to finishedAt.
"""
import datetime
import json
import os
import re
import statistics
import sys

START = re.compile(r"' - executing ")
END = re.compile(r" execution completed")


def ts(s):
    """An RFC 3339 time (Kubernetes' or a log line's) as epoch seconds."""
    s = s.rstrip("Z")
    frac = 0.0
    if "." in s:
        s, f = s.split(".", 1)
        frac = float("0." + f)
    d = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp() + frac


def first_time(path):
    """The timestamp of a log's first line (None if it has none)."""
    try:
        with open(path, errors="replace") as f:
            line = f.readline()
    except OSError:
        return None
    stamp = line.partition(" ")[0]
    return ts(stamp) if stamp[:2] == "20" else None


def log_times(path):
    """The log timestamps of the user code's start and end lines."""
    start = end = None
    with open(path, errors="replace") as f:
        for line in f:
            stamp, _, text = line.partition(" ")
            if start is None and START.search(text):
                start = ts(stamp)
            elif END.search(text):
                end = ts(stamp)
    return start, end


def measure_run(d):
    wf = json.load(open(os.path.join(d, "wf.json")))
    pods = json.load(open(os.path.join(d, "pods.json")))["items"]
    st = wf["status"]
    run = {"workflow": wf["metadata"]["name"], "phase": st.get("phase"),
           "wall": ts(st["finishedAt"]) - ts(st["startedAt"]), "steps": []}
    for p in pods:
        name = p["metadata"]["name"]
        node = p["metadata"].get("annotations", {}).get("workflows.argoproj.io/node-name", name)
        cs = p["status"].get("containerStatuses", []) + p["status"].get("initContainerStatuses", [])
        ends = [ts(c["state"]["terminated"]["finishedAt"]) for c in cs if "terminated" in c.get("state", {})]
        start, end = log_times(os.path.join(d, "logs", name + ".log"))
        if start is None or end is None or not ends:
            raise SystemExit("cluster_measure.py: %s: pod %s has no user code start/end line "
                             "in its log or no finished container" % (d, name))
        pod_start = ts(p["status"]["startTime"])
        main = [c for c in p["status"].get("containerStatuses", []) if c["name"] == "main"]
        main_start = ts(main[0]["state"]["terminated"]["startedAt"]) if main else float("nan")
        init = first_time(os.path.join(d, "logs", name + ".init.log"))
        if init is None:
            raise SystemExit("cluster_measure.py: %s: pod %s: no timestamped line in its init "
                             "container's log %s.init.log" % (d, name, name))
        run["steps"].append({"node": node.rsplit(".", 1)[-1], "pod": name,
                             "start_to_main": main_start - pod_start, "main_to_user": start - main_start,
                             "start_to_user": start - pod_start, "user": end - start,
                             "init_to_user": start - init,
                             "user_to_done": max(ends) - end})
    return run


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def times(a, b):
    """How many times b goes into a (inf when b is not positive)."""
    return a / b if b > 0 else float("inf")


def report(out, argo, commit, note, dirs):
    runs = {}
    for d in dirs:
        r = json.load(open(os.path.join(d, "run.json")))
        case, tool = os.path.basename(d).split("-")[:2]
        runs.setdefault(case, {}).setdefault(tool, []).append(r)
    rows, checks = [], []
    labels = {"t3q": "", "t3qimg": " (t3q --bootstrap=in-image)", "t3qcos": " (t3q --data-passing cos)"}
    pairs = [(c, t) for c in ("chain", "iris", "fan", "big") for t in ("t3q", "t3qimg", "t3qcos")]
    for case, t3q in pairs:
        if t3q not in runs.get(case, {}):
            continue
        fig = {}
        for tool in ("t3q", "elyra"):
            rs = runs[case].get(t3q if tool == "t3q" else tool, [])
            steps = [s for r in rs for s in r["steps"]]
            fig[tool] = {"n": len(rs), "wall": med([r["wall"] for r in rs]),
                         "walls": [round(r["wall"]) for r in rs],
                         "s2u": med([s["start_to_user"] for s in steps]),
                         "u2d": med([s["user_to_done"] for s in steps]),
                         "i2u": med([s["init_to_user"] for s in steps])}
        t, e = fig["t3q"], fig["elyra"]
        label = case + labels[t3q]
        s2u, i2u = times(e["s2u"], t["s2u"]), times(e["i2u"], t["i2u"])
        rows.append("| %s | %d / %d | %.0f s %s | %.0f s %s | %.2f | %.2f s | %.2f s | %.1f× | %.3f s | %.3f s | %.1f× | %.2f s | %.2f s |" % (
            label, t["n"], e["n"], t["wall"], t["walls"], e["wall"], e["walls"], t["wall"] / e["wall"],
            t["s2u"], e["s2u"], s2u, t["i2u"], e["i2u"], i2u, t["u2d"], e["u2d"]))
        if not e["n"]:
            continue
        if case == "chain":
            ratio = t["wall"] / e["wall"]
            checks.append("- %s, wall time t3q/Elyra: **%.2f** (target ≤ 0.5): **%s**" % (
                "10-node chain" + labels[t3q], ratio, "MET" if ratio <= 0.5 else "MISSED"))
        checks.append("- %s, per-step pod start → user code, Elyra/t3q: **%.1f×** (target ≥ 10×): **%s**" % (
            label, s2u, "MET" if s2u >= 10 else "MISSED"))
        checks.append("  - the same from Argo's init container's start, to the nanosecond: "
                      "%.3f s against %.3f s, %.1f×" % (t["i2u"], e["i2u"], i2u))
    with open(out, "w") as f:
        f.write("Argo %s, t3q at commit %s, %s. %s\n\n" % (
            argo, commit, datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"), note))
        f.write("| pipeline | runs t3q / Elyra | wall t3q (runs) | wall Elyra (runs) | ratio | "
                "pod start → user code, t3q | Elyra | Elyra/t3q | "
                "Argo's init starts → user code, t3q | Elyra | Elyra/t3q | "
                "user code end → pod done, t3q | Elyra |\n")
        f.write("|---" * 13 + "|\n")
        f.write("\n".join(rows) + "\n\n" + "\n".join(checks) + "\n")
        f.write("\nMedians over every step of every run; Kubernetes stamps a pod's start and its "
                "containers' start and end to the second, so each step's figure from those is ±1 s; "
                "\"Argo's init starts\" is the first log line of Argo's init container (argoexec, "
                "the first process of every pod of both tools), stamped to the nanosecond.\n")


B, E = "<!-- bench/cluster -->", "<!-- /bench/cluster -->"


def splice(path, body_path):
    body = open(body_path).read()
    sec = ("%s\n## bench/cluster: t3q and Elyra 4.0.0 on the cluster\n\n"
           "Written by `bench/cluster` (do not edit; `bench/run` keeps it). "
           "What it runs and measures: [README.md](README.md).\n\n%s%s\n" % (B, body, E))
    try:
        old = open(path).read()
    except OSError:
        old = ""
    b, e = old.find(B), old.find(E)
    if 0 <= b < e:
        new = old[:b] + sec + old[e + len(E):].lstrip("\n")
    else:
        new = old.rstrip("\n") + "\n\n" + sec
    with open(path, "w") as f:
        f.write(new)


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "run":
        json.dump(measure_run(a[1]), open(os.path.join(a[1], "run.json"), "w"), indent=1)
        return 0
    if len(a) == 3 and a[0] == "splice":
        splice(a[1], a[2])
        return 0
    if len(a) >= 6 and a[0] == "report":
        report(a[1], a[2], a[3], a[4], a[5:])
        return 0
    print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
