/work/main/target-baseline/release/deps/rawpointer-c0524440bb68583c.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rawpointer-0.2.1/src/lib.rs

/work/main/target-baseline/release/deps/librawpointer-c0524440bb68583c.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rawpointer-0.2.1/src/lib.rs

/work/main/target-baseline/release/deps/librawpointer-c0524440bb68583c.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rawpointer-0.2.1/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/rawpointer-0.2.1/src/lib.rs:
