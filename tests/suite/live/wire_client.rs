//! A minimal Kafka client for the live-mode tests: kafka-protocol's client
//! side encodes requests and decodes responses, this file frames them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Request, StrBytes, encode_request_header_into_buffer};

pub struct WireClient {
    pub stream: TcpStream,
    next_correlation_id: i32,
}

impl WireClient {
    pub fn connect(port: u16) -> WireClient {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("the gateway accepts");
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        WireClient { stream, next_correlation_id: 1 }
    }

    /// Sends `request` at `version`; returns its correlation id.
    pub fn send<R: Request>(&mut self, request: &R, version: i16) -> i32 {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id += 1;
        let mut header = RequestHeader::default();
        header.request_api_key = R::KEY;
        header.request_api_version = version;
        header.correlation_id = correlation_id;
        header.client_id = Some(StrBytes::from_static_str("kafkasim-tests"));
        let mut body = BytesMut::new();
        encode_request_header_into_buffer(&mut body, &header).unwrap();
        request.encode(&mut body, version).unwrap();
        self.write_frame(&body);
        correlation_id
    }

    pub fn write_frame(&mut self, body: &[u8]) {
        let mut framed = (body.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(body);
        self.stream.write_all(&framed).unwrap();
    }

    /// Reads one response frame: its correlation id and body.
    pub fn read_frame(&mut self, api: ApiKey, version: i16) -> std::io::Result<(i32, Bytes)> {
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size)?;
        let mut body = vec![0u8; u32::from_be_bytes(size) as usize];
        self.stream.read_exact(&mut body)?;
        let mut body = Bytes::from(body);
        let header = ResponseHeader::decode(&mut body, api.response_header_version(version)).unwrap();
        Ok((header.correlation_id, body))
    }

    pub fn receive<R: Request>(&mut self, correlation_id: i32, version: i16) -> R::Response {
        let api = ApiKey::try_from(R::KEY).unwrap();
        let (got, mut body) = self.read_frame(api, version).expect("a response");
        assert_eq!(got, correlation_id, "responses come back in request order");
        R::Response::decode(&mut body, version).unwrap()
    }

    pub fn call<R: Request>(&mut self, request: &R, version: i16) -> R::Response {
        let correlation_id = self.send(request, version);
        self.receive::<R>(correlation_id, version)
    }

    /// Whether the server closed this connection (a read sees its end).
    pub fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.stream.read(&mut byte), Ok(0) | Err(_))
    }
}
