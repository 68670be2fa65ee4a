# Sourced by bench/root/*.sh: compiles one bench program against a checkout's built root and sets
#   cp            the classpath to run it with (the compiled program first)
#   DEFAULT_OPTS  bin/tendril-root's default JVM options, read from the launcher so the two cannot drift apart
# and a trap that removes the scratch directory. Usage: root_bench_compile NAME CHECKOUT SOURCE
root_bench_compile() {
  local name="$1" checkout="$2" source="$3" d
  for d in root-dns-server shared-protocol; do
    [ -d "$checkout/$d/target/classes" ] || { echo "$name: $checkout/$d/target/classes missing: build it first" >&2; exit 1; }
  done
  bench_out="$(mktemp -d)"; trap 'rm -rf "$bench_out"' EXIT
  (cd "$checkout" && mvn -o -q -pl root-dns-server dependency:build-classpath -Dmdep.outputFile="$bench_out/cp.txt" >/dev/null)
  cp="$checkout/root-dns-server/target/classes:$checkout/shared-protocol/target/classes:$(cat "$bench_out/cp.txt")"
  javac -nowarn -d "$bench_out" -cp "$cp" "$source"
  cp="$bench_out:$cp"
  eval "$(sed -n '/^DEFAULT_OPTS=/,/"$/p' "$checkout/bin/tendril-root")"
}
