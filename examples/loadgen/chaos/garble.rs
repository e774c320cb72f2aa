//! What the `chaos` scenario throws at a socket: a small seeded random source, the valid frames
//! of the call and desk protocols, the mutations a broken client makes to them (a field
//! dropped or retyped, a huge string, odd Unicode, deep nesting, cut text), and salvos of wire
//! frames mixing those with binary noise and fragmented messages, ending in a close, a text
//! message with invalid UTF-8, or a frame that breaks the WebSocket protocol itself. Receives a
//! seed; sends bytes to write.

use serde_json::{Map, Value, json};

use super::wire::{BINARY, Bits, CONTINUATION, PING, TEXT, close, frame};

/// SplitMix64: small, fast and good enough to pick what to send; seeded per act so that a run
/// can be repeated.
pub struct Rng(u64);

impl Rng {
    /// A source seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` in 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// A mask key.
    pub fn mask(&mut self) -> [u8; 4] {
        (self.next() as u32).to_be_bytes()
    }
}

/// Which protocol a salvo speaks.
#[derive(Debug, Clone, Copy)]
pub enum Protocol {
    /// Seed 000's `/ws/call/{call_id}`, for this leg.
    Call,
    /// The agent desk, `/ws/desk`.
    Desk,
}

/// Text that is hard on a decoder: scripts, emoji, right-to-left marks, zero-width joiners,
/// control characters, quotes and backslashes.
const ODD: &[&str] = &[
    "é", "人工", "😀", "\u{202e}", "\u{200d}", "\u{0}", "\u{7f}", "\"", "\\", "\u{fffd}", "a", " ",
    "\n", "𝄞", "ﷺ",
];

/// A string of 1 to `most` pieces of [`ODD`].
fn odd_text(rng: &mut Rng, most: usize) -> String {
    let n = 1 + rng.below(most);
    (0..n).map(|_| rng.pick(ODD)).collect()
}

/// A valid frame of `protocol` (`call_id` is the leg's own id).
pub fn valid(rng: &mut Rng, protocol: Protocol, call_id: &str) -> Value {
    let name = format!("chaos-{}", rng.below(1000));
    let session = format!("chaos-session-{}", rng.below(50));
    match (protocol, rng.below(6)) {
        (Protocol::Call, 0) => json!({"type": "start_call", "call_id": call_id,
                                      "customer_name": name, "timestamp": "2026-01-01T00:00:00Z"}),
        (Protocol::Call, 1..=3) => json!({"type": "transcript", "text": odd_text(rng, 12)}),
        (Protocol::Call, _) => json!({"type": "ping"}),
        (Protocol::Desk, 0) => json!({"type": "available", "agent_id": name, "agent_name": name,
                                      "capacity": 1 + rng.below(5)}),
        (Protocol::Desk, 1) => json!({"type": "claim", "session_name": session}),
        (Protocol::Desk, 2) => json!({"type": "message", "session_name": session,
                                      "content": odd_text(rng, 12)}),
        (Protocol::Desk, 3) => json!({"type": "release", "session_name": session}),
        (Protocol::Desk, 4) => json!({"type": "unavailable"}),
        (Protocol::Desk, _) => json!({"type": "ping"}),
    }
}

/// A valid frame of `protocol`, mutated: the text of a message a broken client sends (always
/// valid UTF-8).
pub fn mutated(rng: &mut Rng, protocol: Protocol, call_id: &str) -> String {
    let Value::Object(mut fields) = valid(rng, protocol, call_id) else {
        return String::new();
    };
    let keys: Vec<String> = fields.keys().cloned().collect();
    let key = keys[rng.below(keys.len())].clone();
    match rng.below(8) {
        0 => _ = fields.remove(&key),
        1 => _ = fields.insert(key, wrong_type(rng)),
        2 => _ = fields.insert(key, Value::from("x".repeat(60_000 + rng.below(20_000)))),
        3 => _ = fields.insert(key, Value::from(odd_text(rng, 200))),
        4 => return nested(&fields, &key, 1 + rng.below(400)),
        5 => _ = fields.insert("type".into(), Value::from(odd_text(rng, 20))),
        6 => {
            let text = Value::Object(fields).to_string();
            let cut = text.char_indices().nth(rng.below(text.chars().count()));
            return text[..cut.map_or(0, |(at, _)| at)].to_owned();
        }
        _ => return json!([key, Value::Object(fields)]).to_string(),
    }
    Value::Object(fields).to_string()
}

