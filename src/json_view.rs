//! JSON views of self-describing payloads, both ways. JSON has no byte strings, MessagePack does
//! (`bin`): in a JSON view a byte string is the object `{"$bin": "<hex>"}`.
//!
//! Owns: [`JsonView`] (any self-describing payload read as JSON, byte strings as `{"$bin": …}`)
//! and [`BinaryAware`] (JSON written with `{"$bin": …}` objects as byte strings). It must not
//! choose a codec or know about events: [`DistributedEvent::to_json`](crate::DistributedEvent::to_json)
//! and the command line use it.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// The key of the object that stands for a byte string.
pub const BINARY_KEY: &str = "$bin";

/// A self-describing payload read as JSON; byte strings become `{"$bin": "<hex>"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonView(pub Value);

impl<'de> Deserialize<'de> for JsonView {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ViewVisitor).map(JsonView)
    }
}

/// Builds the JSON value of whatever the payload holds.
struct ViewVisitor;

impl<'de> Visitor<'de> for ViewVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any self-describing value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinities: they read as null, as serde_json writes them.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        let mut object = Map::new();
        object.insert(BINARY_KEY.to_owned(), Value::String(hex(v)));
        Ok(Value::Object(object))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ViewVisitor)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ViewVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(JsonView(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some((JsonView(key), JsonView(value))) = map.next_entry()? {
            // JSON keys are strings: any other key is written as its JSON text.
            let key = match key {
                Value::String(key) => key,
                other => other.to_string(),
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// JSON to write under a codec that has byte strings: every object `{"$bin": "<hex>"}` (that one
/// key, an even number of hex digits) is written as a byte string, everything else as it is.
#[derive(Debug, Clone, Copy)]
pub struct BinaryAware<'a>(pub &'a Value);

impl Serialize for BinaryAware<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&BinaryAware(item))?;
                }
                seq.end()
            }
            Value::Object(object) => {
                if let Some(bytes) = binary(object) {
                    return serializer.serialize_bytes(&bytes);
                }
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (key, value) in object {
                    map.serialize_entry(key, &BinaryAware(value))?;
                }
                map.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// The bytes an object stands for, if it is `{"$bin": "<hex>"}`.
fn binary(object: &Map<String, Value>) -> Option<Vec<u8>> {
    if object.len() != 1 {
        return None;
    }
    let text = object.get(BINARY_KEY)?.as_str()?;
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect()
}

/// Lowercase hex digits of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msgpack(value: &Value) -> Vec<u8> {
        rmp_serde::to_vec_named(&BinaryAware(value)).expect("encodes")
    }

    fn view(bytes: &[u8]) -> Value {
        rmp_serde::from_slice::<JsonView>(bytes).expect("decodes").0
    }

    #[test]
    fn byte_strings_round_trip_through_their_json_view() {
        let value = json!({"raw": {"$bin": "00ff10"}, "list": [{"$bin": ""}, 1, "x"], "n": null});
        let bytes = msgpack(&value);
        // 0xc4 is MessagePack's bin 8: the object was written as a byte string.
        assert!(bytes.windows(2).any(|w| w == [0xc4, 3]), "{bytes:02x?}");
        assert_eq!(view(&bytes), value);
    }

    #[test]
    fn objects_that_only_look_binary_stay_objects() {
        for value in [
            json!({"$bin": "abc"}),
            json!({"$bin": "zz"}),
            json!({"$bin": 1}),
            json!({"$bin": "00", "other": 1}),
        ] {
            assert_eq!(view(&msgpack(&value)), value);
        }
    }

    #[test]
    fn json_payloads_read_as_they_are() {
        let value = json!({"a": [1, -2, 2.5, true, null, "s"], "b": {"c": u64::MAX}});
        let text = serde_json::to_vec(&value).unwrap();
        assert_eq!(serde_json::from_slice::<JsonView>(&text).unwrap().0, value);
    }
}
