#!/usr/bin/env bash
# t3q-compile --target kfp-v2 against Elyra 4.1.1's own export (kfp 2.17.3,
# KFP v2 IR), on the golden cases, the iris example and T3Q_DIFF41_COUNT
# (100) pipelines from gen_pipelines.py (seed T3Q_DIFF41_SEED, 41), with
# the same runtime configuration (USER_CREDENTIALS or KUBERNETES_SECRET):
# Elyra exports them all in one process (tests/tools/elyra/batch_export.py,
# its CLI's own export command, run in the Elyra 4.1.1 venv), t3q compiles
# each, and tests/tools/elyra41/peer.py compares them field by field:
# images, env and secrets, resources, PVC mounts, tolerations, labels and
# annotations, parameters (names, types, defaults), the DAG (tasks and
# dependencies) and each bootstrapper flag. Every difference must be in
# peer.py's ALLOW list, every ALLOW entry must be needed, and docs/parity.md's
# table must list exactly the ALLOW entries.
# Skips under ASan (a peer check: it runs once) and without the Elyra 4.1.1
# venv or MinIO of scripts/install-test-deps.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -z "${T3Q_SANITIZE:-}" ] || skip_all "the Elyra 4.1.1 comparison runs in the plain build only"
[ -x "$T3Q_ELYRA41_VENV/bin/python" ] && [ -x "$T3Q_ELYRA41_VENV/bin/elyra-pipeline" ] ||
	skip_all "no Elyra 4.1.1 venv at $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
[ -x "$T3Q_MINIO_BIN" ] || skip_all "no MinIO at $T3Q_MINIO_BIN: run scripts/install-test-deps"
count=${T3Q_DIFF41_COUNT:-100}
seed=${T3Q_DIFF41_SEED:-41}
py=/usr/bin/python3
here=$T3Q_SRC/tests/compile
peer=$T3Q_SRC/tests/tools/elyra41/peer.py
# Credentials come from the runtime configuration only, not the S3 fixture's.
unset T3Q_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

mkdir -p "$T/rt" "$T/report"
"$py" "$T3Q_SRC/tests/tools/elyra/runtime-config.py" USER_CREDENTIALS >"$T/rt/USER_CREDENTIALS.json"
"$py" "$T3Q_SRC/tests/tools/elyra/runtime-config.py" KUBERNETES_SECRET peer-cos-secret >"$T/rt/KUBERNETES_SECRET.json"

step "generate $count pipelines (seed $seed)" \
	"$py" "$here/gen_pipelines.py" --seed "$seed" --count "$count" --out "$T/cases"
# The goldens (not the error cases) and the example, as cases of the same
# layout, alternating the two auth types; missing node files get stand-ins.
stage() {
	local d name i=0 auth
	for d in "$here"/0[0-9][0-9]-*/ "$T3Q_SRC/examples/iris/"; do
		name=$(basename "$d")
		[ "$name" = iris ] && name=example-iris
		auth=KUBERNETES_SECRET
		[ $((i++ % 2)) = 1 ] && auth=USER_CREDENTIALS
		mkdir -p "$T/cases/$name" && cp -r "$d" "$T/cases/$name/src" || return 1
		rm -f "$T/cases/$name/src/expected.yaml" "$T/cases/$name/src/args"
		p=$(cd "$T/cases/$name/src" && ls *.pipeline | head -1)
		"$py" "$here/elyra_peer.py" --stage "$T/cases/$name/src/$p" || return 1
		printf '{"elyra": "src/%s", "t3q": ["src/%s"], "auth": "%s", "invalid": null, "runnable": false, "outputs": {}, "ancestors": {}}\n' \
			"$p" "$p" "$auth" >"$T/cases/$name/case.json"
	done
	# Elyra 4.1.1 cannot export iris itself (its generated kfp DSL fails on
	# parameter names with capitals, as 4.0.0's), so a copy with them in
	# lower case is compared too.
	cp -r "$T/cases/example-iris" "$T/cases/example-iris-lower" &&
	"$py" - "$T/cases/example-iris-lower/src/iris.pipeline" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
props = doc["pipelines"][0]["app_data"]["properties"]
names = {p["name"] for p in props["pipeline_parameters"]}
for p in props["pipeline_parameters"]:
    p["name"] = p["name"].lower()
for n in doc["pipelines"][0]["nodes"]:
    cp = n["app_data"].get("component_parameters") or {}
    if "pipeline_parameters" in cp:
        cp["pipeline_parameters"] = [x.lower() if x in names else x for x in cp["pipeline_parameters"]]
json.dump(doc, open(sys.argv[1], "w"), indent=1)
PY
}
step "stage the goldens and the example" stage

