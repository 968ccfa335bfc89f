#!/usr/bin/env bash
# Runs TF.js's own WebGPU backend bench (scripts/gpu-node/tfjs-webgpu-bench.ts) on the device machine, with the
# same setup as device-run.sh (Vulkan loader from .gl, the NVIDIA ICD, node from .gpucarry). The device call:
#   run(command="bash scripts/gpu-node/device-run-tfjs.sh", carry=[".gl", ".gpucarry"], timeout_s=400)
# Needs .gpucarry/tfjs-webgpu-bench.mjs (bundle it here with:  bash scripts/gpu-node/device-run-tfjs.sh --bundle).
# Writes $OUT/tfjs-log and $OUT/tfjs-bench.json (the JSON line alone). Env (TFJS_ITERS, TFJS_ALGS, TFJS_FORWARD,
# DAWN_ARGS, ...) passes through to the bench.
set -u
cd "$(dirname "$0")/../.."
if [ "${1:-}" = --bundle ]; then
  # tfjs is bundled in (not in .gpucarry/node_modules); its CommonJS builds require Node built-ins, hence the banner.
  exec node_modules/.bin/esbuild scripts/gpu-node/tfjs-webgpu-bench.ts --bundle --platform=node --target=node20 \
    --format=esm --external:webgpu --outfile=.gpucarry/tfjs-webgpu-bench.mjs --log-level=warning \
    "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
fi
OUT=${OUT:-/tmp/tfjs-out}
mkdir -p "$OUT"
. scripts/gpu-node/device-env.sh
main() {
gpu_setup
timeout -k 5 ${TFJS_TIMEOUT_S:-360} "$GPU_NODE" .gpucarry/tfjs-webgpu-bench.mjs
rc=$?
echo "== bench exit $rc"
return $rc
}
main 2>&1 | tee "$OUT/tfjs-log"
rc=${PIPESTATUS[0]}
grep '^JSON: ' "$OUT/tfjs-log" | tail -1 | sed 's/^JSON: //' > "$OUT/tfjs-bench.json"
exit $rc
