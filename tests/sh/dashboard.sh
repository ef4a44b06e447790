#!/bin/sh
# dashboard.sh - burn compare and burn dashboard end to end: compare writes one sweep per
# (strategy, seed) whose project copies differ from the project only in `search`; one ninja
# runs them all and the dashboard, a second is a no-op, a project edit reaches every sweep; the
# page is deterministic, self-contained and escapes what it shows; headless Chromium renders
# it without console errors and its table sorts. Chromium (Debian's `chromium`) is installed
# with apt-get when missing and we are root.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"

mkdir -p "$TMP/p"
P="$TMP/p/toy.yaml"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 3/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"
C="$TMP/cmp"
SUBS="heuristic-s1 heuristic-s2 random-s1 random-s2"

# ---- burn compare: the build and the project copies ----
expect_ok "compare writes the build" "$BURN" compare --project "$P" --strategies heuristic,random \
	--seeds 1,2 -o "$C"
expect_grep "compare says how to run it" "4 sweeps: 2 strategies x 2 seeds" "$TMP/out"
for s in $SUBS; do
	expect_ok "copy $s exists" test -s "$C/$s/project.yaml"
done
expect_grep "a copy has its strategy and seed" "^search: \{rounds: 2, per_round: 3, strategy: random, seed: 2\}$" \
	"$C/random-s2/project.yaml"
expect_grep "the manifest runs each sweep with its own ninja" "^build random-s2/results.csv .*: sweep random-s2/project.yaml" \
	"$C/build.ninja"
expect_grep "the manifest ends in the dashboard" "^build report.html: dashboard " "$C/build.ninja"

# Everything but search is the project's: the facets (what every step reads) are identical.
"$BURN" facet "$P" -o "$TMP/f0" >/dev/null 2>&1
same_facets() { # DIR1 DIR2: every facet but author.yaml is byte-identical
	for f in csim estimate hlsgen reward; do cmp -s "$1/$f.yaml" "$2/$f.yaml" || return 1; done
}
"$BURN" facet "$C/random-s2/project.yaml" -o "$TMP/f1" >/dev/null 2>&1
expect_ok "a copy's facets are the project's" same_facets "$TMP/f0" "$TMP/f1"
expect_eq "the author facet differs only in search" \
	"$(diff "$TMP/f0/author.yaml" "$TMP/f1/author.yaml" | grep '^[<>]' | grep -vc '^. search: ')" 0

# A project with its own part file and a relative start config: the copy (in another folder)
# carries the part inline and the path made absolute, and loads exactly the same.
mkdir -p "$TMP/q/parts" "$TMP/q/cfg"
sed -e 's/^name: pynq-z2/name: my-z2/' "$BURN_SRC/projects/parts/pynq-z2.yaml" >"$TMP/q/parts/my-z2.yaml"
"$BURN" config default "$P" -o "$TMP/q/cfg/default.yaml" >/dev/null 2>&1
"$BURN" config hls4ml "$P" "$TMP/q/cfg/default.yaml" -o "$TMP/q/cfg/start.yaml" >/dev/null 2>&1
sed -e 's/^part: pynq-z2/part: my-z2   # from parts\//' \
    -e 's/^search: {strategy: heuristic, rounds: 2, per_round: 3, seed: 1}/search:\n  strategy: heuristic\n  start: cfg\/start.yaml\n  rounds: 2\n  per_round: 3\n  seed: 1/' \
	"$P" >"$TMP/q/own.yaml"
expect_ok "compare: a project with its own part" "$BURN" compare --project "$TMP/q/own.yaml" \
	--strategies random --seeds 7 -o "$TMP/cq"
expect_grep "the part is inline in the copy" "^  name: my-z2$" "$TMP/cq/random-s7/project.yaml"
expect_grep "the start path is absolute in the copy" "start: $TMP/q/cfg/start.yaml" "$TMP/cq/random-s7/project.yaml"
"$BURN" facet "$TMP/q/own.yaml" -o "$TMP/f2" >/dev/null 2>&1
"$BURN" facet "$TMP/cq/random-s7/project.yaml" -o "$TMP/f3" >/dev/null 2>&1
expect_ok "its copy's facets are the project's" same_facets "$TMP/f2" "$TMP/f3"

