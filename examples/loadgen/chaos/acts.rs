//! The `chaos` scenario's acts, each one misbehaving client on raw TCP: a salvo of random and
//! mutated frames on a call leg or a desk, a frame head declaring a huge length followed by a
//! trickle of bytes, a call leg that never reads while its partner talks to it, and a `POST`
//! that declares 100 bytes and sends one. Sends requests and frames to the hub; receives its
//! answers and counts them in the [`Stage`]'s tally.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{Either, join, select};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;
use tokio::time::{Instant, sleep};

use super::garble::{self, Protocol, Rng, Salvo};
use super::tally::Tally;
use super::wire::{self, Bits, Ending, Seen, TEXT, Upgraded};

/// Longest wait for a connection, an upgrade or a REST answer.
const PATIENCE: Duration = Duration::from_secs(5);

/// How long an act listens for the hub's answers after its last frame.
const LINGER: Duration = Duration::from_secs(2);

/// Characters in each transcript sent at a stalled reader.
pub const LINE_CHARS: usize = 8000;

/// Gap between two bytes of an oversize frame's trickle.
const TRICKLE_GAP: Duration = Duration::from_millis(100);

/// One kind of misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// A salvo of frames on a call leg.
    CallFrames,
    /// A salvo of frames on a desk.
    DeskFrames,
    /// A frame head declaring a huge length, then a byte every [`TRICKLE_GAP`].
    Oversize,
    /// A call leg that never reads while its partner sends it transcripts.
    StalledReader,
    /// A `POST` with `Content-Length: 100` and one byte.
    StalledBody,
}

impl Act {
    /// Picks an act: frames most of the time, the slow kinds less often.
    pub fn pick(rng: &mut Rng) -> Act {
        match rng.below(20) {
            0..=6 => Act::CallFrames,
            7..=11 => Act::DeskFrames,
            12..=13 => Act::Oversize,
            14..=16 => Act::StalledReader,
            _ => Act::StalledBody,
        }
    }

    /// The act's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Act::CallFrames => "call frames",
            Act::DeskFrames => "desk frames",
            Act::Oversize => "oversize frame",
            Act::StalledReader => "stalled reader",
            Act::StalledBody => "stalled body",
        }
    }
}

/// What every act shares: where the hub is, the run's settings and the tally.
pub struct Stage {
    /// The hub's address.
    pub target: SocketAddr,
    /// The `Host` header.
    pub host: String,
    /// Everything counted so far.
    pub tally: RefCell<Tally>,
    /// Held while a customer and an agent leg are issued, so that they pair with each other.
    pairing: Mutex<()>,
    /// How long stalls and trickles are held.
    pub stall: Duration,
    /// Frames in a salvo.
    pub frames: usize,
    /// Gap between two transcripts sent at a stalled reader.
    pub push_gap: Duration,
}

impl Stage {
    /// A stage for the hub at `target`: stalls of `stall`, salvos of `frames`, and
    /// `push_rate` transcripts a second at each stalled reader.
    pub fn new(
        (host, target): (String, SocketAddr),
        stall: Duration,
        frames: usize,
        push_rate: f64,
    ) -> Stage {
        Stage {
            target,
            host,
            tally: RefCell::default(),
            pairing: Mutex::new(()),
            stall,
            frames,
            push_gap: Duration::from_secs_f64(1.0 / push_rate),
        }
    }

    /// Runs one act, seeded with `seed`.
    pub async fn perform(&self, act: Act, seed: u64) {
        let mut rng = Rng::new(seed);
        match act {
            Act::CallFrames => self.call_frames(&mut rng).await,
            Act::DeskFrames => self.desk_frames(&mut rng).await,
            Act::Oversize => self.oversize(&mut rng).await,
            Act::StalledReader => self.stalled_reader(&mut rng).await,
            Act::StalledBody => self.stalled_body(&mut rng).await,
        }
    }

    /// A salvo on a call leg (one time in ten a leg that was never issued).
    async fn call_frames(&self, rng: &mut Rng) {
        let call_id = match rng.percent(10) {
            true => format!("call_{:012x}", rng.next() >> 16),
            false => match self.pair().await {
                Some((customer, agent)) => {
                    if rng.percent(50) {
                        customer
                    } else {
                        agent
                    }
                }
                None => return,
            },
        };
        let kind = Act::CallFrames.name();
        if let Some(socket) = self.open(kind, &format!("/ws/call/{call_id}"), false).await {
            let salvo = garble::salvo(rng, Protocol::Call, &call_id, self.frames);
            self.fire(kind, socket, salvo).await;
        }
    }

