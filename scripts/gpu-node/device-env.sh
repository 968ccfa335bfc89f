# Sourced by device-run.sh and device-run-tfjs.sh on the device machine, from the repo root, with .gl and
# .gpucarry carried: puts the Vulkan loader in place (from .gl's .debs, if the machine lacks it), points it at
# the NVIDIA ICD, makes the driver's libraries findable, and unpacks the carried node to $GPU_NODE.
GPU_NODE=/tmp/gpunode/node
gpu_setup() {
  echo "== $(date -u +%FT%TZ) $(uname -m) $(uname -r)"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv 2>&1 | head -3
  if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  for d in /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do
    [ -d "$d" ] && { echo "-- $d:"; ls "$d"; }
  done
  local icd
  icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
  [ -n "$icd" ] && { export VK_DRIVER_FILES=$icd; echo "VK_DRIVER_FILES=$icd"; cat "$icd"; }
  local egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
  # The ICD's library (libGLX_nvidia.so.0) must be findable.
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; done
  ldconfig -p | grep -i -E 'libvulkan|libGLX_nvidia|libnvidia-gpucomp' | head
  mkdir -p "$(dirname "$GPU_NODE")"
  xz -dc .gpucarry/node.xz > "$GPU_NODE" && chmod +x "$GPU_NODE"
  "$GPU_NODE" --version
}
