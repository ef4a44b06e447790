#!/bin/sh
# job.sh - what srun runs in tests/sh/slurm.sh: the burn step given as arguments, except that
# the job whose command line names candidate $KILL_ID cancels itself through Slurm (scancel of
# its own job id, as an operator or a time limit would), so the test sees a job killed by
# Slurm at a known place. With KILL_SLEEP set, that job sleeps instead (for a --time limit).
case "$*" in
*"c/${KILL_ID:-none}/"*)
	if [ -n "${KILL_SLEEP:-}" ]; then
		sleep "$KILL_SLEEP"
	else
		scancel "$SLURM_JOB_ID"
		sleep 60
	fi
	exit 99
	;;
esac
exec "$@"
