//! Client IDs, secrets, tokens and subscription ids: random, hex, and hashed with SHA-256 before
//! they are stored. A fast hash is right here: the secrets are 256 random bits, not passwords.

use rand::RngCore;
use sha2::{Digest, Sha256};
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
