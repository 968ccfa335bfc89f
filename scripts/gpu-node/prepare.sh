#!/usr/bin/env bash
# Prepares scripts/gpu-node/fused-bench.ts to run on a machine with a GPU but no Node and no network (the
# session's device machine: x86-64, NVIDIA driver with a Vulkan ICD, no Vulkan loader). Run here, from the repo
# root, on x86-64 Linux with network; nothing here touches the app's package.json or node_modules.
#   .gpucarry/  the bundled bench (fused-bench.mjs), the `webgpu` package (dawn.node, linux-x64 only) and this
#               machine's node binary xz-compressed (node.xz); ~35 MiB
#   .gl/        the Vulkan / GL loader .debs (libvulkan1 ...) to unpack there (the device README's recipe)
# Both are git-ignored through .git/info/exclude and travel only when named in the device run's `carry`.
# Then, on the device (carry [".gl", ".gpucarry"]):  bash scripts/gpu-node/device-run.sh
# Locally, with any Vulkan driver (e.g. Chromium's SwiftShader):
#   VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=<dir with libvulkan.so.1> \
#     FUSED_CALLS=10 FUSED_SHAPES=paper node .gpucarry/fused-bench.mjs
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -m)" = x86_64 ] || { echo "needs an x86-64 machine (the node binary is carried from here)"; exit 1; }
for p in /.gpucarry/ /.gl/; do grep -qxF "$p" .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo "$p" >> .git/info/exclude; }; done

mkdir -p .gpucarry
if [ ! -f .gpucarry/node_modules/webgpu/package.json ]; then
  (cd .gpucarry && echo '{"name":"gpucarry","private":true,"version":"0.0.0"}' > package.json && npm i --no-audit --no-fund webgpu@0.6.2)
fi
# Only linux-x64's dawn.node travels (the package ships every platform's, 130 MiB).
find .gpucarry/node_modules/webgpu/dist -mindepth 1 -maxdepth 1 -type d ! -name linux-x64 -exec rm -rf {} +

node_modules/.bin/esbuild scripts/gpu-node/fused-bench.ts --bundle --platform=node --target=node20 --format=esm \
  --external:webgpu --outfile=.gpucarry/fused-bench.mjs
[ -f .gpucarry/node.xz ] || xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > .gpucarry/node.xz

if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpucarry .gl
