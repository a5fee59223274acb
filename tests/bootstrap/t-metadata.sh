#!/usr/bin/env bash
# The KFP files: the step's own mlpipeline-metrics.json is checked (bad
# names and values are warnings, never failures) and copied to
# ELYRA_WRITABLE_CONTAINER_DIR; its mlpipeline-ui-metadata.json keeps the
# user's entries first, then Elyra's "Inputs for" entry, then t3q's summary.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=meta-01
src=$(mk_src)
cat >"$src/metrics.sh" <<'SH'
cat >mlpipeline-metrics.json <<'JSON'
{"metrics": [
  {"name": "accuracy", "numberValue": 0.93, "format": "PERCENTAGE"},
  {"name": "bad name!", "numberValue": 1, "format": "RAW"},
  {"name": "loss", "numberValue": "high", "format": "RAW"}
]}
JSON
cat >mlpipeline-ui-metadata.json <<'JSON'
{"outputs": [{"type": "markdown", "storage": "inline", "source": "# the user's own entry"}]}
JSON
echo wrote them
SH
# a value missing at line 3, column 19 (Python's json says so too, below)
cat >"$src/broken.sh" <<'SH'
cat >mlpipeline-metrics.json <<'JSON'
{"metrics": [
  {"name": "accuracy",
   "numberValue": ,
   "format": "RAW"}
]}
JSON
SH
upload_archive "$src" "$dir" m.tar.gz metrics.sh broken.sh
wcd=$ELYRA_WRITABLE_CONTAINER_DIR

run_step "$T/wd" -d "$dir" -t m.tar.gz -f metrics.sh -n meta
step "exit 0, bad metrics notwithstanding" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "a warning names the bad metric name" \
	grep -q "^\[W .*mlpipeline-metrics.json: metrics\[1\].name 'bad name!' must match " "$T/stderr"
step "a warning names the non-numeric value" \
	grep -q '^\[W .*mlpipeline-metrics.json: metrics\[2\].numberValue must be a finite number' "$T/stderr"
step "and nothing is said of the good one" sh -c "! grep -q 'metrics\[0\]' '$T/stderr'"
same_json() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a == b, (a, b)
PY
}
step "the metrics are copied to ELYRA_WRITABLE_CONTAINER_DIR" \
	same_json "$T/wd/mlpipeline-metrics.json" "$wcd/mlpipeline-metrics.json"
ui_order() {
	/usr/bin/python3 - "$wcd/mlpipeline-ui-metadata.json" "$bucket" "$dir" <<'PY'
import json, sys
outs = json.load(open(sys.argv[1]))["outputs"]
srcs = [o["source"] for o in outs]
assert len(outs) == 3, srcs
assert srcs[0] == "# the user's own entry", srcs
assert srcs[1].startswith("## Inputs for metrics.sh\n[m.tar.gz]("), srcs
assert srcs[1].endswith("/%s/%s/)" % (sys.argv[2], sys.argv[3])), srcs
assert srcs[2].startswith("## t3q: metrics.sh\n"), srcs
assert all(o["type"] == "markdown" and o["storage"] == "inline" for o in outs), outs
PY
}
step "the UI metadata: the user's entry, then Elyra's inputs entry, then the t3q summary" ui_order

# An endpoint given with a trailing '/': the same links, no "//" before
# the bucket.
inputs_link() {  # UI-METADATA-FILE: the "Inputs for" entry's link
	/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["outputs"][1]["source"].split("](")[1])' "$1"
}
slash() {
	mkdir -p "$T/wds" "$T/wcds"
	(cd "$T/wds" && ELYRA_WRITABLE_CONTAINER_DIR=$T/wcds exec "$T3Q_BIN/bootstrap/t3q-bootstrap" \
		-e "$T3Q_S3_ENDPOINT/" -b "$bucket" -d "$dir" -t m.tar.gz -f metrics.sh -n meta) \
		>"$T/stdout" 2>"$T/stderr" || { cat "$T/stderr"; return 1; }
	local a b
	a=$(inputs_link "$wcd/mlpipeline-ui-metadata.json") && b=$(inputs_link "$T/wcds/mlpipeline-ui-metadata.json") || return 1
	echo "$a"; echo "$b"
	[ "$a" = "$b" ] && [ "$a" = "$T3Q_S3_ENDPOINT/$bucket/$dir/)" ]
}
step "an endpoint with a trailing '/': the same inputs link, one '/' before the bucket" slash

ELYRA_WRITABLE_CONTAINER_DIR=$T/wcd2 run_step "$T/wd2" -d "$dir" -t m.tar.gz -f broken.sh -n meta
step "invalid JSON in the metrics: still exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
where() {
	/usr/bin/python3 - "$T/wd2/mlpipeline-metrics.json" <<'PY'
import json, sys
try:
    json.load(open(sys.argv[1]))
except json.JSONDecodeError as e:
    print("line %d, column %d" % (e.lineno, e.colno))
PY
}
py_agrees() { [ "$(where)" = "line 3, column 19" ]; }
step "(Python's json finds the error at line 3, column 19)" py_agrees
step "a warning names the line and column" \
	grep -q '^\[W .*ignoring mlpipeline-metrics.json: invalid JSON at line 3, column 19$' "$T/stderr"
step "the invalid file is not passed on to KFP" test ! -e "$T/wcd2/mlpipeline-metrics.json"
step "the UI metadata is written all the same" test -s "$T/wcd2/mlpipeline-ui-metadata.json"

echo "a file in the way" >"$T/afile"
ELYRA_WRITABLE_CONTAINER_DIR=$T/afile/kfp run_step "$T/wd3" -d "$dir" -t m.tar.gz -f metrics.sh -n meta
step "ELYRA_WRITABLE_CONTAINER_DIR cannot be created: still exit 0" \
	sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "and it says so" grep -q "Cannot create files in \"$T/afile/kfp\"" "$T/stderr"
step "and the step's log still went up" have_obj "$dir/metrics.log"

finish
