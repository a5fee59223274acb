#!/usr/bin/env bash
# bench/submit.sh RESULTS.jsonl RUNS: submit latency, the t3q runtime
# against Elyra 4.0.0's own kfp runtime, on the same pipelines, from the
# CLI (`elyra-pipeline submit`) and through Jupyter Server (POST
# /elyra/pipeline/schedule, the call the editor's Run button makes), to
# the stand-in KFP 1.8 API (tests/elyra/fake_kfp.py) with the MinIO of
# bench/run (its T3Q_S3_ENDPOINT and AWS_* in the environment) as the
# object store. Run by `bench/run --only submit`.
#
# Appends measure.py's lines (ids submit.WAY.RUNTIME.PIPELINE, WAY cli or
# rest) and one {"id": "submit.phases", ...} line: the phases Elyra's
# processor logs (log_pipeline_info) in the server's log, per runtime and
# pipeline, medians over the REST runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
res=$1 runs=$2
. "$root/tests/tools/versions.sh"
ELYRA_BIN=$T3Q_ELYRA_VENV/bin
[ -x "$ELYRA_BIN/elyra-pipeline" ] ||
	{ echo "submit.sh: no Elyra 4.0.0 venv at $T3Q_ELYRA_VENV (scripts/install-test-deps)" >&2; exit 1; }
COMPILE_DIR=${T3Q_BENCH_COMPILE_DIR:-$root/build-bench/compiler}
[ -x "$COMPILE_DIR/t3q-compile" ] || { echo "submit.sh: no t3q-compile in $COMPILE_DIR" >&2; exit 1; }

