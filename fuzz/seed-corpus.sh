#!/usr/bin/env bash
# Seeds both fuzz targets' corpora with the course scenarios and the broken
# files, then prints how to run them.
set -euo pipefail
cd "$(dirname "$0")"
for target in load run; do
  mkdir -p "corpus/$target"
  cp ../scenarios/*.yaml "corpus/$target/"
done
cp ../tests/broken/*.yaml corpus/load/
echo "seeded. run: cargo +nightly fuzz run load -- -max_total_time=600"
echo "           cargo +nightly fuzz run run -- -max_total_time=600 -timeout=20"
