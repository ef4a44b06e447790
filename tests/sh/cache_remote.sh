#!/bin/sh
# cache_remote.sh - the remote cache against `burn cache serve` on 127.0.0.1 (started here,
# with an idle timeout so it stops by itself): a sweep writes back to it; a sweep on a fresh
# local cache then evaluates nothing (every step is a remote hit) and gives the same bytes;
# remote content damaged or pointing at the wrong object is detected, recomputed and healed;
# a remote that is down or hangs is a warning and a miss, never a failed step; push uploads
# what the remote lacks; the server refuses what it must.
. "$BURN_SRC/tests/lib.sh"
unset BURN_NO_CACHE BURN_REMOTE_CACHE BURN_REMOTE_TIMEOUT
SPID=
trap '[ -n "$SPID" ] && kill -CONT "$SPID" 2>/dev/null && kill "$SPID" 2>/dev/null; rm -rf "$TMP"' EXIT

P="$TMP/p/toy.yaml"
mkdir -p "$TMP/p"
sed -e "s/rounds: 4, per_round: 8/rounds: 1, per_round: 6/" "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"

# serve DIR: starts burn cache serve on DIR, any free port; sets SPID and URL.
serve() {
	rm -f "$TMP/port"
	"$BURN" cache serve --root "$1" --port 0 --port-file "$TMP/port" --idle-timeout 90 \
		>"$TMP/serve.log" 2>&1 &
	SPID=$!
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	URL="http://127.0.0.1:$(cat "$TMP/port")"
}
stop_server() { kill -CONT "$SPID" 2>/dev/null; kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=; }

# sweep NAME: a fresh build folder $TMP/NAME on local root $TMP/NAME-cache; log in $TMP/NAME.log
sweep() {
	BURN_CACHE="$TMP/$1-cache" "$BURN" gen "$P" -o "$TMP/$1" >/dev/null &&
		BURN_CACHE="$TMP/$1-cache" ninja -C "$TMP/$1" >"$TMP/$1.log" 2>&1
}
# sidecars NAME: every *.cache sidecar of the build folder, one per line
sidecars() { find "$TMP/$1" -name '*.cache' -exec cat {} +; }
same_rounds() {
	for f in "$1"/rounds/*/results.json "$1"/best.yaml; do
		cmp -s "$f" "$2/${f#"$1"/}" || { echo "differs: ${f#"$1"/}"; return 1; }
	done
}
# ac_of KEY: the path of KEY's action cache entry on the server root $SRV
ac_of() {
	a=$( (printf 'BurnTTT cache action v1\n'; echo "$1" | xxd -r -p) | sha256sum | cut -c1-64)
	echo "$SRV/ac/$(echo "$a" | cut -c1-2)/$(echo "$a" | cut -c3-)"
}
# cas_of KEY: the path of the CAS blob holding KEY's object, from the warm local root
cas_of() {
	s=$(sha256sum "$("$BURN" cache --root "$TMP/warm-cache" path "$1")" | cut -c1-64)
	echo "$SRV/cas/$(echo "$s" | cut -c1-2)/$(echo "$s" | cut -c3-)"
}

SRV="$TMP/srv"
serve "$SRV"
expect_ok "the server listens" test -s "$TMP/port"
expect_grep "and says where" "^burn cache serve: .* on http://127.0.0.1:[0-9]+$" "$TMP/serve.log"
expect_ok "the empty blob is always there (bazel-remote's ping)" \
	curl -sf -o /dev/null "$URL/cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# 1. write-back: a sweep with the remote set uploads everything it computes
export BURN_REMOTE_CACHE="$URL"
sweep warm
expect_eq "warm sweep succeeds" "$?" 0
expect_eq "warm sweep: all misses" "$(sidecars warm | grep -vc '^miss')" 0
nobj=$("$BURN" cache --root "$TMP/warm-cache" stats | sed -n 's/^objects *//p')
expect_eq "one action cache entry per local object ($nobj)" "$(find "$SRV/ac" -type f | wc -l | tr -d ' ')" "$nobj"
expect_eq "one CAS blob per local object" "$(find "$SRV/cas" -type f | wc -l | tr -d ' ')" "$nobj"
expect_ok "stats names the remote" "$BURN" cache --root "$TMP/warm-cache" stats
expect_grep "remote line" "^remote +$URL\$" "$TMP/out"

# 2. read-through: a fresh local cache, the warm remote: zero evaluations
sweep cold
expect_eq "fresh local cache: sweep succeeds" "$?" 0
total=$(sidecars cold | wc -l | tr -d ' ')
expect_ok "fresh local cache: sidecars written ($total)" test "$total" -gt 0
expect_eq "fresh local cache: every step is a remote hit" "$(sidecars cold | grep -vc '^hit [0-9a-f]* remote$')" 0
expect_ok "fresh local cache: same results" same_rounds "$TMP/warm" "$TMP/cold"
expect_ok "the remote hits were kept locally" "$BURN" cache --root "$TMP/cold-cache" verify
expect_grep "as many sound objects" "^$nobj objects checked, 0 corrupt$" "$TMP/out"
expect_ok "no warnings on the way" sh -c "! grep -q warning '$TMP/cold.log'"

# 3. damaged remote content: one CAS blob's byte flipped, one AC entry naming another object
id=$(ls "$TMP/warm/c" | head -n 1)
k1=$(cut -d' ' -f2 "$TMP/warm/c/$id/csim.json.cache")
k2=$(cut -d' ' -f2 "$TMP/warm/c/$id/estimate.json.cache")
k3=$(cut -d' ' -f2 "$TMP/warm/c/$id/reward.json.cache")
blob=$(cas_of "$k1")
expect_ok "found csim's CAS blob" test -f "$blob"
cp "$blob" "$TMP/blob.good"
printf X | dd of="$blob" bs=1 seek=60 conv=notrunc 2>/dev/null
cp "$(ac_of "$k3")" "$(ac_of "$k2")" # estimate's entry now names reward's object
sweep damaged
expect_eq "damaged remote: sweep succeeds" "$?" 0
expect_grep "the damaged blob is detected" "object $k1: content of /cas/.* does not match its digest" "$TMP/damaged.log"
expect_grep "the misplaced object is detected" "object $k2 is corrupt \(holds key $k3" "$TMP/damaged.log"
expect_grep "csim was recomputed" "^miss $k1\$" "$TMP/damaged/c/$id/csim.json.cache"
expect_grep "estimate was recomputed" "^miss $k2\$" "$TMP/damaged/c/$id/estimate.json.cache"
expect_eq "every other step was a remote hit" "$(sidecars damaged | grep -vc 'remote$')" 2
expect_ok "damaged remote: same results" same_rounds "$TMP/warm" "$TMP/damaged"
expect_ok "write-back healed the blob" cmp -s "$blob" "$TMP/blob.good"
expect_ok "no damaged object reached the local cache" "$BURN" cache --root "$TMP/damaged-cache" verify

# 4. push: a new, empty server gets every object; a second push sends nothing
stop_server
SRV2="$TMP/srv2"
serve "$SRV2"
export BURN_REMOTE_CACHE="$URL"
expect_ok "push to an empty remote" "$BURN" cache --root "$TMP/warm-cache" push
expect_grep "push sent every object" "^pushed $nobj objects, 0 already there, 0 corrupt$" "$TMP/out"
expect_ok "push again" "$BURN" cache --root "$TMP/warm-cache" push
expect_grep "second push sends nothing" "^pushed 0 objects, $nobj already there" "$TMP/out"

# 5. what the server refuses
expect_eq "unknown method: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")" 405
expect_eq "a path outside ac/cas: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/etc/passwd")" 404
expect_eq "a missing blob: 404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/cas/0000000000000000000000000000000000000000000000000000000000000000")" 404
printf 'not a digest' >"$TMP/body"
expect_eq "CAS content that does not match its name: 400" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$TMP/body" "$URL/cas/0000000000000000000000000000000000000000000000000000000000000000")" 400
expect_eq "an AC entry that is not an ActionResult: 400" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$TMP/body" "$URL/ac/0000000000000000000000000000000000000000000000000000000000000000")" 400
head -c 70000 /dev/zero >"$TMP/big"
stop_server
SRV3="$TMP/srv3"
rm -f "$TMP/port"
"$BURN" cache serve --root "$SRV3" --port 0 --port-file "$TMP/port" --max-blob 64K --idle-timeout 30 >/dev/null 2>&1 &
SPID=$!
i=0; while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
URL="http://127.0.0.1:$(cat "$TMP/port")"
big=$(sha256sum "$TMP/big" | cut -c1-64)
expect_eq "an upload over --max-blob: 413" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$TMP/big" "$URL/cas/$big")" 413
expect_eq "nothing stored" "$(find "$SRV3/cas" -type f | wc -l | tr -d ' ')" 0

