//! [`AddressHasher`]: the identity collections' default hasher, for
//! addresses.
//!
//! An identity collection hashes one `usize`, the key's address. Addresses
//! are 8- or 16-byte aligned and clustered (one allocator, nearby pages), so
//! the hash must spread both ends of the word: hashbrown picks the bucket
//! from the low bits and a 7-bit tag from the top ones. A 64x64->128-bit
//! multiply by an odd constant, folded (`high ^ low`), does both in one
//! multiply: every input bit reaches the high half, and the low half keeps
//! the multiply's low-bit spread.
//!
//! It is not DoS-resistant: there is no secret key, so someone who chooses
//! the inputs could make them collide. For addresses that is fine: they are
//! chosen by the allocator, not by whoever sends data to the program, and
//! they are not stable across runs. Hash attacker-chosen values (strings
//! from a request, say) with std's `RandomState` instead.

use core::hash::{BuildHasher, Hasher};

/// The odd multiplier: 2^64 / φ, the usual Fibonacci-hashing constant.
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// One multiply, folded: the mixing step of [`AddressHasher`].
#[inline]
fn fold(x: u64) -> u64 {
    let product = u128::from(x) * u128::from(MULTIPLIER);
    // Truncations intended: the two halves of the product.
    #[allow(clippy::cast_possible_truncation)]
    let (high, low) = ((product >> 64) as u64, product as u64);
    high ^ low
}

/// A fast [`Hasher`] for addresses (and other machine words): one
/// 64x64->128-bit multiply per word written, folded so that both the low
/// bits (bucket index) and the high bits (hashbrown's tag) are mixed.
///
/// Not DoS-resistant (it has no secret key): use it for addresses, which
/// the allocator chooses and an attacker does not, not for data from
/// outside.
///
/// ```
/// use std::hash::Hasher;
/// use weakref_collections::AddressHasher;
///
/// let hash = |word: usize| {
///     let mut h = AddressHasher::default();
///     h.write_usize(word);
///     h.finish()
/// };
/// // Two neighbouring 16-byte-aligned addresses differ in low and high bits.
/// let (a, b) = (hash(0x7f00_0000_1000), hash(0x7f00_0000_1010));
/// assert_ne!(a & 0xff, b & 0xff);
/// assert_ne!(a >> 57, b >> 57);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct AddressHasher {
    state: u64,
}

impl Hasher for AddressHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.state
    }

    /// Bytes are taken a word at a time (little-endian, zero-padded); the
    /// identity collections never write bytes, only one `usize`.
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        // A rotation first, so that a second word does not cancel the first.
        self.state = fold(self.state.rotate_left(32) ^ n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// Builds [`AddressHasher`]s: the default `S` of
/// [`WeakKeyIdentityDictionary`](crate::WeakKeyIdentityDictionary) and
/// [`WeakIdentitySet`](crate::WeakIdentitySet). Stateless (no random key),
/// so every instance hashes alike.
///
/// ```
/// use std::hash::BuildHasher;
/// use weakref_collections::BuildAddressHasher;
///
/// let x = 0u8;
/// let address = &x as *const u8 as usize;
/// assert_eq!(
///     BuildAddressHasher.hash_one(address),
///     BuildAddressHasher::default().hash_one(address),
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BuildAddressHasher;

impl BuildHasher for BuildAddressHasher {
    type Hasher = AddressHasher;

    #[inline]
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(word: usize) -> u64 {
        BuildAddressHasher.hash_one(word)
    }

    /// Aligned, consecutive addresses land in distinct buckets of a table
    /// as large as their count, and carry distinct tags for the most part.
    #[test]
    fn aligned_addresses_spread_over_buckets_and_tags() {
        const N: usize = 1024;
        let base = 0x5555_0000_0000_usize;
        let mut buckets = vec![0_u32; N];
        let mut tags = [0_u32; 128];
        for i in 0..N {
            let h = hash(base + 16 * i);
            buckets[(h as usize) % N] += 1;
            tags[(h >> 57) as usize] += 1;
        }
        let worst_bucket = *buckets.iter().max().unwrap();
        assert!(worst_bucket <= 6, "{worst_bucket} addresses in one bucket");
        let empty_tags = tags.iter().filter(|&&n| n == 0).count();
        assert!(empty_tags <= 2, "{empty_tags} of 128 tags unused");
    }

    #[test]
    fn bytes_hash_as_their_words() {
        let mut a = AddressHasher::default();
        a.write(&0x1234_u64.to_le_bytes());
        let mut b = AddressHasher::default();
        b.write_u64(0x1234);
        assert_eq!(a.finish(), b.finish());
        let mut c = AddressHasher::default();
        c.write_u64(1);
        c.write_u64(2);
        let mut d = AddressHasher::default();
        d.write_u64(2);
        d.write_u64(1);
        assert_ne!(c.finish(), d.finish());
    }
}
