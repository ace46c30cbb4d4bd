#!/usr/bin/env bash
# Fuzz one FlipGuard reader with AFL++ through SharpFuzz (see docs/fuzzing.md).
#   fuzz/run.sh NAME [MINUTES]     e.g. fuzz/run.sh checkpoint 60
# Needs: afl++ (apt-get install afl++) and the SharpFuzz tool (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0).
# Findings land in fuzz/out/NAME/default/crashes and hangs; the corpus grows in fuzz/out/NAME/default/queue.
set -euo pipefail
name=${1:?usage: fuzz/run.sh NAME [MINUTES]}
minutes=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/fuzz/out/bin-$name" # one build per harness: a fuzzer keeps running while another is rebuilt
if [ ! -f "$bin/.instrumented" ] || [ "$root/src/FlipGuard" -nt "$bin/.instrumented" ]; then
  rm -rf "$bin"
  dotnet publish "$root/fuzz/FlipGuard.Fuzz" -c Release -o "$bin" --nologo -v quiet
  # The readers' namespaces only: instrumenting TorchRuntime's native loading crashes it.
  "${SHARPFUZZ:-$HOME/.dotnet/tools/sharpfuzz}" "$bin/FlipGuard.dll" FlipGuard.Checkpoints FlipGuard.Data FlipGuard.Interop \
    FlipGuard.Models.Described FlipGuard.Models.ModelSpec FlipGuard.Studies FlipGuard.Training FlipGuard.Core.Setting FlipGuard.Core.NumericRange
  touch "$bin/.instrumented"
fi
mkdir -p "$root/fuzz/out/$name"
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1
exec afl-fuzz -i "$root/fuzz/corpus/$name" -o "$root/fuzz/out/$name" -t 10000 -m none -V $((minutes * 60)) \
  -- dotnet "$bin/FlipGuard.Fuzz.dll" "$name"
