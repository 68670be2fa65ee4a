# Sourced by the benchmarks: build_if_stale <module>... runs `mvn package` for the named modules
# (and what they depend on) when a jar or its lib/ is missing, or when any main source or pom.xml
# of the project is newer than a jar. A benchmark must measure the code in the tree: `mvn test`
# and `mvn compile` leave the jars as they were, and the launchers start whatever jar is there.
build_if_stale() {
  local top m jar stale=""
  top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for m in "$@"; do
    jar="$top/$m/target/$m-0.1.0-SNAPSHOT.jar"
    if [ ! -f "$jar" ] || [ ! -d "$top/$m/target/lib" ]; then
      stale="$m: no jar"; break
    fi
    if [ -n "$(find "$top" -path "$top/*/target" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$jar" -print -quit)" ]; then
      stale="$m: sources newer than its jar"; break
    fi
  done
  [ -z "$stale" ] && return 0
  local modules; modules=$(IFS=,; echo "$*")
  echo "bench: building $modules ($stale)" >&2
  (cd "$top" && { mvn -q -B -o -pl "$modules" -am package -DskipTests || mvn -q -B -pl "$modules" -am package -DskipTests; } >&2)
}