# bad input: exit 2 with a message, nothing written
expect_exit 2 "compare: unknown strategy" "$BURN" compare --project "$P" --strategies heurstic \
	--seeds 1 -o "$TMP/bad1"
expect_grep "compare: unknown strategy: did you mean" "did you mean 'heuristic'" "$TMP/out"
expect_ok "compare: no copy left behind" test ! -e "$TMP/bad1/heurstic-s1/project.yaml"
expect_exit 2 "compare: an empty seed" "$BURN" compare --project "$P" --strategies random --seeds 1,,2 -o "$TMP/bad2"
expect_exit 2 "compare: a negative seed" "$BURN" compare --project "$P" --strategies random --seeds -1 -o "$TMP/bad3"
expect_exit 2 "compare: a strategy twice" "$BURN" compare --project "$P" --strategies random,random --seeds 1 -o "$TMP/bad4"
expect_exit 2 "compare: no project" "$BURN" compare --strategies random --seeds 1 -o "$TMP/bad5"
expect_exit 2 "dashboard: not a sweep folder" "$BURN" dashboard -o "$TMP/x.html" "$TMP/p"
expect_ok "dashboard: nothing written on failure" test ! -e "$TMP/x.html"

# ---- one ninja runs it all ----
ninja -C "$C" >"$TMP/run1" 2>&1
expect_eq "first ninja succeeds" "$?" 0
for s in $SUBS; do
	expect_eq "$s: 2 rounds x 3 candidates" "$(($(wc -l <"$C/$s/results.csv") - 1))" 6
done
expect_ok "report.html written" test -s "$C/report.html"
ninja -C "$C" >"$TMP/run2" 2>&1
expect_grep "second ninja is a no-op" "^ninja: no work to do.$" "$TMP/run2"

H="$C/report.html"
rows=0
for s in $SUBS; do rows=$((rows + $(wc -l <"$C/$s/results.csv") - 1)); done
expect_eq "one table row per evaluation (and per strategy's best)" "$(grep -c '^<tr><td><span class="sw"' "$H")" $((rows + 2))
expect_eq "three plots" "$(grep -c '^<svg ' "$H")" 3
expect_grep "both strategies in the legend" ">random \(2 seeds\)</text>" "$H"
expect_grep "the default title names the project" "<title>toy-ffn-z2: heuristic vs random \(seeds 1, 2\)</title>" "$H"
expect_eq "no external resource (src, href, url(), @import)" \
	"$(grep -Eci 'src=|href=|url\(|@import' "$H")" 0
expect_eq "no address but the SVG namespace" \
	"$(grep -o 'https\?://[^"]*' "$H" | grep -vc '^http://www.w3.org/2000/svg$')" 0
expect_ok "no timestamp: the same sweeps give the same bytes" sh -c \
	"cd '$C' && '$BURN' dashboard -o '$TMP/again.html' --title 'toy-ffn-z2: heuristic vs random (seeds 1, 2)' $SUBS && cmp -s '$TMP/again.html' report.html"

# a project edit reaches every sweep: the copies are rewritten and the sweeps re-run
sed -i 's/^eps_max: .*/eps_max: 0.2/' "$P"
ninja -C "$C" >"$TMP/run3" 2>&1
expect_eq "eps_max edit: ninja succeeds" "$?" 0
expect_grep "eps_max edit: the copies follow" "^eps_max: 0.2$" "$C/heuristic-s2/project.yaml"
expect_eq "eps_max edit: every sweep re-ran" "$(grep -Ec '^ninja: Entering directory .(heuristic|random)-s' "$TMP/run3")" 4
expect_ok "eps_max edit: the sweeps' facets follow" grep -q "^eps_max: 0.2" "$C/random-s1/facets/reward.yaml"
ninja -C "$C" >"$TMP/run4" 2>&1
expect_grep "after the edit, ninja is a no-op again" "^ninja: no work to do.$" "$TMP/run4"

# values from results are data, never markup: a sweep whose strategy and origin hold markup
E="$TMP/evil"
cp -r "$C/random-s1" "$E"
sed -i 's/"strategy": "random"/"strategy": "<b>ev\&il<\/b>"/' "$E/rounds/0/candidates.json"
sed -i '0,/"origin": "[^"]*"/s//"origin": "<img src=x onerror=alert(1)><\/td><script>alert(2)<\/script>"/' \
	"$E/rounds/0/results.json"
