//! The byte-stream layer over NNG 2.0 (this crate): every
//! transport on loopback or ipc, bind and dial errors, large and many small writes, cancellation
//! and closing, and TLS with certificates made on the spot. Ports are picked by the system (port
//! 0), so the tests run in parallel.

#[path = "../../../tests/common/temp_dir.rs"]
mod temp_dir;
#[path = "../../../tests/common/websocket.rs"]
mod websocket;

use std::future::{poll_fn, Future};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Duration;
use temp_dir::TempDir;
use websocket::raw_ws_upgrade;

use nanomitter_nng::{Dialer, Listener, NngError, Stream, TlsSettings, TransportOptions};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// Long enough for anything local to happen; a test waiting this long has failed.
const PATIENCE: Duration = Duration::from_secs(10);

/// Awaits `future`, failing the test if it takes longer than [`PATIENCE`].
async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future).await.expect("timed out")
}

/// A listener on `url` (port 0 for tcp-based schemes), and the URL to dial it.
fn bind(url: &str, options: &TransportOptions) -> (Listener, String) {
    let listener = Listener::bind(url, options).expect("bind");
    let url = if url.contains(":0") {
        url.replacen(":0", &format!(":{}", listener.bound_port().expect("bound port")), 1)
    } else {
        url.to_owned()
    };
    (listener, url)
}

/// A connected pair: (the accepted stream, the dialed stream).
async fn connect(
    url: &str,
    server: &TransportOptions,
    client: &TransportOptions,
) -> (Stream, Stream, Listener) {
    let (listener, url) = bind(url, server);
    let dialer = Dialer::new(&url, client).expect("dialer");
    let (accepted, dialed) = within(async { tokio::join!(listener.accept(), dialer.dial()) }).await;
    (accepted.expect("accept"), dialed.expect("dial"), listener)
}

/// Sends a little both ways over a connected pair. Each write runs while the other side reads,
/// as a TLS handshake needs.
async fn ping_pong(accepted: &Stream, dialed: &Stream) {
    let mut ping = [0; 20];
    let (written, read) = within(async {
        tokio::join!(
            dialed.write_all(&[b"ping ", b"from ", b"the dialer"]),
            accepted.read_exact(&mut ping)
        )
    })
    .await;
    written.expect("write");
    read.expect("read");
    assert_eq!(&ping, b"ping from the dialer");
    assert_eq!(transfer(accepted, dialed, b"pong").await, b"pong");
}

/// Sends `data` from `from` in one `write_all` while `to` reads it, and returns what `to` read.
async fn transfer(from: &Stream, to: &Stream, data: &[u8]) -> Vec<u8> {
    let bufs = [data];
    let mut received = vec![0; data.len()];
    let (written, read) =
        within(async { tokio::join!(from.write_all(&bufs), to.read_exact(&mut received)) }).await;
    written.expect("write");
    read.expect("read");
    received
}

/// Bytes that differ at every offset within any 4 GiB, so misplaced data shows.
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .flat_map(|i| i.wrapping_mul(2_654_435_761).wrapping_add(seed).to_le_bytes())
        .take(len)
        .collect()
}

#[tokio::test]
async fn tcp_loopback_round_trip() {
    let options = TransportOptions { tcp_nodelay: Some(true), ..TransportOptions::default() };
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    ping_pong(&accepted, &dialed).await;
}

#[tokio::test]
async fn ipc_round_trip() {
    let dir = TempDir::new("ipc");
    let url = format!("ipc://{}", dir.join("hub.sock").display());
    // tcp_nodelay does not apply to ipc and is skipped.
    let options = TransportOptions { tcp_nodelay: Some(true), ..TransportOptions::default() };
    let (accepted, dialed, _listener) = connect(&url, &options, &options).await;
    ping_pong(&accepted, &dialed).await;
}

