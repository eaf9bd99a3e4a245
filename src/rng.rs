//! Reproducible random streams.
//!
//! Every random computation takes a `seed`. Independent units of work (one Monte Carlo draw, one chain,
//! one table row) get their own stream `stream(seed, index)`: a ChaCha8 generator keyed by the seed with
//! the unit's index as the ChaCha *stream* number. Results therefore depend only on `(seed, index)`, never
//! on how rayon schedules the work, so the same seed gives the same numbers on any thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator type used everywhere.
pub type Rng = ChaCha8Rng;

/// SplitMix64 step (Steele, Lea & Flood 2014); used to expand a user seed into a 256-bit key and by the
/// language-independent test-data generator of `docs/models/bayes.md` ("Reference data sets").
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Independent stream number `index` of the user seed `seed`.
pub fn stream(seed: u64, index: u64) -> Rng {
    let mut s = seed;
    let mut key = [0u8; 32];
    for chunk in key.chunks_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut s).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(index);
    rng
}

/// Fill a vector with `n` iid standard normal draws.
pub fn normals(rng: &mut Rng, n: usize) -> Vec<f64> {
    use rand_distr::{Distribution, StandardNormal};
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}
