/work/main/target-baseline/release/deps/_native.d: rust/permkit-python/src/lib.rs rust/permkit-python/src/algebra.rs rust/permkit-python/src/combinatorics.rs rust/permkit-python/src/convert.rs rust/permkit-python/src/designs.rs rust/permkit-python/src/index_shuffle.rs rust/permkit-python/src/random_access.rs rust/permkit-python/src/rng.rs rust/permkit-python/src/shard_shuffle.rs rust/permkit-python/src/shuffle.rs rust/permkit-python/src/stats.rs

/work/main/target-baseline/release/deps/lib_native.so: rust/permkit-python/src/lib.rs rust/permkit-python/src/algebra.rs rust/permkit-python/src/combinatorics.rs rust/permkit-python/src/convert.rs rust/permkit-python/src/designs.rs rust/permkit-python/src/index_shuffle.rs rust/permkit-python/src/random_access.rs rust/permkit-python/src/rng.rs rust/permkit-python/src/shard_shuffle.rs rust/permkit-python/src/shuffle.rs rust/permkit-python/src/stats.rs

rust/permkit-python/src/lib.rs:
rust/permkit-python/src/algebra.rs:
rust/permkit-python/src/combinatorics.rs:
rust/permkit-python/src/convert.rs:
rust/permkit-python/src/designs.rs:
rust/permkit-python/src/index_shuffle.rs:
rust/permkit-python/src/random_access.rs:
rust/permkit-python/src/rng.rs:
rust/permkit-python/src/shard_shuffle.rs:
rust/permkit-python/src/shuffle.rs:
rust/permkit-python/src/stats.rs:

# env-dep:CARGO_PKG_VERSION=0.1.0