#[tokio::test]
async fn ws_round_trip() {
    let options = TransportOptions {
        ws_recv_max_frame: Some(4 * 1024 * 1024),
        ..TransportOptions::default()
    };
    let (accepted, dialed, _listener) =
        connect("ws://127.0.0.1:0/nanomitter", &options, &options).await;
    ping_pong(&accepted, &dialed).await;
    // More than one websocket frame (NNG sends at most 64 KiB per frame).
    let data = pattern(1024 * 1024 + 3, 7);
    assert!(transfer(&dialed, &accepted, &data).await == data, "ws data differs");
}

#[tokio::test]
async fn an_accepted_websocket_reads_the_request_headers() {
    let (listener, url) = bind("ws://127.0.0.1:0/nanomitter", &TransportOptions::default());
    let port: u16 = url.rsplit(':').next().unwrap().split('/').next().unwrap().parse().unwrap();
    let client = std::thread::spawn(move || {
        let host_port = format!("127.0.0.1:{port}");
        raw_ws_upgrade(&host_port, "/nanomitter", "Origin: http://evil.example\r\n", PATIENCE)
    });
    let accepted = within(listener.accept()).await.expect("accept");
    let (_tcp, head) = client.join().expect("client thread");
    assert!(head.starts_with("HTTP/1.1 101"), "no upgrade: {head:?}");
    assert_eq!(accepted.ws_request_header("Origin").as_deref(), Some("http://evil.example"));
    // Header names are case-insensitive in HTTP, and so in NNG.
    assert_eq!(accepted.ws_request_header("origin").as_deref(), Some("http://evil.example"));
    assert_eq!(accepted.ws_request_header("Sec-WebSocket-Version").as_deref(), Some("13"));
    assert_eq!(accepted.ws_request_header("X-Missing"), None);
    assert_eq!(accepted.ws_request_header("Bad\0Name"), None);
    accepted.close();
    assert_eq!(accepted.ws_request_header("Origin"), None, "read after close");

    // Not a websocket: no headers at all.
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    assert_eq!(accepted.ws_request_header("Origin"), None);
    assert_eq!(dialed.ws_request_header("Origin"), None);
}

#[test]
fn binding_a_bound_tcp_address_is_addr_in_use() {
    let options = TransportOptions::default();
    let (_first, url) = bind("tcp://127.0.0.1:0", &options);
    let error = Listener::bind(&url, &options).expect_err("second bind");
    assert!(error.is_addr_in_use(), "{error:?}");
}

#[test]
fn binding_a_live_ipc_path_is_addr_in_use() {
    let dir = TempDir::new("ipc-twice");
    let url = format!("ipc://{}", dir.join("hub.sock").display());
    let options = TransportOptions::default();
    let _first = Listener::bind(&url, &options).expect("first bind");
    let error = Listener::bind(&url, &options).expect_err("second bind");
    assert!(error.is_addr_in_use(), "{error:?}");
}

#[test]
fn a_closed_listener_releases_its_address() {
    let options = TransportOptions::default();
    let (first, url) = bind("tcp://127.0.0.1:0", &options);
    first.close();
    Listener::bind(&url, &options).expect("bind after close");
}

#[tokio::test]
async fn dialing_a_port_nobody_listens_on_is_refused() {
    let options = TransportOptions::default();
    // A port that was free a moment ago and is closed now.
    let (listener, url) = bind("tcp://127.0.0.1:0", &options);
    drop(listener);
    let dialer = Dialer::new(&url, &options).expect("dialer");
    let error = within(dialer.dial()).await.expect_err("dial");
    assert!(error.is_connection_refused() || error.is_timed_out(), "{error:?}");
}

#[tokio::test]
async fn dialing_a_missing_ipc_path_fails() {
    let dir = TempDir::new("ipc-missing");
    let url = format!("ipc://{}", dir.join("nobody.sock").display());
    let dialer = Dialer::new(&url, &TransportOptions::default()).expect("dialer");
    let error = within(dialer.dial()).await.expect_err("dial");
    assert!(error.is_connection_refused(), "{error:?}");
}

