#!/usr/bin/env bash
# KFP v2, run locally: t3q-compile --target kfp-v2 writes IR, and
# tests/tools/v2launch.py runs it as KFP's launcher would (placeholders
# resolved to /minio/<bucket>/<key> paths under a temp root, producers'
# output artifacts copied to consumers' input paths, every declared output
# checked after each task), with this build's t3q-bootstrap against MinIO.
# Pipelines: the iris example (defaults, and -p MAX_DEPTH=3 through the
# run-parameter placeholders) and up to T3Q_V2_COUNT (8) runnable ones
# from gen_pipelines.py, whose scripts check that every ancestor's outputs
# reached them. Each step's log must be in the store as <name>.log. And
# golden 055's custom components, through the harness and through t3q-run.
. "$(dirname "$0")/../lib.sh"
py=/usr/bin/python3
here=$T3Q_SRC/tests/compile
launch=$T3Q_SRC/tests/tools/v2launch.py
export T3Q_PYTHON=/usr/bin/python3
bucket=$(new_bucket)
count=${T3Q_V2_COUNT:-8}
# under ASan the bootstrap is the point; fewer pipelines keep it quick
[ -z "${T3Q_SANITIZE:-}" ] || count=3

# compile_v2 PIPELINE DIR OUT [AUTH]: IR for this MinIO, archives uploaded
compile_v2() {
	local auth=(--cos-secret v2-cos-secret)
	[ "${4:-}" = USER_CREDENTIALS ] &&
		auth=(--cos-username "$AWS_ACCESS_KEY_ID" --cos-password "$AWS_SECRET_ACCESS_KEY")
	"$T3Q_BIN/compiler/t3q-compile" "$1" --target kfp-v2 --cos-endpoint "$T3Q_S3_ENDPOINT" \
		--cos-bucket "$bucket" "${auth[@]}" --cos-directory "$2" --upload -o "$3"
}

# check_run IR REPORT: every task succeeded, its log is in the store at
# <cos-directory>/<run id>/<name>.log, every output it declares is at its
# launcher path, and every input artifact is the producer's bytes.
check_run() {
	"$py" - "$1" "$2" "$T3Q_BIN/bootstrap/t3q-bootstrap" "$bucket" <<'PY'
import filecmp, json, os, subprocess, sys, yaml
ir_path, rep_path, boot, bucket = sys.argv[1:]
docs = [d for d in yaml.safe_load_all(open(ir_path)) if d]
spec = docs[0]
rep = json.load(open(rep_path))
bad = []
def arg(args, flag):
    return args[args.index(flag) + 1] if flag in args else None
for tname, t in spec["root"]["dag"]["tasks"].items():
    r = rep.get(tname)
    if not r or r["status"] != "succeeded":
        bad.append("%s: %s" % (tname, r and r["status"]))
        continue
    comp = spec["components"][t["componentRef"]["name"]]
    declared = set(comp.get("outputDefinitions", {}).get("artifacts", {}))
    if set(r["outputs"]) != declared:
        bad.append("%s: outputs %s, declared %s" % (tname, sorted(r["outputs"]), sorted(declared)))
    for k, p in r["outputs"].items():
        if "/minio/mlpipeline/v2/artifacts/" not in p or not os.path.exists(p):
            bad.append("%s: output %s not at a launcher path: %s" % (tname, k, p))
    for k, b in (t.get("inputs", {}).get("artifacts") or {}).items():
        src = rep[b["taskOutputArtifact"]["producerTask"]]["outputs"][b["taskOutputArtifact"]["outputArtifactKey"]]
        dst = r["inputs"][k]
        same = filecmp.cmp(src, dst, shallow=False) if os.path.isfile(src) else \
            sorted(os.path.relpath(os.path.join(d, f), src) for d, _, fs in os.walk(src) for f in fs) == \
            sorted(os.path.relpath(os.path.join(d, f), dst) for d, _, fs in os.walk(dst) for f in fs)
        if not same:
            bad.append("%s: input %s differs from the producer's %s" % (tname, k, src))
    args = r["command"]
    err = open(os.path.join(r["pod"], "stderr"), errors="replace").read()
    fetched = [l for l in err.splitlines() if "downloaded " in l and ".tar.gz from bucket" not in l]
    if fetched:
        bad.append("%s: inputs came from the store, not the launcher's paths: %s" % (tname, fetched[:3]))
    if r["inputs"] and "placed artifact" not in err:
        bad.append("%s: no input was placed from its artifact path" % tname)
    f = arg(args, "--file")
    name = arg(args, "--log-name") or os.path.splitext(os.path.basename(f))[0]
    key = "%s/%s/%s.log" % (arg(args, "--cos-directory"), "v2-run-1", name)
    if subprocess.run([boot, "s3", "stat", "s3://%s/%s" % (bucket, key)], capture_output=True).returncode:
        bad.append("%s: no log s3://%s/%s" % (tname, bucket, key))
print("%d tasks checked" % len(spec["root"]["dag"]["tasks"]))
if bad:
    sys.exit("\n".join(bad))
PY
}

