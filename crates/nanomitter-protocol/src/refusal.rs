//! Why a connection is refused before it opens: the refusal message one side sends the other in
//! place of its next opening message, just before it closes the connection.
//!
//! Owns: the refusal message's bytes (`"NMNO" | version | reason | text`) and its reasons. It
//! must not touch connections nor decide when to refuse: the link sends a refusal where
//! `docs/wire.md` §4 says (a hub instead of its preamble or after a proof that does not check
//! out, a dialer instead of its challenge or its proof) and reads one where an opening message
//! was expected.

use std::fmt;

/// The first bytes of a refusal message.
pub const MAGIC: [u8; 4] = *b"NMNO";
/// The version of the refusal message this crate speaks.
pub const VERSION: u8 = 1;
/// Bytes before the text: magic, version, reason.
const HEADER_LEN: usize = 6;
/// The longest text a refusal carries, in bytes: with the header and the length prefix, a
/// refusal stays well within the 256 bytes a handshake message may have.
pub const MAX_TEXT: usize = 128;

/// Why a peer was refused. The byte on the wire is [`Reason::byte`]; a byte this crate does not
/// know is kept as [`Reason::Other`], so a newer peer's reasons still reach the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The hub does not allow the browser `Origin` of a websocket connection (sent instead of the
    /// preamble).
    OriginNotAllowed,
    /// A proof of the cluster secret did not check out: the two sides have different secrets
    /// (a hub sends it after the dialer's proof, a dialer instead of its own proof).
    WrongSecret,
    /// The hub requires the cluster secret and the dialer has none (a dialer sends it instead of
    /// its challenge).
    SecretRequired,
    /// The dialer has a cluster secret and the hub has none (a dialer reports it; a hub without
    /// a secret reads no handshake message, so it is not sent).
    SecretNotExpected,
    /// The hub takes no more connections for now: it has as many members as it takes, or the
    /// process is out of a resource (sent instead of the preamble). Trying again later may
    /// succeed.
    OverLimit,
    /// The dialer's scoped credential expired (the hub sends it instead of its answer).
    CredentialExpired,
    /// The dialer's scoped credential is not one: it does not read, or its claims were not
    /// signed with the hub's secret (the hub sends it instead of its answer; a dialer whose
    /// credential's key does not check out with the hub's proof sends it instead of its proof).
    CredentialInvalid,
    /// The hub's authorization hook refused the dialer's credential (sent instead of the hub's
    /// answer, with the hook's words as its text).
    NotAuthorized,
    /// A reason this side does not know, by its byte.
    Other(u8),
}

impl Reason {
    /// The reason's byte on the wire.
    pub fn byte(self) -> u8 {
        match self {
            Reason::OriginNotAllowed => 1,
            Reason::WrongSecret => 2,
            Reason::SecretRequired => 3,
            Reason::SecretNotExpected => 4,
            Reason::OverLimit => 5,
            Reason::CredentialExpired => 6,
            Reason::CredentialInvalid => 7,
            Reason::NotAuthorized => 8,
            Reason::Other(byte) => byte,
        }
    }

    /// The reason a byte stands for.
    pub fn from_byte(byte: u8) -> Reason {
        match byte {
            1 => Reason::OriginNotAllowed,
            2 => Reason::WrongSecret,
            3 => Reason::SecretRequired,
            4 => Reason::SecretNotExpected,
            5 => Reason::OverLimit,
            6 => Reason::CredentialExpired,
            7 => Reason::CredentialInvalid,
            8 => Reason::NotAuthorized,
            other => Reason::Other(other),
        }
    }

    /// Whether dialing again, unchanged, cannot help: every reason but being over a limit (and
    /// those this side does not know) needs someone to change a setting.
    pub fn is_final(self) -> bool {
        !matches!(self, Reason::OverLimit | Reason::Other(_))
    }

    /// A short name for logs and the TypeScript client's `reason` field (`docs/wire.md` §4).
    pub fn name(self) -> &'static str {
        match self {
            Reason::OriginNotAllowed => "origin-not-allowed",
            Reason::WrongSecret => "wrong-secret",
            Reason::SecretRequired => "secret-required",
            Reason::SecretNotExpected => "secret-not-expected",
            Reason::OverLimit => "over-limit",
            Reason::CredentialExpired => "credential-expired",
            Reason::CredentialInvalid => "credential-invalid",
            Reason::NotAuthorized => "not-authorized",
            Reason::Other(_) => "other",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Other(byte) => write!(f, "other ({byte})"),
            known => f.write_str(known.name()),
        }
    }
}