#[test]
fn malformed_urls_and_schemes_are_errors() {
    let options = TransportOptions::default();
    assert!(Listener::bind("tcp://127.0.0.1:0\0", &options).is_err());
    assert!(Listener::bind("carrier-pigeon://here", &options).is_err());
    assert!(Dialer::new("no scheme", &options).is_err());
}

#[test]
fn tls_settings_on_a_plain_scheme_are_refused() {
    let options = TransportOptions {
        tls: Some(TlsSettings::client("/nonexistent/ca.pem")),
        ..TransportOptions::default()
    };
    let error = Dialer::new("tcp://127.0.0.1:1", &options).expect_err("TLS on tcp://");
    assert_eq!(error.to_string(), "Not supported");
    assert!(Listener::bind("tcp://127.0.0.1:0", &options).is_err());
}

#[tokio::test]
async fn large_writes_round_trip_intact() {
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let data = pattern(8 * 1024 * 1024, 1);
    let header = (data.len() as u64).to_be_bytes();
    let bufs = [&header[..], &data[..]];
    let mut received_header = [0; 8];
    let mut received = vec![0; data.len()];
    let (written, read) = within(async {
        tokio::join!(dialed.write_all(&bufs), async {
            accepted.read_exact(&mut received_header).await?;
            accepted.read_exact(&mut received).await
        })
    })
    .await;
    written.expect("write");
    read.expect("read");
    assert_eq!(received_header, header);
    assert!(received == data, "8 MiB differ");
}

#[tokio::test]
async fn many_small_writes_arrive_in_order() {
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let messages: Vec<Vec<u8>> =
        (0..20_000u32).map(|i| pattern(1 + (i % 97) as usize, i)).collect();
    let expected: Vec<u8> = messages.concat();
    let mut received = vec![0; expected.len()];
    let (written, read) = within(async {
        tokio::join!(
            async {
                for message in &messages {
                    dialed.write_all(&[message]).await?;
                }
                Ok::<_, NngError>(())
            },
            async {
                // Odd-sized reads, so reads and writes never line up.
                let mut filled = 0;
                while filled < received.len() {
                    let end = (filled + 333).min(received.len());
                    filled += accepted.read(&mut received[filled..end]).await?;
                }
                Ok::<_, NngError>(())
            }
        )
    })
    .await;
    written.expect("writes");
    read.expect("reads");
    assert!(received == expected, "small writes differ");
}

#[tokio::test]
async fn concurrent_writers_never_interleave() {
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let dialed = Arc::new(dialed);
    // Records of 600 KiB: more than one write chunk each.
    let record_len = 600 * 1024;
    let writers: Vec<_> = (0..4u8)
        .map(|writer| {
            let dialed = Arc::clone(&dialed);
            tokio::spawn(async move {
                let record = vec![writer; record_len];
                for _ in 0..3 {
                    dialed.write_all(&[&record]).await?;
                }
                Ok::<_, NngError>(())
            })
        })
        .collect();
    let mut record = vec![0; record_len];
    for _ in 0..12 {
        within(accepted.read_exact(&mut record)).await.expect("read");
        assert!(record.iter().all(|&b| b == record[0]), "records interleaved");
    }
    for writer in writers {
        writer.await.expect("task").expect("write");
    }
}

/// Polls `future` once, so that its operation is started in NNG.
async fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let mut future = Some(future);
    poll_fn(|cx| Poll::Ready(future.take().map_or(Poll::Pending, |f| f.poll(cx)))).await
}

