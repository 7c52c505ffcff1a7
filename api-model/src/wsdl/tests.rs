//! Tests of the WSDL loader.
use super::*;

#[test]
fn schema_kinds_round_trip_through_json() {
    use crate::model::{Schema, SchemaKind, StringRules};
    let kinds = vec![
        SchemaKind::Ref("{urn:x}T".into()),
        SchemaKind::Union(vec![
            SchemaKind::Boolean,
            SchemaKind::String(StringRules::default()),
        ]),
    ];
    for kind in kinds {
        let s = Schema {
            kind,
            ..Schema::default()
        };
        let json = serde_json::to_string(&s).expect("serializes");
        let back: Schema = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, s, "{json}");
    }
}
