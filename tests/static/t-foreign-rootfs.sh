#!/usr/bin/env bash
# The static t3q-bootstrap (scripts/build-static) in a root that has nothing
# of Debian: busybox-static, /etc/hosts, /tmp and the binary at
# /t3q/bin/t3q-bootstrap, entered with chroot. No libc, no curl, no python,
# no bash. It runs a shell node end to end against the MinIO fixture (same
# network namespace, so 127.0.0.1 reaches it), as PID 1 of a PID namespace
# too, copies itself (--copy, the init container), and talks https with
# the CA bundle at the Debian path or from AWS_CA_BUNDLE.
#
# T3Q_STATIC_BIN (set by tests/CMakeLists.txt) is the binary; missing: skip.
. "$(dirname "$0")/../bootstrap/lib.sh"
bin=${T3Q_STATIC_BIN:-$T3Q_SRC/build/static/t3q-bootstrap}
[ -x "$bin" ] || skip_all "no static binary at $bin: run scripts/build-static"
[ "$(id -u)" = 0 ] || skip_all "chroot needs root"
[ -n "${T3Q_TEST_S3_ENDPOINT:-}" ] && skip_all "an external endpoint is set: the root reaches 127.0.0.1 only"
busybox=$(command -v busybox) || skip_all "no busybox (apt-get install busybox-static)"
file -L "$busybox" | grep -q 'statically linked' || skip_all "$busybox is not busybox-static"
chroot=$(command -v chroot)
unshare=$(command -v unshare)

# The root: the binary, busybox and its applets, /etc/hosts, /tmp, and
# what every container runtime provides: /dev/null and a /proc to mount.
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/dev" "$R/proc" "$R/t3q/bin"
chmod 1777 "$R/tmp"
mknod -m 666 "$R/dev/null" c 1 3
cp "$busybox" "$R/bin/busybox"
"$chroot" "$R" /bin/busybox --install -s /bin
printf '127.0.0.1\tlocalhost\n127.0.0.1\tminio-service.kubeflow\n' >"$R/etc/hosts"
cp "$bin" "$R/t3q/bin/t3q-bootstrap"
at_exit "umount '$R/proc' 2>/dev/null"

