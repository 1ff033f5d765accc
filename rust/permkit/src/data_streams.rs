//! The versioned constants of the data-loading streams (docs/data_loading.md,
//! docs/index_shuffle.md): the key-derivation domains (the top byte of the Squares
//! counter in [`crate::index_shuffle::derive_key`]) and the draw chunk that numbers the
//! with-replacement and shuffle-buffer draws. Changing any of them changes seeded
//! outputs; Python reads them from `permkit._native`.

/// 'E': an epoch's key, `derive_key(master, 'E', epoch)` (samplers, `ShardShuffle`).
pub const DOMAIN_EPOCH: u8 = 0x45;
/// 'B': window mode's block order, `derive_key(epoch_key, 'B', 0)`.
pub const DOMAIN_BLOCKS: u8 = 0x42;
/// 'W': window mode's window `t`, `derive_key(epoch_key, 'W', t)`.
pub const DOMAIN_WINDOW: u8 = 0x57;
/// 'A': `RandomSampler(replacement=True)`'s draw chunk `c`, `derive_key(master, 'A', c)`.
pub const DOMAIN_REPLACEMENT: u8 = 0x41;
/// 'Q': a shuffle buffer's key, `derive_key(master, 'Q', epoch)`.
pub const DOMAIN_BUFFER: u8 = 0x51;
/// 'C': a shuffle buffer's steady-state draw chunk `c`, `derive_key(buffer_key, 'C', c)`.
pub const DOMAIN_BUFFER_CHUNK: u8 = 0x43;
/// 'D': a shuffle buffer's drain draw chunk `c`, `derive_key(buffer_key, 'D', c)`.
pub const DOMAIN_BUFFER_DRAIN: u8 = 0x44;
/// Draws per chunk key: draw `p` of a stream is draw `p % DRAW_CHUNK` under chunk
/// `p / DRAW_CHUNK`'s key.
pub const DRAW_CHUNK: usize = 1 << 12;
