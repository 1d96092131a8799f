//! The cluster secret's handshake done by hand (`src/auth.rs`), for the tests that play a peer
//! or check the wire's golden vectors.
//!
//! Owns: the HMAC and the handshake message layout. Shared by the security tests and the wire
//! vector tests, which include this file alone.

#![allow(dead_code)] // each test file uses a different part of it

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of the concatenated `parts` under `key`.
pub fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// A handshake message: magic, version, kind, body.
pub fn handshake_message(kind: u8, body: &[&[u8]]) -> Vec<u8> {
    let mut message = b"NMAU".to_vec();
    message.extend_from_slice(&[1, kind]);
    for part in body {
        message.extend_from_slice(part);
    }
    message
}
