//! The seam between a socket and its protocol: what a dialect receives (whole messages, its
//! event family, the results of its work) and how it sends. A [`Dialect`] decodes each
//! complete inbound message, text or binary, into its own typed command (pure), encodes its
//! own error frame (pure), and handles commands and the events actors push to it with a
//! [`Socket`]: the small context through which it sends frames, refuses input, closes, and
//! starts and cancels asynchronous work bound to the connection (an actor's answer, a stream of
//! chunks). Work in flight is bounded per connection ([`MAX_TASKS`]); work still running when
//! the socket closes is dropped with it. The connection behind a [`Socket`] is reached through
//! the [`Link`] trait, so no dialect knows how frames reach the wire.

use std::future::Future;
use std::pin::Pin;

use futures_util::Stream;
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::kernel::handle::ConnHandle;
use switchboard_actors::kernel::ids::ConnId;

/// Most pieces of work (answers awaited, streams followed) in flight on one connection; more
/// are refused with [`Busy`].
pub const MAX_TASKS: usize = 16;

/// A complete inbound message, already checked against the size limit (text is valid UTF-8).
#[derive(Debug, Clone, Copy)]
pub enum Frame<'a> {
    /// A text message.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
}

/// Longest detail of a refusal, in characters.
pub const MAX_DETAIL_CHARS: usize = 300;

/// Why an inbound message or request was refused: the code and sentence of an error frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Machine-readable code (`invalid_json`, `unknown_type`, ...).
    pub error: &'static str,
    /// What was wrong, for a person.
    pub detail: String,
}

impl Refusal {
    /// A refusal with `error` and `detail`, the detail cut to [`MAX_DETAIL_CHARS`] (decoders'
    /// messages may quote what the client sent, which must not come back whole).
    pub fn new(error: &'static str, detail: impl Into<String>) -> Refusal {
        let mut detail = detail.into();
        if let Some((cut, _)) = detail.char_indices().nth(MAX_DETAIL_CHARS) {
            detail.truncate(cut);
            detail.push('…');
        }
        Refusal { error, detail }
    }
}

