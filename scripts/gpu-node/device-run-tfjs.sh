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
main() {
echo "== $(date -u +%FT%TZ) $(uname -m) $(uname -r)"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv 2>&1 | head -3
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
[ -n "$icd" ] && { export VK_DRIVER_FILES=$icd; echo "VK_DRIVER_FILES=$icd"; }
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; done
mkdir -p /tmp/gpunode
xz -dc .gpucarry/node.xz > /tmp/gpunode/node && chmod +x /tmp/gpunode/node
/tmp/gpunode/node --version
timeout -k 5 ${TFJS_TIMEOUT_S:-360} /tmp/gpunode/node .gpucarry/tfjs-webgpu-bench.mjs
rc=$?
echo "== bench exit $rc"
return $rc
}
main 2>&1 | tee "$OUT/tfjs-log"
rc=${PIPESTATUS[0]}
grep '^JSON: ' "$OUT/tfjs-log" | tail -1 | sed 's/^JSON: //' > "$OUT/tfjs-bench.json"
exit $rc
