/work/main/target-baseline/release/deps/permkit-c944e5cf613d4914.d: rust/permkit/src/lib.rs rust/permkit/src/algebra/mod.rs rust/permkit/src/algebra/cycles.rs rust/permkit/src/algebra/fenwick.rs rust/permkit/src/algebra/group.rs rust/permkit/src/algebra/invariants.rs rust/permkit/src/algebra/lehmer.rs rust/permkit/src/algebra/validate.rs rust/permkit/src/distance.rs rust/permkit/src/error.rs rust/permkit/src/index.rs rust/permkit/src/index_shuffle.rs rust/permkit/src/interrupt.rs rust/permkit/src/random_access.rs rust/permkit/src/rng/mod.rs rust/permkit/src/rng/keys.rs rust/permkit/src/rng/philox.rs rust/permkit/src/rng/splitmix.rs rust/permkit/src/rng/squares.rs rust/permkit/src/rng/stream.rs rust/permkit/src/count.rs rust/permkit/src/enumerate/mod.rs rust/permkit/src/enumerate/walkers.rs rust/permkit/src/exact/mod.rs rust/permkit/src/exact/blocks.rs rust/permkit/src/exact/contingency.rs rust/permkit/src/exact/k_sample.rs rust/permkit/src/exact/location.rs rust/permkit/src/exact/maxt.rs rust/permkit/src/exact/monte_carlo.rs rust/permkit/src/exact/paired.rs rust/permkit/src/exact/pairings.rs rust/permkit/src/exact/shift.rs rust/permkit/src/exact/strata.rs rust/permkit/src/exact/two_sample.rs rust/permkit/src/exact/welch.rs rust/permkit/src/rank/mod.rs rust/permkit/src/rank/combination.rs rust/permkit/src/rank/derangement.rs rust/permkit/src/rank/fenwick.rs rust/permkit/src/rank/multiset.rs rust/permkit/src/rank/perm.rs rust/permkit/src/rank/radix.rs rust/permkit/src/rank/rows.rs rust/permkit/src/shard_shuffle.rs rust/permkit/src/shuffle/mod.rs rust/permkit/src/shuffle/scatter.rs

/work/main/target-baseline/release/deps/libpermkit-c944e5cf613d4914.rlib: rust/permkit/src/lib.rs rust/permkit/src/algebra/mod.rs rust/permkit/src/algebra/cycles.rs rust/permkit/src/algebra/fenwick.rs rust/permkit/src/algebra/group.rs rust/permkit/src/algebra/invariants.rs rust/permkit/src/algebra/lehmer.rs rust/permkit/src/algebra/validate.rs rust/permkit/src/distance.rs rust/permkit/src/error.rs rust/permkit/src/index.rs rust/permkit/src/index_shuffle.rs rust/permkit/src/interrupt.rs rust/permkit/src/random_access.rs rust/permkit/src/rng/mod.rs rust/permkit/src/rng/keys.rs rust/permkit/src/rng/philox.rs rust/permkit/src/rng/splitmix.rs rust/permkit/src/rng/squares.rs rust/permkit/src/rng/stream.rs rust/permkit/src/count.rs rust/permkit/src/enumerate/mod.rs rust/permkit/src/enumerate/walkers.rs rust/permkit/src/exact/mod.rs rust/permkit/src/exact/blocks.rs rust/permkit/src/exact/contingency.rs rust/permkit/src/exact/k_sample.rs rust/permkit/src/exact/location.rs rust/permkit/src/exact/maxt.rs rust/permkit/src/exact/monte_carlo.rs rust/permkit/src/exact/paired.rs rust/permkit/src/exact/pairings.rs rust/permkit/src/exact/shift.rs rust/permkit/src/exact/strata.rs rust/permkit/src/exact/two_sample.rs rust/permkit/src/exact/welch.rs rust/permkit/src/rank/mod.rs rust/permkit/src/rank/combination.rs rust/permkit/src/rank/derangement.rs rust/permkit/src/rank/fenwick.rs rust/permkit/src/rank/multiset.rs rust/permkit/src/rank/perm.rs rust/permkit/src/rank/radix.rs rust/permkit/src/rank/rows.rs rust/permkit/src/shard_shuffle.rs rust/permkit/src/shuffle/mod.rs rust/permkit/src/shuffle/scatter.rs