    /// A salvo on a desk.
    async fn desk_frames(&self, rng: &mut Rng) {
        let kind = Act::DeskFrames.name();
        if let Some(socket) = self.open(kind, "/ws/desk", false).await {
            let salvo = garble::salvo(rng, Protocol::Desk, "", self.frames);
            self.fire(kind, socket, salvo).await;
        }
    }

    /// Writes the salvo while reading what the hub answers, then listens for [`LINGER`]; the
    /// ending is counted under the act and the salvo's finale.
    async fn fire(&self, kind: &str, socket: Upgraded, salvo: Salvo) {
        let (mut reader, mut writer) = socket.stream.into_split();
        let write = async {
            for bytes in &salvo.frames {
                if let Err(error) = writer.write_all(bytes).await {
                    return Some(Ending::of(&error));
                }
                self.tally.borrow_mut().frames_sent += 1;
            }
            None
        };
        let mut seen = Seen::default();
        let deadline = Instant::now() + LINGER + PATIENCE;
        let read = wire::read_until_end(&mut reader, socket.leftover, deadline, &mut seen);
        let (broken, ending) = join(write, read).await;
        let ending = match (ending, broken) {
            (Ending::Open, Some(broken)) => broken,
            (ending, _) => ending,
        };
        let mut tally = self.tally.borrow_mut();
        tally.seen(seen);
        tally.ending(&format!("{kind} ending with {}", salvo.finale), ending);
    }

    /// A frame head declaring 16 MiB to 2 EiB, then one byte every [`TRICKLE_GAP`] for the
    /// stall, on a desk or a call leg.
    async fn oversize(&self, rng: &mut Rng) {
        let path = match rng.percent(50) {
            true => "/ws/desk".to_owned(),
            false => match self.pair().await {
                Some((customer, _)) => format!("/ws/call/{customer}"),
                None => return,
            },
        };
        let kind = Act::Oversize.name();
        let Some(socket) = self.open(kind, &path, false).await else {
            return;
        };
        let (mut reader, mut writer) = socket.stream.into_split();
        let declared = 1u64 << (24 + rng.below(37));
        let head = wire::head(Bits::whole(TEXT), declared, rng.mask());
        let until = Instant::now() + self.stall;
        let trickle = pin!(async {
            writer.write_all(&head).await?;
            self.tally.borrow_mut().frames_sent += 1;
            while Instant::now() < until {
                sleep(TRICKLE_GAP).await;
                writer.write_all(b"x").await?;
            }
            Ok::<(), std::io::Error>(())
        });
        let mut seen = Seen::default();
        let ending = {
            let read = pin!(wire::read_until_end(
                &mut reader,
                socket.leftover,
                until + LINGER,
                &mut seen
            ));
            match select(read, trickle).await {
                Either::Left((ending, _)) => ending,
                Either::Right((_, read)) => read.await,
            }
        };
        let mut tally = self.tally.borrow_mut();
        tally.seen(seen);
        tally.ending(kind, ending);
    }

    /// A matched call whose customer leg opens its socket and never reads, while the agent
    /// leg sends it [`LINE_CHARS`]-character transcripts for the stall; then what the stalled
    /// leg finds. When the hub cuts the stalled leg, the partner hears the call end: how long
    /// that took is counted.
    async fn stalled_reader(&self, rng: &mut Rng) {
        let kind = Act::StalledReader.name();
        let Some((customer, agent)) = self.pair().await else {
            return;
        };
        let Some(stalled) = self.open(kind, &format!("/ws/call/{customer}"), true).await else {
            return;
        };
        let Some(sender) = self.open(kind, &format!("/ws/call/{agent}"), false).await else {
            return;
        };
        let line = json!({"type": "transcript", "text": "x".repeat(LINE_CHARS)}).to_string();
        let line = wire::frame(Bits::whole(TEXT), line.as_bytes(), rng.mask());
        let until = Instant::now() + self.stall;
        let (mut reader, mut writer) = sender.stream.into_split();
        let push = async {
            while Instant::now() < until {
                if writer.write_all(&line).await.is_err() {
                    break;
                }
                self.tally.borrow_mut().frames_sent += 1;
                sleep(self.push_gap).await;
            }
        };
        let mut seen = Seen::default();
        let pushed_at = Instant::now();
        let read = async {
            let ending = wire::read_until_end(&mut reader, sender.leftover, until, &mut seen);
            let ending = ending.await;
            (ending, pushed_at.elapsed())
        };
        let (_, (sender_ending, heard_for)) = join(push, read).await;
        let mut stalled_seen = Seen::default();
        let Upgraded {
            mut stream,
            leftover,
        } = stalled;
        let deadline = Instant::now() + LINGER;
        let ending = wire::read_until_end(&mut stream, leftover, deadline, &mut stalled_seen).await;
        let mut tally = self.tally.borrow_mut();
        tally.seen(seen);
        tally.seen(stalled_seen);
        tally.ending("stalled reader's partner", sender_ending);
        if sender_ending != Ending::Open {
            tally.partner_cut_after_s.push(heard_for.as_secs_f64());
        }
        tally.ending(kind, ending);
    }

