//! Options about who may join a cluster: the cluster secret or a scoped credential, insecure
//! addresses, TLS and the browser origins a websocket hub lets in.
//!
//! Owns: reading the secret (from `--secret-file`, else from `$NANOMITTER_SECRET`) and the
//! credential (`--token`, `--token-file`), checking
//! these options and their files before anything connects, handing them to the library's
//! builder, and the same options as arguments for child processes. It must not open sockets:
//! every error here is reported before the node binds or dials anything.

use clap::Args;
use nanomitter::credential::Credential;
use nanomitter::{EmitterBuilder, Secret, Tls};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable that holds the cluster secret when `--secret-file` is not given.
pub const SECRET_ENV: &str = "NANOMITTER_SECRET";

/// Options about who may join, shared by every node-starting subcommand.
#[derive(Args, Clone, Default)]
pub struct SecurityArgs {
    /// File holding the cluster secret (at least 16 bytes; surrounding whitespace is ignored).
    /// Every member needs the same secret. Without this option the secret is read from
    /// $NANOMITTER_SECRET, if set (trimmed the same way; this option wins over it).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
    /// A scoped credential (minted by `nanomitter token`) instead of the secret: this node may
    /// then publish and receive only what it allows, and never becomes the hub.
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_file")]
    token: Option<String>,
    /// File holding a scoped credential's token (surrounding whitespace is ignored), as
    /// --token.
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Allow non-loopback addresses without a secret: any process that reaches the port may
    /// then join, read every event and forge any.
    #[arg(long)]
    insecure: bool,
    /// PEM certificate authorities the hub's certificate must be signed by; required for
    /// `tls+tcp://` addresses.
    #[arg(long, value_name = "PEM")]
    tls_ca: Option<PathBuf>,
    /// PEM certificate chain followed by its private key, presented when this node is the hub
    /// of a `tls+tcp://` or `wss://` address. Without it this node never binds a TLS address, it
    /// only dials.
    #[arg(long, value_name = "PEM")]
    tls_cert_key: Option<PathBuf>,
    /// The name the hub's certificate must carry; default: the address's host (a DNS name, or
    /// an IP address the certificate lists).
    #[arg(long, value_name = "NAME")]
    tls_server_name: Option<String>,
    /// A browser origin (e.g. `http://localhost:8080`, matched exactly) allowed to connect
    /// when this node is the hub of a `ws://` address; repeatable. A websocket connection
    /// whose `Origin` header is not listed is refused; one without (not a browser) is accepted.
    #[arg(long = "ws-origin", value_name = "ORIGIN")]
    ws_origins: Vec<String>,
}

impl SecurityArgs {
    /// Checks the options against the node's `candidates` and reads the secret; `builder` with
    /// them set. Reads files, opens no socket.
    pub fn apply(
        &self,
        mut builder: EmitterBuilder,
        candidates: &[&str],
    ) -> Result<EmitterBuilder, String> {
        match (self.credential()?, self.secret()?) {
            (Some(credential), None) => builder = builder.credential(credential),
            (None, Some(secret)) => builder = builder.secret(secret),
            (Some(_), Some(_)) if self.secret_file.is_some() => {
                return Err("give --secret-file or a token, not both".to_owned())
            }
            // The environment's secret is the cluster's; a token given on the command line says
            // this node is to be scoped.
            (Some(credential), Some(_)) => builder = builder.credential(credential),
            (None, None) => {}
        }
        if self.insecure {
            builder = builder.insecure(true);
        }
        if let Some(tls) = self.tls(candidates)? {
            builder = builder.tls(tls);
        }
        if !self.ws_origins.is_empty() {
            builder = builder.ws_origins(self.ws_origins.iter().cloned());
        }
        Ok(builder)
    }

    /// The errors [`SecurityArgs::apply`] would report for `candidates`, for a command that
    /// passes these options on to child processes.
    pub fn check(&self, candidates: &[&str]) -> Result<(), String> {
        self.apply(nanomitter::Emitter::builder("check"), candidates).map(drop)
    }

    /// The cluster secret: the file's contents, else the environment variable's, each with
    /// surrounding whitespace trimmed; `None` when neither is given.
    pub fn secret(&self) -> Result<Option<Secret>, String> {
        read_secret(self.secret_file.as_deref())
    }

    /// The scoped credential of `--token` or `--token-file`, if given.
    fn credential(&self) -> Result<Option<Credential>, String> {
        let token = match (&self.token, &self.token_file) {
            (Some(token), _) => token.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?,
            (None, None) => return Ok(None),
        };
        Credential::from_token(&token).map(Some).map_err(|e| e.to_string())
    }

    /// The TLS settings, checked: every `tls+tcp://` candidate needs `--tls-ca`, the other TLS
    /// options need it too, and the files must be readable.
    fn tls(&self, candidates: &[&str]) -> Result<Option<Tls>, String> {
        let Some(ca_file) = &self.tls_ca else {
            if let Some(address) = candidates.iter().find(|a| a.starts_with("tls+tcp://")) {
                return Err(format!(
                    "{address} is a TLS address: it needs --tls-ca <pem> (the certificate \
                     authorities the hub's certificate must be signed by)"
                ));
            }
            if self.tls_cert_key.is_some() || self.tls_server_name.is_some() {
                return Err("--tls-cert-key and --tls-server-name need --tls-ca".to_owned());
            }
            return Ok(None);
        };
        pem("--tls-ca", ca_file, &["CERTIFICATE-----"])?;
        if let Some(cert_key_file) = &self.tls_cert_key {
            pem("--tls-cert-key", cert_key_file, &["CERTIFICATE-----", "PRIVATE KEY-----"])?;
        }
        Ok(Some(Tls {
            ca_file: ca_file.clone(),
            cert_key_file: self.tls_cert_key.clone(),
            server_name: self.tls_server_name.clone(),
        }))
    }

