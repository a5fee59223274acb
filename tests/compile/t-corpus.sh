#!/usr/bin/env bash
# The Elyra pipelines of Elyra's own test suite, as the Elyra 4.0.0 wheel
# installs them (the venv of scripts/install-test-deps, under
# site-packages/elyra/tests/): each compiles, or fails with the kind of
# message corpus-expected.txt names. A file the table expects must be in
# the wheel, and every .pipeline file there must be in the table. Missing
# node files are created as fixtures (empty notebooks and scripts).
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
corpus=$(t3q_elyra_pkg) ||
	skip_all "no Elyra package in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
expected="$(dirname "$0")/corpus-expected.txt"
# Custom components: the examples catalog (a connector only Elyra's Python
# reads; its definitions are files in the package) and the wheel's own.
examples=$(dirname "$corpus")/kfp_examples_connector/resources
[ -d "$examples" ] || skip_all "no elyra-examples-kfp-catalog in $T3Q_ELYRA_VENV: run scripts/install-test-deps"

one() {  # FILE WANT
	local f=$1 want=$2 d="$T/$(dirname "$1" | tr / -)" b
	b=$(basename "$f")
	[ -f "$corpus/$f" ] || { echo "$f is not in the Elyra package ($corpus)"; return 1; }
	mkdir -p "$d"
	cp "$corpus/$f" "$d/"
	/usr/bin/python3 - "$d/$b" "$f" <<'PY'
import json, os, sys
path = sys.argv[1]
validation = "/validation_pipelines/" in sys.argv[2]
try:
    doc = json.load(open(path))
except Exception:
    sys.exit(0)
base = os.path.dirname(path)
for pl in doc.get("pipelines", []) if isinstance(doc, dict) else []:
    for n in pl.get("nodes", []):
        app = n.get("app_data", {})
        cp = app.get("component_parameters", app)
        fn = cp.get("filename") if isinstance(cp, dict) else None
        if not isinstance(fn, str) or not fn or fn.startswith("/"):
            continue
        deps = cp.get("dependencies") or []
        here = os.path.dirname(fn)
        # The file, and its plain (non-glob) dependencies beside it, but
        # not for Elyra's validation cases, whose point is what is missing.
        if validation:
            deps = []
        for rel in [fn] + [os.path.join(here, d) for d in deps
                           if isinstance(d, str) and not any(c in d for c in "*?[")]:
            p = os.path.join(base, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if not os.path.exists(p):
                open(p, "w").write('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
                                   if rel.endswith(".ipynb") else "# fixture\n")
PY
	rc=0
	(cd "$d" && "$T3Q_BIN/compiler/t3q-compile" "$b" --cos-endpoint http://minio:9000 \
		--cos-bucket b --components "$examples" \
		--components "$corpus/tests/pipeline/resources/components" -o out.yaml) >"$d/log" 2>&1 || rc=$?
	if [ "$want" = ok ]; then
		[ $rc = 0 ] || { cat "$d/log"; return 1; }
		# Linted all at once below, on every KFP backend.
		echo "$d/out.yaml" >>"$T/lint.list"
	else
		[ $rc = 1 ] && grep -qF -- "$want" "$d/log" || {
			echo "want exit 1 and '$want'; got $rc:"; cat "$d/log"; return 1; }
	fi
}
n=0
while IFS='|' read -r f want; do
	case "$f" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	step "$f: $want" one "$f" "$want"
done <"$expected"
# Every .pipeline file the wheel's tests hold is in the table.
all_listed() {
	local f rc=0
	while read -r f; do
		cut -d'|' -f1 "$expected" | grep -qxF -- "$f" || { echo "not in corpus-expected.txt: $f"; rc=1; }
	done < <(cd "$corpus" && find tests -name '*.pipeline' | sort)
	[ $rc = 0 ] && echo "$n files"
}
step "every .pipeline file of the Elyra package's tests is in the table" all_listed
lint() {
	local files=()
	while IFS= read -r f; do files+=("$f"); done <"$T/lint.list"
	[ ${#files[@]} -gt 0 ] || { echo "nothing compiled"; return 1; }
	"$T3Q_LINT_ALL" "${files[@]}"
}
step "every compiled workflow passes Argo's lint on every KFP backend" lint
finish