/// A value of some JSON type, often the wrong one for the field it lands in.
fn wrong_type(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::Null,
        1 => Value::from(rng.next() as i64),
        2 => Value::from(-1.5),
        3 => json!([1, "two", null]),
        4 => json!({"nested": {"deeper": true}}),
        _ => Value::from(true),
    }
}

/// The object's text with the field `key` wrapped in `depth` arrays.
fn nested(fields: &Map<String, Value>, key: &str, depth: usize) -> String {
    let members: Vec<String> = fields
        .iter()
        .map(|(name, value)| match name == key {
            true => format!(
                "{}:{}{value}{}",
                Value::from(name.as_str()),
                "[".repeat(depth),
                "]".repeat(depth)
            ),
            false => format!("{}:{value}", Value::from(name.as_str())),
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A salvo: the frames to write, and what its last frame does.
pub struct Salvo {
    /// Each item is one frame's bytes (a fragmented message is several items).
    pub frames: Vec<Vec<u8>>,
    /// `a close`, `invalid UTF-8` or `a protocol violation`.
    pub finale: &'static str,
}

/// One salvo: `count` frames the hub should answer without closing (valid, mutated,
/// fragmented, binary, pings, plain text), then a finale: a normal close half the time, else a
/// text message with invalid UTF-8 (whole or fragmented) or a frame that breaks the protocol.
pub fn salvo(rng: &mut Rng, protocol: Protocol, call_id: &str, count: usize) -> Salvo {
    let mut frames = Vec::new();
    for _ in 0..count {
        let mask = rng.mask();
        let text = match rng.below(10) {
            0..=1 => valid(rng, protocol, call_id).to_string(),
            2..=4 => mutated(rng, protocol, call_id),
            5 => {
                let size = rng.below(2048);
                frames.push(frame(Bits::whole(BINARY), &rng.bytes(size), mask));
                continue;
            }
            6..=7 => {
                let text = valid(rng, protocol, call_id).to_string();
                frames.extend(fragmented(rng, text.into_bytes()));
                continue;
            }
            8 => {
                frames.push(frame(Bits::whole(PING), b"chaos", mask));
                continue;
            }
            _ => odd_text(rng, 40),
        };
        frames.push(frame(Bits::whole(TEXT), text.as_bytes(), mask));
    }
    let finale = match rng.below(6) {
        0..=2 => {
            frames.push(close(1000, rng.mask()));
            "a close"
        }
        3 => {
            let mut text = valid(rng, protocol, call_id).to_string().into_bytes();
            let at = rng.below(text.len());
            text.splice(at..at, [0xC3, 0x28, 0xFF]);
            match rng.percent(50) {
                true => frames.push(frame(Bits::whole(TEXT), &text, rng.mask())),
                false => frames.extend(fragmented(rng, text)),
            }
            "invalid UTF-8"
        }
        _ => {
            frames.push(protocol_breaker(rng));
            "a protocol violation"
        }
    };
    Salvo { frames, finale }
}

/// A text message cut into 2 to 5 fragments, sometimes with a ping between two of them (which
/// the protocol allows).
fn fragmented(rng: &mut Rng, bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let pieces = 2 + rng.below(4);
    let size = bytes.len().div_ceil(pieces).max(1);
    let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
    let last = chunks.len().saturating_sub(1);
    let mut frames = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let bits = Bits {
            fin: i == last,
            opcode: if i == 0 { TEXT } else { CONTINUATION },
            ..Bits::whole(TEXT)
        };
        frames.push(frame(bits, chunk, rng.mask()));
        if i < last && rng.percent(30) {
            frames.push(frame(Bits::whole(PING), b"between", rng.mask()));
        }
    }
    frames
}

/// A frame no WebSocket server may accept: unmasked, a reserved opcode or bit, a continuation
/// with nothing to continue, an oversize control frame, a close with an invalid code, or
/// random bytes where a frame should start.
fn protocol_breaker(rng: &mut Rng) -> Vec<u8> {
    let mask = rng.mask();
    let payload = br#"{"type":"ping"}"#;
    match rng.below(7) {
        6 => {
            let size = 16 + rng.below(64);
            rng.bytes(size)
        }
        0 => frame(
            Bits {
                masked: false,
                ..Bits::whole(TEXT)
            },
            payload,
            mask,
        ),
        1 => frame(Bits::whole(0x3), payload, mask),
        2 => frame(
            Bits {
                rsv: 0b100,
                ..Bits::whole(TEXT)
            },
            payload,
            mask,
        ),
        3 => frame(Bits::whole(CONTINUATION), payload, mask),
        4 => frame(Bits::whole(PING), &[b'p'; 200], mask),
        _ => close(999, mask),
    }
}
