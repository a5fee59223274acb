# args.sh: the argument check a script without options of its own starts
# with (sourced, not run): --help and -h print the script's usage and exit
# 0; an option, or more than MAX arguments, exits 2 with a message. It runs
# before the script installs, builds or makes anything, so that a wrong
# word costs nothing (scripts/build-static --help made a directory named
# "--help", scripts/run-example --help started a build).
#
#   . "$(dirname "$0")/lib/args.sh" && args_check MAX "WHAT" "$@"
#
# The usage is the script's header: its comment from line 2 to the line
# `set -euo pipefail`. WHAT names the arguments in the message of a usage
# error ("one OUTDIR").
args_usage() { sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; }

args_check() {  # MAX WHAT ARGS...
	local max=$1 what=$2 name a
	shift 2
	name=$(basename "$0")
	for a in "$@"; do
		case $a in
		-h|--help) args_usage; exit 0 ;;
		-*) echo "$name: unknown option: $a (see --help)" >&2; exit 2 ;;
		esac
	done
	[ $# -le "$max" ] && return
	if [ "$max" = 0 ]; then
		echo "$name: takes no arguments (see --help)" >&2
	else
		echo "$name: $what at most (see --help)" >&2
	fi
	exit 2
}
