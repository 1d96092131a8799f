//! `nanomitter token`: mints a scoped credential with the cluster secret, for a member that is
//! not to hold the secret (a web page's, say), and prints its token.
//!
//! Owns: the subcommand's options and the claims they make. It must not open sockets nor keep
//! the secret anywhere but in memory: minting is a computation (see
//! `nanomitter::credential`).

use crate::duration;
use crate::security::{read_secret, SECRET_ENV};
use clap::Args;
use nanomitter::credential::{Claims, Credential};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The options of `nanomitter token`.
#[derive(Args)]
pub struct TokenArgs {
    /// File holding the cluster secret (else $NANOMITTER_SECRET), as for the other commands.
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
    /// Who holds the credential: for the hub's logs and its authorization hook.
    #[arg(long)]
    name: String,
    /// A pattern of the topics the holder may emit on; repeatable. None: it may emit nothing.
    #[arg(long, value_name = "PATTERN")]
    publish: Vec<String>,
    /// A pattern of the topics the holder may receive; repeatable. None: it receives nothing.
    #[arg(long, value_name = "PATTERN")]
    listen: Vec<String>,
    /// How long the credential is valid (`30m`, `1h`, ...): a hub refuses it after that, and
    /// ends a connection opened with it.
    #[arg(long, value_parser = duration::parse)]
    ttl: Duration,
}

/// Prints the token of a credential with the options' claims, signed with the secret.
pub fn run(args: &TokenArgs) -> Result<(), String> {
    let secret = read_secret(args.secret_file.as_deref())?.ok_or_else(|| {
        format!("minting a token needs the secret: --secret-file or ${SECRET_ENV}")
    })?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?;
    let expires = (now + args.ttl).as_secs();
    let claims = Claims::new(&args.name, &args.publish, &args.listen, expires);
    let credential = Credential::mint(&secret, &claims).map_err(|e| e.to_string())?;
    println!("{}", credential.token());
    Ok(())
}
