#!/usr/bin/env bash
# Runs the whole FlowState benchmark suite (docs/BENCHMARKS.md): builds the jars if needed, starts
# FlowState itself (embedded Redis + durable embedded PostgreSQL, the jar as 1 sequencer and 2 gateway
# processes), measures the same-run baselines and every scenario, and writes
# bench/results/<timestamp>/ (summary.txt, results.csv, results.json, latency-*.svg, logs/).
#   bench/run-all.sh            reduced scale, a few minutes on 2 cores
#   bench/run-all.sh --full     the issue's scale (needs ulimit -n well above the connection counts)
# Any other option is passed to the generator (see: java -jar bench/target/flowstate-bench.jar --help).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f app/target/flowstate.jar || ! -f bench/target/flowstate-bench.jar ]]; then
  ./mvnw -B -q install -DskipTests -pl app,bench -am
fi
out="bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "results in $out (open files limit: $(ulimit -n))"
java -Xmx2g -XX:+UseParallelGC -jar bench/target/flowstate-bench.jar --scenario all --out "$out" "$@" 2>&1 | tee "$out/run.log"
