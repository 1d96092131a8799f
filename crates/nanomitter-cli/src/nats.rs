//! Options of the NATS backend (`nats://` addresses), when built with the `nats` feature.
//!
//! Owns: the mapping from `--nats-*` options to the library's `NatsOptions`, checked before
//! anything connects. It must not run any subcommand's logic.

use crate::duration;
use clap::{Args, ValueEnum};
use nanomitter::nats::{History, Mode, NatsAuth, NatsOptions};
use nanomitter::EmitterBuilder;
use std::path::PathBuf;
use std::time::Duration;

/// How events travel over NATS.
#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    /// JetStream: exactly once, in each sender's order, with replay for stable names.
    Jetstream,
    /// Core NATS: at most once, every loss reported on `$lagged`.
    Core,
}

/// Options of the NATS backend.
#[derive(Args, Clone, Default)]
pub struct NatsArgs {
    /// NATS: JetStream (exactly once; the default) or core (at most once, losses counted).
    #[arg(long, value_enum)]
    nats_mode: Option<ModeArg>,
    /// NATS: a name that outlives this process: restarted with it, the node resumes after the
    /// last event its listeners took.
    #[arg(long, value_name = "NAME")]
    nats_name: Option<String>,
    /// NATS: where a node without a recorded position starts: `now`, `start`, or a duration
    /// (`10m`: the events of the last ten minutes).
    #[arg(long, value_name = "FROM")]
    nats_from: Option<String>,
    /// NATS: the subjects' prefix and the streams' name.
    #[arg(long, value_name = "PREFIX")]
    nats_prefix: Option<String>,
    /// NATS: how many streams the events are spread over (by sender).
    #[arg(long, value_name = "N")]
    nats_streams: Option<u16>,
    /// NATS: replicas of the streams this node creates.
    #[arg(long, value_name = "N")]
    nats_replicas: Option<usize>,
    /// NATS: how long a stream this node creates keeps an event (0: forever).
    #[arg(long, value_parser = duration::parse, value_name = "AGE")]
    nats_max_age: Option<Duration>,
    /// NATS: how many bytes a stream this node creates keeps.
    #[arg(long, value_name = "BYTES")]
    nats_max_bytes: Option<i64>,
    /// NATS: how long a stream this node creates recognises a repeated event; a publish is
    /// retried for half of it, then given up (emit then exits 1).
    #[arg(long, value_parser = duration::parse, value_name = "WINDOW")]
    nats_duplicate_window: Option<Duration>,
    /// NATS: the user name (with --nats-password).
    #[arg(long, value_name = "USER", requires = "nats_password")]
    nats_user: Option<String>,
    /// NATS: the user's password (also from $NATS_PASSWORD).
    #[arg(long, env = "NATS_PASSWORD", hide_env_values = true, value_name = "PASSWORD")]
    nats_password: Option<String>,
    /// NATS: an authentication token (also from $NATS_TOKEN).
    #[arg(long, env = "NATS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    nats_token: Option<String>,
    /// NATS: a file holding an NKey seed.
    #[arg(long, value_name = "PATH")]
    nats_nkey: Option<PathBuf>,
    /// NATS: a credentials file (a user JWT and its seed).
    #[arg(long, value_name = "PATH")]
    nats_creds: Option<PathBuf>,
    /// NATS: PEM certificate authorities of the servers; requires TLS.
    #[arg(long, value_name = "PEM")]
    nats_tls_ca: Option<PathBuf>,
    /// NATS: a client certificate (with --nats-tls-key), for servers that verify clients.
    #[arg(long, value_name = "PEM", requires = "nats_tls_key")]
    nats_tls_cert: Option<PathBuf>,
    /// NATS: the client certificate's key.
    #[arg(long, value_name = "PEM", requires = "nats_tls_cert")]
    nats_tls_key: Option<PathBuf>,
}