S=$(mktemp -d "${TMPDIR:-/tmp}/t3q-submit.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
	rm -rf "$S"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# t3q-elyra of this tree on top of the venv, without touching it (as
# tests/elyra/elyra-lib.sh does); a private Jupyter home.
cp -r "$root/t3q-elyra" "$S/src"
rm -rf "$S/src/build" "$S/src/t3q_elyra/bin" "$S/src"/*.egg-info
"$ELYRA_BIN/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation \
	--no-compile --target "$S/site" "$S/src" >"$S/pip.log" 2>&1 ||
	{ cat "$S/pip.log" >&2; exit 1; }
export PYTHONPATH=$S/site
export JUPYTER_DATA_DIR=$S/jupyter/data JUPYTER_CONFIG_DIR=$S/jupyter/config
export JUPYTER_RUNTIME_DIR=$S/jupyter/runtime
unset ELYRA_METADATA_PATH JUPYTER_PATH JUPYTER_CONFIG_PATH ELYRA_PROCESSOR_RUNTIMES
mkdir -p "$JUPYTER_DATA_DIR" "$JUPYTER_CONFIG_DIR" "$JUPYTER_RUNTIME_DIR"
export PATH=$COMPILE_DIR:$ELYRA_BIN:$PATH
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'
free_port() {
	"$ELYRA_BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The stand-in KFP API; its bucket listing on upload is `true` (not timed
# work of either runtime).
kport=$(free_port)
mkdir -p "$S/uploads"
setsid "$ELYRA_BIN/python" "$root/tests/elyra/fake_kfp.py" "$kport" "$S/kfp.log" "$S/uploads" true \
	>"$S/fake.log" 2>&1 &
pids+=($!)
disown $!  # stopped by cleanup, without bash's "Killed" notice
for _ in $(seq 100); do curl -s "http://127.0.0.1:$kport/t3q-ready" >/dev/null && break; sleep 0.1; done

# The two runtimes, same object store, same API.
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket=submit --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --cos_auth_type=USER_CREDENTIALS
     --api_endpoint="http://127.0.0.1:$kport")
elyra-metadata create runtimes --schema_name=t3q --name=t3q --display_name=t3q "${cos[@]}" \
	--bootstrap_image=quay.io/t3q/t3q-bootstrap:0.1.0 >"$S/rt.log" 2>&1 &&
elyra-metadata create runtimes --schema_name=kfp --name=kfp --display_name=kfp \
	--runtime_type=KUBEFLOW_PIPELINES --engine=Argo "${cos[@]}" >>"$S/rt.log" 2>&1 ||
	{ cat "$S/rt.log" >&2; exit 1; }

# The pipelines: iris, and gen-pipeline.py's 50 nodes (both without
# their pipeline parameters, which Elyra 4.0.0 cannot compile); a copy of each
# file per runtime (the name is the file's stem: the server's log then
# tells the runtimes apart).
R=$S/root
mkdir -p "$R"
cp -r "$root/examples/iris" "$R/iris"
"$ELYRA_BIN/python" "$root/tests/compile/gen-pipeline.py" 50 "$R/g50" >/dev/null
for p in iris/iris g50/gen; do
	d=$(dirname "$p") b=$(basename "$p")
	"$ELYRA_BIN/python" - "$R/$p.pipeline" "$R" "$d" <<-'PY'
	import json, os, sys
	src, root, d = sys.argv[1:4]
	for rt in ("t3q", "kfp"):
	    p = json.load(open(src))
	    a = p["pipelines"][0]["app_data"]
	    a["runtime_type"] = "KUBEFLOW_PIPELINES"
	    a.setdefault("ui_data", {"comments": []})
	    a["properties"]["name"] = "%s-%s" % (d, rt)
	    # Elyra 4.0.0's own compiler cannot compile pipeline parameters
	    # (kfp 1.8: "pass_locals() got an unexpected keyword argument"):
	    # both runtimes get the pipeline without them.
	    a["properties"].pop("pipeline_parameters", None)
	    for n in p["pipelines"][0]["nodes"]:
	        n.get("app_data", {}).get("component_parameters", {}).pop("pipeline_parameters", None)
	    json.dump(p, open(os.path.join(root, d, "%s-%s.pipeline" % (d, rt)), "w"))
	    # The editor's body: node files relative to the server's root,
	    # runtime (the processor's name) and runtime_config set.
	    for n in p["pipelines"][0]["nodes"]:
	        cp = n.get("app_data", {}).get("component_parameters", {})
	        if isinstance(cp.get("filename"), str):
	            cp["filename"] = os.path.join(d, cp["filename"])
	    a.update(name="%s-%s" % (d, rt), source="%s/%s-%s.pipeline" % (d, d, rt),
	             runtime=rt, runtime_config=rt)
	    json.dump(p, open(os.path.join(root, "%s-%s.body.json" % (d, rt)), "w"))
	PY
done

# Jupyter Server with Elyra and t3q-elyra (as tests/elyra/jupyter-lib.sh).
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
jport=$(free_port)
base=http://127.0.0.1:$jport
setsid "$ELYRA_BIN/jupyter" server --allow-root --no-browser --ip=127.0.0.1 --port="$jport" \
	--ServerApp.port_retries=0 --IdentityProvider.token="$token" \
	--ServerApp.root_dir="$R" >"$S/server.log" 2>&1 &
pids+=($!)
disown $!
up=0
for _ in $(seq 1 900); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $token" "$base/api/status" || true)
	[ "$code" = 200 ] && { up=1; break; }
	sleep 0.1
done
[ "$up" = 1 ] || { cat "$S/server.log" >&2; echo "submit.sh: Jupyter Server did not start" >&2; exit 1; }

q() { printf '%q ' "$@"; }
rest() {  # PIPELINE RUNTIME: the Run button's request; non-2xx fails the run
	q curl -sS --fail-with-body -o /dev/null -H "Authorization: token $token" \
		-H "Content-Type: application/json" --data-binary "@$R/$1-$2.body.json" \
		"$base/elyra/pipeline/schedule"
}
for d in iris g50; do
	args=()
	for rt in t3q kfp; do
		args+=(--cmd "submit.cli.$rt.$d" "$(q elyra-pipeline submit --runtime-config $rt "$d-$rt.pipeline")"
		       --cmd "submit.rest.$rt.$d" "$(rest $d $rt)")
	done
	# One warm-up each: the server's first request imports the processors.
	/usr/bin/python3 "$root/bench/lib/measure.py" --out "$res" --runs "$runs" --warmup 1 \
		--cwd "$R/$d" "${args[@]}"
done

# Where the time goes inside the server: Elyra's processor logs each
# phase with its duration ("NAME - MESSAGE (N.NNN secs)").
"$ELYRA_BIN/python" - "$S/server.log" "$res" <<-'PY'
import json, re, sys
# "[I ...] RUNTIME 'NAME' - MESSAGE (N secs)", per node "... 'NAME':'NODE' - ...":
# summed per runtime, pipeline and phase over the REST runs (warm-up too),
# then divided by the number of submissions.
tot, subs = {}, {}
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"\] (t3q|kfp) '([^']+)-(?:t3q|kfp)'(:'[^']*')? - (.*?) \((\d+\.\d+) secs\)", line)
    if not m:
        continue
    rt, pl, node, msg, secs = m.groups()
    msg = re.sub(r" to$", "", re.sub(r"[: ]+'.*|: http.*", "", msg))
    key = "%s.%s" % (rt, pl)
    if node:
        msg += " (all nodes)"
    tot.setdefault(key, {}).setdefault(msg, 0.0)
    tot[key][msg] += float(secs)
    if msg.startswith("pipeline submitted"):
        subs[key] = subs.get(key, 0) + 1
out = {k: {m: round(v / max(subs.get(k, 1), 1), 4) for m, v in d.items()} for k, d in tot.items()}
open(sys.argv[2], "a").write(json.dumps({"id": "submit.phases", "phases": out, "submissions": subs}) + "\n")
PY
cp "$S/server.log" "${T3Q_BENCH_SERVER_LOG:-/dev/null}" 2>/dev/null || true
