/work/main/target-baseline/release/deps/pyo3_macros-f1c0ff297d34e803.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pyo3-macros-0.25.1/src/lib.rs

/work/main/target-baseline/release/deps/libpyo3_macros-f1c0ff297d34e803.so: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pyo3-macros-0.25.1/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pyo3-macros-0.25.1/src/lib.rs:

# env-dep:CARGO_PKG_VERSION=0.25.1
