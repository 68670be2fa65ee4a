#!/usr/bin/env bash
# Regenerates the checked-in GeoIP databases from their CSVs, as listed in
# geoip-data/csv/recipes.txt (format, build epoch, input, output). The output is
# byte-identical for the same input; GeoipFixturesTest checks that.
# Usage: scripts/geoip-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
grep -v '^[[:space:]]*\(#\|$\)' geoip-data/csv/recipes.txt | while read -r format epoch input output; do
  bin/tendril-geoip-compile --format "$format" --build-epoch "$epoch" \
    --description "Tendril GeoIP compiled from $(basename "$input")" "$input" "$output"
done
