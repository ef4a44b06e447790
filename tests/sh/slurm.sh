#!/bin/sh
# slurm.sh - a sweep through a real Slurm (opt-in: `make check-slurm`, as root). Installs the
# Debian packages if missing, starts a single-node cluster of this host (tests/slurm/cluster.sh:
# its own munge key, slurm.conf with 2 CPUs, slurmctld and slurmd, stopped at the end), runs a
# small sweep whose csim steps go through `burn launch -- srun`, and checks that the results
# equal a local run byte for byte. Then a job that Slurm kills (scancel; with
# SLURM_TIME_LIMIT_TEST=1 also a --time limit, ~90 s more) must become a failed candidate
# while the sweep goes on. Under `make check` (no BURN_SLURM_TEST) only the first part runs:
# burn launch with plain commands, no Slurm.
. "$BURN_SRC/tests/lib.sh"

# burn launch without Slurm (always, also under make check): how a launcher's end is recorded
L="$TMP/launch"
mkdir -p "$L"
expect_ok "a command that writes OUT and exits 0" "$BURN" launch -- sh -c 'echo "{}" >"$2"' sh -o "$L/ok.json"
expect_eq "its OUT is left as written" "$(cat "$L/ok.json")" "{}"
expect_ok "a command killed by a signal is recorded" "$BURN" launch -- sh -c 'echo dying >&2; kill -9 $$' sh -o "$L/csim.json"
expect_grep "as a failed csim result" '"step": "csim"' "$L/csim.json"
expect_grep "saying how it ended, with its last words" '"error": "launcher: sh was killed by signal 9 \(.*\): dying"' "$L/csim.json"
expect_ok "a command exiting 143 is recorded" "$BURN" launch --out "$L/x.json" --step synth -- sh -c 'exit 143'
expect_grep "with the step given" '"step": "synth"' "$L/x.json"
expect_grep "as a killed job" 'exited with status 143 \(its job was killed' "$L/x.json"
expect_ok "exit 0 without OUT is recorded" "$BURN" launch -- true -o "$L/none.json"
expect_grep "as such" 'exited 0 without writing' "$L/none.json"
expect_exit 2 "exit 2 (bad input) is passed on" "$BURN" launch -- sh -c 'exit 2' sh -o "$L/bad.json"
expect_ok "and writes nothing" test ! -e "$L/bad.json"
echo "hit 0123" >"$L/old.json.cache"
"$BURN" launch -- false -o "$L/old.json" 2>/dev/null
expect_ok "a stale sidecar is removed" test ! -e "$L/old.json.cache"
"$BURN" launch -- sh -c 'sleep 5' sh -o "$L/int.json" 2>/dev/null &
lp=$!
sleep 0.5
kill -TERM $lp
{ wait $lp; } 2>/dev/null
expect_eq "interrupted itself: dies of the signal" "$?" 143
expect_ok "and records nothing" test ! -e "$L/int.json"
expect_exit 2 "no command" "$BURN" launch --out x
expect_exit 2 "no OUT to be found" "$BURN" launch -- true
expect_exit 2 "an unknown option" "$BURN" launch --frob -- true

if [ "${BURN_SLURM_TEST:-}" != 1 ]; then
	echo "skipped the Slurm part: it is opt-in (make check-slurm)"
	t_done
	exit
fi
unset BURN_NO_CACHE BURN_REMOTE_CACHE
S="$TMP/slurm"
trap 'sh "$BURN_SRC/tests/slurm/cluster.sh" stop "$S"; rm -rf "$TMP"' EXIT
t0=$(date +%s)
# elapsed: seconds since the test started
elapsed() { echo $(( $(date +%s) - t0 )); }

# 1. the packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
	! command -v srun >/dev/null || ! command -v munged >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		fail "Slurm is not installed and installing it needs root"
		t_done
		exit 1
	fi
	echo "installing slurmctld slurmd munge slurm-client"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$TMP/apt.log" 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd munge slurm-client \
		>>"$TMP/apt.log" 2>&1
	expect_eq "apt-get install slurmctld slurmd munge slurm-client" "$?" 0
fi
echo "packages ready after $(elapsed) s ($(slurmctld -V))"

# 2. the cluster
expect_ok "start munged, slurmctld, slurmd" sh "$BURN_SRC/tests/slurm/cluster.sh" start "$S"
export SLURM_CONF="$S/slurm.conf"
expect_ok "sinfo shows an idle node" sh -c "sinfo -h -o '%T %c' | grep -q '^idle 2$'"
expect_eq "srun runs a job" "$(srun -N1 -n1 --quiet hostname 2>&1)" "$(hostname -s)"
echo "cluster up after $(elapsed) s"