/// One protocol spoken on a socket, with whatever per-socket state it needs.
pub trait Dialect: Sized + Unpin + 'static {
    /// What a decoded inbound message is.
    type Inbound;
    /// The event family actors push to sockets of this protocol.
    type Event: Send + 'static;
    /// The endpoint's name in the metrics' `endpoint` label.
    const ENDPOINT: &'static str;

    /// Decodes a complete inbound message; pure.
    fn decode(&self, frame: Frame<'_>) -> Result<Self::Inbound, Refusal>;
    /// The error frame of a refusal, in this protocol's format; pure.
    fn error_frame(refusal: &Refusal) -> String;
    /// The socket was admitted; `socket.handle()` is how actors will reach it.
    fn opened(&mut self, socket: &mut Socket<'_, Self>);
    /// A decoded inbound message.
    fn handle(&mut self, inbound: Self::Inbound, socket: &mut Socket<'_, Self>);
    /// An event an actor pushed to this socket.
    fn deliver(&mut self, event: Self::Event, socket: &mut Socket<'_, Self>);
    /// The socket is closing: tell the actors that hold it. `shutdown` is true when the hub
    /// closed it because the hub is shutting down.
    fn closed(&mut self, conn_id: ConnId, shutdown: bool);
}

/// A piece of work started by a dialect, to cancel it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskId(pub u64);

/// The connection already has [`MAX_TASKS`] pieces of work in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// What a piece of work does when it is done, or when its stream yields: resumes the dialect.
pub type Resume<D> = Box<dyn FnOnce(&mut D, &mut Socket<'_, D>)>;

/// Work as the connection runs it: a future that ends with a resumption.
pub type Work<D> = Pin<Box<dyn Future<Output = Resume<D>>>>;

/// A stream of resumptions, then a last one when the stream ends.
pub type Flow<D> = Pin<Box<dyn Stream<Item = Resume<D>>>>;

/// What the connection lends a dialect while the dialect handles something.
pub trait Link<D: Dialect> {
    /// This socket's id.
    fn id(&self) -> ConnId;
    /// How actors reach this socket.
    fn handle(&self) -> ConnHandle<D::Event>;
    /// Queues a text frame (nothing goes out once the socket is closing).
    fn send(&mut self, frame: String);
    /// Counts a refused inbound message or request, by its error code.
    fn count_refusal(&mut self, reason: &'static str);
    /// Closes the socket with `code` after the frames already queued.
    fn close(&mut self, code: CloseCode, reason: &str);
    /// Runs `work` bound to the connection, then its resumption.
    fn spawn(&mut self, work: Work<D>) -> Result<TaskId, Busy>;
    /// Runs `flow` bound to the connection, each resumption as it comes.
    fn spawn_flow(&mut self, flow: Flow<D>) -> Result<TaskId, Busy>;
    /// Stops a piece of work; false when it had already finished.
    fn cancel(&mut self, task: TaskId) -> bool;
    /// Pieces of work in flight.
    fn in_flight(&self) -> usize;
}

/// The socket as a dialect sees it while it handles one thing.
pub struct Socket<'a, D: Dialect> {
    /// The connection.
    link: &'a mut dyn Link<D>,
}

impl<'a, D: Dialect> Socket<'a, D> {
    /// The socket behind `link`.
    pub fn new(link: &'a mut dyn Link<D>) -> Self {
        Socket { link }
    }

    /// This socket's id.
    pub fn id(&self) -> ConnId {
        self.link.id()
    }

    /// How actors reach this socket.
    pub fn handle(&self) -> ConnHandle<D::Event> {
        self.link.handle()
    }

    /// Sends a frame.
    pub fn send(&mut self, frame: String) {
        self.link.send(frame);
    }

    /// Refuses a message or request with an error frame in the dialect's format; the socket
    /// stays open.
    pub fn refuse(&mut self, refusal: &Refusal) {
        self.link.count_refusal(refusal.error);
        self.link.send(D::error_frame(refusal));
    }

    /// Sends an error frame the dialect built itself, because it needs the socket's own state
    /// (a session id in its envelope, say), and counts it as a refusal as [`Socket::refuse`]
    /// does, under its error code `reason`; the socket stays open.
    pub fn refuse_with(&mut self, reason: &'static str, frame: String) {
        self.link.count_refusal(reason);
        self.link.send(frame);
    }

    /// Closes the socket with `code` after what was already sent.
    pub fn close(&mut self, code: CloseCode, reason: &str) {
        self.link.close(code, reason);
    }

    /// Starts `work` (e.g. an actor's answer) bound to this connection; when it is done,
    /// `then` runs with the dialect, the outcome and the socket. Dropped unfinished if the
    /// socket closes first.
    pub fn start<T, F, R>(&mut self, work: F, then: R) -> Result<TaskId, Busy>
    where
        T: 'static,
        F: Future<Output = T> + 'static,
        R: FnOnce(&mut D, T, &mut Socket<'_, D>) + 'static,
    {
        let work = async move {
            let outcome = work.await;
            Box::new(move |dialect: &mut D, socket: &mut Socket<'_, D>| {
                then(dialect, outcome, socket)
            }) as Resume<D>
        };
        self.link.spawn(Box::pin(work))
    }

    /// Starts `work` that must run to its end whatever happens to the socket (a request an
    /// actor must carry out once it was sent); only waiting for its outcome is bound to the
    /// connection: `then` runs with the outcome if the socket is still open when it comes.
    /// Counts against [`MAX_TASKS`] while the socket waits.
    pub fn start_detached<T, F, R>(&mut self, work: F, then: R) -> Result<TaskId, Busy>
    where
        T: 'static,
        F: Future<Output = T> + 'static,
        R: FnOnce(&mut D, T, &mut Socket<'_, D>) + 'static,
    {
        if self.link.in_flight() >= MAX_TASKS {
            return Err(Busy);
        }
        let running = actix_rt::spawn(work);
        self.start(running, move |dialect, outcome, socket| match outcome {
            Ok(outcome) => then(dialect, outcome, socket),
            Err(error) => log::error!("work of connection {} failed: {error}", socket.id()),
        })
    }

    /// Follows `items` (e.g. the chunks of a streamed answer) bound to this connection:
    /// `each` runs for every item as it comes, `done` once the stream ends. Nothing more
    /// runs once it is cancelled or the socket closes.
    pub fn follow<T, S, E, N>(&mut self, items: S, each: E, done: N) -> Result<TaskId, Busy>
    where
        T: 'static,
        S: Stream<Item = T> + 'static,
        E: Fn(&mut D, T, &mut Socket<'_, D>) + Clone + 'static,
        N: FnOnce(&mut D, &mut Socket<'_, D>) + 'static,
    {
        use futures_util::StreamExt;
        let items = items.map(move |item| {
            let each = each.clone();
            Box::new(move |dialect: &mut D, socket: &mut Socket<'_, D>| each(dialect, item, socket))
                as Resume<D>
        });
        let end = futures_util::stream::once(async move { Box::new(done) as Resume<D> });
        self.link.spawn_flow(Box::pin(items.chain(end)))
    }

    /// Stops work started with [`Socket::start`] or [`Socket::follow`]; nothing of it runs
    /// afterwards. False when it had already finished.
    pub fn cancel(&mut self, task: TaskId) -> bool {
        self.link.cancel(task)
    }
}