#[tokio::test]
async fn dropped_reads_lose_no_bytes() {
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let mut buf = [0; 64];
    for round in 0..300u32 {
        let data = pattern(1 + (round % 50) as usize, round);
        let completed = {
            let mut read = pin!(accepted.read(&mut buf));
            let completed = poll_once(read.as_mut()).await;
            if completed.is_pending() {
                within(dialed.write_all(&[&data])).await.expect("write");
                sent.extend_from_slice(&data);
                if round % 2 == 0 {
                    // Sometimes the receive completes before the read is dropped.
                    tokio::task::yield_now().await;
                }
            }
            completed
        };
        if let Poll::Ready(n) = completed {
            received.extend_from_slice(&buf[..n.expect("read")]);
        }
    }
    let mut rest = vec![0; sent.len() - received.len()];
    within(accepted.read_exact(&mut rest)).await.expect("read");
    received.extend_from_slice(&rest);
    assert!(received == sent, "bytes lost or reordered by dropped reads");
}

#[tokio::test]
async fn a_dropped_write_closes_the_stream() {
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    // Far more than the socket buffers hold while nobody reads.
    let data = vec![1; 64 * 1024 * 1024];
    let bufs = [&data[..]];
    {
        let mut write = pin!(dialed.write_all(&bufs));
        assert!(poll_once(write.as_mut()).await.is_pending());
    }
    let error = within(dialed.write_all(&[b"more"])).await.expect_err("write after a dropped one");
    assert!(error.is_closed(), "{error:?}");
    // The peer gets a prefix of the data, then loses the connection.
    let mut buf = vec![0; 1024 * 1024];
    let error = loop {
        match within(accepted.read(&mut buf)).await {
            Ok(n) => assert!(buf[..n].iter().all(|&b| b == 1)),
            Err(error) => break error,
        }
    };
    assert!(error.is_connection_lost(), "{error:?}");
}

/// How many file descriptors this process has open.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|dir| dir.count()).unwrap_or(0)
}

#[tokio::test]
async fn dropped_accepts_and_dials_do_not_leak() {
    let options = TransportOptions::default();
    let before = open_fds();

    // Dropped accepts leave one accept running, which the next accept continues.
    let (listener, url) = bind("tcp://127.0.0.1:0", &options);
    for _ in 0..300 {
        let accept = pin!(listener.accept());
        assert!(poll_once(accept).await.is_pending(), "nobody dialed");
    }

    // A websocket dial to a plain tcp listener connects but never gets its HTTP answer, so it
    // stays pending: dropped dials leave it running, and dropping the dialer ends it.
    let (_silent, silent_url) = bind("tcp://127.0.0.1:0", &options);
    let ws_url = silent_url.replacen("tcp://", "ws://", 1);
    let tcp_dialer = Dialer::new(&url, &options).expect("dialer");
    for _ in 0..300 {
        let ws_dialer = Dialer::new(&ws_url, &options).expect("dialer");
        for _ in 0..2 {
            let dial = pin!(ws_dialer.dial());
            assert!(poll_once(dial).await.is_pending(), "ws dial completed without an answer");
        }
        drop(ws_dialer);
        // Tcp dials to the listener above, dropped as soon as they are started.
        let dial = pin!(tcp_dialer.dial());
        let _ = poll_once(dial).await;
    }
    let after = open_fds();
    // Other tests run alongside and open descriptors too: allow a margin well below 300.
    assert!(after < before + 60, "descriptors grew from {before} to {after}");

    // Both still work: the accept continues the one left running, and whatever it accepts first
    // (possibly a connection of a dropped tcp dial, closed since) comes before a live one.
    let dialed = within(tcp_dialer.dial()).await.expect("dial");
    within(dialed.write_all(&[b"alive"])).await.expect("write");
    let mut buf = [0; 5];
    loop {
        let accepted = within(listener.accept()).await.expect("accept");
        if within(accepted.read_exact(&mut buf)).await.is_ok() {
            break;
        }
    }
    assert_eq!(&buf, b"alive");
}