/work/main/target-baseline/release/deps/libpermkit-c944e5cf613d4914.rmeta: rust/permkit/src/lib.rs rust/permkit/src/algebra/mod.rs rust/permkit/src/algebra/cycles.rs rust/permkit/src/algebra/fenwick.rs rust/permkit/src/algebra/group.rs rust/permkit/src/algebra/invariants.rs rust/permkit/src/algebra/lehmer.rs rust/permkit/src/algebra/validate.rs rust/permkit/src/distance.rs rust/permkit/src/error.rs rust/permkit/src/index.rs rust/permkit/src/index_shuffle.rs rust/permkit/src/interrupt.rs rust/permkit/src/random_access.rs rust/permkit/src/rng/mod.rs rust/permkit/src/rng/keys.rs rust/permkit/src/rng/philox.rs rust/permkit/src/rng/splitmix.rs rust/permkit/src/rng/squares.rs rust/permkit/src/rng/stream.rs rust/permkit/src/count.rs rust/permkit/src/enumerate/mod.rs rust/permkit/src/enumerate/walkers.rs rust/permkit/src/exact/mod.rs rust/permkit/src/exact/blocks.rs rust/permkit/src/exact/contingency.rs rust/permkit/src/exact/k_sample.rs rust/permkit/src/exact/location.rs rust/permkit/src/exact/maxt.rs rust/permkit/src/exact/monte_carlo.rs rust/permkit/src/exact/paired.rs rust/permkit/src/exact/pairings.rs rust/permkit/src/exact/shift.rs rust/permkit/src/exact/strata.rs rust/permkit/src/exact/two_sample.rs rust/permkit/src/exact/welch.rs rust/permkit/src/rank/mod.rs rust/permkit/src/rank/combination.rs rust/permkit/src/rank/derangement.rs rust/permkit/src/rank/fenwick.rs rust/permkit/src/rank/multiset.rs rust/permkit/src/rank/perm.rs rust/permkit/src/rank/radix.rs rust/permkit/src/rank/rows.rs rust/permkit/src/shard_shuffle.rs rust/permkit/src/shuffle/mod.rs rust/permkit/src/shuffle/scatter.rs

rust/permkit/src/lib.rs:
rust/permkit/src/algebra/mod.rs:
rust/permkit/src/algebra/cycles.rs:
rust/permkit/src/algebra/fenwick.rs:
rust/permkit/src/algebra/group.rs:
rust/permkit/src/algebra/invariants.rs:
rust/permkit/src/algebra/lehmer.rs:
rust/permkit/src/algebra/validate.rs:
rust/permkit/src/distance.rs:
rust/permkit/src/error.rs:
rust/permkit/src/index.rs:
rust/permkit/src/index_shuffle.rs:
rust/permkit/src/interrupt.rs:
rust/permkit/src/random_access.rs:
rust/permkit/src/rng/mod.rs:
rust/permkit/src/rng/keys.rs:
rust/permkit/src/rng/philox.rs:
rust/permkit/src/rng/splitmix.rs:
rust/permkit/src/rng/squares.rs:
rust/permkit/src/rng/stream.rs:
rust/permkit/src/count.rs:
rust/permkit/src/enumerate/mod.rs:
rust/permkit/src/enumerate/walkers.rs:
rust/permkit/src/exact/mod.rs:
rust/permkit/src/exact/blocks.rs:
rust/permkit/src/exact/contingency.rs:
rust/permkit/src/exact/k_sample.rs:
rust/permkit/src/exact/location.rs:
rust/permkit/src/exact/maxt.rs:
rust/permkit/src/exact/monte_carlo.rs:
rust/permkit/src/exact/paired.rs:
rust/permkit/src/exact/pairings.rs:
rust/permkit/src/exact/shift.rs:
rust/permkit/src/exact/strata.rs:
rust/permkit/src/exact/two_sample.rs:
rust/permkit/src/exact/welch.rs:
rust/permkit/src/rank/mod.rs:
rust/permkit/src/rank/combination.rs:
rust/permkit/src/rank/derangement.rs:
rust/permkit/src/rank/fenwick.rs:
rust/permkit/src/rank/multiset.rs:
rust/permkit/src/rank/perm.rs:
rust/permkit/src/rank/radix.rs:
rust/permkit/src/rank/rows.rs:
rust/permkit/src/shard_shuffle.rs:
rust/permkit/src/shuffle/mod.rs:
rust/permkit/src/shuffle/scatter.rs:
