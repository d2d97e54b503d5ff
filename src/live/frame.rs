//! Kafka's framing: every request and response is a 4-byte big-endian size
//! followed by that many bytes.
//!
//! A size above `socket.request.max.bytes` (Kafka's default 104857600, 100 MiB)
//! is refused before any byte of the body is read, as Kafka's
//! `NetworkReceive` refuses it with `InvalidReceiveException` and closes the
//! connection: a client cannot make the server allocate what it claims.

use std::io::{self, Read};

/// Kafka 4.0's default `socket.request.max.bytes`.
pub const SOCKET_REQUEST_MAX_BYTES: usize = 104_857_600;

/// Why a connection stops being read.
#[derive(Debug)]
pub enum FrameError {
    /// The peer closed its end between requests.
    Closed,
    /// The peer closed its end, or the socket failed, inside a request.
    Io(io::Error),
    /// A size field larger than `socket.request.max.bytes`, or negative.
    TooLarge { size: i64, max: usize },
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Closed => write!(f, "closed by the client"),
            FrameError::Io(e) => write!(f, "{e}"),
            FrameError::TooLarge { size, max } => {
                write!(f, "a request of {size} bytes is over socket.request.max.bytes ({max})")
            }
        }
    }
}

/// Reads one frame's body.
pub fn read_frame(reader: &mut impl Read, max_bytes: usize) -> Result<Vec<u8>, FrameError> {
    let mut size = [0u8; 4];
    if let Err(e) = reader.read_exact(&mut size[..1]) {
        return Err(if e.kind() == io::ErrorKind::UnexpectedEof { FrameError::Closed } else { FrameError::Io(e) });
    }
    reader.read_exact(&mut size[1..]).map_err(FrameError::Io)?;
    let size = i32::from_be_bytes(size);
    if size < 0 || size as usize > max_bytes {
        return Err(FrameError::TooLarge { size: i64::from(size), max: max_bytes });
    }
    let mut body = vec![0u8; size as usize];
    reader.read_exact(&mut body).map_err(FrameError::Io)?;
    Ok(body)
}

/// Prefixes `body` with its size.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = Vec::with_capacity(body.len() + 4);
    framed.extend_from_slice(&(body.len() as u32).to_be_bytes());
    framed.extend_from_slice(body);
    framed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_and_a_huge_size_is_refused_unread() {
        let mut wire = frame(b"hello");
        wire.extend_from_slice(&frame(b""));
        let mut reader = &wire[..];
        assert_eq!(read_frame(&mut reader, 16).unwrap(), b"hello");
        assert_eq!(read_frame(&mut reader, 16).unwrap(), b"");
        assert!(matches!(read_frame(&mut reader, 16), Err(FrameError::Closed)));

        let huge = (SOCKET_REQUEST_MAX_BYTES as u32 + 1).to_be_bytes();
        let mut reader = &huge[..];
        assert!(matches!(read_frame(&mut reader, SOCKET_REQUEST_MAX_BYTES), Err(FrameError::TooLarge { .. })));
        let negative = (-1i32).to_be_bytes();
        assert!(matches!(read_frame(&mut &negative[..], 16), Err(FrameError::TooLarge { size: -1, .. })));
        let cut = [0, 0, 0, 9, 1, 2];
        assert!(matches!(read_frame(&mut &cut[..], 16), Err(FrameError::Io(_))), "a request cut short");
    }
}
