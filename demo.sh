#!/usr/bin/env bash
# Tendril demo. Installs what it needs (scripts/setup.sh), builds, and starts three root DNS
# servers in one Raft group (replicated roots, loopback only; see docs/replication.md) with
# instances of service "web" registered in six cities through the roots' control endpoints
# (the leader commits each change on a majority), plus three edge nodes
# (separate processes on 127.0.0.2-4: Munich, New York, Tokyo) that deploy the sample
# service "hello" (a busybox httpd image built locally with docker import) with tendrilctl.
# Prints the dig, curl and tendrilctl commands to try, then runs until Ctrl-C and cleans up. Safe to run again: a leftover demo is
# stopped first and its state (under .run/demo/) starts fresh.
#
#   ./demo.sh                                   start the demo (Ctrl-C stops it)
#   ./demo.sh migrate <node> <seconds> <subnet>...   while it runs: redirect clients
#   ./demo.sh tree                              while it runs: show the service tree
#   ./demo.sh leader                            while it runs: which root leads (r1, r2 or r3)
#   ./demo.sh start-root <r1|r2|r3>             while it runs: start a root again (after a kill -9)
#   ./demo.sh processes                         the pids of this checkout's demo roots and edge nodes, if any
#
# Ports: TENDRIL_DEMO_DNS_PORT (default 5353; roots r1-r3 on 5353-5355), TENDRIL_DEMO_CONTROL_PORT
# (default 5390; 5390-5392), TENDRIL_DEMO_RAFT_PORT (default 6001; 6001-6003, Raft between the roots),
# TENDRIL_DEMO_HTTP_PORT (default 8080, the sample service on each edge address).
# TENDRIL_DEMO_EDGES=0 skips the edge nodes (no Docker needed then).
# Security: the demo runs with CURVE keys (docs/security.md). On first start it makes them under
# .run/keys/ (git-ignored, kept between runs): the root's, the operator 'demo' and one per edge node;
# it enrols the edge nodes at the root and passes the operator key to every tool.
set -euo pipefail
cd "$(dirname "$0")"
REPO="$(pwd)"
STATE="$REPO/.run/demo"
DNS_PORT="${TENDRIL_DEMO_DNS_PORT:-5353}"
CONTROL_PORT="${TENDRIL_DEMO_CONTROL_PORT:-5390}"
METRICS_PORT="${TENDRIL_DEMO_METRICS_PORT:-9153}"   # r1's /metrics, /healthz, /readyz and map (r2, r3: +1, +2)
RAFT_PORT="${TENDRIL_DEMO_RAFT_PORT:-6001}"
ROOTS=(r1 r2 r3)
HTTP_PORT="${TENDRIL_DEMO_HTTP_PORT:-8080}"
EDGES="${TENDRIL_DEMO_EDGES:-1}"
# edge nodes of the demo: id address lat lon (cities of the demo GeoIP database)
EDGE_NODES=("munich-edge 127.0.0.2 48.1374 11.5755" "newyork-edge 127.0.0.3 40.7128 -74.0060" "tokyo-edge 127.0.0.4 35.6762 139.6503")
ADMIN_KEY="demo-admin-key-0123456789abcdef"
MOD="$REPO/root-dns-server/target"
CP="$MOD/root-dns-server-0.1.0-SNAPSHOT.jar:$MOD/lib/*"
# the control endpoints of r1-r3: a change goes to the leader, a root that does not answer is passed over
CONTROL="tcp://127.0.0.1:$CONTROL_PORT,tcp://127.0.0.1:$((CONTROL_PORT + 1)),tcp://127.0.0.1:$((CONTROL_PORT + 2))"
KEYS="$REPO/.run/keys"
# the operator's credentials for DemoRegistration and tendrilctl (read from the environment)
export TENDRIL_CURVE_KEY="$KEYS/demo.key" TENDRIL_ROOT_KEY="$KEYS/root-demo.pub"

registration() { # follows the leader from any live root
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CP" dev.tendril.root.bootstrap.DemoRegistration "$CONTROL" "$@"
}