#[tokio::test]
async fn a_leaked_read_does_not_outlive_its_stream() {
    let options = TransportOptions::default();
    let (accepted, _dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let mut buf = vec![0; 1024];
    let mut read = Box::pin(accepted.read(&mut buf));
    assert!(poll_once(read.as_mut()).await.is_pending());
    std::mem::forget(read);
    // The stream stops its aio before freeing the buffer NNG reads into.
    drop(accepted);
    drop(buf);
}

#[tokio::test]
async fn closing_wakes_a_pending_read_with_closed() {
    let options = TransportOptions::default();
    let (accepted, _dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let mut buf = [0; 16];
    let mut read = pin!(accepted.read(&mut buf));
    assert!(poll_once(read.as_mut()).await.is_pending());
    accepted.close();
    let error = within(read).await.expect_err("read after close");
    assert!(error.is_closed(), "{error:?}");
    let error = within(accepted.write_all(&[b"late"])).await.expect_err("write after close");
    assert!(error.is_closed(), "{error:?}");
}

#[tokio::test]
async fn the_peer_going_away_ends_a_pending_read() {
    let options = TransportOptions::default();
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let mut buf = [0; 16];
    let mut read = pin!(accepted.read(&mut buf));
    assert!(poll_once(read.as_mut()).await.is_pending());
    drop(dialed);
    let error = within(read).await.expect_err("read after the peer left");
    assert!(error.is_connection_lost(), "{error:?}");
}

#[tokio::test]
async fn closing_a_listener_or_dialer_wakes_its_pending_operation() {
    let options = TransportOptions::default();
    let (listener, _) = bind("tcp://127.0.0.1:0", &options);
    let mut accept = pin!(listener.accept());
    assert!(poll_once(accept.as_mut()).await.is_pending());
    listener.close();
    assert!(within(accept).await.expect_err("accept after close").is_closed());

    // A websocket dial to a plain tcp listener waits for an HTTP answer that never comes.
    let (_silent, url) = bind("tcp://127.0.0.1:0", &options);
    let dialer = Dialer::new(&url.replacen("tcp://", "ws://", 1), &options).expect("dialer");
    let mut dial = pin!(dialer.dial());
    assert!(poll_once(dial.as_mut()).await.is_pending());
    dialer.close();
    let error = within(dial).await.expect_err("dial after close");
    assert!(error.is_closed(), "{error:?}");
}

/// A minimal executor: runs `future` on this thread, parking between polls. Shows that the
/// futures need no runtime of their own.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

#[test]
fn futures_run_without_a_runtime() {
    let options = TransportOptions::default();
    let (listener, url) = bind("tcp://127.0.0.1:0", &options);
    let dialer = Dialer::new(&url, &options).expect("dialer");
    // A tcp dial completes in the kernel's backlog, before the accept.
    let dialed = block_on(dialer.dial()).expect("dial");
    let accepted = block_on(listener.accept()).expect("accept");
    block_on(dialed.write_all(&[b"no runtime"])).expect("write");
    let mut buf = [0; 10];
    block_on(accepted.read_exact(&mut buf)).expect("read");
    assert_eq!(&buf, b"no runtime");
}

#[test]
fn the_api_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Stream>();
    send_sync::<Listener>();
    send_sync::<Dialer>();
    send_sync::<NngError>();
    let options = TransportOptions::default();
    let (listener, url) = bind("tcp://127.0.0.1:0", &options);
    let dialer = Dialer::new(&url, &options).expect("dialer");
    send(&listener.accept());
    send(&dialer.dial());
    let dialed = block_on(dialer.dial()).expect("dial");
    let mut buf = [0; 1];
    send(&dialed.read(&mut buf));
    send(&dialed.read_exact(&mut buf));
    send(&dialed.write_all(&[b"x"]));
}

/// A certificate authority and a server certificate for `localhost` it signed, as PEM files in
/// `dir`: `<name>-ca.pem` and `<name>-server.pem` (certificate, then key). Also a client
/// certificate, `<name>-client.pem`.
fn make_certificates(dir: &TempDir, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    make_certificates_for(dir, name, "localhost")
}

/// As [`make_certificates`], with `server_san` as the server certificate's subject alternative
/// name (an IP address such as `127.0.0.1` becomes an iPAddress entry).
fn make_certificates_for(
    dir: &TempDir,
    name: &str,
    server_san: &str,
) -> (PathBuf, PathBuf, PathBuf) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, format!("{name} test CA"));
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");

    let write_leaf = |file: &str, san: &str| {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(vec![san.to_owned()]).expect("params");
        params.distinguished_name.push(DnType::CommonName, san);
        let cert = params.signed_by(&key, &ca).expect("certificate");
        let path = dir.join(file);
        std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).expect("write");
        path
    };
    let ca_path = dir.join(&format!("{name}-ca.pem"));
    std::fs::write(&ca_path, ca.pem()).expect("write CA");
    let server = write_leaf(&format!("{name}-server.pem"), server_san);
    let client = write_leaf(&format!("{name}-client.pem"), "member");
    (ca_path, server, client)
}

