#!/usr/bin/env bash
# Argo artifact mode: a producer stages its outputs under --artifact-outputs
# by the names of pipeline/names.c (computed here independently, to cross-check
# the rule), and a consumer with --artifact-inputs gets them back at their
# paths in its work dir, from the artifacts alone, not from the store.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=art-prod
dir2=art-cons
# sanitized, both over 48 bytes: one cut mid-word, one where a '-' would be
long=results/a_rather_long_directory_name_for_the_tests/and_a_long_file_name_too.csv
long2=results/a_rather_long_directory_name_for_testing/x.csv
src=$(mk_src)
cat >"$src/produce.sh" <<SH
set -e
mkdir -p data models/sub imgs "$(dirname $long)" "$(dirname $long2)"
printf 'a,b\n1,2\n' >data/x.csv
echo model-a >models/a.bin
echo model-b >models/sub/b.bin
echo hidden >models/.hidden
echo png1 >imgs/1.png
echo png2 >imgs/2.png
echo jpg >imgs/skip.jpg
echo dot >imgs/.dot.png
echo long >$long
echo long2 >$long2
echo '{}' >mlpipeline-metrics
SH
cat >"$src/consume.sh" <<SH
set -e
find data models imgs results mlpipeline-metrics -type f | sort
cat data/x.csv models/a.bin models/sub/b.bin imgs/1.png $long
SH
upload_archive "$src" "$dir" p.tar.gz produce.sh
upload_archive "$src" "$dir2" c.tar.gz consume.sh
outputs="data/x.csv;models;imgs/*.png;$long;$long2;mlpipeline-metrics"