# the port of root rN from a base port (r1 = base, r2 = base + 1, ...)
root_port() { # base rN
  echo $(($1 + ${2#r} - 1))
}
# the root that leads now, as the roots say themselves (tendrilctl roots asks each; the highest term wins should two say so)
leader() {
  local roots
  roots="$(bin/tendrilctl roots --root "${CONTROL//tcp:\/\//}" --timeout 6s)" || return 1
  awk '$2 == "LEADER" && $3 + 0 > term { term = $3 + 0; id = $1 } END { if (id == "") exit 1; print id }' <<<"$roots" \
    || { echo "demo.sh: no root leads right now (an election may be under way; try again):" >&2; echo "$roots" >&2; return 1; }
}
start_root() { # rN
  mkdir -p "$STATE/$1"
  rm -f "$STATE/$1/ready"
  nohup bin/tendril-root --config "$STATE/$1.yaml" --ready-file "$STATE/$1/ready" >>"$STATE/$1/root.log" 2>&1 &
  echo "$!" >"$STATE/$1/root.pid"
}

# this checkout's demo processes (roots by their config under .run/demo, edges by their working folder there)
is_demo_root() { # pid
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "dev.tendril.root.bootstrap.RootMain.*$STATE"
}
is_demo_edge() { # pid: an edge node of this demo (its working folder is under .run/demo/edges)
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "dev.tendril.edge.bootstrap.EdgeNodeMain" \
    && readlink "/proc/$1/cwd" 2>/dev/null | grep -q "^$STATE/edges/"
}
demo_processes() { # the pids of this checkout's demo roots and edge nodes, whatever their pid files say
  local pid
  for pid in $(pgrep -f 'dev.tendril.(root.bootstrap.RootMain|edge.bootstrap.EdgeNodeMain)' || true); do
    if is_demo_root "$pid" || is_demo_edge "$pid"; then echo "$pid"; fi
  done
}

case "${1:-}" in
  processes) demo_processes; exit 0 ;;
  migrate|tree|leader|start-root)
    [ -f "$STATE/ready" ] || { echo "demo.sh: no demo is running (start it with ./demo.sh)" >&2; exit 1; }
    case "$1" in
      leader) leader ;;
      start-root)
        [[ " ${ROOTS[*]} " == *" ${2:-} "* ]] || { echo "usage: ./demo.sh start-root <r1|r2|r3>" >&2; exit 2; }
        running="$(cat "$STATE/$2/root.pid" 2>/dev/null || true)"
        if [ -n "$running" ] && is_demo_root "$running"; then
          echo "demo.sh: $2 is running (pid $running); start-root brings back a root that was stopped or killed" >&2
          exit 1
        fi
        start_root "$2"
        echo "demo: started $2 again (pid $(cat "$STATE/$2/root.pid"), log .run/demo/$2/root.log); it catches up from the leader" ;;
      *) registration "$@" ;;
    esac
    exit 0
    ;;
  "") ;;
  *) echo "usage: ./demo.sh [migrate <node> <seconds> <subnet>... | tree | leader | start-root <rN> | processes]" >&2; exit 2 ;;
esac

# --- stop a leftover demo (ours only: checked by its command line) and free the ports
for f in "$STATE"/r*/root.pid; do
  [ -f "$f" ] || continue
  old="$(cat "$f")"
  if is_demo_root "$old"; then
    echo "demo: stopping the demo root left running (pid $old)"
    kill -TERM "$old" 2>/dev/null || true
    for _ in $(seq 1 100); do is_demo_root "$old" || break; sleep 0.1; done
    is_demo_root "$old" && kill -KILL "$old" 2>/dev/null || true
  fi
