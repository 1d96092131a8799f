//! The event every listener receives, and the payload codecs.
//!
//! Owns: `DistributedEvent` (what a listener sees), `Codec` (how its payload was encoded) and the
//! encode/decode of payloads. It must not know about frames or sockets: the wire module builds
//! events out of frames, the emitter hands them to listeners.

use crate::error::{Error, Result};
use crate::json_view::{hex, JsonView};
use actix::Message;
use bytes::Bytes;
use nanomitter_protocol::event::Event;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Bytes a bincode payload may claim while it decodes, allocations included. bincode allocates a
/// string or byte buffer at the length the payload declares before reading it, so without a
/// limit a few forged bytes declaring an enormous length abort the process. A valid payload
/// claims at most 16 bytes per payload byte (a `u128` for a one-byte varint), so this admits
/// every payload of a frame of the default `max_frame_size` (16 MiB).
const BINCODE_LIMIT: usize = 256 << 20;

pub use nanomitter_protocol::Codec;

/// `value` encoded under `codec`.
pub(crate) fn encode<T: Serialize + ?Sized>(codec: Codec, value: &T) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(codec, value, &mut out)?;
    Ok(out)
}

/// `value` encoded under `codec`, appended to `out`.
pub(crate) fn encode_into<T: Serialize + ?Sized>(
    codec: Codec,
    value: &T,
    out: &mut Vec<u8>,
) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| Error::Encode(e.to_string());
    match codec {
        Codec::Bincode => {
            bincode::serde::encode_into_std_write(value, out, bincode::config::standard())
                .map(|_| ())
                .map_err(|e| failed(&e))
        }
        Codec::Json => serde_json::to_writer(out, value).map_err(|e| failed(&e)),
        Codec::MessagePack => rmp_serde::encode::write_named(out, value).map_err(|e| failed(&e)),
    }
}

/// Decodes `bytes` under `codec` as exactly one `T`: bytes left over after the value are an error,
/// so a payload of another type whose prefix happens to parse as `T` is refused, not truncated.
fn decode<T: DeserializeOwned>(codec: Codec, bytes: &[u8]) -> Result<T> {
    let type_name = std::any::type_name::<T>();
    match codec {
        Codec::Bincode => {
            let config = bincode::config::standard().with_limit::<BINCODE_LIMIT>();
            let (value, read) = bincode::serde::decode_from_slice(bytes, config)
                .map_err(|e| Error::Decode(format!("bincode as {type_name}: {e}")))?;
            if read != bytes.len() {
                return Err(Error::Decode(format!(
                        "bincode as {type_name}: {} trailing bytes after the value ({} of {} bytes read)",
                        bytes.len() - read,
                        read,
                        bytes.len()
                    )));
            }
            Ok(value)
        }
        // serde_json's `from_slice` already refuses anything but whitespace after the value.
        Codec::Json => serde_json::from_slice(bytes)
            .map_err(|e| Error::Decode(format!("json as {type_name}: {e}"))),
        Codec::MessagePack => {
            let mut reader = bytes;
            let value = T::deserialize(&mut rmp_serde::Deserializer::new(&mut reader))
                .map_err(|e| Error::Decode(format!("msgpack as {type_name}: {e}")))?;
            if !reader.is_empty() {
                return Err(Error::Decode(format!(
                    "msgpack as {type_name}: {} trailing bytes after the value",
                    reader.len()
                )));
            }
            Ok(value)
        }
    }
}

/// One event as a listener receives it.
///
/// Cloning is one reference count: topic, service and payload are shared slices of the frame the
/// event arrived in, behind one shared pointer, so an event fans out to many recipients without
/// copying anything.
#[derive(Debug, Clone, PartialEq, Eq, Message)]
#[rtype(result = "()")]
pub struct DistributedEvent(
    /// The protocol core's event: its fields behind one shared pointer, so a clone is one
    /// reference count.
    Event,
);