port=${T3Q_S3_ENDPOINT##*:}
# A name only /etc/hosts knows: musl's resolver reads it by itself.
endpoint=http://minio-service.kubeflow:$port

# in_root CMD...: CMD in the root, with nothing of our environment but
# PATH, HOME and the credentials (plus any VAR=VALUE given in $extra_env).
extra_env=()
in_root() {
	env -i PATH=/bin HOME=/tmp AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
		AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" "${extra_env[@]}" \
		"$chroot" "$R" "$@"
}
# run_root [PREFIX... --] ARGS...: the bootstrap in the root (after
# PREFIX, e.g. unshare), output in $T/stdout, $T/stderr, exit code in $rc.
run_root() {
	local pre=()
	if [[ " $* " == *" -- "* ]]; then
		while [ "$1" != -- ]; do pre+=("$1"); shift; done
		shift
	fi
	rc=0
	env -i PATH=/bin HOME=/tmp AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
		AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
		"${pre[@]}" "$chroot" "$R" /t3q/bin/t3q-bootstrap \
		-e "$endpoint" -b "$bucket" "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
}

bare_root() {
	local files
	files=$(cd "$R" && find . -type f | sort | tr '\n' ' ')
	[ "$files" = "./bin/busybox ./etc/hosts ./t3q/bin/t3q-bootstrap " ] ||
		{ echo "files: $files"; return 1; }
	[ ! -e "$R/lib" ] && [ ! -e "$R/lib64" ] && [ ! -e "$R/usr" ] &&
	for c in bash python3 python curl ldd; do
		if in_root /bin/sh -c "command -v $c"; then
			echo "$c is in the root"
			return 1
		fi
	done
}
step "the root holds busybox, /etc/hosts and the binary, and no libc, bash, python or curl" bare_root
dynamic_fails() {
	cp "$T3Q_BIN/bootstrap/t3q-bootstrap" "$R/tmp/dynamic"
	local rc=0
	in_root /tmp/dynamic --version || rc=$?
	rm -f "$R/tmp/dynamic"
	[ "$rc" = 127 ] || { echo "the dynamic build gave $rc, not 127"; return 1; }
}
step "control: the dynamic build cannot even start there" dynamic_fails
step "--version runs in the root" sh -c "env -i '$chroot' '$R' /t3q/bin/t3q-bootstrap --version | grep -q '^t3q-bootstrap '"

bucket=$(new_bucket)
dir=static-01
src=$(mk_src)
cat >"$src/ok.sh" <<'SH'
set -e
echo "static: line one"
echo "static: to stderr" >&2
mkdir -p results
echo "made in a bare root" >results/out.txt
for c in bash python3 curl; do command -v $c >/dev/null && echo "found $c"; done
echo "static: line two"
SH
printf 'echo "static: before the exit"\nexit 7\n' >"$src/fail.sh"
cat >"$src/zombies.sh" <<'SH'
for i in 1 2 3 4 5; do (sleep 0.2 &); done
# one more orphan tells who its parent became
(sh -c 'sleep 0.3; read -r s </proc/$$/stat; set -- ${s##*) }; echo "orphan-ppid=$2"' &)
sleep 1.5
n=0
for f in /proc/[0-9]*/stat; do
	read -r s <"$f" 2>/dev/null || continue
	rest=${s##*) }
	[ "${rest%% *}" = Z ] && n=$((n + 1))
done
echo "pid1=$(cat /proc/1/comm) zombies=$n"
SH
step "the archive goes up with the dynamic build, from outside" \
	upload_archive "$src" "$dir" st.tar.gz ok.sh fail.sh zombies.sh

run_root -d "$dir" -t st.tar.gz -f ok.sh -n static -o results/out.txt --work-dir /work
step "a shell node runs end to end: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "its output streams to stdout, and nothing else does" \
	sh -c "printf 'static: line one\nstatic: line two\n' | cmp - '$T/stdout'"
step "stderr: the script's and the bootstrap's lines" \
	sh -c "grep -q '^static: to stderr$' '$T/stderr' && grep -q 'starting operation' '$T/stderr' &&
	       grep -q 'operation completed' '$T/stderr'"
log_up() { get_obj "$dir/ok.log" "$T/ok.log" && grep -q '^static: line two$' "$T/ok.log"; }
step "the log is uploaded" log_up
out_up() { get_obj "$dir/results/out.txt" "$T/out.txt" && [ "$(cat "$T/out.txt")" = "made in a bare root" ]; }
step "the output is uploaded" out_up
step "the archive was extracted in the root's work dir" test -f "$R/work/ok.sh"

run_root -d "$dir" -t st.tar.gz -f fail.sh -n static --work-dir /work2
step "a script exiting 7: the bootstrap exits 7" sh -c "[ $rc = 7 ] || { echo rc=$rc; cat '$T/stderr'; exit 1; }"
fail_log() { get_obj "$dir/fail.log" "$T/fail.log" && grep -q '^static: before the exit$' "$T/fail.log"; }
step "its log is uploaded all the same" fail_log

# PID 1 of a new PID namespace, /proc of that namespace mounted in the root.
run_root "$unshare" -p -f --mount-proc="$R/proc" -- \
	-d "$dir" -t st.tar.gz -f zombies.sh -n static --work-dir /work3
pid1() {
	[ "$rc" = 0 ] || { echo "rc=$rc"; cat "$T/stderr"; return 1; }
	grep -qx 'orphan-ppid=1' "$T/stdout" &&
	grep -qx 'pid1=t3q-bootstrap zombies=0' "$T/stdout" &&
	! grep -v '^\[[EWID] ' "$T/stderr" || { cat "$T/stdout" "$T/stderr"; return 1; }
}
step "as PID 1 it reaps the orphans (reparented to it): zombies=0" pid1
# The control: PID 1 a sleep that never waits, the same script its child.
control() {
	cp "$src/zombies.sh" "$R/tmp/zombies.sh"
	env -i PATH=/bin "$unshare" -p -f --mount-proc="$R/proc" "$chroot" "$R" \
		/bin/sh -c '(sh /tmp/zombies.sh >/tmp/control.out &); exec sleep 2.5'
	cat "$R/tmp/control.out"
	grep -q 'zombies=[1-9]' "$R/tmp/control.out"
}
step "control: the count sees zombies when PID 1 does not reap" control

copy() {
	mkdir -p "$R/t3q/copy"
	env -i "$unshare" -p -f --mount-proc="$R/proc" "$chroot" "$R" \
		/t3q/bin/t3q-bootstrap --copy /t3q/copy/t3q-bootstrap &&
	cmp "$bin" "$R/t3q/copy/t3q-bootstrap" &&
	[ "$(stat -c %a "$R/t3q/copy/t3q-bootstrap")" = 555 ] &&
	env -i "$chroot" "$R" /t3q/copy/t3q-bootstrap --version
}
step "--copy DEST copies the binary, mode 0555 (the init container)" copy

# https: MinIO with a throwaway CA, its bucket made from outside.
tls=$T/tls
if "$T3Q_SRC/tests/tools/s3server.sh" start minio-tls "$tls" >"$T/tls.log" 2>&1; then
	at_exit "'$T3Q_SRC/tests/tools/s3server.sh' stop '$tls'"
	# tls_root [VAR=VALUE...] -- ARGS: "t3q-bootstrap s3" in the root,
	# with the TLS server's endpoint and credentials.
	tls_root() {
		(
			. "$tls/env"
			extra_env=()
			while [ "$1" != -- ]; do extra_env+=("$1"); shift; done
			shift
			in_root /t3q/bin/t3q-bootstrap s3 -e "$T3Q_S3_ENDPOINT" "$@"
		)
	}
	tls_bucket() {
		(
			. "$tls/env"
			echo hello >"$T/tls.txt"
			AWS_CA_BUNDLE=$T3Q_TEST_CA t3q s3 mb s3://t3q-static-tls &&
			AWS_CA_BUNDLE=$T3Q_TEST_CA t3q s3 put "$T/tls.txt" s3://t3q-static-tls/over/tls.txt
		)
	}
	step "https: a bucket and an object made from outside (AWS_CA_BUNDLE)" tls_bucket
	no_ca() {
		expect_rc 1 tls_root -- ls s3://t3q-static-tls/ &&
		expect_out "no CA bundle for the https endpoint" &&
		expect_out "set AWS_CA_BUNDLE"
	}
	step "https with no CA bundle in the root: a clear message on how to supply one" no_ca
	system_ca() {
		mkdir -p "$R/etc/ssl/certs" &&
		(. "$tls/env" && cp "$T3Q_TEST_CA" "$R/etc/ssl/certs/ca-certificates.crt") &&
		expect_rc 0 tls_root -- ls -r s3://t3q-static-tls/ &&
		expect_out "over/tls.txt"
	}
	step "https: the CA bundle at /etc/ssl/certs/ca-certificates.crt is found" system_ca
	env_ca() {
		mv "$R/etc/ssl/certs/ca-certificates.crt" "$R/tmp/ca.pem" &&
		expect_rc 0 tls_root AWS_CA_BUNDLE=/tmp/ca.pem -- ls -r s3://t3q-static-tls/ &&
		expect_out "over/tls.txt" &&
		expect_rc 0 tls_root SSL_CERT_FILE=/tmp/ca.pem -- get s3://t3q-static-tls/over/tls.txt /tmp/got.txt &&
		[ "$(cat "$R/tmp/got.txt")" = hello ]
	}
	step "https: AWS_CA_BUNDLE or SSL_CERT_FILE naming a file in the root" env_ca
else
	echo "# skipped the https steps: minio-tls did not start:"
	sed 's/^/#   /' "$T/tls.log"
fi

finish
