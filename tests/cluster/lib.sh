# tests/cluster/lib.sh: what tests/cluster/run and bench/cluster both do
# with the cluster (sourced; needs $cluster, scripts/cluster's path).
kc() { "$cluster" kubectl "$@"; }
nsx() { "$cluster" exec "$@"; }
# submit FILE: kubectl create; prints the workflow's name
submit() { kc create -f "$1" -o name | cut -d/ -f2; }
# wait_wf WF TIMEOUT: prints the final phase
wait_wf() {
	local w=$1 t=$2 s p stuck n=0; s=$(date +%s)
	while :; do
		p=$(kc get wf "$w" -o jsonpath='{.status.phase}' 2>/dev/null)
		case $p in Succeeded|Failed|Error) echo "$p"; return ;; esac
		[ $(( $(date +%s) - s )) -lt "$t" ] || { echo Timeout; return; }
		# a pod that cannot start will not: say why rather than wait
		stuck=$(kc get pods -l "workflows.argoproj.io/workflow=$w" -o \
			jsonpath='{range .items[*]}{range .status.containerStatuses[*]}{.state.waiting.reason}{" "}{end}{end}' 2>/dev/null |
			grep -oE 'CreateContainerConfigError|ImagePullBackOff|ErrImagePull|InvalidImageName' | head -1)
		if [ -n "$stuck" ]; then n=$((n + 1)); [ "$n" -lt 15 ] || { echo "Stuck:$stuck"; return; }; fi
		sleep 1
	done
}
# push_bootstrap BIN LOG: BIN as the image quay.io/t3q/t3q-bootstrap at its
# version (scripts/build-image into the cluster's registry); prints the version
push_bootstrap() {
	local v; v=$("$1" --version | awk 'NR == 1 { print $2 }')
	nsx env T3Q_CACHE="$T3Q_CACHE" "$root/scripts/build-image" --bin "$1" --insecure \
		--push "127.0.0.1:5000/t3q/t3q-bootstrap:$v" >/dev/null 2>"$2" && echo "$v"
}