/// One refusal: its reason and a short text for the log of the side refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why: what the refused side reports, and whether it dials again.
    pub reason: Reason,
    /// A few words for a person (at most [`MAX_TEXT`] bytes once encoded; may be empty).
    pub text: String,
}

impl Refusal {
    /// A refusal for `reason` with `text`, cut to [`MAX_TEXT`] bytes on a character boundary.
    pub fn new(reason: Reason, text: &str) -> Refusal {
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Refusal { reason, text: text[..end].to_owned() }
    }

    /// The message's bytes (without the length prefix every opening message has).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.text.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&[VERSION, self.reason.byte()]);
        out.extend_from_slice(self.text.as_bytes());
        out
    }

    /// The refusal in an opening message, if it is one: `None` when it does not start with the
    /// refusal magic (it is another opening message). A message with the magic but another
    /// version, no reason byte, a text too long or not UTF-8 still counts as a refusal, of an
    /// unknown reason (byte 0) when the reason cannot be read, with no text when the text cannot.
    pub fn decode(message: &[u8]) -> Option<Refusal> {
        if message.get(..4) != Some(&MAGIC[..]) {
            return None;
        }
        let readable = message.len() >= HEADER_LEN && message[4] == VERSION;
        if !readable {
            return Some(Refusal { reason: Reason::Other(0), text: String::new() });
        }
        let text = &message[HEADER_LEN..];
        let text = match std::str::from_utf8(text) {
            Ok(text) if text.len() <= MAX_TEXT => text.to_owned(),
            _ => String::new(),
        };
        Some(Refusal { reason: Reason::from_byte(message[5]), text })
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            self.reason.fmt(f)
        } else {
            write!(f, "{}: {}", self.reason, self.text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_survives_its_byte_and_a_refusal_its_bytes() {
        for byte in 0..=u8::MAX {
            assert_eq!(Reason::from_byte(byte).byte(), byte);
        }
        let refusal = Refusal::new(Reason::WrongSecret, "the proof does not check out");
        let bytes = refusal.encode();
        assert_eq!(&bytes[..6], b"NMNO\x01\x02");
        assert_eq!(Refusal::decode(&bytes), Some(refusal));
    }

    #[test]
    fn a_long_text_is_cut_on_a_character_boundary() {
        let refusal = Refusal::new(Reason::OverLimit, &"é".repeat(100));
        assert_eq!(refusal.text.len(), MAX_TEXT);
        assert!(Refusal::decode(&refusal.encode()).is_some_and(|r| r.text == refusal.text));
    }

    #[test]
    fn other_messages_are_no_refusal_and_damaged_refusals_are_of_no_known_reason() {
        assert_eq!(Refusal::decode(b"NMTR\x03\x01"), None);
        assert_eq!(Refusal::decode(b"NMAU\x01\x02"), None);
        assert_eq!(Refusal::decode(b""), None);
        let unknown = Some(Refusal { reason: Reason::Other(0), text: String::new() });
        assert_eq!(Refusal::decode(b"NMNO"), unknown);
        assert_eq!(Refusal::decode(b"NMNO\x09\x02"), unknown, "another version");
        let bad_text = Refusal::decode(b"NMNO\x01\x01\xff\xfe").expect("a refusal");
        assert_eq!((bad_text.reason, bad_text.text.as_str()), (Reason::OriginNotAllowed, ""));
        assert!(!Reason::OverLimit.is_final() && !Reason::Other(7).is_final());
        assert!(Reason::WrongSecret.is_final() && Reason::OriginNotAllowed.is_final());
    }

    #[test]
    fn any_bytes_decode_without_panicking_and_what_decodes_encodes_to_itself() {
        bolero::check!().with_type::<Vec<u8>>().for_each(|bytes| {
            let after_magic = [&MAGIC[..], bytes].concat();
            for message in [&bytes[..], &after_magic] {
                if let Some(refusal) = Refusal::decode(message) {
                    assert_eq!(Refusal::decode(&refusal.encode()).as_ref(), Some(&refusal));
                }
            }
            assert!(Refusal::decode(&after_magic).is_some(), "the magic makes a refusal");
        });
    }
}