/// TLS options for a listener presenting `server` and a dialer trusting `ca` and expecting
/// `localhost`.
fn tls_options(ca: &Path, server: &Path) -> (TransportOptions, TransportOptions) {
    let listener =
        TransportOptions { tls: Some(TlsSettings::server(server)), ..TransportOptions::default() };
    let dialer = TransportOptions {
        tls: Some(TlsSettings { server_name: Some("localhost".into()), ..TlsSettings::client(ca) }),
        ..TransportOptions::default()
    };
    (listener, dialer)
}

/// A connection over TLS on `url` (port 0), the server's certificate verified, that has passed
/// a round trip: the accepted and the dialed end, the listener, and the certificates' directory.
async fn verified_round_trip(url: &str) -> (Stream, Stream, Listener, TempDir) {
    let dir = TempDir::new("verified");
    let (ca, server, _) = make_certificates(&dir, "good");
    let (listener_options, dialer_options) = tls_options(&ca, &server);
    let (accepted, dialed, listener) = connect(url, &listener_options, &dialer_options).await;
    ping_pong(&accepted, &dialed).await;
    (accepted, dialed, listener, dir)
}

#[tokio::test]
async fn tls_round_trip_with_verification() {
    let (accepted, dialed, _listener, _dir) = verified_round_trip("tls+tcp://127.0.0.1:0").await;
    let data = pattern(3 * 1024 * 1024, 9);
    assert!(transfer(&dialed, &accepted, &data).await == data, "TLS data differs");
}

#[tokio::test]
async fn wss_round_trip_with_verification() {
    verified_round_trip("wss://127.0.0.1:0/nanomitter").await;
}

/// Binding, using and freeing `wss://` listeners many times: each round makes a connection and
/// exchanges a little, then frees the streams and the listener; then it binds one more listener
/// and frees it with an accept pending. With NNG 1.11 each such free waited for the accept
/// until the aio's teardown gave up, and the process could crash (a use-after-free in NNG's
/// HTTP server).
#[tokio::test]
async fn wss_listeners_are_freed_safely_many_times() {
    let dir = TempDir::new("wss-many");
    let (ca, server, _) = make_certificates(&dir, "good");
    let (listener_options, dialer_options) = tls_options(&ca, &server);
    for _ in 0..200 {
        let (accepted, dialed, listener) =
            connect("wss://127.0.0.1:0/nanomitter", &listener_options, &dialer_options).await;
        ping_pong(&accepted, &dialed).await;
        drop((accepted, dialed, listener));
        let (listener, _) = bind("wss://127.0.0.1:0/nanomitter", &listener_options);
        let mut accept = pin!(listener.accept());
        assert!(poll_once(accept.as_mut()).await.is_pending());
    }
}

