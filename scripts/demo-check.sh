#!/usr/bin/env bash
# Runs the README's main job, ./demo.sh, end to end and checks what its printout promises: the
# nearest instance per city from dig, NSID naming the root, the edge nodes' sample service in DNS
# and over HTTP, `tendrilctl roots` (one leader, two followers), a write after `kill -9` of the
# leader (./demo.sh leader, ./demo.sh migrate), a killed root started again catching up, and a
# clean stop (no demo process or container left).
# test.sh runs it after the Maven suite. Needs root, like the demo. Exit 0: every check held.
#
#   scripts/demo-check.sh        (the demo's TENDRIL_DEMO_* port settings apply)
set -euo pipefail
cd "$(dirname "$0")/.."
DNS_PORT="${TENDRIL_DEMO_DNS_PORT:-5353}"
CONTROL_PORT="${TENDRIL_DEMO_CONTROL_PORT:-5390}"
HTTP_PORT="${TENDRIL_DEMO_HTTP_PORT:-8080}"
mkdir -p .run
LOG=.run/demo-check.log
DEMO=""

stop_demo() { # TERM, not INT: a background job of a script starts with SIGINT ignored, and bash cannot trap it then
  [ -n "$DEMO" ] && kill -0 "$DEMO" 2>/dev/null || return 0
  kill -TERM "$DEMO"
  for _ in $(seq 1 600); do kill -0 "$DEMO" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
fail() {
  echo "demo-check: FAIL: $*" >&2
  echo "demo-check: the demo's output (last 40 lines of $LOG):" >&2
  tail -40 "$LOG" >&2 || true
  stop_demo || true
  exit 1
}
ok() { echo "demo-check: ok: $*"; }
dig_short() { # port name subnet -> the answer's addresses, one line
  dig @127.0.0.1 -p "$1" "$2" +short +tries=1 +time=2 +subnet="$3" 2>&1 | tr '\n' ' ' | sed 's/ $//' || true
}
expect_answer() { # port name subnet expected what
  local got
  got="$(dig_short "$1" "$2" "$3")"
  [ "$got" = "$4" ] || fail "$5: dig @127.0.0.1 -p $1 $2 +subnet=$3 answered '$got', expected '$4'"
  ok "$5 ($2 +subnet=$3 -> $got)"
}
eventually_answer() { # seconds port name subnet expected what
  local got=""
  for _ in $(seq 1 $(($1 * 2))); do
    got="$(dig_short "$2" "$3" "$4")"
    [ "$got" = "$5" ] && { ok "$6 ($3 +subnet=$4 -> $got)"; return 0; }
    sleep 0.5
  done
  fail "$6: dig @127.0.0.1 -p $2 $3 +subnet=$4 still answered '$got' after $1 s, expected '$5'"
}

./demo.sh >"$LOG" 2>&1 &
DEMO=$!
trap 'stop_demo || true' EXIT
echo "demo-check: started ./demo.sh (pid $DEMO, output $LOG); waiting for its printout (it builds first)"
for _ in $(seq 1 1200); do
  grep -q "The demo runs until Ctrl-C" "$LOG" 2>/dev/null && break
  kill -0 "$DEMO" 2>/dev/null || fail "./demo.sh exited before it was ready"
  sleep 0.5
done
grep -q "The demo runs until Ctrl-C" "$LOG" || fail "./demo.sh was not ready after 600 s"
ok "the demo started"

# the nearest instance of 'web' per city, as the printout lists them
expect_answer "$DNS_PORT" web.svc.example.edge 198.18.0.0/24 192.0.2.10 "Munich -> munich"
expect_answer "$DNS_PORT" web.svc.example.edge 198.18.3.0/24 192.0.2.20 "New York -> new-york"
expect_answer "$DNS_PORT" web.svc.example.edge 198.18.6.0/24 192.0.2.40 "Tokyo -> tokyo"
expect_answer "$DNS_PORT" web.svc.example.edge 198.18.9.0/24 192.0.2.50 "Suva -> sydney, the nearest"
expect_answer "$DNS_PORT" web.svc.example.edge 198.19.77.0/24 192.0.2.10 "London -> munich, the nearest"
for r in 1 2 3; do
  nsid="$(dig @127.0.0.1 -p $((DNS_PORT + r - 1)) web.svc.example.edge +nsid +tries=1 +time=2 | grep -o 'NSID: .*' || true)"
  [[ "$nsid" == *"(\"r$r\")"* ]] || fail "root r$r on port $((DNS_PORT + r - 1)) should name itself in NSID; got '$nsid'"
done
ok "every root answers and names itself in NSID"

# the edge nodes' sample service 'hello'
expect_answer $((DNS_PORT + 1)) hello.svc.example.edge 198.18.0.0/24 127.0.0.2 "hello: Munich -> munich-edge"
expect_answer $((DNS_PORT + 1)) hello.svc.example.edge 198.18.3.0/24 127.0.0.3 "hello: New York -> newyork-edge"
expect_answer $((DNS_PORT + 1)) hello.svc.example.edge 198.18.7.0/24 127.0.0.4 "hello: Sydney -> tokyo-edge, the nearest"
page="$(curl -s --max-time 5 "http://127.0.0.3:$HTTP_PORT/" || true)"
[[ "$page" == *newyork-edge* ]] || fail "curl http://127.0.0.3:$HTTP_PORT/ should name newyork-edge; got '${page:0:200}'"
ok "the sample service answers over HTTP on newyork-edge"

# the README's `tendrilctl roots`: every root answers over CURVE, one leads (others asked in clear once showed DOWN)
roles="$(TENDRIL_CURVE_KEY=.run/keys/demo.key TENDRIL_ROOT_KEY=.run/keys/root-demo.pub \
  bin/tendrilctl roots --root "127.0.0.1:$CONTROL_PORT" 2>&1 | awk 'NR > 1 { print $2 }' | sort | tr '\n' ' ')" || true
[ "$roles" = "FOLLOWER FOLLOWER LEADER " ] || fail "tendrilctl roots should list one leader and two followers; got '$roles'"
ok "tendrilctl roots lists one leader and two followers (asked over CURVE)"

# kill -9 the leader; a write still goes through (to the new leader); DNS keeps answering
leader="$(./demo.sh leader)" || fail "./demo.sh leader failed (printed '$leader')"
[[ "$leader" =~ ^r[123]$ ]] || fail "./demo.sh leader printed '$leader'"
kill -9 "$(cat ".run/demo/$leader/root.pid")" || fail "could not kill -9 the leader $leader"
ok "killed the leader $leader with kill -9"
./demo.sh migrate tokyo 60 198.18.0.0/24 >>"$LOG" 2>&1 || fail "./demo.sh migrate after the leader's kill failed"
ok "./demo.sh migrate went through with $leader down"
for r in 1 2 3; do
  [ "r$r" = "$leader" ] && continue
  eventually_answer 10 $((DNS_PORT + r - 1)) web.svc.example.edge 198.18.0.0/24 192.0.2.40 "r$r: Munich's clients -> tokyo after the migrate"
done
after="$(./demo.sh leader)" || fail "./demo.sh leader failed after the kill (printed '$after')"
[ "$after" != "$leader" ] || fail "./demo.sh leader still names the killed root $leader"
ok "./demo.sh leader names the new leader $after"

# the killed root comes back and catches up
./demo.sh start-root "$leader" >>"$LOG" 2>&1 || fail "./demo.sh start-root $leader failed"
eventually_answer 60 $((DNS_PORT + ${leader#r} - 1)) web.svc.example.edge 198.18.0.0/24 192.0.2.40 "$leader, started again, caught up"

# a clean stop
stop_demo || fail "./demo.sh did not stop within 60 s of SIGTERM"
DEMO=""
left="$(./demo.sh processes | tr '\n' ' ')"  # this checkout's demo only, told apart by demo.sh itself
[ -z "$left" ] || fail "processes of the demo left running after its stop: $left"
containers="$(docker ps -aq --filter 'name=^/tendril-(munich|newyork|tokyo)-edge-' | tr '\n' ' ')"
[ -z "$containers" ] || fail "containers of the demo left after its stop: $containers"
ok "the demo stopped and left no process or container"
echo "demo-check: every check held"