impl NatsArgs {
    /// `builder` with the NATS options, if the candidates are `nats://` URLs; an error if NATS
    /// options are given for other addresses.
    pub fn apply(
        &self,
        builder: EmitterBuilder,
        candidates: &[&str],
    ) -> Result<EmitterBuilder, String> {
        let nats = candidates.iter().any(|a| a.starts_with("nats://"));
        let options = self.options()?;
        match (nats, options) {
            (true, options) => Ok(builder.nats(options.unwrap_or_default())),
            (false, Some(_)) => Err("--nats-* options need nats:// addresses".into()),
            (false, None) => Ok(builder),
        }
    }

    /// The options given, if any.
    fn options(&self) -> Result<Option<NatsOptions>, String> {
        let mut options = NatsOptions::default();
        let mut given = false;
        let mut set = |apply: &mut dyn FnMut(NatsOptions) -> NatsOptions| {
            given = true;
            options = apply(std::mem::take(&mut options));
        };
        if let Some(mode) = self.nats_mode {
            let mode = match mode {
                ModeArg::Jetstream => Mode::JetStream,
                ModeArg::Core => Mode::Core,
            };
            set(&mut |o| o.mode(mode));
        }
        if let Some(name) = &self.nats_name {
            set(&mut |o| o.stable_name(name.clone()));
        }
        if let Some(from) = &self.nats_from {
            let history = match from.as_str() {
                "now" => History::Now,
                "start" => History::Start,
                ago => {
                    History::Since(duration::parse(ago).map_err(|e| format!("--nats-from: {e}"))?)
                }
            };
            set(&mut |o| o.history(history));
        }
        if let Some(prefix) = &self.nats_prefix {
            set(&mut |o| o.prefix(prefix.clone()));
        }
        if let Some(streams) = self.nats_streams {
            set(&mut |o| o.streams(streams));
        }
        if let Some(replicas) = self.nats_replicas {
            set(&mut |o| o.replicas(replicas));
        }
        if self.nats_max_age.is_some() || self.nats_max_bytes.is_some() {
            let age = match self.nats_max_age {
                Some(age) if age.is_zero() => None,
                Some(age) => Some(age),
                None => Some(Duration::from_secs(24 * 3600)),
            };
            let bytes = self.nats_max_bytes.unwrap_or(1 << 30);
            set(&mut |o| o.retention(age, bytes));
        }
        if let Some(window) = self.nats_duplicate_window {
            set(&mut |o| o.duplicate_window(window));
        }
        if let Some(auth) = self.auth()? {
            set(&mut |o| o.auth(auth.clone()));
        }
        if let Some(ca) = &self.nats_tls_ca {
            set(&mut |o| o.tls_ca(ca.clone()));
        }
        if let (Some(cert), Some(key)) = (&self.nats_tls_cert, &self.nats_tls_key) {
            set(&mut |o| o.tls_client(cert.clone(), key.clone()));
        }
        Ok(given.then_some(options))
    }

    /// The credentials given: at most one kind.
    fn auth(&self) -> Result<Option<NatsAuth>, String> {
        let mut kinds = Vec::new();
        if let Some(user) = &self.nats_user {
            let password = self.nats_password.clone().unwrap_or_default();
            kinds.push(NatsAuth::UserPassword { user: user.clone(), password });
        }
        if let Some(token) = &self.nats_token {
            kinds.push(NatsAuth::Token(token.clone()));
        }
        if let Some(path) = &self.nats_nkey {
            let seed = std::fs::read_to_string(path)
                .map_err(|e| format!("--nats-nkey {}: {e}", path.display()))?;
            kinds.push(NatsAuth::NKey(seed.trim().to_owned()));
        }
        if let Some(path) = &self.nats_creds {
            kinds.push(NatsAuth::CredsFile(path.clone()));
        }
        if kinds.len() > 1 {
            return Err(
                "give one kind of NATS credentials: a user, a token, an NKey or a creds file"
                    .into(),
            );
        }
        Ok(kinds.pop())
    }
}