# 6. a hung remote (the server stopped with SIGSTOP: connections wait, nobody answers)
kill -STOP "$SPID"
export BURN_REMOTE_CACHE="$URL" BURN_REMOTE_TIMEOUT=1
start=$(date +%s)
sweep hung
expect_eq "hung remote: sweep succeeds" "$?" 0
took=$(( $(date +%s) - start ))
expect_grep "hung remote: a warning that it timed out" "warning: remote cache .*: timed out; using the local cache only" "$TMP/hung.log"
expect_ok "hung remote: the sweep was not held up long ($took s)" test "$took" -lt 60
expect_eq "hung remote: everything computed locally" "$(sidecars hung | grep -vc '^miss')" 0
expect_ok "hung remote: same results" same_rounds "$TMP/warm" "$TMP/hung"
expect_ok "hung remote: the back-off marker" test -f "$TMP/hung-cache/remote-down"
stop_server
unset BURN_REMOTE_TIMEOUT

# 7. a remote that is down (nobody listens on its port)
export BURN_REMOTE_CACHE="$URL"
sweep down
expect_eq "remote down: sweep succeeds" "$?" 0
expect_grep "remote down: a warning" "warning: remote cache .*: (lookup|upload): connect to .*refused; using the local cache only for 60 s" "$TMP/down.log"
expect_ok "remote down: warned about once, not per step" test "$(grep -c 'warning: remote cache' "$TMP/down.log")" -le 3
expect_eq "remote down: everything computed locally" "$(sidecars down | grep -vc '^miss')" 0
expect_ok "remote down: same results" same_rounds "$TMP/warm" "$TMP/down"

# 8. a value that is not an http URL: a warning, and the local cache works
export BURN_REMOTE_CACHE="https://cache.invalid"
id2=$(ls "$TMP/warm/c" | sed -n 2p)
mkdir -p "$TMP/one"
BURN_CACHE="$TMP/warm-cache" "$BURN" csim "$TMP/warm/facets/csim.yaml" "$TMP/warm/c/$id2/config.yaml" -o "$TMP/one/csim.json" >"$TMP/one.log" 2>&1
expect_eq "https URL: the step succeeds" "$?" 0
expect_grep "https URL: a warning" "BURN_REMOTE_CACHE: .*only plain http" "$TMP/one.log"
expect_grep "https URL: a local hit" "^hit " "$TMP/one/csim.json.cache"
unset BURN_REMOTE_CACHE

t_done
