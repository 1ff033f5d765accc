/work/main/target-baseline/release/build/matrixmultiply-0134415228756427/build_script_build-0134415228756427.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/matrixmultiply-0.3.11/build.rs

/work/main/target-baseline/release/build/matrixmultiply-0134415228756427/build_script_build-0134415228756427: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/matrixmultiply-0.3.11/build.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/matrixmultiply-0.3.11/build.rs:
