#!/bin/sh
# cluster.sh - a throwaway single-node Slurm (this host, 2 CPUs) living in one folder, for
# tests/sh/slurm.sh and for trying `burn launch -- srun ...` by hand (docs/SLURM.md):
#
#   sh tests/slurm/cluster.sh start DIR   # munged, slurmctld, slurmd; waits for the node
#   export SLURM_CONF=DIR/slurm.conf      # then srun, sinfo, scancel talk to it
#   sh tests/slurm/cluster.sh stop DIR    # stops the three daemons it started
#
# Needs root and the Debian packages slurmctld slurmd munge slurm-client. Its own munge key,
# socket, spool, logs and ports (SLURM_CTLD_PORT, default 16817; SLURMD_PORT, 16818): nothing
# outside DIR is written, and a system Slurm or munge is left alone.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-} dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: cluster.sh start|stop DIR" >&2; exit 2; }

# stop_pid FILE: SIGTERM the daemon whose pid FILE holds, wait up to 10 s, then SIGKILL
stop_pid() {
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	case "$pid" in ''|*[!0-9]*) return 0 ;; esac
	kill "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null
	rm -f "$1"
}

case "$cmd" in
start)
	mkdir -p "$dir/munge" "$dir/spool/ctld" "$dir/spool/d" "$dir/log" || exit 1
	dir=$(cd "$dir" && pwd)
	chmod 700 "$dir/munge"
	if [ ! -f "$dir/munge/munge.key" ]; then
		dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null || exit 1
		chmod 400 "$dir/munge/munge.key"
	fi
	munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
		--log-file="$dir/munge/munged.log" --pid-file="$dir/munge/munged.pid" \
		--seed-file="$dir/munge/munged.seed" || { echo "cluster: munged failed" >&2; exit 1; }
	host=$(hostname -s)
	sed -e "s|@HOST@|$host|g" -e "s|@DIR@|$dir|g" \
		-e "s|@CTLD_PORT@|${SLURM_CTLD_PORT:-16817}|" -e "s|@SLURMD_PORT@|${SLURMD_PORT:-16818}|" \
		"$here/slurm.conf.in" >"$dir/slurm.conf" || exit 1
	export SLURM_CONF="$dir/slurm.conf"
	slurmctld -i -f "$SLURM_CONF" || { echo "cluster: slurmctld failed; see $dir/log" >&2; exit 1; }
	slurmd -f "$SLURM_CONF" || { echo "cluster: slurmd failed; see $dir/log" >&2; exit 1; }
	i=0
	until sinfo -h -o %T 2>/dev/null | grep -q idle; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "cluster: the node did not become idle in 20 s:" >&2
			sinfo >&2
			tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2
			exit 1
		fi
		sleep 0.2
	done
	echo "export SLURM_CONF=$dir/slurm.conf"
	;;
stop)
	stop_pid "$dir/slurmd.pid"
	stop_pid "$dir/slurmctld.pid"
	stop_pid "$dir/munge/munged.pid"
	;;
*)
	echo "usage: cluster.sh start|stop DIR" >&2
	exit 2
	;;
esac