    /// TLS for the bench's raw NNG baseline on a `tls+tcp://` address, as the library would set
    /// it up: the hub presents `--tls-cert-key`, the others verify it against `--tls-ca`.
    pub fn raw_tls(&self, hub: bool) -> Option<nanomitter_nng::TlsSettings> {
        use nanomitter_nng::TlsSettings;
        if hub {
            self.tls_cert_key.as_ref().map(TlsSettings::server)
        } else {
            let client = TlsSettings::client(self.tls_ca.as_ref()?);
            Some(TlsSettings { server_name: self.tls_server_name.clone(), ..client })
        }
    }

    /// The same options as command-line arguments, for a child process of this binary. The
    /// secret itself is never put on a command line: `--secret-file` passes its path, and
    /// `$NANOMITTER_SECRET` reaches children through the environment they inherit.
    pub fn child_args(&self) -> Vec<OsString> {
        let mut args = Vec::new();
        let mut path = |flag: &str, value: &Option<PathBuf>| {
            if let Some(value) = value {
                args.push(flag.into());
                args.push(value.clone().into_os_string());
            }
        };
        path("--secret-file", &self.secret_file);
        path("--token-file", &self.token_file);
        path("--tls-ca", &self.tls_ca);
        path("--tls-cert-key", &self.tls_cert_key);
        if let Some(name) = &self.tls_server_name {
            args.extend(["--tls-server-name".into(), name.into()]);
        }
        if let Some(token) = &self.token {
            args.extend(["--token".into(), token.into()]);
        }
        if self.insecure {
            args.push("--insecure".into());
        }
        for origin in &self.ws_origins {
            args.extend(["--ws-origin".into(), origin.into()]);
        }
        args
    }
}

/// The cluster secret: `file`'s contents, else `$NANOMITTER_SECRET`'s, each with surrounding
/// whitespace trimmed; `None` when neither is given.
pub fn read_secret(file: Option<&Path>) -> Result<Option<Secret>, String> {
    let (bytes, from) = match file {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
            (bytes, format!("the secret file {}", path.display()))
        }
        None => match std::env::var_os(SECRET_ENV) {
            Some(value) => (value.into_encoded_bytes(), format!("${SECRET_ENV}")),
            None => return Ok(None),
        },
    };
    Secret::new(bytes.trim_ascii()).map(Some).map_err(|e| format!("{from}: {e}"))
}

/// Fails with a line naming `flag` unless `path` can be read and holds PEM blocks ending in
/// each of `blocks`. Only a first check: the TLS engine parses the files when the node binds or
/// dials, and a hub whose certificate it cannot use would otherwise only dial.
fn pem(flag: &str, path: &Path, blocks: &[&str]) -> Result<(), String> {
    let text =
        std::fs::read(path).map_err(|e| format!("cannot read {flag} {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&text);
    match blocks.iter().find(|block| !text.contains(&format!("-----END {block}"))) {
        Some(block) => Err(format!(
            "{flag} {} holds no PEM {} block",
            path.display(),
            block.trim_end_matches('-')
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        security: SecurityArgs,
    }

    fn parse(args: &[&str]) -> SecurityArgs {
        Cli::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
            .expect("valid options")
            .security
    }

    #[test]
    fn a_tls_address_needs_the_certificate_authorities() {
        let error = parse(&[]).tls(&["tcp://127.0.0.1:1", "tls+tcp://127.0.0.1:2"]).unwrap_err();
        assert!(error.contains("tls+tcp://127.0.0.1:2") && error.contains("--tls-ca"), "{error}");
        let error = parse(&["--tls-cert-key", "x.pem"]).tls(&["tcp://127.0.0.1:1"]).unwrap_err();
        assert!(error.contains("need --tls-ca"), "{error}");
        assert_eq!(parse(&[]).tls(&["tcp://127.0.0.1:1"]), Ok(None));
        let error = parse(&["--tls-ca", "/nonexistent/ca.pem"]).tls(&[]).unwrap_err();
        assert!(error.starts_with("cannot read --tls-ca /nonexistent/ca.pem"), "{error}");
        // The key missing from the certificate's file (a common slip).
        let dir = std::env::temp_dir().join(format!("nanomitter-cli-pem-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("cert.pem");
        std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n")
            .unwrap();
        let cert = cert.to_str().unwrap();
        let error = parse(&["--tls-ca", cert, "--tls-cert-key", cert]).tls(&[]).unwrap_err();
        assert!(error.ends_with("holds no PEM PRIVATE KEY block"), "{error}");
        assert!(parse(&["--tls-ca", cert]).tls(&[]).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn child_arguments_repeat_every_option_but_never_the_secret_itself() {
        let args = parse(&[
            "--secret-file",
            "s.key",
            "--insecure",
            "--tls-ca",
            "ca.pem",
            "--tls-cert-key",
            "server.pem",
            "--tls-server-name",
            "localhost",
            "--ws-origin",
            "http://localhost:8080",
            "--ws-origin",
            "https://example.com",
        ])
        .child_args();
        let again = parse(&args.iter().map(|a| a.to_str().unwrap()).collect::<Vec<_>>());
        assert_eq!(again.child_args(), args);
        assert!(parse(&[]).child_args().is_empty());
    }
}
