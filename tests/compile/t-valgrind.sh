#!/usr/bin/env bash
# valgrind's memcheck on t3q-compile over every golden case (valid and
# invalid) and, when the generator is there, a generated set: no read of
# uninitialised memory, no invalid access, no leak, on the output path and
# the error path alike. Not under ASan (the two do not mix; ASan has its own
# run of the same cases).
. "$(dirname "$0")/../lib.sh"
[ -z "${T3Q_SANITIZE:-}" ] || skip_all "under ASan: memcheck runs in the plain build"
command -v valgrind >/dev/null || skip_all "no valgrind: run scripts/install-test-deps"
compile=$T3Q_BIN/compiler/t3q-compile
vg() {  # DIR PIPELINE ARGS...: memcheck, any exit status of t3q-compile's own
	local dir=$1 rc=0
	shift
	(cd "$dir" && valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$compile" "$@" \
		-o "$T/out.yaml") >"$T/vg.out" 2>&1 || rc=$?
	if [ "$rc" = 99 ] || grep -q '^==[0-9]*==' "$T/vg.out"; then
		cat "$T/vg.out"
		return 1
	fi
}
cases=0 bad=0
for d in "$T3Q_SRC"/tests/compile/[0-9]*/; do
	args=(--cos-endpoint http://minio-service.kubeflow:9000 --cos-bucket mlpipeline
	      --cos-secret mlpipeline-minio-artifact)
	if [ -f "$d/args" ]; then
		args=()
		while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done <"$d/args"
	fi
	p=$(cd "$d" && ls *.pipeline | head -1)
	cases=$((cases + 1))
	vg "$d" "$p" "${args[@]}" >"$T/case.out" 2>&1 || { bad=$((bad + 1)); echo "== $d"; cat "$T/case.out"; }
done
step "memcheck is clean on all $cases golden cases" test "$bad" = 0
gen=$T3Q_SRC/tests/compile/gen_pipelines.py
if [ -f "$gen" ]; then
	/usr/bin/python3 "$gen" --seed 7 --count 60 --out "$T/gen" >/dev/null 2>&1 ||
		echo "note: the generator failed; generated set skipped"
	n=0 bad=0
	while IFS= read -r f; do
		n=$((n + 1))
		vg "$(dirname "$f")" "$(basename "$f")" --cos-endpoint http://minio:9000 \
			--cos-bucket b --cos-secret s >"$T/case.out" 2>&1 ||
			{ bad=$((bad + 1)); echo "== $f"; cat "$T/case.out"; }
	done < <(find "$T/gen" -name '*.pipeline' | sort)
	step "memcheck is clean on $n generated pipelines" test "$bad" = 0
fi
finish
