//! The one table of WebSocket close codes. Receives nothing and sends nothing: actors name a
//! code from here when they ask a connection to close, and the socket layer puts it on the wire.

/// Why the hub closes a socket. Standard codes where one fits, 4000–4999 for the hub's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseCode {
    /// 1000: the conversation is over (call ended, client said goodbye).
    Normal,
    /// 1001: the hub is shutting down.
    GoingAway,
    /// 1002: the client broke the WebSocket protocol (bad framing, bad close frame).
    ProtocolError,
    /// 1007: a text message is not valid UTF-8.
    InvalidPayload,
    /// 1009: a frame or fragmented message declared a length over the hard cap.
    TooBig,
    /// 1011: the hub failed internally while serving the socket.
    InternalError,
    /// 1013: the connection limit is reached; try again later.
    TryAgainLater,
    /// 4000: no frame (not even a pong) arrived within the connection timeout.
    HeartbeatTimeout,
    /// 4004: the call id in the path is unknown or malformed.
    UnknownCall,
    /// 4008: the client did not read its frames fast enough and its outbound queue filled up.
    SlowConsumer,
    /// 4009: another socket is already connected to this call leg.
    AlreadyConnected,
    /// 4029: the user already has its limit of chat sockets open.
    TooManyUserConnections,
}

impl CloseCode {
    /// Every code, in the order of the documented table.
    pub const ALL: [CloseCode; 12] = [
        CloseCode::Normal,
        CloseCode::GoingAway,
        CloseCode::ProtocolError,
        CloseCode::InvalidPayload,
        CloseCode::TooBig,
        CloseCode::InternalError,
        CloseCode::TryAgainLater,
        CloseCode::HeartbeatTimeout,
        CloseCode::UnknownCall,
        CloseCode::SlowConsumer,
        CloseCode::AlreadyConnected,
        CloseCode::TooManyUserConnections,
    ];

    /// The numeric code sent in the close frame.
    pub fn code(self) -> u16 {
        match self {
            CloseCode::Normal => 1000,
            CloseCode::GoingAway => 1001,
            CloseCode::ProtocolError => 1002,
            CloseCode::InvalidPayload => 1007,
            CloseCode::TooBig => 1009,
            CloseCode::InternalError => 1011,
            CloseCode::TryAgainLater => 1013,
            CloseCode::HeartbeatTimeout => 4000,
            CloseCode::UnknownCall => 4004,
            CloseCode::SlowConsumer => 4008,
            CloseCode::AlreadyConnected => 4009,
            CloseCode::TooManyUserConnections => 4029,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CloseCode;

    #[test]
    fn codes_are_distinct_and_in_documented_ranges() {
        let mut seen = std::collections::HashSet::new();
        for close in CloseCode::ALL {
            let code = close.code();
            assert!(seen.insert(code), "{code} used twice");
            assert!((1000..=1015).contains(&code) || (4000..=4999).contains(&code));
        }
    }
}