# iris: the example as it is, twice
cp -r "$T3Q_SRC/examples/iris" "$T/iris"
step "iris compiles to IR, archives uploaded" compile_v2 "$T/iris/iris.pipeline" v2/iris "$T/iris.yaml"
run_iris() {  # ROOT [-p ...]
	local root=$1
	shift
	"$py" "$launch" "$T/iris.yaml" --bootstrap "$T3Q_BIN/bootstrap/t3q-bootstrap" --root "$root" \
		--report "$root.json" "$@"
}
step "iris runs through the launcher harness (defaults)" run_iris "$T/iris-1"
step "iris: every task succeeded, logs in the store, outputs at launcher paths and passed on" \
	check_run "$T/iris.yaml" "$T/iris-1.json"
step "iris runs with -p MAX_DEPTH=3" run_iris "$T/iris-3" -p MAX_DEPTH=3
accuracy() {  # ROOT: the evaluate task's mlpipeline-metrics artifact
	"$py" -c "
import json, sys
rep = json.load(open(sys.argv[1] + '.json'))
m = json.load(open(rep['evaluate']['outputs']['mlpipeline-metrics']))
print({x['name']: x['numberValue'] for x in m['metrics']}['accuracy'])" "$1"
}
better() {
	local a1 a3
	a1=$(accuracy "$T/iris-1") && a3=$(accuracy "$T/iris-3") &&
	echo "accuracy: MAX_DEPTH=1 $a1, MAX_DEPTH=3 $a3" &&
	"$py" -c "import sys; sys.exit(not (float(sys.argv[1]) < 0.8 < float(sys.argv[2])))" "$a1" "$a3"
}
step "the run parameter reached the notebook: the metrics artifact shows the deeper tree's accuracy" better
sed 's/^/# /' "$T/step.out"
markdown() {
	local md
	md=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['evaluate']['outputs']['mlpipeline-markdown'])" "$T/iris-1.json")
	grep -q '## t3q: evaluate.py' "$md" && grep -q '|' "$md"
}
step "iris: the markdown artifact holds the evaluation's markdown and t3q's summary" markdown

# generated pipelines: the runnable ones t3q compiles
"$py" "$here/gen_pipelines.py" --seed 21 --count 60 --out "$T/cases" >/dev/null
run_generated() {
	local n=0 id dir pipe auth rc
	for c in "$T"/cases/*/case.json; do
		[ "$n" -lt "$count" ] || break
		read -r pipe auth < <("$py" -c "
import json, sys
c = json.load(open(sys.argv[1]))
ok = c['runnable'] and not c['invalid'] and sum(map(len, c['outputs'].values())) >= 2 and \
    any(c['ancestors'].values())
print(c['elyra'] if ok else '-', c['auth'])" "$c")
		[ "$pipe" != - ] || continue
		dir=$(dirname "$c")
		id=$(basename "$dir")
		compile_v2 "$dir/$pipe" "v2/gen-$id" "$T/gen-$id.yaml" "$auth" >"$T/gen-$id.compile" 2>&1 ||
			{ echo "$id: t3q-compile refused it:"; tail -3 "$T/gen-$id.compile"; continue; }
		n=$((n + 1))
		rc=0
		"$py" "$launch" "$T/gen-$id.yaml" --bootstrap "$T3Q_BIN/bootstrap/t3q-bootstrap" \
			--root "$T/gen-$id" --report "$T/gen-$id.json" >"$T/gen-$id.out" 2>&1 || rc=$?
		if [ "$rc" != 0 ]; then
			echo "$id: the harness exits $rc"; tail -5 "$T/gen-$id.out"
			for e in "$T/gen-$id"/pods/*/stdout; do grep -h MISSING "$e" || true; done
			return 1
		fi
		check_run "$T/gen-$id.yaml" "$T/gen-$id.json" || { echo "in $id"; return 1; }
		echo "$id: $("$py" -c "import json,sys; print(len(json.load(open(sys.argv[1]))), 'tasks')" "$T/gen-$id.json") succeeded"
	done
	echo "$n generated pipelines ran"
	[ "$n" -ge $((count < 3 ? count : 3)) ]
}
step "generated pipelines run through the harness; each script found its ancestors' outputs" run_generated
sed 's/^/# /' "$T/step.out"

