#!/usr/bin/env bash
# Custom components on --target kfp-v2 (issue #23 item 3) against Elyra
# 4.1.1's own export (kfp 2.17.3), and against kfp 2.17.3's own compile of
# the same components:
#  - custom_diff.py gen --v2 writes T3Q_CUSTOM41_COUNT (100) pipelines
#    (seed T3Q_CUSTOM41_SEED, 2) mixing notebooks and components of a
#    local-directory-catalog: three of its own typed as KFP v2 types them
#    (concat, if/isPresent, env, JsonObject, Bool, output parameters,
#    Dataset/Model artifacts) and the examples catalog's download, filter
#    and hash (Elyra 4.1.1 has no examples connector, so they are files of
#    the same catalog); inputs from widgets, run parameters and upstream
#    outputs, now and then of a type kfp 2 refuses; and the goldens with
#    custom nodes (their components copied into that catalog) as 9NNN;
#  - Elyra 4.1.1 exports them all in one process (batch_export.py);
#  - what Elyra exports, t3q compiles, and the two agree field by field
#    (peer.py, its ALLOW list, the same as t-elyra41-diff's);
#  - what Elyra refuses, t3q refuses, but for peer.py's REFUSED list
#    (Elyra 4.1.1's own bugs), each entry needed and in docs/parity.md;
#  - every IR t3q wrote, and the goldens with custom nodes, equal kfp's own
#    compile of the same components and arguments, node by node (kfp_ref.py:
#    input/output definitions, executor command/args/env, task inputs);
#  - kfp_ref.py and the golden fail when the placeholder mapping is broken.
# Skips under ASan and without the Elyra 4.1.1 venv, the examples catalog
# (from the Elyra 4.0.0 venv) or MinIO of scripts/install-test-deps.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -z "${T3Q_SANITIZE:-}" ] || skip_all "the Elyra 4.1.1 comparison runs in the plain build only"
[ -x "$T3Q_ELYRA41_VENV/bin/python" ] || skip_all "no Elyra 4.1.1 venv at $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
[ -x "$T3Q_MINIO_BIN" ] || skip_all "no MinIO at $T3Q_MINIO_BIN: run scripts/install-test-deps"
examples=$(dirname "$(t3q_elyra_pkg)")/kfp_examples_connector/resources
[ -d "$examples" ] || skip_all "no elyra-examples-kfp-catalog in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
count=${T3Q_CUSTOM41_COUNT:-100}
seed=${T3Q_CUSTOM41_SEED:-2}
py=/usr/bin/python3
py41=$T3Q_ELYRA41_VENV/bin/python
here=$T3Q_SRC/tests/compile
peer=$T3Q_SRC/tests/tools/elyra41/peer.py
ref=$T3Q_SRC/tests/tools/elyra41/kfp_ref.py
unset T3Q_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

mkdir -p "$T/rt" "$T/report"
"$py" "$T3Q_SRC/tests/tools/elyra/runtime-config.py" USER_CREDENTIALS >"$T/rt/rt.json"
gen() {
	"$py" "$here/custom_diff.py" gen --v2 --seed "$seed" --count "$count" --out "$T/cases" \
		--examples "$examples" || return 1
	# the goldens with custom nodes, as cases 9NNN: their components
	# copied into the catalog's directory, their nodes naming it
	"$py" - "$T/cases" "$here"/0[0-9][0-9]-*/ <<'PY' || return 1
import hashlib, json, os, shutil, sys
root, dirs = sys.argv[1], sys.argv[2:]
compdir = os.path.join(root, "components")
for d in dirs:
    p = os.path.join(d, "pipeline.pipeline")
    if not os.path.exists(p) or "component_source" not in open(p).read():
        continue
    case = str(9000 + int(os.path.basename(d.rstrip("/"))[:3]))
    os.makedirs(os.path.join(root, case))
    doc = json.load(open(p))
    for n in doc["pipelines"][0]["nodes"]:
        src = json.loads(n["app_data"].get("component_source") or "null")
        if not src:
            continue
        f = "g%s_%s" % (case, src["component_ref"]["path"])
        if not os.path.exists(os.path.join(compdir, f)):
            shutil.copy(os.path.join(d, src["component_ref"]["path"]), os.path.join(compdir, f))
        n["op"] = "local-directory-catalog:" + hashlib.sha256(f.encode()).hexdigest()[:12]
        n["app_data"]["component_source"] = json.dumps({"catalog_type": "local-directory-catalog",
                                                        "component_ref": {"base_dir": compdir, "path": f}})
    json.dump(doc, open(os.path.join(root, case, "c%s.pipeline" % case), "w"), indent=1, ensure_ascii=False)
    print("golden %s as case %s" % (os.path.basename(d.rstrip("/")), case))
PY
	local d i
	for d in "$T/cases"/[0-9]*/; do
		i=$(basename "$d")
		printf '{"elyra": "c%s.pipeline", "t3q": ["c%s.pipeline"], "auth": "rt", "refusals": true}\n' \
			"$i" "$i" >"$d/case.json"
	done
}
step "generate $count pipelines with custom components typed for KFP v2 (seed $seed), and stage the goldens'" gen
sed 's/^/# /' "$T/step.out"
step "every value class of custom_diff.py --v2 was generated" "$py" "$here/custom_diff.py" classes "$T/cases" --v2
ncases=$(ls -d "$T/cases"/[0-9]*/ | wc -l)
export_all() {
	"$py" "$here/custom_diff.py" list "$T/cases" rt >"$T/list.jsonl" &&
	T3Q_ELYRA_CATALOG_DIR=$T/cases/catalogs "$py41" "$T3Q_SRC/tests/tools/elyra/batch_export.py" \
		--minio "$T3Q_MINIO_BIN" --list "$T/list.jsonl" --out "$T/elyra" --runtime "rt=$T/rt/rt.json" &&
	[ "$(ls "$T/elyra"/*/result.json | wc -l)" = "$ncases" ]
}
step "Elyra 4.1.1 exports (or refuses) every pipeline, in one process" export_all
step "t3q-compile --target kfp-v2 every pipeline, and compare" \
	"$py" "$peer" check "$T/cases" "$T/elyra" "$T3Q_BIN" "$T/rt" "$T/report"
