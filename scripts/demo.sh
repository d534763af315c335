#!/usr/bin/env bash
# Install what is missing, build, and run the main job on a small default:
# prepare a 3D IPL glass of N = 2000 (T_p = 1.0, instantaneous quench to an
# inherent state with max force < 1e-10) and print its summary; then its
# lowest 50 normal modes, athermal moduli, and the participation-ratio figure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target glassvib_cli
mkdir -p demo
build/glassvib prepare --model ipl --dim 3 --n 2000 --tp 1.0 --seed 1 -o demo/ipl3d.h5
build/glassvib info demo/ipl3d.h5
build/glassvib modes demo/ipl3d.h5 --lowest 50 -o demo/modes.h5
build/glassvib moduli demo/ipl3d.h5
build/glassvib plot demo/modes.h5 -o demo/participation.png
