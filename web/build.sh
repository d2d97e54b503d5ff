#!/usr/bin/env bash
# Builds the browser player: kafkasim's engine compiled to WebAssembly with
# the page's crate (web/), then its JavaScript glue, into web/pkg/, shrunk by
# binaryen's wasm-opt (the npm package pinned in web/package-lock.json), and
# copies it into the book (book/src/player/pkg/). Fails when the module is
# over MAX_MODULE_BYTES: every reader of the book downloads it.
#
# The native build uses the rustup toolchain; this one uses Debian's
# rustc-web/cargo-web (Rust 1.96 with its standard library's source) and
# lld's wasm-ld, named by absolute path so PATH order never mixes the two.
# The standard library is built for wasm32 once, into a sysroot under
# target/wasm-sysroot, and ordinary builds then use it through --sysroot.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

export PATH="/usr/bin:$PATH"
export RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
unset RUSTFLAGS RUSTUP_TOOLCHAIN CARGO_BUILD_TARGET || true
target=wasm32-unknown-unknown
host=$("$RUSTC" -vV | sed -n 's/^host: //p')
sysroot="$root/target/wasm-sysroot"
# Limits for the module a chapter downloads, a little above today's sizes
# (6.57 MB, 1.87 MB gzip'd as a static host sends it), so that it cannot
# silently grow. Both are over the 3 MB we aim for (README).
MAX_SENT_BYTES=$((2000 * 1000))
MAX_MODULE_BYTES=$((7000 * 1000))
phase_started=$SECONDS
phase() {
  echo "web/build.sh: $1 took $((SECONDS - phase_started)) s"
  phase_started=$SECONDS
}
std_build="$root/target/wasm-std"

# 1. The standard library for wasm32, once.
if [ ! -f "$sysroot/.complete" ]; then
  echo "building the standard library for $target (once)"
  rm -rf "$std_build" "$sysroot"
  mkdir -p "$std_build/src"
  cat >"$std_build/Cargo.toml" <<'TOML'
[package]
name = "wasm_std_seed"
version = "0.0.0"
edition = "2024"

[lib]
path = "src/lib.rs"

[profile.release]
panic = "abort"

[workspace]
TOML
  echo '#![no_std]' >"$std_build/src/lib.rs"
  (cd "$std_build" && RUSTC_BOOTSTRAP=1 "$CARGO" build --release --target "$target" \
    -Zbuild-std=std,panic_abort --target-dir "$std_build/target")
  mkdir -p "$sysroot/lib/rustlib/$target/lib"
  find "$std_build/target/$target/release/deps" -name '*.rlib' ! -name 'libwasm_std_seed-*' \
    -exec cp {} "$sysroot/lib/rustlib/$target/lib/" \;
  ln -s "/usr/lib/rustlib/$host" "$sysroot/lib/rustlib/$host"
  touch "$sysroot/.complete"
  phase "the standard library for $target"
fi

# 2. The crate, against that sysroot, in the `wasm` profile (Cargo.toml:
# opt-level z, thin LTO over 16 codegen units, no unwinding).
export RUSTFLAGS="--sysroot $sysroot"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/bin/wasm-ld
"$CARGO" build --locked --profile wasm --target "$target" --target-dir "$root/target/wasm" -p kafkasim-web
phase "the crate"

# 3. The JavaScript glue, by the wasm-bindgen of the crate's exact version.
wasm_bindgen_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
bindgen="${WASM_BINDGEN:-$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")}"
if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $wasm_bindgen_version"; then
  echo "wasm-bindgen $wasm_bindgen_version is needed: cargo install wasm-bindgen-cli --version $wasm_bindgen_version" >&2
  exit 1
fi
rm -rf web/pkg
"$bindgen" --target web --no-typescript --remove-name-section --remove-producers-section --out-dir web/pkg \
  "$root/target/wasm/$target/wasm/kafkasim_web.wasm"
module=web/pkg/kafkasim_web_bg.wasm
size() { stat -c %s "$1"; }
echo "web/build.sh: the module from wasm-bindgen: $(size "$module") bytes"
phase "wasm-bindgen"

# 4. Optionally (WASM_OPT=1), binaryen's wasm-opt -Oz (the npm package
# pinned in web/package-lock.json, run under Node). Measured on this module:
# 6.41 MB to 5.46 MB, but 1.83 MB to 2.00 MB gzip'd (what a reader
# downloads grows), after almost 4 minutes of CPU; so it is off by default.
if [ "${WASM_OPT:-0}" = 1 ]; then
  if [ ! -x web/node_modules/.bin/wasm-opt ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  web/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$module" -o "$module.opt"
  mv "$module.opt" "$module"
  echo "web/build.sh: the module after wasm-opt -Oz: $(size "$module") bytes"
  phase "wasm-opt"
fi

# 5. Into the book, whose chapters' players load it (book/src/player/).
rm -rf book/src/player/pkg
cp -r web/pkg book/src/player/pkg
sent=$(gzip -9 -c "$module" | wc -c)
echo "web/build.sh: the module is $(size "$module") bytes, $sent gzip'd"
if [ "$(size "$module")" -gt "$MAX_MODULE_BYTES" ] || [ "$sent" -gt "$MAX_SENT_BYTES" ]; then
  echo "web/build.sh: over the limits ($MAX_MODULE_BYTES bytes, $MAX_SENT_BYTES gzip'd)" >&2
  exit 1
fi
