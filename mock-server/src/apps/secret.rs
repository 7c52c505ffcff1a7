//! Client IDs, secrets, tokens and subscription ids: random, hex, and hashed with SHA-256 before
//! they are stored. A fast hash is right here: the secrets are 256 random bits, not passwords.
//! A thread remembers the secrets that passed as keyed SipHashes, so that the next call with the
//! same secret is checked with less work ([`verify_remembered`]).

use std::cell::RefCell;
use std::hash::Hasher;

use rand::RngCore;
use sha2::{Digest, Sha256};
use siphasher::sip128::{Hasher128, SipHasher13};
use subtle::ConstantTimeEq;

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A new client ID: 128 random bits, 32 hex digits.
pub fn new_client_id() -> String {
    random_hex(16)
}

/// A new client secret or access token: 256 random bits, 64 hex digits.
pub fn new_secret() -> String {
    random_hex(32)
}

/// A new subscription id: `sub_` + 64 random bits.
pub fn new_subscription_id() -> String {
    format!("sub_{}", random_hex(8))
}

/// SHA-256 of a secret or token as presented.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether `presented` hashes to `stored`, in constant time.
pub fn verify(presented: &str, stored: &[u8; 32]) -> bool {
    equal(&hash(presented), stored)
}

/// What one thread remembers of the secrets that passed [`verify_remembered`]: for each stored
/// hash, a 128-bit SipHash-1-3 of the secret that matched it, under a random key of the thread.
struct Remembered {
    key: (u64, u64),
    passed: foldhash::HashMap<[u8; 32], u128>,
}

/// At most this many stored hashes are remembered per thread (then the memory starts afresh).
const REMEMBERED_MAX: usize = 4096;

thread_local! {
    static REMEMBERED: RefCell<Option<Remembered>> = const { RefCell::new(None) };
}

impl Remembered {
    fn new() -> Remembered {
        let mut rng = rand::rng();
        Remembered {
            key: (rng.next_u64(), rng.next_u64()),
            passed: foldhash::HashMap::default(),
        }
    }

    fn mac(&self, presented: &str) -> u128 {
        let mut h = SipHasher13::new_with_keys(self.key.0, self.key.1);
        h.write(presented.as_bytes());
        h.finish128().as_u128()
    }
}

/// [`verify`], remembered: once a secret has matched `stored` on this thread, the same secret is
/// checked again by its keyed SipHash, which costs a keyed call less than SHA-256 does.
///
/// Nothing in clear is kept, only a 128-bit keyed hash under a key that never leaves the thread,
/// compared in constant time: another secret passes with probability 2^-128. A reset secret has
/// a new stored hash, so what was remembered for the old one is never consulted again; a secret
/// that does not match is checked by SHA-256 every time.
pub fn verify_remembered(presented: &str, stored: &[u8; 32]) -> bool {
    let remembered = REMEMBERED.try_with(|cell| {
        let mut cell = cell.try_borrow_mut().ok()?;
        let memory = cell.get_or_insert_with(Remembered::new);
        let mac = memory.mac(presented);
        if let Some(known) = memory.passed.get(stored)
            && equal_u128(*known, mac)
        {
            return Some(true);
        }
        let ok = verify(presented, stored);
        if ok {
            if memory.passed.len() >= REMEMBERED_MAX {
                memory.passed.clear();
            }
            memory.passed.insert(*stored, mac);
        }
        Some(ok)
    });
    match remembered {
        Ok(Some(ok)) => ok,
        // The thread is exiting, or already inside: SHA-256 alone.
        _ => verify(presented, stored),
    }
}

fn equal_u128(a: u128, b: u128) -> bool {
    let (a_hi, a_lo) = ((a >> 64) as u64, a as u64);
    let (b_hi, b_lo) = ((b >> 64) as u64, b as u64);
    (a_hi.ct_eq(&b_hi) & a_lo.ct_eq(&b_lo)).into()
}

/// Constant-time comparison of two strings (admin token).
pub fn same(a: &str, b: &str) -> bool {
    equal(&hash(a), &hash(b))
}

/// Constant-time equality of two digests, compared as four words (`subtle` compares a byte
/// slice a byte at a time, each behind an optimization barrier: eight times the work).
fn equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let word = |d: &[u8; 32], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&d[i * 8..i * 8 + 8]);
        u64::from_ne_bytes(w)
    };
    let same = (0..4).fold(subtle::Choice::from(1), |acc, i| {
        acc & word(a, i).ct_eq(&word(b, i))
    });
    same.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_verify_only_themselves() {
        let a = new_secret();
        let b = new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        let stored = hash(&a);
        assert!(verify(&a, &stored));
        assert!(!verify(&b, &stored));
        assert!(!verify("", &stored));
        assert_eq!(new_client_id().len(), 32);
        assert!(new_subscription_id().starts_with("sub_"));
        assert!(same("x", "x") && !same("x", "y"));
    }

    #[test]
    fn remembered_verification_agrees_with_sha256() {
        let a = new_secret();
        let b = new_secret();
        let stored = hash(&a);
        for _ in 0..3 {
            assert!(verify_remembered(&a, &stored));
            assert!(!verify_remembered(&b, &stored));
            assert!(!verify_remembered("", &stored));
        }
        // A reset: the new secret passes, the old one no longer does, though it was remembered.
        let reset = hash(&b);
        assert!(verify_remembered(&b, &reset));
        assert!(!verify_remembered(&a, &reset));
        assert!(verify_remembered(&a, &stored));
        // A full memory starts afresh and still answers right.
        for _ in 0..REMEMBERED_MAX + 1 {
            let s = new_secret();
            assert!(verify_remembered(&s, &hash(&s)));
        }
        assert!(verify_remembered(&a, &stored) && !verify_remembered(&b, &stored));
        assert!(equal_u128(u128::MAX, u128::MAX));
        assert!(!equal_u128(1, 1 << 64) && !equal_u128(1 << 64, 1 << 65));
    }

    #[test]
    fn digests_differing_in_any_byte_are_unequal() {
        let a = hash("secret");
        assert!(equal(&a, &a));
        for i in 0..32 {
            let mut b = a;
            b[i] ^= 0x80;
            assert!(!equal(&a, &b), "byte {i}");
        }
    }
}