impl From<Event> for DistributedEvent {
    fn from(event: Event) -> Self {
        DistributedEvent(event)
    }
}

impl DistributedEvent {
    /// The topic the event was emitted on.
    pub fn topic(&self) -> &str {
        self.0.topic()
    }

    /// The service name of the emitting node.
    pub fn service(&self) -> &str {
        self.0.service()
    }

    /// The id of the emitting node (random per emitter, stable across its restarts).
    pub fn node(&self) -> u64 {
        self.0.node()
    }

    /// The emitting node's sequence number of this event: 1, 2, 3, ... per emitter.
    pub fn seq(&self) -> u64 {
        self.0.seq()
    }

    /// How the payload is encoded.
    pub fn codec(&self) -> Codec {
        self.0.codec()
    }

    /// The encoded payload bytes.
    pub fn payload(&self) -> &Bytes {
        self.0.payload()
    }

    /// Decodes the payload into `T` with the codec it was emitted with. Fails with
    /// [`Error::Decode`], naming the codec and `T`, when the payload is not
    /// a `T` — bytes left over after the value included, so a payload of another type is refused
    /// rather than half read.
    ///
    /// ```
    /// use actix::prelude::*;
    /// use nanomitter::DistributedEvent;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct StockPrice { ticker: String, price: f64 }
    ///
    /// struct Prices;
    /// impl Actor for Prices { type Context = Context<Self>; }
    /// impl Handler<DistributedEvent> for Prices {
    ///     type Result = ();
    ///     fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
    ///         match event.decode::<StockPrice>() {
    ///             Ok(p) => println!("{} {}", p.ticker, p.price),
    ///             Err(error) => eprintln!("{error}"), // e.g. a `Trade` on this topic
    ///         }
    ///     }
    /// }
    /// ```
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        decode(self.0.codec(), self.0.payload())
    }

    /// The payload as JSON: JSON and MessagePack payloads as the values they hold (a MessagePack
    /// byte string as `{"$bin": "<hex>"}`, see [`json_view`](crate::json_view)), bincode
    /// payloads as `{"bincode": "<hex>"}` (bincode is not self-describing, so only the receiver's
    /// type can read it).
    ///
    /// ```
    /// # fn example(event: nanomitter::DistributedEvent) {
    /// println!("{} from {}: {}", event.topic(), event.service(), event.to_json());
    /// # }
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        match self.0.codec() {
            Codec::Json => self
                .decode()
                .unwrap_or_else(|_| serde_json::json!({ "invalid_json": hex(self.0.payload()) })),
            Codec::MessagePack => self.decode::<JsonView>().map(|view| view.0).unwrap_or_else(
                |_| serde_json::json!({ "invalid_msgpack": hex(self.0.payload()) }),
            ),
            Codec::Bincode => serde_json::json!({ "bincode": hex(self.0.payload()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytestring::ByteString;
    use nanomitter_protocol::event::Fields;

    fn event(codec: Codec, payload: impl Into<Bytes>) -> DistributedEvent {
        DistributedEvent::from(Event::new(Fields {
            topic: ByteString::from_static("t"),
            service: ByteString::from_static("s"),
            node: 1,
            seq: 1,
            codec,
            payload: payload.into(),
        }))
    }

    /// Found by fuzzing: a bincode payload declaring a string of 2^62 bytes made bincode allocate
    /// that much up front, and the allocation failure aborted the process.
    #[test]
    fn a_bincode_payload_declaring_a_huge_length_is_refused() {
        // A varint `u64` (marker 0xfd, then 8 bytes) of 2^62, the length of a string that isn't.
        let huge_string = event(Codec::Bincode, &[0xfd, 0, 0, 0, 0, 0, 0, 0, 0x40][..]);
        assert!(matches!(huge_string.decode::<String>(), Err(Error::Decode(_))));
        assert!(matches!(huge_string.decode::<Vec<u8>>(), Err(Error::Decode(_))));
    }

    #[test]
    fn payloads_decode_under_the_limit() {
        let value = (String::from("stock"), vec![7u64; 1000], vec![0u8; 4096]);
        let payload = encode(Codec::Bincode, &value).unwrap();
        let event = event(Codec::Bincode, payload);
        assert_eq!(event.decode::<(String, Vec<u64>, Vec<u8>)>().unwrap(), value);
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct StockPrice {
        /// Also `Trade`'s first field, so an encoded `StockPrice` starts with a valid `Trade`.
        symbol: String,
        /// Also `Trade`'s second field: a `Trade` decodes from the start of a `StockPrice`.
        price: u64,
        /// The field `Trade` lacks: the bytes left over that decoding a `StockPrice` as a `Trade`
        /// must refuse.
        volume: u64,
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Trade {
        /// As in `StockPrice`, in the same place.
        symbol: String,
        /// As in `StockPrice`; a `Trade` ends here, one field short of it.
        price: u64,
    }

    fn stock_price() -> StockPrice {
        StockPrice { symbol: "ACME".into(), price: 125, volume: 900 }
    }

    #[test]
    fn a_bincode_payload_of_a_larger_struct_does_not_decode_as_a_smaller_one() {
        let event = event(Codec::Bincode, encode(Codec::Bincode, &stock_price()).unwrap());
        let error = event.decode::<Trade>().unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, Error::Decode(_)), "{message}");
        assert!(message.contains("bincode"), "{message}");
        assert!(message.contains("Trade"), "{message}");
        assert!(message.contains("trailing"), "{message}");
    }

    #[test]
    fn a_json_payload_with_trailing_content_does_not_decode() {
        let mut payload = encode(Codec::Json, &stock_price()).unwrap();
        payload.extend_from_slice(b" {}");
        let error = event(Codec::Json, payload).decode::<StockPrice>().unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, Error::Decode(_)), "{message}");
        assert!(message.contains("json"), "{message}");
        assert!(message.contains("StockPrice"), "{message}");
    }

    #[test]
    fn a_payload_decodes_as_its_own_type_with_every_codec() {
        for codec in [Codec::Bincode, Codec::Json, Codec::MessagePack] {
            let event = event(codec, encode(codec, &stock_price()).unwrap());
            assert_eq!(event.decode::<StockPrice>().unwrap(), stock_price());
        }
        // Trailing whitespace after a JSON value is still a JSON value.
        let mut payload = encode(Codec::Json, &stock_price()).unwrap();
        payload.extend_from_slice(b" \n");
        assert_eq!(event(Codec::Json, payload).decode::<StockPrice>().unwrap(), stock_price());
    }

    /// JSON has no byte strings: a MessagePack `bin` reads as `{"$bin": "<hex>"}` (it read as
    /// `invalid_msgpack` before).
    #[test]
    fn a_msgpack_byte_string_reads_as_a_bin_object() {
        // {"b": bin [0x00, 0xff]}
        let event = event(Codec::MessagePack, vec![0x81, 0xa1, b'b', 0xc4, 2, 0x00, 0xff]);
        assert_eq!(event.to_json(), serde_json::json!({"b": {"$bin": "00ff"}}));
    }

    #[test]
    fn a_msgpack_struct_is_a_map_with_field_names_and_reads_as_json() {
        let payload = encode(Codec::MessagePack, &stock_price()).unwrap();
        assert_eq!(payload[0], 0x83, "a fixmap of three fields, not an array");
        let event = event(Codec::MessagePack, payload.clone());
        assert_eq!(
            event.to_json(),
            serde_json::json!({ "symbol": "ACME", "price": 125, "volume": 900 })
        );
        let mut trailing = payload;
        trailing.push(0xc0);
        let error = decode::<StockPrice>(Codec::MessagePack, &trailing).unwrap_err();
        assert!(error.to_string().contains("msgpack as"), "{error}");
        assert!(error.to_string().contains("trailing"), "{error}");
    }
}
