#!/usr/bin/env bash
# Process supervision: as PID 1 of a PID namespace (a container without
# tini) the bootstrap reaps the orphans a step leaves; as a child subreaper
# it reaps them too, and it ends what the step left running, without hanging.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=zomb-01
src=$(mk_src)
m=$$$RANDOM	# this run's marker in the sleeps' arguments
# Orphans that exit at once: their zombies are the reaper's to collect.
# ONLY_PPID=1 counts only the zombies whose parent is our parent, the
# bootstrap (outside a PID namespace the machine may have others).
cat >"$src/orphans.sh" <<'SH'
for i in 1 2 3; do (sleep 0.2 &); done
# one more orphan tells who its parent became
(sh -c 'sleep 0.3; s=$(cat /proc/$$/stat); set -- ${s##*) }; echo "orphan-ppid=$2"' &)
sleep 1.5
echo "bootstrap=$PPID"
n=0 seen=0
for f in /proc/[0-9]*/stat; do
	s=$(cat "$f" 2>/dev/null) || continue
	rest=${s##*) }
	set -- $rest
	[ "${ONLY_PPID:-}" ] && [ "$2" != "$PPID" ] && continue
	seen=$((seen + 1))
	[ "$1" = Z ] && n=$((n + 1))
done
echo "pid=$$ processes=$seen zombies=$n"
SH
# Left running: sharing our pipes, in a session of its own, detached from
# the pipes (the script closes its own first, so the pipes are at EOF before
# it exits), and ignoring SIGTERM.
printf 'sleep 300.%s &\necho started\n' $m >"$src/left-pipes.sh"
printf 'setsid sleep 301.%s &\nsleep 0.5\necho started\n' $m >"$src/left-setsid.sh"
printf 'sleep 302.%s >/dev/null 2>&1 </dev/null &\necho started\nexec >/dev/null 2>&1\nsleep 0.5\n' $m >"$src/left-detached.sh"
printf 'sh -c "trap \\"\\" TERM; exec sleep 303.%s" &\nsleep 0.5\necho started\n' $m >"$src/left-noterm.sh"
upload_archive "$src" "$dir" z.tar.gz orphans.sh left-pipes.sh left-setsid.sh \
	left-detached.sh left-noterm.sh
at_exit "for p in \$(pgrep -f '^sleep 30[0-3]\\.$m\$'); do kill -KILL \$p; done"

# run_timed WD PREFIX... -- ARGS...: run_step with PREFIX before the
# bootstrap (e.g. unshare), killed after 30 s; $secs is how long it took.
run_timed() {
	local wd=$1 pre=() t0
	shift
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	mkdir -p "$wd"
	rc=0
	t0=$(date +%s%N)
	(cd "$wd" && exec timeout -s KILL 30 "${pre[@]}" "$T3Q_BIN/bootstrap/t3q-bootstrap" \
		-e "$T3Q_S3_ENDPOINT" -b "$bucket" "$@") >"$T/stdout" 2>"$T/stderr" || rc=$?
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	secs=$((secs / 1000)).$(printf %03d $((secs % 1000)))
}
# gone N: no "sleep 30N.<marker>" process is left.
gone() {
	local p
	p=$(pgrep -f "^sleep 30$1\\.$m\$") || return 0
	echo "still running:"; ps -o pid,ppid,stat,args -p "$p"
	return 1
}

if unshare -pf --mount-proc true 2>/dev/null; then
	run_timed "$T/wd1" unshare -pf --mount-proc -- -d "$dir" -t z.tar.gz -f orphans.sh -n z
	step "as PID 1: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stdout' '$T/stderr'; exit 1; }"
	step "as PID 1: the bootstrap is PID 1, the step's shell PID 2" grep -q '^pid=2 ' "$T/stdout"
	step "as PID 1: the orphans are the bootstrap's" grep -qx 'orphan-ppid=1' "$T/stdout"
	step "as PID 1: every orphan was reaped (zombies=0)" grep -q ' zombies=0$' "$T/stdout"
	log() { get_obj "$dir/orphans.log" "$T/o.log" && grep -q 'zombies=' "$T/o.log"; }
	step "as PID 1: the log is uploaded" log
else
	echo "# skipping the PID 1 part: unshare -pf --mount-proc does not work here"
fi

ONLY_PPID=1 run_timed "$T/wd2" -- -d "$dir" -t z.tar.gz -f orphans.sh -n z
step "as subreaper: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stdout' '$T/stderr'; exit 1; }"
reparented() {
	local b
	b=$(sed -n 's/^bootstrap=//p' "$T/stdout")
	[ -n "$b" ] && grep -qx "orphan-ppid=$b" "$T/stdout"
}
step "as subreaper: an orphan of the step is reparented to the bootstrap" reparented
step "as subreaper: and the orphans are reaped (zombies=0)" grep -q ' zombies=0$' "$T/stdout"

for left in pipes setsid detached noterm; do
	case $left in pipes) n=0 ;; setsid) n=1 ;; detached) n=2 ;; noterm) n=3 ;; esac
	run_timed "$T/wd-$left" -- -d "$dir" -t z.tar.gz -f left-$left.sh -n z
	echo "# left-$left.sh: the bootstrap took $secs s"
	step "left-$left.sh: exit 0, in under 10 s" \
		sh -c "[ $rc = 0 ] && [ ${secs%.*} -lt 10 ] || { echo rc=$rc secs=$secs; cat '$T/stderr'; exit 1; }"
	step "left-$left.sh: its output arrived" grep -q '^started$' "$T/stdout"
	sleep 0.2	# a SIGKILLed process may take a moment to disappear
	step "left-$left.sh: nothing it left running survives the bootstrap" gone $n
done

# The leftovers are found among the bootstrap's own children (it is their
# subreaper), not by reading every process of the host: its own system
# calls (strace without -f: not the step's) never open the /proc directory,
# and what the step left still ends.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	run_timed "$T/wd-strace" strace -o "$T/strace" -e trace=openat,open -- \
	-d "$dir" -t z.tar.gz -f left-setsid.sh -n z
step "strace: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "strace: the children list was read" grep -q '"/proc/self/task/[0-9]*/children"' "$T/strace"
step "strace: the host's /proc was never scanned" sh -c "! grep -E '\"/proc\",' '$T/strace'"
sleep 0.2
step "strace: what the step left is still ended" gone 1

finish
