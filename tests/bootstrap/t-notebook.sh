#!/usr/bin/env bash
# A notebook node, run twice: with Debian's nbclient alone (no papermill),
# and with papermill from its venv. Both times: cell output is live on our
# stdout, parameters reach the kernel, and the log, the executed notebook and
# its HTML are uploaded; a failing cell gives exit 1 and still uploads them.
. "$(dirname "$0")/lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
fixtures=$(cd "$(dirname "$0")/fixtures" && pwd)

halves=()
if ! /usr/bin/python3 -c 'import nbclient, nbformat, ipykernel' 2>/dev/null; then
	echo "# skipping the nbclient half: /usr/bin/python3 lacks nbclient/ipykernel (scripts/install-test-deps)"
elif /usr/bin/python3 -c 'import papermill' 2>/dev/null; then
	echo "# skipping the nbclient half: papermill is importable in /usr/bin/python3, so nbrun.py would not use nbclient"
else
	halves+=("nbclient:/usr/bin/python3")
fi
if [ ! -x "$T3Q_PAPERMILL_VENV/bin/python" ]; then
	echo "# skipping the papermill half: no venv at $T3Q_PAPERMILL_VENV (scripts/install-test-deps)"
elif ! "$T3Q_PAPERMILL_VENV/bin/python" -c 'import papermill, ipykernel' 2>/dev/null; then
	echo "# skipping the papermill half: papermill or ipykernel not importable in $T3Q_PAPERMILL_VENV"
else
	halves+=("papermill:$T3Q_PAPERMILL_VENV/bin/python")
fi
[ ${#halves[@]} = 0 ] && skip_all "no Jupyter stack: neither /usr/bin/python3 with nbclient nor the papermill venv"

bucket=$(new_bucket)
src=$(mk_src)
cp "$fixtures/live.ipynb" "$fixtures/fail.ipynb" "$src/"

# nb_json FILE PYCODE: PYCODE asserts on the notebook json as `nb`.
nb_json() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
def text(o):
    t = o.get("text", o.get("data", {}).get("text/plain", ""))
    return "".join(t) if isinstance(t, list) else t
exec(sys.argv[2])
PY
}

# is_merge LOG OUT ERR: LOG is OUT's and ERR's bytes interleaved, each in
# its own order (how two pipes interleave is up to the scheduler).

for half in "${halves[@]}"; do
	runner=${half%%:*} py=${half#*:}
	dir=nb-$runner
	w=$T/$runner
	mkdir -p "$w"
	upload_archive "$src" "$dir" nb.tar.gz live.ipynb fail.ipynb
	echo "# $runner: T3Q_PYTHON=$py"

	# The live notebook in the background, to watch its output arrive.
	mkdir -p "$w/wd"
	(cd "$w/wd" && T3Q_PYTHON=$py exec "$T3Q_BIN/bootstrap/t3q-bootstrap" \
		-e "$T3Q_S3_ENDPOINT" -b "$bucket" -d "$dir" -t nb.tar.gz \
		-f live.ipynb -n nbpipe -o out/result.txt \
		-r "P1=hello nb;P2=" -m env) >"$w/stdout" 2>"$w/stderr" &
	pid=$!
	at_exit "kill $pid 2>/dev/null"
	# The kernel takes a few seconds to start; cell 0 prints "a", sleeps 2 s,
	# prints "b".
	for _ in $(seq 1 1200); do
		grep -q '^a$' "$w/stdout" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	live() {
		grep -q '^a$' "$w/stdout" && ! grep -q '^b$' "$w/stdout" &&
		kill -0 $pid
	}
	step "$runner: cell output is on stdout while the cell still runs" live
	wait $pid
	rc=$?
	step "$runner: the notebook succeeds" sh -c "[ $rc = 0 ] || { cat '$w/stderr'; exit 1; }"
	step "$runner: the cells' output, in order, on stdout" \
		sh -c "printf 'a\nb\nP1=hello nb\n42\n' | cmp - '$w/stdout'"
	step "$runner: stderr output of a cell goes to stderr" grep -q '^to-stderr$' "$w/stderr"
	result() {
		get_obj "$dir/out/result.txt" "$w/result.txt" &&
		[ "$(cat "$w/result.txt")" = "P1=hello nb" ]
	}
	step "$runner: -r parameters reach the kernel, and -o uploads its file" result
	log_is_output() {
		get_obj "$dir/live.log" "$w/live.log" &&
		child_stderr "$w/stderr" >"$w/child.err" &&
		is_merge "$w/live.log" "$w/stdout" "$w/child.err" &&
		grep -qx to-stderr "$w/live.log"
	}
	step "$runner: <dir>/live.log is exactly the child's stdout and stderr" log_is_output
	executed() {
		get_obj "$dir/live.ipynb" "$w/live.ipynb" &&
		nb_json "$w/live.ipynb" '
assert all(c["outputs"] for c in code), [c["outputs"] for c in code]
assert text(code[0]["outputs"][0]) == "a\n", code[0]["outputs"]
assert any(o["output_type"] == "execute_result" and text(o) == "42" for o in code[3]["outputs"]), code[3]["outputs"]
'
	}
	step "$runner: the executed notebook, with its outputs, is at <dir>/live.ipynb" executed
	if [ "$runner" = papermill ]; then
		step "papermill: papermill ran it" nb_json "$w/live.ipynb" 'assert "papermill" in nb["metadata"], nb["metadata"]'
	else
		step "nbclient: nbclient ran it, not papermill" nb_json "$w/live.ipynb" 'assert "papermill" not in nb["metadata"], nb["metadata"]'
	fi
	html() { get_obj "$dir/live.html" "$w/live.html" && grep -q '<html' "$w/live.html" && grep -q 'P1=hello nb' "$w/live.html"; }
	step "$runner: <dir>/live.html is uploaded" html

	# A cell that raises.
	T3Q_PYTHON=$py run_step "$w/wd2" -d "$dir" -t nb.tar.gz -f fail.ipynb -n nbpipe
	cp "$T/stdout" "$w/fstdout"
	cp "$T/stderr" "$w/fstderr"
	step "$runner: a failing cell gives exit 1" sh -c "[ $rc = 1 ] || { echo rc=$rc; cat '$w/fstderr'; exit 1; }"
	step "$runner: stderr names the cell and the error" grep -q '^t3q: cell 1 failed: ZeroDivisionError' "$w/fstderr"
	step "$runner: the cells after it did not run" sh -c "grep -q '^before$' '$w/fstdout' && ! grep -q after '$w/fstdout'"
	fail_log() {
		get_obj "$dir/fail.log" "$w/fail.log" && grep -q '^before$' "$w/fail.log" &&
		grep -q '^ZeroDivisionError: division by zero$' "$w/fail.log"
	}
	step "$runner: the log of the failed run is uploaded, with the traceback" fail_log
	fail_nb() {
		get_obj "$dir/fail.ipynb" "$w/fail.ipynb" &&
		nb_json "$w/fail.ipynb" '
errs = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
assert [e["ename"] for e in errs] == ["ZeroDivisionError"], errs
'
	}
	step "$runner: the executed notebook, with the error output, is uploaded" fail_nb
done

finish
