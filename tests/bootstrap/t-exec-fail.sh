#!/usr/bin/env bash
# When the interpreter cannot be executed, the shell's codes: 127 when it
# is not found, 126 when it is there but not executable.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=execfail-01
src=$(mk_src)
echo 'print("ran")' >"$src/run.py"
upload_archive "$src" "$dir" a.tar.gz run.py

run_step "$T/wd" -d "$dir" -t a.tar.gz -f run.py -n p --python /nonexistent/python3
step "an interpreter that is not there: 127" sh -c "[ $rc = 127 ]"
step "the error names it and why" \
	grep -q "cannot run '/nonexistent/python3': No such file or directory$" "$T/stderr"
step "and nothing ran" sh -c "! grep -q ran '$T/stdout'"

printf '#!/bin/sh\necho ran\n' >"$T/python-noexec"
chmod 644 "$T/python-noexec"
run_step "$T/wd" -d "$dir" -t a.tar.gz -f run.py -n p --python "$T/python-noexec"
step "an interpreter that is not executable: 126" sh -c "[ $rc = 126 ]"
step "the error names it and why" \
	grep -q "cannot run '$T/python-noexec': Permission denied$" "$T/stderr"
step "and nothing ran" sh -c "! grep -q ran '$T/stdout'"

finish
