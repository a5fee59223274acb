#!/usr/bin/env bash
# t3q-compile --target kfp-v2 (issue #14 part 2) against KFP's own code, in
# the Elyra 4.1.1 venv (kfp 2.17.3, kfp-pipeline-spec, kfp-kubernetes),
# all files in one process (check_ir.py): the IR goldens
# (tests/compile/*/expected-v2.yaml, kept current by run-case.sh), the
# example's (examples/*/<name>-v2.yaml), and ~100 generated pipelines
# (gen_pipelines.py, seed fixed; T3Q_IR_COUNT=N for more), which must also
# compile for both targets alike (ir_corpus.py) and say the same about each
# step on both (ir_v1_agree.py). check_ir.py must reject broken copies of
# the goldens, and ir_v1_agree.py a changed one, so that both can fail.
# T3Q_UPDATE_GOLDEN=1 rewrites the example's IR. Skips under ASan (the
# compiles there run in run-case.sh) and without the venv.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -z "${T3Q_SANITIZE:-}" ] || skip_all "the kfp checks run in the plain build only"
py41=$T3Q_ELYRA41_VENV/bin/python
[ -x "$py41" ] || skip_all "no Elyra 4.1.1 venv at $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
"$py41" -c 'import kfp.kubernetes, kfp.pipeline_spec' 2>/dev/null ||
	skip_all "kfp-kubernetes missing in $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
here=$T3Q_SRC/tests/compile
compile=$T3Q_BIN/compiler/t3q-compile
count=${T3Q_IR_COUNT:-100}
seed=${T3Q_IR_SEED:-10}
# The runtime configuration's credentials only.
unset T3Q_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

examples=()
for dir in "$T3Q_SRC"/examples/*/; do
	name=$(basename "$dir")
	fresh() {
		local args=()
		while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done <"$dir/compile.args"
		(cd "$dir" && "$compile" "$name.pipeline" "${args[@]}" --target kfp-v2 -o "$T/$name-v2.yaml") &&
		if [ -n "${T3Q_UPDATE_GOLDEN:-}" ]; then cp "$T/$name-v2.yaml" "$dir/$name-v2.yaml"; fi &&
		diff -u "$dir/$name-v2.yaml" "$T/$name-v2.yaml"
	}
	step "examples/$name/$name-v2.yaml is what --target kfp-v2 makes of it" fresh
	examples+=("$dir/$name-v2.yaml")
done

goldens=("$here"/[0-9]*/expected-v2.yaml)
step "the IR goldens and the example pass kfp's parsers and the reference check" \
	"$py41" "$here/check_ir.py" "${goldens[@]}" "${examples[@]}"
cat "$T/step.out"

# The goldens with artifacts, parameters and every Kubernetes setting, and
# the custom components' (constants, output parameters, typed artifacts).
step "check_ir.py rejects broken copies: dangling references, unknown fields" \
	"$py41" "$here/check_ir.py" --self-test "$here/004-parameters/expected-v2.yaml" \
	"$here/003-elyra-properties/expected-v2.yaml" "$here/055-custom-component-v2/expected-v2.yaml" \
	"$here/053-custom-unused-inputs/expected-v2.yaml" "${examples[@]}"
cat "$T/step.out"

mkdir -p "$T/rt"
/usr/bin/python3 "$T3Q_SRC/tests/tools/elyra/runtime-config.py" USER_CREDENTIALS >"$T/rt/USER_CREDENTIALS.json"
/usr/bin/python3 "$T3Q_SRC/tests/tools/elyra/runtime-config.py" KUBERNETES_SECRET peer-cos-secret \
	>"$T/rt/KUBERNETES_SECRET.json"
step "generate $count pipelines (seed $seed)" \
	/usr/bin/python3 "$here/gen_pipelines.py" --seed "$seed" --count "$count" --out "$T/cases"
step "kfp-v1 and kfp-v2 accept and refuse the same generated pipelines" \
	/usr/bin/python3 "$here/ir_corpus.py" "$T/cases" "$T3Q_BIN" "$T/rt" "$T/ir"