/// A certificate for an IP address: dialing `tls+tcp://127.0.0.1:port` verifies the address
/// against the certificate's iPAddress entry, and a certificate for another address fails.
#[tokio::test]
async fn tls_verifies_an_ip_address_in_the_certificate() {
    let dir = TempDir::new("tls-ip");
    let (ca, server, _) = make_certificates_for(&dir, "ip", "127.0.0.1");
    let listener_options =
        TransportOptions { tls: Some(TlsSettings::server(&server)), ..TransportOptions::default() };
    let dialer_options =
        TransportOptions { tls: Some(TlsSettings::client(&ca)), ..TransportOptions::default() };
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &dialer_options).await;
    ping_pong(&accepted, &dialed).await;

    let (ca, server, _) = make_certificates_for(&dir, "other-ip", "127.0.0.2");
    let listener_options =
        TransportOptions { tls: Some(TlsSettings::server(&server)), ..TransportOptions::default() };
    let dialer_options =
        TransportOptions { tls: Some(TlsSettings::client(&ca)), ..TransportOptions::default() };
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &dialer_options).await;
    handshake_refused(&accepted, &dialed, "the address must match").await;
}

/// Writes on `dialed` while `accepted` reads, and checks that the write fails the TLS handshake
/// (`why` says what must not pass). Returns whether the accepted end received the bytes anyway.
async fn handshake_refused(accepted: &Stream, dialed: &Stream, why: &str) -> bool {
    let (written, read) = within(async {
        let mut buf = [0; 4];
        tokio::join!(dialed.write_all(&[b"secret"]), accepted.read_exact(&mut buf))
    })
    .await;
    let error = written.expect_err(why);
    assert!(error.is_tls_failure(), "{error:?}");
    read.is_ok()
}

#[tokio::test]
async fn dropped_tls_reads_keep_the_connection() {
    let dir = TempDir::new("tls-dropped-reads");
    let (ca, server, _) = make_certificates(&dir, "good");
    let (listener_options, dialer_options) = tls_options(&ca, &server);
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &dialer_options).await;
    let (mut server_buf, mut client_buf) = ([0; 64], [0; 64]);
    for _ in 0..100 {
        let read = pin!(accepted.read(&mut server_buf));
        assert!(poll_once(read).await.is_pending());
        let read = pin!(dialed.read(&mut client_buf));
        assert!(poll_once(read).await.is_pending());
    }
    ping_pong(&accepted, &dialed).await;
}

#[tokio::test]
async fn a_client_trusting_another_ca_fails_the_handshake() {
    let dir = TempDir::new("tls-wrong-ca");
    let (_, server, _) = make_certificates(&dir, "real");
    let (other_ca, _, _) = make_certificates(&dir, "other");
    let (listener_options, dialer_options) = tls_options(&other_ca, &server);
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &dialer_options).await;
    let received =
        handshake_refused(&accepted, &dialed, "the client must not trust the server").await;
    assert!(!received, "the server must not receive anything");
}

#[tokio::test]
async fn a_client_expecting_another_name_fails_the_handshake() {
    let dir = TempDir::new("tls-wrong-name");
    let (ca, server, _) = make_certificates(&dir, "named");
    let (listener_options, mut dialer_options) = tls_options(&ca, &server);
    if let Some(tls) = &mut dialer_options.tls {
        tls.server_name = Some("hub.example".into());
    }
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &dialer_options).await;
    handshake_refused(&accepted, &dialed, "the name must match").await;
}

#[tokio::test]
async fn mutual_tls_requires_a_client_certificate() {
    let dir = TempDir::new("mtls");
    let (ca, server, client) = make_certificates(&dir, "mutual");
    let (mut listener_options, dialer_options) = tls_options(&ca, &server);
    if let Some(tls) = &mut listener_options.tls {
        tls.ca_file = Some(ca.clone());
        tls.verify_peer = true;
    }
    // Without a certificate the server refuses the client.
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &dialer_options).await;
    let (_, read) = within(async {
        let mut buf = [0; 4];
        tokio::join!(dialed.write_all(&[b"anon"]), accepted.read_exact(&mut buf))
    })
    .await;
    assert!(read.expect_err("no client certificate").is_tls_failure());
    // With one it accepts.
    let mut with_cert = dialer_options.clone();
    if let Some(tls) = &mut with_cert.tls {
        tls.cert_key_file = Some(client);
    }
    let (accepted, dialed, _listener) =
        connect("tls+tcp://127.0.0.1:0", &listener_options, &with_cert).await;
    ping_pong(&accepted, &dialed).await;
}