done
for f in "$STATE"/edges/*/node.pid; do
  [ -f "$f" ] || continue
  old="$(cat "$f")"
  if is_demo_edge "$old"; then
    echo "demo: stopping an edge node left running (pid $old)"
    kill -TERM "$old" 2>/dev/null || true
    for _ in $(seq 1 100); do is_demo_edge "$old" || break; sleep 0.1; done
    is_demo_edge "$old" && kill -KILL "$old" 2>/dev/null || true
  fi
done
port_users() { # port -> pids listening on it (udp or tcp)
  ss -Hlnup "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2
  ss -Hlntp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2
}
ALL_PORTS=()
for r in "${ROOTS[@]}"; do
  ALL_PORTS+=("$(root_port "$DNS_PORT" "$r")" "$(root_port "$CONTROL_PORT" "$r")" "$(root_port "$RAFT_PORT" "$r")" "$(root_port "$METRICS_PORT" "$r")")
done
for port in "${ALL_PORTS[@]}"; do
  for pid in $(port_users "$port" | sort -u); do
    if is_demo_root "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    else
      echo "demo: port $port is in use by pid $pid ($(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | cut -c1-80))." >&2
      echo "      Stop it, or pick other ports: TENDRIL_DEMO_DNS_PORT=15353 TENDRIL_DEMO_CONTROL_PORT=15390 ./demo.sh" >&2
      exit 1
    fi
  done
done

# --- install and build
scripts/setup.sh --no-build
echo "demo: building the root, the edge node and tendrilctl (mvn package)"
mkdir -p "$REPO/.run"
if ! mvn -q -B -pl root-dns-server,edge-node,clients -am package -DskipTests >"$REPO/.run/demo-build.log" 2>&1; then
  cat "$REPO/.run/demo-build.log" >&2
  echo "demo: the build failed (log: .run/demo-build.log)" >&2
  exit 1
fi
if [ "$EDGES" != 0 ]; then
  echo "demo: starting dockerd if needed and building the sample image tendril/httpd-demo:latest"
  scripts/ensure-dockerd.sh
  scripts/build-demo-image.sh
fi

rm -rf "$STATE"
mkdir -p "$STATE"
# keys: made once (never overwritten), secret files mode 0600
for name in root-demo demo; do
  [ -f "$KEYS/$name.key" ] || bin/tendrilctl keys gen --out "$KEYS" --name "$name" | sed 's/^/demo: /'
done
# the roots' Raft transport: mutual TLS with one key pair for the group (each root pins its certificate)
[ -f "$KEYS/roots-demo.tls.key" ] || bin/tendrilctl keys gen-tls --out "$KEYS" --name roots-demo | sed 's/^/demo: /'
if [ "$EDGES" != 0 ]; then
  for n in "${EDGE_NODES[@]}"; do
    set -- $n
    [ -f "$KEYS/$1.key" ] || bin/tendrilctl keys gen --out "$KEYS" --name "$1" | sed 's/^/demo: /'
  done
fi
ROOT_PID=""
EDGE_PIDS=()
cleanup() {
  trap - EXIT INT TERM
  if ((${#EDGE_PIDS[@]})); then
    echo
    echo "demo: stopping the edge nodes and removing their containers"
    kill -TERM "${EDGE_PIDS[@]}" 2>/dev/null || true
    wait "${EDGE_PIDS[@]}" 2>/dev/null || true
    for n in "${EDGE_NODES[@]}"; do
      set -- $n
      docker rm -f "tendril-$1-hello" >/dev/null 2>&1 || true
    done
  fi
  echo
  echo "demo: stopping the roots"
  for r in "${ROOTS[@]}"; do
    pid="$(cat "$STATE/$r/root.pid" 2>/dev/null || true)"
    [ -n "$pid" ] && is_demo_root "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  for r in "${ROOTS[@]}"; do
    pid="$(cat "$STATE/$r/root.pid" 2>/dev/null || true)"
    for _ in $(seq 1 100); do [ -n "$pid" ] && is_demo_root "$pid" || break; sleep 0.1; done
    rm -f "$STATE/$r/root.pid"
  done
  rm -f "$STATE/ready"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# one config per root: the same zone, NS naming all three, its own NSID, and the Raft group
PEERS=""
NAME_SERVERS=""
for r in "${ROOTS[@]}"; do
  PEERS+="    - {id: $r, raft: 127.0.0.1:$(root_port "$RAFT_PORT" "$r"), control: 127.0.0.1:$(root_port "$CONTROL_PORT" "$r")}"$'\n'
  NAME_SERVERS+="${NAME_SERVERS:+, }ns${r#r}.svc.example.edge."
done
for r in "${ROOTS[@]}"; do
  cat >"$STATE/$r.yaml" <<YAML
# root $r of the demo's Raft group (written by demo.sh; keys: docs/configuration.md)
preset: local
id: $r
dns:
  zones: [svc.example.edge.]
  nameServers: [$NAME_SERVERS]
  answerTtlSeconds: 10
  defaultPosition: {latitude: 50.1109, longitude: 8.6821}   # Frankfurt
  nsid: $r
  bindAddress: 127.0.0.1
  port: $(root_port "$DNS_PORT" "$r")
control: {bindAddress: 127.0.0.1, port: $(root_port "$CONTROL_PORT" "$r")}
http: {bindAddress: 127.0.0.1, port: $(root_port "$METRICS_PORT" "$r")}   # /metrics, /healthz, /readyz, the map at /
security: {serverKey: $KEYS/root-demo.key, operatorKeys: {demo: $KEYS/demo.pub}}   # one server key for the group
store: {path: $r/topology.db}
geoip: {databases: [builtin:demo]}
cluster:
  id: $r
  storage: $r/raft
  tls: {key: $KEYS/roots-demo.tls.key, cert: $KEYS/roots-demo.crt}   # Raft between the roots: mutual TLS, pinned
  peers:
$PEERS
YAML
done
echo "demo: starting three roots r1-r3 (logs: .run/demo/rN/root.log)"
for r in "${ROOTS[@]}"; do
  start_root "$r"
done
for r in "${ROOTS[@]}"; do
  pid="$(cat "$STATE/$r/root.pid")"
  for _ in $(seq 1 600); do
    [ -f "$STATE/$r/ready" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "demo: root $r did not start:" >&2; cat "$STATE/$r/root.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -f "$STATE/$r/ready" ] || { echo "demo: root $r was not ready after 60 s" >&2; cat "$STATE/$r/root.log" >&2; exit 1; }
  grep -m1 'ready in' "$STATE/$r/root.log" | sed 's/^.* - /demo: /'
done
touch "$STATE/ready"

echo "demo: registering instances of 'web' through the roots' control endpoints ($CONTROL):"
registration setup | sed 's/^/  /'

D="dig @127.0.0.1 -p $DNS_PORT"
CTL="bin/tendrilctl"
export TENDRIL_ADMIN_KEY="$ADMIN_KEY"
if [ "$EDGES" != 0 ]; then
  mkdir -p "$STATE/edges"
  for n in "${EDGE_NODES[@]}"; do
    set -- $n
    # the key goes through the Raft log to every root: ask the leader (a follower answers NOT_LEADER)
    enrolled=""
    for _ in $(seq 1 20); do
      for r in "${ROOTS[@]}"; do
        if out="$(bin/tendrilctl keys enrol --root "127.0.0.1:$(root_port "$CONTROL_PORT" "$r")" platform "$1" "$KEYS/$1.pub" 2>&1)"; then
          echo "demo: $out"; enrolled=1; break 2
        fi
      done
      sleep 0.5
    done
    [ -n "$enrolled" ] || { echo "demo: could not enrol $1 at any root: $out" >&2; exit 1; }
  done
  # what each node declares of itself and of the others (its infrastructure DB, as `tendrilctl nodes` lists it)
  EDGE_HARDWARE="arch: amd64, cpus: 1, ram: 1Gi, disk: 10Gi"
  for n in "${EDGE_NODES[@]}"; do
    set -- $n
    for c in $(docker ps -aq --filter "name=^/tendril-$1-"); do docker rm -f "$c" >/dev/null; done
    mkdir -p "$STATE/edges/$1"
    {
      echo "platform: {id: $1, address: $2, position: {lat: $3, lon: $4}, $EDGE_HARDWARE}"
      echo "zone: svc.example.edge"
      echo "root: {control: [\"127.0.0.1:$CONTROL_PORT\", \"127.0.0.1:$((CONTROL_PORT + 1))\", \"127.0.0.1:$((CONTROL_PORT + 2))\"]}"
      echo "infrastructure:"
      echo "  platforms:"
      for m in "${EDGE_NODES[@]}"; do
        set -- $m
        echo "    - {id: $1, address: $2, position: {lat: $3, lon: $4}, $EDGE_HARDWARE}"
      done
      set -- $n
      echo "policies: {preset: local, heartbeatInterval: 1s, missedHeartbeats: 1}"
      echo "admin: {key: $ADMIN_KEY, bind: \"$2:7401\"}"
      echo "tree: {bind: \"$2:7400\"}"
      echo "runtime: {kind: docker}"
      echo "http: {bind: \"$2:9100\"}"
      echo "security: {key: $KEYS/$1.key, rootKeys: [$KEYS/root-demo.pub], operatorKeys: {demo: $KEYS/demo.pub}}"
    } >"$STATE/edges/$1/edge.yaml"
    (cd "$STATE/edges/$1" && exec "$REPO/bin/tendril-edge" --config edge.yaml >node.log 2>&1) &
    EDGE_PIDS+=($!)
    echo "$!" >"$STATE/edges/$1/node.pid"
  done
  for n in "${EDGE_NODES[@]}"; do
    set -- $n
    for _ in $(seq 1 600); do grep -q 'edge node ready' "$STATE/edges/$1/node.log" 2>/dev/null && break; sleep 0.1; done
    grep -q 'edge node ready' "$STATE/edges/$1/node.log" || { echo "demo: edge node $1 did not start:" >&2; cat "$STATE/edges/$1/node.log" >&2; exit 1; }
    grep -m1 'edge node ready' "$STATE/edges/$1/node.log" | sed 's/^.* - /demo: /'
  done
  printf '%s\n' "service: hello" "image: tendril/httpd-demo:latest" \
    "ports: [{name: http, protocol: tcp, containerPort: 8080, hostPort: $HTTP_PORT}]" "limits: {memory: 32Mi}" \
    "root: true" >"$STATE/hello-root.yaml"
  sed 's/^root: true$/zone: svc.example.edge/' "$STATE/hello-root.yaml" >"$STATE/hello-join.yaml"
  echo "demo: deploying the sample service 'hello' with tendrilctl"
  spec="$STATE/hello-root.yaml"
  for n in "${EDGE_NODES[@]}"; do
    set -- $n
    $CTL deploy --node "$2:7401" --node-key "$KEYS/$1.pub" "$spec" | sed "s/^/  $1: /"
    spec="$STATE/hello-join.yaml"
  done
  $CTL tree --node 127.0.0.2:7401 --node-key "$KEYS/munich-edge.pub" hello | sed 's/^/  /'
fi
cat <<EOF

Try it (the demo GeoIP database places 198.18.N.0/24 in one city each; see docs/geoip.md):

  $D web.svc.example.edge +subnet=198.18.0.0/24    # Munich    -> munich    192.0.2.10
  $D web.svc.example.edge +subnet=198.18.3.0/24    # New York  -> new-york  192.0.2.20
  $D web.svc.example.edge +subnet=198.18.5.0/24    # Sao Paulo -> sao-paulo 192.0.2.30
  $D web.svc.example.edge +subnet=198.18.6.0/24    # Tokyo     -> tokyo     192.0.2.40
  $D web.svc.example.edge +subnet=198.18.7.0/24    # Sydney    -> sydney    192.0.2.50
  $D web.svc.example.edge +subnet=198.18.8.0/24    # Nairobi   -> nairobi   192.0.2.60
  $D web.svc.example.edge +subnet=198.18.9.0/24    # Suva (Fiji) -> sydney, the nearest
  $D web.svc.example.edge +subnet=198.19.77.0/24   # London    -> munich, the nearest

  $D _http._tcp.web.svc.example.edge SRV +subnet=198.18.6.0/24   # port + target, glue in ADDITIONAL
  $D web.svc.example.edge +tcp +nsid                             # over TCP; NSID names the root
  $D nothing.svc.example.edge                                    # NXDOMAIN with SOA
  $D svc.example.edge SOA

Redirect New York's clients to Tokyo for 60 s, then ask again:
  ./demo.sh migrate tokyo 60 198.18.3.0/24
  $D web.svc.example.edge +subnet=198.18.3.0/24    # -> tokyo until the record expires

Three roots answer DNS, each from its own copy (NS lists all three; NSID names the one that answered):
  dig @127.0.0.1 -p $DNS_PORT web.svc.example.edge +nsid +subnet=198.18.6.0/24   # r1
  dig @127.0.0.1 -p $((DNS_PORT + 1)) web.svc.example.edge +nsid +subnet=198.18.6.0/24   # r2
  dig @127.0.0.1 -p $((DNS_PORT + 2)) web.svc.example.edge +nsid +subnet=198.18.6.0/24   # r3
  $D svc.example.edge NS

Take the leader down; another root is elected and takes the writes, DNS keeps answering:
  ./demo.sh leader                                               # which root leads now
  kill -9 \$(cat .run/demo/\$(./demo.sh leader)/root.pid)          # kill -9 the leader
  ./demo.sh migrate tokyo 60 198.18.0.0/24                       # a write: follows the new leader
  ./demo.sh start-root r1                                        # bring a killed root back: it catches up

Ask a root itself (control endpoint 127.0.0.1:$CONTROL_PORT, CURVE with the operator key 'demo'; queries are
answered from its own copy):
  export TENDRIL_CURVE_KEY=$KEYS/demo.key TENDRIL_ROOT_KEY=$KEYS/root-demo.pub
  $CTL keys list --root 127.0.0.1:$CONTROL_PORT         # the enrolled platform and operator keys
  $CTL tree web --root 127.0.0.1:$CONTROL_PORT          # the tree, parents assigned by the root
  $CTL resolve web --client 198.18.3.0/24 --root 127.0.0.1:$CONTROL_PORT
  $CTL migrations --root 127.0.0.1:$CONTROL_PORT

Metrics and health of the roots (Prometheus text format; docs/operations.md; r2 and r3 on the next ports):
  curl http://127.0.0.1:$METRICS_PORT/metrics
  curl http://127.0.0.1:$METRICS_PORT/healthz http://127.0.0.1:$METRICS_PORT/readyz

Live map of the trees, migrations and events (a browser; the JSON for scripts):
  http://127.0.0.1:$METRICS_PORT/
  curl http://127.0.0.1:$METRICS_PORT/api/map
EOF
if [ "$EDGES" != 0 ]; then
cat <<EOF

The edge nodes (logs: .run/demo/edges/<id>/node.log) host the sample service 'hello':
  export TENDRIL_ADMIN_KEY=$ADMIN_KEY                   # the demo nodes' admin key
  export TENDRIL_CURVE_KEY=$KEYS/demo.key               # the operator's CURVE key; each node's with --node-key
  $D hello.svc.example.edge +short +subnet=198.18.0.0/24   # Munich   -> 127.0.0.2 (munich-edge)
  $D hello.svc.example.edge +short +subnet=198.18.3.0/24   # New York -> 127.0.0.3 (newyork-edge)
  $D hello.svc.example.edge +short +subnet=198.18.7.0/24   # Sydney   -> 127.0.0.4 (tokyo-edge, the nearest)
  curl http://127.0.0.3:$HTTP_PORT/                           # the page names the node
  $CTL tree --node 127.0.0.2:7401 --node-key .run/keys/munich-edge.pub hello
  $CTL stats --node 127.0.0.3:7401 --node-key .run/keys/newyork-edge.pub   # counters include refusals
  $CTL nodes --node 127.0.0.2:7401 --node-key .run/keys/munich-edge.pub
  $CTL remove --node 127.0.0.4:7401 --node-key .run/keys/tokyo-edge.pub hello        # Tokyo leaves; ask for Sydney again
  $CTL deploy --node 127.0.0.4:7401 --node-key .run/keys/tokyo-edge.pub .run/demo/hello-join.yaml   # and joins again
  kill -9 \$(cat .run/demo/edges/newyork-edge/node.pid)        # DNS stops answering it within ~2 s
Each edge node serves /metrics, /healthz and /readyz on port 9100 of its own address:
  curl http://127.0.0.2:9100/metrics    # munich-edge; 127.0.0.3: newyork-edge, 127.0.0.4: tokyo-edge
EOF
fi
cat <<EOF

The demo runs until Ctrl-C.
EOF
while [ -f "$STATE/ready" ]; do sleep 1; done   # roots may be killed and started by hand: run until Ctrl-C
