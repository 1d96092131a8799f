//! Fuzz targets of the frame decoder, [`wire::decode`].
//!
//! Owns: three targets. Arbitrary bytes (seeded by the committed corpus in
//! `__fuzz__/fuzz__wire__decode_arbitrary_bytes/corpus/`): decoding never panics, allocates in
//! proportion to the frame's length, and whatever decodes re-encodes to the same bytes and the
//! same frame. Valid frames of every kind: they decode, and round-trip exactly. Valid frames and
//! seeds mutated (bits flipped, truncated, counts extended, extreme numbers written, bytes
//! inserted or removed): refused, or round-trip like any frame that decodes.

use super::frames::{assert_round_trip, seed, FrameSpec, Mutation};
use super::ITERATIONS;
use crate::wire;
use bolero::check;
use bolero::generator::{produce, TypeGenerator};
use bytes::Bytes;

/// Bytes decoding may allocate per byte of the frame: an event takes at least 16 bytes on the
/// wire and about 150 in memory (its shared fields and its slot in the batch).
const ALLOCATED_PER_BYTE: usize = 16;
/// Bytes decoding may allocate whatever the frame's length (sharing the frame's buffer).
const ALLOCATED_AT_MOST: usize = 256;

/// Decodes `bytes`, checking that it allocates in proportion and, if it decodes, round-trips.
fn decode_checked(bytes: &[u8]) {
    let frame = Bytes::copy_from_slice(bytes);
    let mut decoded = None;
    let allocated = allocation_counter::measure(|| decoded = Some(wire::decode(frame))).bytes_total;
    let decoded = decoded.expect("measured");
    let bound = (ALLOCATED_AT_MOST + ALLOCATED_PER_BYTE * bytes.len()) as u64;
    assert!(
        allocated <= bound,
        "decoding {} bytes allocated {allocated} bytes (at most {bound})",
        bytes.len()
    );
    if let Ok(frame) = decoded {
        assert_round_trip(bytes, &frame);
    }
}

#[test]
fn decode_arbitrary_bytes() {
    check!().with_iterations(ITERATIONS).for_each(decode_checked);
}

#[test]
fn valid_frames_round_trip() {
    check!().with_type::<FrameSpec>().with_iterations(ITERATIONS).for_each(|spec| {
        let bytes = spec.encode();
        let frame = wire::decode(Bytes::copy_from_slice(&bytes)).expect("a valid frame decodes");
        assert_round_trip(&bytes, &frame);
    });
}

/// The frame a mutation starts from.
#[derive(Debug, TypeGenerator)]
enum Original {
    /// A seed of the corpus, by index (wrapping).
    Seed(u8),
    Valid(FrameSpec),
}

#[test]
fn mutated_frames_are_refused_or_round_trip() {
    let mutations = produce::<Vec<Mutation>>().with().len(1usize..4);
    check!()
        .with_generator((produce::<Original>(), mutations))
        .with_iterations(ITERATIONS)
        .for_each(|(original, mutations)| {
            let mut bytes = match original {
                Original::Seed(index) => seed(*index).to_vec(),
                Original::Valid(spec) => spec.encode(),
            };
            for mutation in mutations {
                mutation.apply(&mut bytes);
            }
            decode_checked(&bytes);
        });
}