export_all() {
	"$py" "$here/elyra_diff.py" list "$T/cases" "$T/rt" >"$T/list.jsonl" &&
	"$T3Q_ELYRA41_VENV/bin/python" "$T3Q_SRC/tests/tools/elyra/batch_export.py" \
		--minio "$T3Q_MINIO_BIN" --list "$T/list.jsonl" --out "$T/elyra" \
		--runtime "USER_CREDENTIALS=$T/rt/USER_CREDENTIALS.json" \
		--runtime "KUBERNETES_SECRET=$T/rt/KUBERNETES_SECRET.json" &&
	[ "$(ls "$T/elyra"/*/result.json | wc -l)" = "$(wc -l <"$T/list.jsonl")" ]
}
step "Elyra 4.1.1 exports (or refuses) every pipeline, in one process" export_all
step "t3q-compile --target kfp-v2 every pipeline Elyra exported, and compare" \
	"$py" "$peer" check "$T/cases" "$T/elyra" "$T3Q_BIN" "$T/rt" "$T/report"
sed 's/^/# /' "$T/step.out"

step "what Elyra 4.1.1 exports, t3q compiles to IR" empty_report "$T/report/compiled.txt"
step "the IRs agree field by field, but for peer.py's allow-list" empty_report "$T/report/fields.txt"
enough() {  # the example, goldens and generated pipelines were compared
	"$py" - "$T/report" "$T/elyra" <<'PY'
import json, os, sys
rep, out = sys.argv[1:]
s = json.load(open(os.path.join(rep, "stats.json")))
irs = open(os.path.join(rep, "irs.txt")).read()
gold = sum(1 for d in os.listdir(out) if d[:1] == "0" and "-" in d and os.path.exists(os.path.join(out, d, "t3q-v2-src.yaml")))
gen = sum(1 for d in os.listdir(out) if d.isdigit() and json.load(open(os.path.join(out, d, "result.json")))["exported"])
print("compared %d pipelines (%d nodes): the example, %d goldens, %d generated" % (s["compared"], s["nodes"], gold, gen))
sys.exit(0 if "example-iris-lower" in irs and gold >= 5 and gen >= 25 else "too few pipelines compared")
PY
}
step "the example, at least 5 goldens and 25 generated pipelines were compared" enough
sed 's/^/# /' "$T/step.out"
# The comparison must be able to fail: t3q's IR of the example, changed in
# fields the allow-list does not excuse, must be reported, each by name.
broken() {
	local e=$T/elyra/example-iris-lower
	"$py" - "$e/t3q-v2-src.yaml" "$T/broken.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
spec, plat = docs
ex = spec["deploymentSpec"]["executors"]["exec-train"]["container"]
ex["image"] = "quay.io/other/image:2"
ex["env"][0]["value"] = "changed"
spec["root"]["inputDefinitions"]["parameters"]["max_depth"]["defaultValue"] = 4
spec["root"]["dag"]["tasks"]["load-data"]["dependentTasks"] = ["train"]
plat["platforms"]["kubernetes"]["deploymentSpec"]["executors"]["exec-train"]["podMetadata"]["labels"]["x"] = "y"
yaml.safe_dump_all(docs, open(sys.argv[2], "w"), allow_unicode=True)
PY
	! "$py" "$peer" "$e/elyra.yaml" "$T/broken.yaml" >"$T/broken.out" || { echo "peer.py found nothing"; return 1; }
	grep DIFFERENT "$T/broken.out"
	for f in container.image env.ELYRA_RUNTIME_ENV "pipeline.parameters\[max_depth\].defaultValue" \
		task.dependentTasks k8s.labels.x; do
		grep -q "^DIFFERENT: .*: $f: " "$T/broken.out" || { echo "not reported: $f"; return 1; }
	done
	[ "$(grep -c '^DIFFERENT' "$T/broken.out")" = 5 ]
}
step "peer.py reports a changed image, env value, default, dependency and label, and nothing else" broken
step "every allow-list entry is needed" "$py" "$peer" --unused "$T/report/used"
step "docs/parity.md's table lists exactly the allow-list" "$py" "$peer" --readme "$T3Q_SRC/docs/parity.md"
finish
