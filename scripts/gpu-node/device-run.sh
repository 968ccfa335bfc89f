#!/usr/bin/env bash
# Runs the fused WebGPU MAML bench (scripts/gpu-node/fused-bench.ts, bundled by prepare.sh) on the device
# machine, from the repo root, with .gl and .gpucarry carried: the device tool's call is
#   run(command="bash scripts/gpu-node/device-run.sh", carry=[".gl", ".gpucarry"], timeout_s=540)
# Unpacks the Vulkan loader, points it at the NVIDIA ICD, unpacks node, runs the bench into $OUT/log (and
# $OUT/bench.json, the JSON line alone). If no adapter is found it prints the loader's diagnostics.
# Extra env (FUSED_CALLS, FUSED_SHAPES, DAWN_ARGS, ...) is passed through to the bench.
set -u
OUT=${OUT:-/tmp/fused-out}
mkdir -p "$OUT"
. scripts/gpu-node/device-env.sh
main() {
gpu_setup

timeout -k 5 ${FUSED_TIMEOUT_S:-480} "$GPU_NODE" .gpucarry/fused-bench.mjs
rc=$?
echo "== bench exit $rc"
if [ $rc = 2 ]; then
  echo "== no adapter: Vulkan loader diagnostics"
  VK_LOADER_DEBUG=error,warn,driver FUSED_SHAPES=none timeout 60 "$GPU_NODE" .gpucarry/fused-bench.mjs 2>&1 | head -150
  ls -la /usr/local/nvidia/lib64 2>/dev/null | grep -i -E 'vulkan|glx|gpucomp|glvk' | head
fi
return $rc
}
main 2>&1 | tee "$OUT/log"
rc=${PIPESTATUS[0]}
grep '^JSON: ' "$OUT/log" | tail -1 | sed 's/^JSON: //' > "$OUT/bench.json"
exit $rc
