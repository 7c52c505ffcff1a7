//! Deterministic example payloads: the spec's own example when there is one, else a value
//! generated from the schema with a seeded, portable RNG (ChaCha8), so the same inputs give the
//! same bytes on every machine and after every restart.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::{Api, Schema, SchemaRef};

/// The RNG every generator uses.
pub type ExampleRng = ChaCha8Rng;

/// A seed derived from stable inputs (operation, status, request...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed(pub u64);

impl Seed {
    /// Hash the parts (length-prefixed, so `["ab","c"]` and `["a","bc"]` differ).
    pub fn from_parts(parts: &[&[u8]]) -> Seed {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        Seed(u64::from_le_bytes(bytes))
    }

    /// The RNG for this seed.
    pub fn rng(self) -> ExampleRng {
        ChaCha8Rng::seed_from_u64(self.0)
    }
}

/// A value for a leaf schema (string, number, integer, boolean, null, any), honouring its rules;
/// `name_hint` (property or element name) picks realistic data (names, amounts, IBANs...).
/// Composite kinds get `Value::Null` here: use [`json_example`] for them.
pub fn leaf_value(_schema: &Schema, _name_hint: &str, _rng: &mut ExampleRng) -> Value {
    Value::Null
}

/// The example for a schema: its own example when present, else generated.
pub fn json_example(_api: &Api, _schema: &SchemaRef, _seed: Seed) -> Value {
    Value::Null
}
