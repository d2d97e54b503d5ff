#!/usr/bin/env bash
# Seeds the fuzz targets' corpora: the course scenarios and the broken files
# for the loader and the run, the saved inputs in regressions/ for each
# target, and a few command lines. Then prints how to run them.
set -euo pipefail
cd "$(dirname "$0")"
for target in load run command_line sandbox_save; do
  mkdir -p "corpus/$target"
  if [ -d "regressions/$target" ]; then cp regressions/$target/* "corpus/$target/"; fi
done
cp ../scenarios/*.yaml corpus/load/
cp ../scenarios/*.yaml corpus/run/
cp ../tests/broken/*.yaml corpus/load/
printf 'check\0producer-consumer' > corpus/command_line/check
printf 'explain\0assign\0--topic\0t:3\0--member\0a\0--member\0b' > corpus/command_line/assign
printf 'explain\0partition\0--key-hex\000ff\0--partitions\0003' > corpus/command_line/partition
printf '\000\002\004\004\005\026\002' > corpus/sandbox_save/session
echo "seeded. run: cargo +nightly fuzz run load -- -max_total_time=600"
echo "           cargo +nightly fuzz run run -- -max_total_time=600 -timeout=30"
echo "           cargo +nightly fuzz run command_line -- -max_total_time=600"
echo "           cargo +nightly fuzz run sandbox_save -- -max_total_time=600 -timeout=60"