sed 's/^/# /' "$T/step.out"

step "what Elyra 4.1.1 exports, t3q compiles to IR" empty_report "$T/report/compiled.txt"
step "the IRs agree field by field, but for peer.py's allow-list" empty_report "$T/report/fields.txt"
step "what Elyra 4.1.1 refuses, t3q refuses, but for peer.py's REFUSED list" empty_report "$T/report/refused.txt"
# Enough of each outcome, and custom tasks of every input kind compared.
enough() {
	"$py" - "$T/report" <<'PY'
import json, os, sys, yaml
rep = sys.argv[1]
s = json.load(open(os.path.join(rep, "stats.json")))
kinds = {}
for y in open(os.path.join(rep, "irs.txt")).read().split():
    spec = [d for d in yaml.safe_load_all(open(y)) if d][0]
    for t in spec["root"]["dag"]["tasks"].values():
        for kind in ("parameters", "artifacts"):
            for x in (t.get("inputs") or {}).get(kind, {}).values():
                k = next(iter(x))
                kinds[k] = kinds.get(k, 0) + 1
print("stats %s; custom task inputs compared with Elyra's: %s" % (json.dumps(s), json.dumps(kinds, sort_keys=True)))
want = ("runtimeValue", "componentInputParameter", "taskOutputParameter", "taskOutputArtifact")
missing = [k for k in want if not kinds.get(k)]
if missing or s["compared"] < 10 or s["both-refuse"] < 10 or s["refused-explained"] < 5:
    sys.exit("too little compared: %s" % (missing or s))
PY
}
step "at least 10 exported and compared, 10 refused by both, 5 refused by Elyra alone; every input kind" enough
sed 's/^/# /' "$T/step.out"
step "every REFUSED entry is needed" "$py" "$peer" --unused-refused "$T/report/used"
step "every allow-list entry for custom nodes is needed" "$py" "$peer" --unused-custom "$T/report/used"
step "docs/parity.md's table lists exactly the allow-list and REFUSED" "$py" "$peer" --readme "$T3Q_SRC/docs/parity.md"

# kfp's own compile of the same components and arguments.
kfp_all() {
	local pairs=() p y
	while IFS=$'\t' read -r p y; do pairs+=("$p" "$y"); done <"$T/report/pairs.txt"
	for d in "$here"/0[0-9][0-9]-*/; do
		if [ -f "$d/expected-v2.yaml" ] && grep -q component_source "$d"/*.pipeline; then
			pairs+=("$(ls "$d"/*.pipeline | head -1)" "$d/expected-v2.yaml")
		fi
	done
	"$py41" "$ref" "${pairs[@]}"
}
step "every IR t3q wrote for custom nodes, and the goldens', equal kfp 2.17.3's own compile" kfp_all
tail -1 "$T/step.out" | sed 's/^/# /'
# The placeholder mapping must be able to fail: the golden's IR with an
# output parameter spelt as an artifact path, an input value as a path,
# and a concat as a plain string, each reported.
broken() {
	local g=$here/055-custom-component-v2 what
	for what in "s/.output_file}}/.path}}/" "s/parameters\['message'\]}}/artifacts['message'].path}}/" \
		"s/{\\\\\"Concat\\\\\": \[\\\\\"n=\\\\\", /{\\\\\"Concat\\\\\": [\\\\\"m=\\\\\", /"; do
		sed "$what" "$g/expected-v2.yaml" >"$T/broken.yaml"
		! cmp -s "$g/expected-v2.yaml" "$T/broken.yaml" || { echo "sed '$what' changed nothing"; return 1; }
		! "$py41" "$ref" "$g/pipeline.pipeline" "$T/broken.yaml" >"$T/broken.out" ||
			{ echo "kfp_ref.py missed: $what"; return 1; }
		grep -q "executor" "$T/broken.out" || { cat "$T/broken.out"; return 1; }
	done
}
step "kfp_ref.py reports a broken placeholder mapping" broken
finish
