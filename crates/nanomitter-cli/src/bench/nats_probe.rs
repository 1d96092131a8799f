//! Looking at a `nats-server` from outside: which program the PATH names and its version, and a
//! bare HTTP GET on its monitoring endpoint (`/healthz`, `/jsz`) without an HTTP client
//! dependency.
//!
//! Owns: finding the program, reading its version, one request and its body. It must not start
//! servers nor interpret the monitoring answers. The bench's server starter uses it, and the
//! tests' NATS harness (`tests/common/nats.rs`) includes this same file.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long a request may take to connect, to be written, and to be answered.
pub const HTTP_PATIENCE: Duration = Duration::from_secs(1);

/// The first executable file called `name` in a directory of the PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &Path| {
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|candidate| executable(candidate))
}

/// The version `path --version` prints (`nats-server: v2.15.1` is `(2, 15, 1)`), with what it
/// printed.
pub fn version_of(path: &Path) -> Result<((u32, u32, u32), String), String> {
    let output = Command::new(path)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {} --version: {e}", path.display()))?;
    let printed = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    match parse_version(&printed) {
        Some(version) => Ok((version, printed)),
        None => Err(format!("{} --version printed {printed:?}, not a version", path.display())),
    }
}

/// `nats-server: v2.15.1` (or `v2.12.1-RC.2`) as `(2, 15, 1)`.
pub fn parse_version(printed: &str) -> Option<(u32, u32, u32)> {
    let version = printed.rsplit(' ').next()?.trim_start_matches('v');
    let mut parts = version.split('.').map(|part| {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    });
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// The body of `GET <path>` on `127.0.0.1:<port>` (HTTP/1.0: the server answers without chunks
/// and closes), whatever the status; `None` if nothing answered within [`HTTP_PATIENCE`].
pub fn http_get(port: u16, path: &str) -> Option<String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, HTTP_PATIENCE).ok()?;
    stream.set_read_timeout(Some(HTTP_PATIENCE)).ok()?;
    stream.set_write_timeout(Some(HTTP_PATIENCE)).ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let response = String::from_utf8(response).ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    Some(body.to_owned())
}
