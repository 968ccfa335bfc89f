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
main() {
echo "== $(date -u +%FT%TZ) $(uname -m) $(uname -r)"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv 2>&1 | head -3
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
for d in /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do
  [ -d "$d" ] && { echo "-- $d:"; ls "$d"; }
done
icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
[ -n "$icd" ] && { export VK_DRIVER_FILES=$icd; echo "VK_DRIVER_FILES=$icd"; cat "$icd"; }
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
# The ICD's library (libGLX_nvidia.so.0) must be findable.
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; done
ldconfig -p | grep -i -E 'libvulkan|libGLX_nvidia|libnvidia-gpucomp' | head
mkdir -p /tmp/gpunode
xz -dc .gpucarry/node.xz > /tmp/gpunode/node && chmod +x /tmp/gpunode/node
/tmp/gpunode/node --version

timeout -k 5 ${FUSED_TIMEOUT_S:-480} /tmp/gpunode/node .gpucarry/fused-bench.mjs
rc=$?
echo "== bench exit $rc"
if [ $rc = 2 ]; then
  echo "== no adapter: Vulkan loader diagnostics"
  VK_LOADER_DEBUG=error,warn,driver FUSED_SHAPES=none timeout 60 /tmp/gpunode/node .gpucarry/fused-bench.mjs 2>&1 | head -150
  ls -la /usr/local/nvidia/lib64 2>/dev/null | grep -i -E 'vulkan|glx|gpucomp|glvk' | head
fi
return $rc
}
main 2>&1 | tee "$OUT/log"
rc=${PIPESTATUS[0]}
grep '^JSON: ' "$OUT/log" | tail -1 | sed 's/^JSON: //' > "$OUT/bench.json"
exit $rc