cat "$T/step.out"
corpus() {
	local files=()
	while IFS= read -r f; do files+=("$f"); done <"$T/ir/list.txt"
	[ ${#files[@]} -gt 0 ] || { echo "no IR to check"; return 1; }
	"$py41" "$here/check_ir.py" "${files[@]}"
}
step "their IR passes kfp's parsers and the reference check, in one process" corpus
tail -1 "$T/step.out"

# Both targets render one plan: per step they must say the same thing.
agree_all() {
	local files=() d
	for d in "$here"/[0-9]*/; do
		[ -f "$d/expected-v2.yaml" ] && files+=("$d/expected.yaml" "$d/expected-v2.yaml")
	done
	for d in "$T3Q_SRC"/examples/*/; do
		files+=("$d/$(basename "$d").yaml" "$d/$(basename "$d")-v2.yaml")
	done
	while IFS= read -r f; do files+=("$f"); done <"$T/ir/pairs.txt"
	/usr/bin/python3 "$here/ir_v1_agree.py" "${files[@]}"
}
step "kfp-v1 and kfp-v2 agree on every step: image, flags, env, secrets, resources, volumes, metadata, DAG" agree_all
tail -1 "$T/step.out"
disagree() {
	local g=$here/003-elyra-properties
	sed 's/"kt2"/"kt9"/; s/"secret-key-1"/"secret-key-9"/' "$g/expected-v2.yaml" >"$T/mut.yaml" &&
	! cmp -s "$g/expected-v2.yaml" "$T/mut.yaml" &&
	expect_rc 1 /usr/bin/python3 "$here/ir_v1_agree.py" "$g/expected.yaml" "$T/mut.yaml" &&
	expect_out "tolerations" && expect_out "secrets"
}
step "ir_v1_agree.py sees a toleration or secret that differs" disagree

# Run parameters and model marks: KFP v2's own diagnostics.
mkdir -p "$T/bad"
cp "$here/004-parameters"/* "$T/bad/"
bad_param() {
	sed 's/"value": 10/"value": "ten"/' "$T/bad/pipeline.pipeline" >"$T/bad/p1.pipeline" &&
	grep -q '"ten"' "$T/bad/p1.pipeline" &&
	(cd "$T/bad" && "$compile" p1.pipeline --cos-endpoint http://m:9000 --cos-bucket b -o /dev/null) &&
	(cd "$T/bad" && expect_rc 1 "$compile" p1.pipeline --cos-endpoint http://m:9000 --cos-bucket b \
		--target kfp-v2 -o /dev/null) &&
	expect_out "'ten' is not an integer, and KFP v2 types run parameters"
}
step "an Integer parameter that is no integer: kfp-v1 passes it, kfp-v2 says so" bad_param
models() {
	/usr/bin/python3 - "$T/bad/pipeline.pipeline" "$T/bad/p2.pipeline" "$T/bad/p3.pipeline" <<'EOF' || return 1
import json, sys
p = json.load(open(sys.argv[1]))
for out, value in ((sys.argv[2], "./model/weights.bin"), (sys.argv[3], "model/weights.bin;nowhere.pkl")):
    q = json.loads(json.dumps(p))
    for n in q["pipelines"][0]["nodes"]:
        if n["app_data"]["component_parameters"].get("outputs"):
            n["app_data"]["component_parameters"].setdefault("env_vars", []).append(
                {"env_var": "T3Q_MODEL_OUTPUTS", "value": value})
    json.dump(q, open(out, "w"))
EOF
	(cd "$T/bad" && "$compile" p2.pipeline --cos-endpoint http://m:9000 --cos-bucket b --target kfp-v2 \
		-o "$T/bad/p2.yaml") &&
	[ "$(grep -c '"system.Model"' "$T/bad/p2.yaml")" -ge 2 ] &&
	! grep -q '"system.Dataset"' "$T/bad/p2.yaml" &&
	"$py41" "$here/check_ir.py" "$T/bad/p2.yaml" &&
	(cd "$T/bad" && expect_rc 1 "$compile" p3.pipeline --cos-endpoint http://m:9000 --cos-bucket b \
		--target kfp-v2 -o /dev/null) &&
	expect_out "env_vars[T3Q_MODEL_OUTPUTS]: 'nowhere.pkl' is not one of the node's outputs"
}
step "T3Q_MODEL_OUTPUTS makes an output (and its consumers' input) a system.Model; a stray entry is refused" models
step "--target takes kfp-v1 or kfp-v2 only" \
	sh -c '"$0" x.pipeline --target kfp-v3 2>&1; [ $? = 2 ]' "$compile"
finish