    /// A `POST` that declares a 100-byte body and sends one byte, then waits for an answer
    /// for the stall.
    async fn stalled_body(&self, rng: &mut Rng) {
        let kind = Act::StalledBody.name();
        let path = rng.pick(&["/api/chat", "/api/calls/start", "/api/manual/escalate"]);
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\n\r\n{{",
            self.host
        );
        let deadline = Instant::now() + self.stall + LINGER;
        let answer = wire::exchange(self.target, request.as_bytes(), deadline).await;
        let mut tally = self.tally.borrow_mut();
        match answer {
            Ok((status, _)) => {
                tally.status(&format!("stalled POST {path}"), status);
                tally.outcome(kind, format!("answered {status}"));
            }
            Err(ending) => tally.ending(kind, ending),
        }
    }

    /// Issues a customer leg and an agent leg that pair with each other: their call ids.
    async fn pair(&self) -> Option<(String, String)> {
        let _turn = self.pairing.lock().await;
        let customer = self.start_leg("customer").await?;
        let agent = self.start_leg("agent").await?;
        let customer_id = customer["call_id"].as_str()?.to_owned();
        if agent["partner_call_id"].as_str() != Some(customer_id.as_str()) {
            self.tally.borrow_mut().setup_failure("legs did not pair");
            let request = wire::post(
                &self.host,
                &format!("/api/calls/{customer_id}/end"),
                &json!({}),
            );
            let _ = wire::exchange(self.target, &request, Instant::now() + PATIENCE).await;
            return None;
        }
        Some((customer_id, agent["call_id"].as_str()?.to_owned()))
    }

    /// `POST /api/calls/start` for `role`: the answer, if 200.
    async fn start_leg(&self, role: &str) -> Option<Value> {
        let body = json!({"user_type": role, "user_name": "chaos"});
        let request = wire::post(&self.host, "/api/calls/start", &body);
        let answer = wire::exchange(self.target, &request, Instant::now() + PATIENCE).await;
        let mut tally = self.tally.borrow_mut();
        match answer {
            Ok((status, body)) => {
                tally.status("POST /api/calls/start", status);
                (status == 200).then(|| serde_json::from_slice(&body).ok())?
            }
            Err(ending) => {
                tally.setup_failure(format!("POST /api/calls/start: {}", ending.label()));
                None
            }
        }
    }

    /// Connects and upgrades at `path` (with a small receive buffer when asked); counts the
    /// upgrade's status.
    async fn open(&self, kind: &str, path: &str, small_buffer: bool) -> Option<Upgraded> {
        let connected = wire::connect(self.target, small_buffer).await;
        let upgraded = match connected {
            Ok(stream) => wire::upgrade(stream, &self.host, path, Instant::now() + PATIENCE).await,
            Err(error) => Err(error),
        };
        let route = if path.starts_with("/ws/call") {
            "/ws/call"
        } else {
            path
        };
        let mut tally = self.tally.borrow_mut();
        match upgraded {
            Ok((status, socket)) => {
                tally.status(&format!("upgrade {route}"), status);
                if socket.is_none() {
                    tally.outcome(kind, format!("upgrade refused {status}"));
                }
                socket
            }
            Err(error) => {
                tally.setup_failure(format!("upgrade {route}: {}", error.kind()));
                None
            }
        }
    }
}