/// `read_with` hands over what was received, at most what it is asked for, and leaves the rest
/// for the next read: a megabyte read in steps of at most 100 KiB arrives whole and in order.
#[tokio::test]
async fn read_with_hands_over_at_most_what_is_asked_and_keeps_the_rest() {
    let options = TransportOptions { tcp_nodelay: Some(true), ..TransportOptions::default() };
    let (accepted, dialed, _listener) = connect("tcp://127.0.0.1:0", &options, &options).await;
    let data = pattern(1024 * 1024 + 5, 3);
    let bufs = [&data[..]];
    let mut received = Vec::new();
    let read_all = async {
        while received.len() < data.len() {
            let n = accepted
                .read_with(100 * 1024, |bytes| {
                    assert!(!bytes.is_empty() && bytes.len() <= 100 * 1024, "{}", bytes.len());
                    received.extend_from_slice(bytes);
                })
                .await
                .expect("read");
            assert!(n > 0);
        }
    };
    let (written, ()) = within(async { tokio::join!(dialed.write_all(&bufs), read_all) }).await;
    written.expect("write");
    assert!(received == data, "the bytes read differ from those written");
}

/// `write_shared` sends small parts copied together and large ones from their own buffers, in
/// order: parts of every size around the threshold, more than a send's pieces, arrive intact
/// over tcp and over ws (whose frames split the bytes differently).
#[tokio::test]
async fn write_shared_sends_every_part_in_order_whatever_its_size() {
    use bytes::Bytes;
    use nanomitter_nng::SHARED_FROM;
    let sizes = [4, SHARED_FROM - 1, SHARED_FROM, 16, 1024 * 1024 + 7, 0, 3, SHARED_FROM + 1];
    let parts: Vec<Bytes> =
        (0..40).map(|i| Bytes::from(pattern(sizes[i % sizes.len()], i as u32))).collect();
    let whole: Vec<u8> = parts.iter().flat_map(|part| part.iter().copied()).collect();
    let ws = TransportOptions {
        ws_recv_max_frame: Some(4 * 1024 * 1024),
        ..TransportOptions::default()
    };
    for (url, options) in
        [("tcp://127.0.0.1:0", TransportOptions::default()), ("ws://127.0.0.1:0/s", ws)]
    {
        let (accepted, dialed, _listener) = connect(url, &options, &options).await;
        let mut received = vec![0; whole.len()];
        let (written, read) = within(async {
            tokio::join!(dialed.write_shared(&parts), accepted.read_exact(&mut received))
        })
        .await;
        written.expect("write");
        read.expect("read");
        assert!(received == whole, "{url}: the bytes read differ from those written");
    }
}

#[tokio::test]
async fn an_accepted_stream_knows_its_peers_address() {
    let options = TransportOptions::default();
    for url in ["tcp://127.0.0.1:0", "ws://127.0.0.1:0/nanomitter"] {
        let (accepted, dialed, _listener) = connect(url, &options, &options).await;
        let peer = accepted.peer_address().expect("an address");
        assert!(peer.starts_with("127.0.0.1:"), "{url}: {peer}");
        assert_ne!(dialed.peer_address(), Some(peer.clone()), "{url}: each end sees the other");
        accepted.close();
        assert_eq!(accepted.peer_address(), Some(peer), "{url}: kept after close");
    }
    let dir = TempDir::new("ipc-peer");
    let url = format!("ipc://{}", dir.join("hub.sock").display());
    let (accepted, _dialed, _listener) = connect(&url, &options, &options).await;
    assert!(accepted.peer_address().is_some());
}
