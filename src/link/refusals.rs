//! The warnings about refused connections, at most one per reason every few seconds, with the
//! count of those not written: a misconfigured peer that keeps dialing, or a hub this node keeps
//! dialing in vain, must not flood the log, and whoever reads it is told which setting to put
//! right.
//!
//! Owns: the wording of each reason's warning and when it is due. It must not decide whether a
//! connection is refused (`opening` and `connection` do) nor what a refusal does to the election
//! (the core does).

use super::warn_every::WarnEvery;
use crate::error::NoHub;
use nanomitter_protocol::refusal::{Reason, Refusal};
use std::collections::HashMap;
use std::time::Instant;
use tracing::warn;

/// The warnings about refused connections: at most one per reason every
/// [`WARN_EVERY`](super::warn_every::WARN_EVERY), with the count of those not written since, on the
/// [`REFUSALS_LOG_TARGET`](crate::REFUSALS_LOG_TARGET) target (which the CLI shows by default).
/// A refusal is a setting to put right, not an outage: whoever reads the log is told which.
#[derive(Default)]
pub(crate) struct RefusalLog {
    /// Per reason (its words), its warning.
    reasons: std::cell::RefCell<HashMap<String, WarnEvery>>,
}

impl RefusalLog {
    /// Counts one refusal for `reason` at `now`: `Some(not written since the last warning)`
    /// when its warning is due.
    fn due(&self, reason: String, now: Instant) -> Option<u64> {
        self.reasons.borrow_mut().entry(reason).or_default().due(now)
    }

    /// The hub refused a dialer, or a dialer refused the hub's opening, for `refusal`'s reason.
    pub(super) fn warn_hub(&self, refusal: &Refusal) {
        let why = match refusal.reason {
            Reason::OriginNotAllowed => {
                "refused a websocket connection from a browser origin not allowed"
            }
            Reason::WrongSecret => "refused a node whose cluster secret differs from this hub's",
            Reason::SecretRequired => "refused a node without the cluster secret this hub requires",
            Reason::SecretNotExpected => {
                "refused a node with a cluster secret this hub does not have"
            }
            Reason::OverLimit => "refused a connection: the hub takes no more for now",
            Reason::CredentialExpired => "refused a scoped node whose credential expired",
            Reason::NotAuthorized => "refused a scoped node its authorization hook did not allow",
            Reason::CredentialInvalid => {
                "refused a scoped node whose credential was not minted with this hub's secret"
            }
            Reason::Other(_) => "a node refused to open its connection",
        };
        if let Some(suppressed) = self.due(refusal.reason.to_string(), Instant::now()) {
            let (reason, detail) = (refusal.reason.name(), refusal.text.as_str());
            warn!(target: crate::REFUSALS_LOG_TARGET, reason, detail, suppressed, "{why}");
        }
    }

    /// The hub closed the connection of the scoped member `name`, which sent an event on a topic
    /// its credential does not let it publish.
    pub(super) fn warn_forbidden(&self, name: &str) {
        if let Some(suppressed) = self.due("forbidden".to_owned(), Instant::now()) {
            warn!(
                target: crate::REFUSALS_LOG_TARGET,
                name,
                suppressed,
                "closed the connection of a scoped member that emitted on a topic its credential \
                 does not allow"
            );
        }
    }

    /// This node, dialing, refused the hub or was refused by it, for `why`, and dials on.
    pub(crate) fn warn_dialer(&self, why: &NoHub) {
        let why = why.to_string();
        if let Some(suppressed) = self.due(why.clone(), Instant::now()) {
            warn!(target: crate::REFUSALS_LOG_TARGET, suppressed, "no link with the hub, dialing on: {why}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::warn_every::WARN_EVERY;
    use std::time::Duration;

    #[test]
    fn one_warning_per_reason_per_period_with_the_count_of_the_others() {
        let log = RefusalLog::default();
        let start = Instant::now();
        let wrong = || "wrong-secret".to_owned();
        assert_eq!(log.due(wrong(), start), Some(0), "the first is written");
        assert_eq!(log.due(wrong(), start + Duration::from_secs(1)), None);
        assert_eq!(log.due(wrong(), start + Duration::from_secs(9)), None);
        assert_eq!(log.due("origin-not-allowed".into(), start), Some(0), "another reason");
        let later = start + WARN_EVERY;
        assert_eq!(log.due(wrong(), later), Some(2), "written again, with the two not written");
        assert_eq!(log.due(wrong(), later), None);
    }
}