# the harness itself must fail: a step that leaves out a declared output,
# and a dangling reference in the IR
"$py" - "$T/iris.yaml" "$T/broken.yaml" "$T/dangling.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
spec = docs[0]
args = spec["deploymentSpec"]["executors"]["exec-load-data"]["container"]["args"]
i = args.index("--artifact-output")
del args[i:i + 2]       # the bootstrap no longer writes that output
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
spec["root"]["dag"]["tasks"]["train"]["componentRef"]["name"] = "comp-nowhere"
yaml.safe_dump_all(docs, open(sys.argv[3], "w"))
PY
missing_output() {
	! "$py" "$launch" "$T/broken.yaml" --bootstrap "$T3Q_BIN/bootstrap/t3q-bootstrap" --root "$T/broken" \
		--report "$T/broken.json" 2>"$T/broken.err" &&
	grep -q "task load-data: no output at" "$T/broken.err" &&
	"$py" -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r['train']['status'] != 'skipped')" "$T/broken.json"
}
step "harness: a declared output left unwritten fails the task, its descendants skipped" missing_output
dangling() {
	local rc=0
	"$py" "$launch" "$T/dangling.yaml" --bootstrap "$T3Q_BIN/bootstrap/t3q-bootstrap" --root "$T/dangling" \
		2>"$T/dangling.err" || rc=$?
	cat "$T/dangling.err"
	[ "$rc" = 2 ] && grep -q "task train: component 'comp-nowhere' does not exist" "$T/dangling.err"
}
step "harness: a dangling component reference is a bad IR (2)" dangling

# Custom components (KFP v1 component YAML compiled as kfp 2 does): golden
# 055's IR through the harness, with a run parameter, constants, an
# output parameter passed on (taskOutputParameter), Dataset artifacts, and
# kfp's IfPresent and Concat structures; and t3q-run runs the same
# pipeline on this host, as it runs v1's custom components.
g055=$here/055-custom-component-v2
custom_v2() {
	"$py" "$launch" "$g055/expected-v2.yaml" --bootstrap "$T3Q_BIN/bootstrap/t3q-bootstrap" \
		--root "$T/c55" -p greeting=changed --report "$T/c55.json" &&
	"$py" - "$T/c55.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
echo, use = r["echo-args"], r["consume"]
assert echo["status"] == use["status"] == "succeeded", r
cmd = echo["command"]
# the Concat, IfPresent's Then (ratio, flag, note given), JSON constant
for want in (["changed", "n=3"], ["--ratio", "0.5"], ["--flag", "true"], ["--note=it's \"quoted\" ✓"], ['{"b":[1,2]}']):
    assert any(cmd[i:i + len(want)] == want for i in range(len(cmd))), (want, cmd)
model = open(use["outputs"]["model_out"], encoding="utf-8").read()
assert model.startswith("changed n=3") and model.endswith("|ünï\n"), model
text = open(echo["outputs"]["out_text"], encoding="utf-8").read()
assert use["command"][3] == text, (use["command"][3], text)  # the output parameter's text, passed on
print("ok: %s" % model.splitlines()[0][:60])
PY
}
step "a custom-component IR runs through the harness: constants, a run parameter, an output parameter, IfPresent, Concat" custom_v2
host_run() {
	mkdir -p "$T/c55-host" && cp "$g055"/*.yaml "$g055"/*.pipeline "$T/c55-host/" &&
	(cd "$T/c55-host" && "$T3Q_BIN/runner/t3q-run" pipeline.pipeline --work "$T/c55-host/w" -p greeting=changed) &&
	model=$(cat "$T/c55-host"/w/run-*/consume-it/outputs/Model_out/data) &&
	case "$model" in "changed n=3"*"|ünï") ;; *) echo "model: $model"; false ;; esac
}
step "t3q-run runs the same pipeline's custom components on this host" host_run
finish
