#!/usr/bin/env bash
# An R node, by either suffix (.R, .r): run with Rscript, its output on our
# stdout/stderr and in <name>.log, its outputs uploaded, its exit status ours.
. "$(dirname "$0")/lib.sh"
command -v Rscript >/dev/null || skip_all "no Rscript (apt-get install r-base-core)"
bucket=$(new_bucket)
dir=r-01
src=$(mk_src)
cat >"$src/analysis.R" <<'R'
cat("hello from R\n")
message("an R message on stderr")
cat(sprintf("P1=%s\n", Sys.getenv("P1")))
dir.create("out", showWarnings = FALSE)
write.csv(data.frame(x = 1:3, y = c(2, 4, 6)), "out/r.csv", row.names = FALSE)
cat("done\n")
R
cat >"$src/lower.r" <<'R'
cat("lower-case suffix\n")
quit(status = 4)
R
upload_archive "$src" "$dir" r.tar.gz analysis.R lower.r

run_step "$T/wd" -d "$dir" -t r.tar.gz -f analysis.R -n rpipe -o out/r.csv \
	-r "P1=from-r" -m env
step "a .R script exits 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "it ran with Rscript" grep -q "executing R script using 'Rscript analysis.R'" "$T/stderr"
step "its stdout reaches our stdout" \
	sh -c "printf 'hello from R\nP1=from-r\ndone\n' | cmp - '$T/stdout'"
step "its stderr reaches our stderr, not stdout" \
	sh -c "grep -q '^an R message on stderr$' '$T/stderr' && ! grep -q 'an R message' '$T/stdout'"
# is_merge LOG OUT ERR: LOG is OUT's and ERR's bytes interleaved, each in
# its own order (how two pipes interleave is up to the scheduler).
r_log() {
	get_obj "$dir/analysis.log" "$T/analysis.log" &&
	child_stderr "$T/stderr" >"$T/child.err" &&
	is_merge "$T/analysis.log" "$T/stdout" "$T/child.err" &&
	grep -qx 'an R message on stderr' "$T/analysis.log"
}
step "analysis.log is uploaded with its stdout and stderr" r_log
r_output() {
	get_obj "$dir/out/r.csv" "$T/r.csv" &&
	printf '"x","y"\n1,2\n2,4\n3,6\n' | cmp - "$T/r.csv"
}
step "the output file R wrote is uploaded" r_output

run_step "$T/wd2" -d "$dir" -t r.tar.gz -f lower.r -n rpipe
step "a .r script runs too; quit(status = 4) gives exit 4" sh -c "[ $rc = 4 ] || { cat '$T/stderr'; exit 1; }"
step "its output reached stdout" grep -q '^lower-case suffix$' "$T/stdout"
step "and the failure is named" grep -q "R script 'lower.r' failed: exit 4" "$T/stderr"
lower_log() { get_obj "$dir/lower.log" "$T/lower.log" && grep -q '^lower-case suffix$' "$T/lower.log"; }
step "lower.log is uploaded on failure too" lower_log

finish
