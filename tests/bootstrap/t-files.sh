#!/usr/bin/env bash
# Inputs and outputs beyond single files: globs (which Elyra fails on,
# its issues #995 and #2369), directory prefixes, and a missing output.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=files-01
src=$(mk_src)
cat >"$src/consume.sh" <<'SH'
set -e
ls -R imgs tree | sort
mkdir -p out
cp imgs/a.jpg out/copy.jpg
echo made > out/x.txt
SH
upload_archive "$src" "$dir" c.tar.gz consume.sh
printf 'x' >"$T/f"
for k in imgs/a.jpg imgs/b.jpg imgs/c.png imgs/.hidden.jpg imgs/sub/d.jpg tree/one tree/deep/two; do
	t3q s3 put "$T/f" "s3://$bucket/$dir/$k" 2>/dev/null
done

run_step "$T/wd" -d "$dir" -t c.tar.gz -f consume.sh -n p \
	-i "imgs/*.jpg;tree" -o "out/*.jpg;out/x.txt"
step "exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "a glob input fetches its matches" sh -c "[ -f '$T/wd/imgs/a.jpg' ] && [ -f '$T/wd/imgs/b.jpg' ]"
step "and only them: not .png, not dot files, not below '/'" \
	sh -c "[ ! -e '$T/wd/imgs/c.png' ] && [ ! -e '$T/wd/imgs/.hidden.jpg' ] && [ ! -e '$T/wd/imgs/sub' ]"
step "a directory input fetches the whole tree" sh -c "[ -f '$T/wd/tree/one' ] && [ -f '$T/wd/tree/deep/two' ]"
step "a glob output uploads its matches" have_obj "$dir/out/copy.jpg"
step "a file output" have_obj "$dir/out/x.txt"

run_step "$T/wd2" -d "$dir" -t c.tar.gz -f consume.sh -n p \
	-i "imgs/*.jpg;tree" -o "out/x.txt;out/never-made.csv;out/*.none"
step "a missing declared output fails the step with 84" sh -c "[ $rc = 84 ]"
step "naming it" grep -q "output 'out/never-made.csv' was declared but the step did not create it" "$T/stderr"
step "an empty glob output is only a warning" grep -q "output 'out/\*.none' matched no file" "$T/stderr"
step "the log was uploaded all the same" have_obj "$dir/consume.log"

run_step "$T/wd4" -d "$dir" -t c.tar.gz -f consume.sh -n p -i "imgs/*.jpg;tree;imgs/*.none"
step "an empty glob input is only a warning" sh -c "[ $rc = 0 ] && grep -q \"input 'imgs/\*.none' matched no object\" '$T/stderr'"

run_step "$T/wd3" -d "$dir" -t c.tar.gz -f consume.sh -n p -i "nothing/here.csv"
step "a missing input fails with 81, naming it" sh -c "[ $rc = 81 ] && grep -q \"input 'nothing/here.csv' not found\" '$T/stderr'"
run_step "$T/wd3" -d "$dir" -t c.tar.gz -f consume.sh -n p -i "../etc/passwd"
step "an input reaching outside the work dir is refused" sh -c "[ $rc = 2 ] && grep -q 'outside the work dir' '$T/stderr'"

finish