# 3. a sweep through srun, and the same sweep locally
P="$TMP/p/toy.yaml"
mkdir -p "$TMP/p"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 6/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"
LAUNCH="$BURN launch -- srun -N1 -n1 --quiet"
jobs_before=$(grep -c '_job_complete: JobId=[0-9]* done' "$S/log/slurmctld.log")
ts=$(date +%s)
BURN_CACHE="$TMP/cache-slurm" "$BURN" gen "$P" -o "$TMP/slurm-run" --launcher "$LAUNCH" >/dev/null
BURN_CACHE="$TMP/cache-slurm" ninja -C "$TMP/slurm-run" >"$TMP/slurm-run.log" 2>&1
expect_eq "sweep through srun succeeds" "$?" 0
echo "sweep through srun: $(( $(date +%s) - ts )) s"
expect_grep "the manifest's launcher is burn launch + srun" "^launcher = .*launch -- srun -N1 -n1 --quiet$" "$TMP/slurm-run/build.ninja"
ncsim=$(ls "$TMP"/slurm-run/c/*/csim.json | wc -l | tr -d ' ')
jobs=$(( $(grep -c '_job_complete: JobId=[0-9]* done' "$S/log/slurmctld.log") - jobs_before ))
expect_eq "one Slurm job per csim step ($ncsim)" "$jobs" "$ncsim"
ts=$(date +%s)
BURN_CACHE="$TMP/cache-local" "$BURN" gen "$P" -o "$TMP/local-run" >/dev/null
BURN_CACHE="$TMP/cache-local" ninja -C "$TMP/local-run" >"$TMP/local-run.log" 2>&1
expect_eq "the same sweep locally succeeds" "$?" 0
echo "the same sweep locally: $(( $(date +%s) - ts )) s"
same() { # DIR1 DIR2: rounds, best.yaml and every csim.json byte for byte
	for f in "$1"/rounds/*/results.json "$1"/best.yaml "$1"/c/*/csim.json; do
		cmp -s "$f" "$2/${f#"$1"/}" || { echo "differs: ${f#"$1"/}"; return 1; }
	done
}
expect_ok "srun and local results are byte-identical" same "$TMP/slurm-run" "$TMP/local-run"

# 4. a job killed by Slurm: scancel of candidate KILL_ID's csim job
KILL_ID=$(sed -n 's/^ *"id": "\([0-9a-f]\{32\}\)",$/\1/p' "$TMP/local-run/rounds/0/candidates.json" | head -n 1)
export KILL_ID
expect_ok "the candidate to kill ($KILL_ID)" test -n "$KILL_ID"
ts=$(date +%s)
BURN_CACHE="$TMP/cache-kill" "$BURN" gen "$P" -o "$TMP/kill-run" \
	--launcher "$LAUNCH sh $BURN_SRC/tests/slurm/job.sh" >/dev/null
BURN_CACHE="$TMP/cache-kill" ninja -C "$TMP/kill-run" >"$TMP/kill-run.log" 2>&1
expect_eq "a cancelled job does not stop the sweep" "$?" 0
echo "sweep with a cancelled job: $(( $(date +%s) - ts )) s"
K="$TMP/kill-run/c/$KILL_ID"
expect_grep "Slurm cancelled the step" "CANCELLED AT" "$TMP/kill-run.log"
expect_grep "its csim.json is a failed result" '"status": "failed"' "$K/csim.json"
expect_grep "whose error says how the job ended" '"error": "launcher: srun exited with status [0-9]+ \(its job was killed.*CANCELLED' "$K/csim.json"
expect_ok "not cached as a result" test ! -e "$K/csim.json.cache"
expect_grep "the candidate's tier is failed" '"tier": "failed"' "$K/reward.json"
expect_grep "round 0 records the failure" '"failed_step": "csim"' "$TMP/kill-run/rounds/0/results.json"
expect_ok "every round ran" test -s "$TMP/kill-run/rounds/1/results.json"
expect_ok "and the report was written" test -s "$TMP/kill-run/results.csv"

# 5. optional: a job over its --time limit (Slurm checks limits about every 30 s, so ~90 s)
if [ "${SLURM_TIME_LIMIT_TEST:-}" = 1 ]; then
	ts=$(date +%s)
	mkdir -p "$TMP/one/c/$KILL_ID"
	KILL_SLEEP=600 "$BURN" launch -- srun -N1 -n1 --quiet --time=1 sh "$BURN_SRC/tests/slurm/job.sh" \
		"$BURN" csim "$TMP/local-run/facets/csim.yaml" "$TMP/local-run/c/$KILL_ID/config.yaml" \
		-o "$TMP/one/c/$KILL_ID/csim.json" >"$TMP/limit.log" 2>&1
	expect_eq "over the time limit: burn launch exits 0" "$?" 0
	echo "time limit case: $(( $(date +%s) - ts )) s"
	expect_grep "Slurm says why" "DUE TO TIME LIMIT" "$TMP/limit.log"
	expect_grep "the result is failed" '"status": "failed"' "$TMP/one/c/$KILL_ID/csim.json"
fi

# 6. stop the cluster (the trap would too): no daemon of ours is left
sh "$BURN_SRC/tests/slurm/cluster.sh" stop "$S"
left=0
for f in slurmd.pid slurmctld.pid munge/munged.pid; do [ -f "$S/$f" ] && left=$((left + 1)); done
expect_eq "the daemons are stopped" "$left" 0
echo "total: $(elapsed) s"
t_done
