#!/usr/bin/env bash
# Generates bash completion scripts and man pages for every launcher in bin/ from their picocli
# command trees, into target/cli/ (git-ignored):
#   target/cli/completion/<launcher>   bash completion (picocli AutoComplete); source it, or copy it
#                                      to /etc/bash_completion.d/ (or ~/.local/share/bash-completion/completions/)
#   target/cli/man/man1/<launcher>*.1  man pages (picocli-codegen ManPageGenerator -> AsciiDoc -> asciidoctor)
#   target/cli/adoc/                   the AsciiDoc sources of the man pages
# Usage: scripts/cli-docs.sh        then e.g.  man -l target/cli/man/man1/tendrilctl.1
#                                              source target/cli/completion/tendrilctl
# Needs asciidoctor for the .1 files (apt-get install asciidoctor; scripts/setup.sh installs it).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$REPO/target/cli"
PICOCLI_VERSION=4.7.7
cd "$REPO"
MODULES=root-dns-server,edge-node,clients,geoip-data
mvn -q -B -o -pl "$MODULES" -am package -DskipTests >&2 || mvn -q -B -pl "$MODULES" -am package -DskipTests >&2
rm -rf "$OUT" && mkdir -p "$OUT/lib" "$OUT/completion" "$OUT/adoc" "$OUT/man/man1"
for o in -o ""; do
  mvn -q -B $o dependency:copy -Dartifact="info.picocli:picocli-codegen:$PICOCLI_VERSION" -DoutputDirectory="$OUT/lib" >&2 && break
done

# launcher name -> the class whose static commandLine() builds its picocli tree
LAUNCHERS=(
  "tendrilctl dev.tendril.cli.TendrilCtl"
  "tendril-load dev.tendril.cli.load.TendrilLoad"
  "tendril-root dev.tendril.root.bootstrap.RootMain"
  "tendril-edge dev.tendril.edge.bootstrap.EdgeNodeMain"
  "tendril-geoip-compile dev.tendril.geoip.bootstrap.CompileMain"
  "tendril-geoip-lookup dev.tendril.geoip.bootstrap.LookupMain"
)
CP="clients/target/clients-0.1.0-SNAPSHOT.jar:clients/target/lib/*"
CP="$CP:root-dns-server/target/root-dns-server-0.1.0-SNAPSHOT.jar:root-dns-server/target/lib/*"
CP="$CP:edge-node/target/edge-node-0.1.0-SNAPSHOT.jar:edge-node/target/lib/*"
CP="$CP:$OUT/lib/*"
classes=()
for l in "${LAUNCHERS[@]}"; do
  set -- $l
  classes+=("$2")
  # the launchers' constructors are private: picocli's default factory makes them accessible
  java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$CP" picocli.AutoComplete --force --name "$1" --completionScript "$OUT/completion/$1" "$2" >&2
done
java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$CP" picocli.codegen.docgen.manpage.ManPageGenerator --outdir "$OUT/adoc" "${classes[@]}" >&2
if command -v asciidoctor >/dev/null; then
  asciidoctor --backend manpage --destination-dir "$OUT/man/man1" "$OUT"/adoc/*.adoc
  echo "cli-docs: $(ls "$OUT/man/man1" | wc -l) man pages in target/cli/man/man1, completion in target/cli/completion"
else
  echo "cli-docs: asciidoctor is missing (apt-get install asciidoctor): AsciiDoc sources in target/cli/adoc only;" \
    "completion in target/cli/completion" >&2
fi