expect_ok "dashboard over a hostile sweep" "$BURN" dashboard -o "$TMP/evil.html" --title '<i>t</i> & "q"' "$E" "$C/heuristic-s1"
expect_eq "no markup from the data" "$(grep -Ec '<img|<script>alert|<b>ev|<i>t' "$TMP/evil.html")" 0
expect_grep "the origin is shown, escaped" "&lt;img src=x onerror=alert\(1\)&gt;&lt;/td&gt;&lt;script&gt;" "$TMP/evil.html"
expect_grep "the strategy is shown, escaped" "&lt;b&gt;ev&amp;il&lt;/b&gt;" "$TMP/evil.html"
expect_grep "the title is escaped" "<title>&lt;i&gt;t&lt;/i&gt; &amp; &quot;q&quot;</title>" "$TMP/evil.html"

# ---- headless Chromium: renders without console errors, the table sorts ----
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing chromium with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >"$TMP/apt" 2>&1 ||
		{ apt-get update -qq >>"$TMP/apt" 2>&1 &&
		  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >>"$TMP/apt" 2>&1; }
fi
if ! command -v chromium >/dev/null 2>&1; then
	fail "chromium is not installed (apt-get install chromium, as root)"
	t_done
	exit
fi
# chrome FILE ARGS...: headless Chromium on FILE, console messages in $TMP/chrome.err.
chrome() {
	f=$1; shift
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --user-data-dir="$TMP/chrome-profile" --enable-logging=stderr \
		--v=0 "$@" "file://$f" 2>"$TMP/chrome.err"
}
# The page, with a script after it that clicks the reward header twice and checks the order.
cat "$H" | sed 's|^</body>$||; s|^</html>$||' >"$TMP/sort.html"
cat >>"$TMP/sort.html" <<'JS'
<script>
(function(){
var t=document.getElementById('candidates'),hs=t.tHead.rows[0].cells,col=-1;
for(var i=0;i<hs.length;i++)if(hs[i].textContent==='reward')col=i;
function vals(){var a=[];for(var r=0;r<t.tBodies[0].rows.length;r++)a.push(parseFloat(t.tBodies[0].rows[r].cells[col].getAttribute('data-v')));return a;}
function sorted(a,d){for(var i=1;i<a.length;i++)if(d*(a[i]-a[i-1])<0)return false;return true;}
hs[col].click();var up=vals();hs[col].click();var down=vals();
var ok=col>=0&&up.length>1&&sorted(up,1)&&sorted(down,-1)&&up[0]<up[up.length-1]&&hs[col].getAttribute('aria-sort')==='descending';
document.body.setAttribute('data-sort-test',ok?'pass':'fail');
})();
</script>
</body>
</html>
JS
chrome "$TMP/sort.html" --dump-dom >"$TMP/dom.html"
expect_eq "chromium loads the page" "$?" 0
expect_eq "no console message (error, CSP violation, log)" "$(grep -c ':CONSOLE' "$TMP/chrome.err")" 0
expect_grep "the table sorts both ways on a click" 'data-sort-test="pass"' "$TMP/dom.html"
expect_eq "the DOM holds the three plots" "$(grep -o '<svg ' "$TMP/dom.html" | wc -l)" 3
expect_eq "the DOM holds every candidate row" \
	"$(sed -n '/id="candidates"/,/<\/table>/p' "$TMP/dom.html" | grep -o '<tr>' | wc -l)" $((rows + 1))
chrome "$TMP/evil.html" --dump-dom >"$TMP/evil-dom.html"
expect_eq "the hostile page runs no injected code" "$(grep -c ':CONSOLE' "$TMP/chrome.err")" 0
chrome "$H" --hide-scrollbars --window-size=1200,2400 --screenshot="$TMP/report.png" >/dev/null
expect_ok "a screenshot is taken" test -s "$TMP/report.png"
if [ -n "${DASHBOARD_SHOTS:-}" ]; then # keep the page and its screenshot for a person to look at
	mkdir -p "$DASHBOARD_SHOTS" && cp "$H" "$TMP/report.png" "$DASHBOARD_SHOTS/"
fi

t_done