# The rule of pipeline/names.c, written again from its description.
names() {
	/usr/bin/python3 - "$@" <<'PY'
import re, sys
RESERVED = {"mlpipeline-ui-metadata", "mlpipeline-metrics", "main-logs"}
def fnv1a32(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h
def artifact_name(path):
    raw = path.encode()
    if re.fullmatch(rb"[-a-zA-Z0-9_]+", raw) and len(raw) <= 48 and path not in RESERVED:
        return path
    clean = re.sub(rb"[^-a-zA-Z0-9_]+", b"-", raw).strip(b"-")[:48].rstrip(b"-")
    return (clean.decode() + "-" if clean else "") + "%08x" % fnv1a32(raw)
for p in sys.argv[1:]:
    print(artifact_name(p))
PY
}
IFS=';' read -r -a outs <<<"$outputs"
mapfile -t want_names < <(names "${outs[@]}")
n_x=${want_names[0]} n_models=${want_names[1]} n_png=${want_names[2]}
n_long=${want_names[3]} n_long2=${want_names[4]} n_metrics=${want_names[5]}
echo "# expected artifact names: ${want_names[*]}"
names_shape() {
	[[ $n_x =~ ^data-x-csv-[0-9a-f]{8}$ ]] && [ "$n_models" = models ] &&
	[[ $n_png =~ ^imgs-png-[0-9a-f]{8}$ ]] &&
	[[ $n_long =~ ^results-a_rather_long_directory_name_for_the_tes-[0-9a-f]{8}$ ]] &&
	[[ $n_long2 =~ ^results-a_rather_long_directory_name_for_testing-[0-9a-f]{8}$ ]] &&
	[[ $n_metrics =~ ^mlpipeline-metrics-[0-9a-f]{8}$ ]]
}
step "(the rule, as the test computes it)" names_shape

run_step "$T/wp" -d "$dir" -t p.tar.gz -f produce.sh -n art -o "$outputs" \
	--artifact-outputs "$T/aout"
step "producer: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
layout() {
	(cd "$T/aout" && find . -mindepth 1 -printf '%P %y\n' | sort) >"$T/have"
	sort >"$T/want" <<EOF
$n_x f
$n_long f
$n_long2 f
$n_metrics f
models d
models/models d
models/models/a.bin f
models/models/.hidden f
models/models/sub d
models/models/sub/b.bin f
$n_png d
$n_png/imgs d
$n_png/imgs/1.png f
$n_png/imgs/2.png f
EOF
	diff "$T/want" "$T/have"
}
step "producer: artifacts at the names of the rule; dir and glob as trees of their paths" layout
same() { cmp "$T/wp/$1" "$2"; }
step "producer: a file artifact is the file itself" same data/x.csv "$T/aout/$n_x"
step "producer: the long paths' artifacts too" sh -c "cmp '$T/wp/$long' '$T/aout/$n_long' && cmp '$T/wp/$long2' '$T/aout/$n_long2'"
step "producer: a directory artifact holds the directory's files" same models/sub/b.bin "$T/aout/models/models/sub/b.bin"
step "producer: a glob artifact holds the matches" same imgs/2.png "$T/aout/$n_png/imgs/2.png"
step "producer: the outputs go to the store as well" have_obj "$dir/models/sub/b.bin"

# Argo places the producer's artifacts for the consumer.
cp -a "$T/aout" "$T/ain"
run_step "$T/wc" -d "$dir2" -t c.tar.gz -f consume.sh -n art -i "$outputs" \
	--artifact-inputs "$T/ain"
step "consumer: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
placed() {
	for f in data/x.csv models/a.bin models/.hidden models/sub/b.bin imgs/1.png imgs/2.png \
		"$long" "$long2" mlpipeline-metrics; do
		cmp "$T/wp/$f" "$T/wc/$f" || return 1
	done
	[ ! -e "$T/wc/imgs/skip.jpg" ] && [ ! -e "$T/wc/imgs/.dot.png" ]
}
step "consumer: every input at its path in the work dir, the same bytes" placed
step "consumer: the step saw them" \
	sh -c "grep -q '^imgs/2.png$' '$T/stdout' && grep -q '^model-b$' '$T/stdout' && grep -q '^long$' '$T/stdout'"
step "consumer: it says where each came from" \
	sh -c "grep -q \"placed artifact $n_x at data/x.csv\" '$T/stderr' && grep -q \"placed artifact $n_png at imgs/\\*.png\" '$T/stderr'"
not_from_store() {
	! grep -q 'downloaded data/x.csv\|downloaded models\|downloaded imgs' "$T/stderr" &&
	# the consumer's prefix holds its archive and what it wrote, no inputs
	t3q s3 ls -r "s3://$bucket/$dir2/" >"$T/ls" &&
	! grep -q "$dir2/data\|$dir2/models\|$dir2/imgs" "$T/ls"
}
step "consumer: nothing came from the store" not_from_store

rm -rf "$T/ain/$n_png"
run_step "$T/wc2" -d "$dir2" -t c.tar.gz -f consume.sh -n art -i "$outputs" \
	--artifact-inputs "$T/ain"
step "consumer: a missing artifact is exit 81, naming where it was looked for" \
	sh -c "[ $rc = 81 ] && grep -q \"input 'imgs/\\*.png': no artifact at '$T/ain/$n_png'\" '$T/stderr'"

# Distinct paths, distinct artifacts: "report-" is a valid name already, and
# must not share one with "report".
cat >"$src/pair.sh" <<'SH'
echo first >report
echo second >report-
SH
cat >"$src/pair-use.sh" <<'SH'
cat report report-
SH
upload_archive "$src" "$dir" pair.tar.gz pair.sh pair-use.sh
run_step "$T/wp2" -d "$dir" -t pair.tar.gz -f pair.sh -n art -o "report;report-" \
	--artifact-outputs "$T/aout2"
step "a pair of outputs 'report' and 'report-': exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "they are staged as two artifacts" sh -c "ls -A '$T/aout2'; [ \$(ls -A '$T/aout2' | wc -l) = 2 ]"
run_step "$T/wc3" -d "$dir" -t pair.tar.gz -f pair-use.sh -n art -i "report;report-" \
	--artifact-inputs "$T/aout2"
step "and the consumer gets each back with its own bytes" \
	sh -c "[ $rc = 0 ] && printf 'first\nsecond\n' | cmp - '$T/stdout'"

finish
