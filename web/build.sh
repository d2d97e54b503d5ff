#!/usr/bin/env bash
# Builds the browser player: kafkasim's engine compiled to WebAssembly with
# the page's crate (web/), then its JavaScript glue, into web/pkg/.
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
fi

# 2. The crate, against that sysroot. Optimised for size and without debug
# information: the module is downloaded by every reader of the book.
export RUSTFLAGS="--sysroot $sysroot"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/bin/wasm-ld
"$CARGO" build --locked --release --target "$target" --target-dir "$root/target/wasm" -p kafkasim-web

# 3. The JavaScript glue, by the wasm-bindgen of the crate's exact version.
wasm_bindgen_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
bindgen="${WASM_BINDGEN:-$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")}"
if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $wasm_bindgen_version"; then
  echo "wasm-bindgen $wasm_bindgen_version is needed: cargo install wasm-bindgen-cli --version $wasm_bindgen_version" >&2
  exit 1
fi
rm -rf web/pkg
"$bindgen" --target web --no-typescript --out-dir web/pkg \
  "$root/target/wasm/$target/release/kafkasim_web.wasm"

# 4. Into the book, whose chapters' players load it (book/src/player/).
rm -rf book/src/player/pkg
cp -r web/pkg book/src/player/pkg
ls -l web/pkg/kafkasim_web_bg.wasm | awk '{printf "the module: %.1f MB\n", $5 / 1048576}'
