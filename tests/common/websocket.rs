//! A websocket upgrade done by hand, as a browser would: for the tests that check what a hub
//! does with a browser's connection.
//!
//! Owns: writing the HTTP upgrade request and reading the response head. Shared by the tests
//! that run processes and by the transport's own tests, which include this file alone.

#![allow(dead_code)] // each test file uses a different part of it

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Upgrades a connection to `host_port` at `path` (starting with `/`) with the `extra` request
/// header lines, reading at most `patience` for each answer. Returns the connection and the
/// response head, or what was read before the server closed the connection.
pub fn raw_ws_upgrade(
    host_port: &str,
    path: &str,
    extra: &str,
    patience: Duration,
) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(host_port).expect("tcp connect");
    stream.set_read_timeout(Some(patience)).expect("read timeout");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n{extra}\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send the upgrade request");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    (stream, String::from_utf8_lossy(&head).into_owned())
}
