//! What a node says about itself and hears about others: hellos (introduction and liveness
//! beat), interest announcements, goodbyes, and the membership notices listeners receive.
//!
//! Owns: the liveness beat and what is learned from hellos, interest and left frames. It must
//! not admit or send events (it asks the sending and receiving sides to re-send or ask again).

use crate::election::Phase;
use crate::interest::Taken;
use crate::membership::{self, Change};
use crate::node::{Action, ConnId, Node, DEPARTED_KEPT, NACK_INTERVAL};
use crate::stats::Stats;
use crate::trie::Trie;
use crate::wire::{Hello, Interest, Joining, Left, LeftReason, Proof, MAX_LISTED};
use bytes::Bytes;
use std::time::{Duration, Instant};
use tracing::debug;

/// How long a node that has subscribed to nothing waits after linking before it says so (at
/// most a liveness interval): subscriptions made right after `connect` come within it, and an
/// empty announcement before them would cut off what they ask for. Until then every event is
/// sent here, which costs the hub a copy of every event for each such node: a producer that
/// listens to nothing should not cost that for long.
const FIRST_SUBSCRIPTIONS: Duration = Duration::from_millis(100);

/// This node's own interest: its patterns as the caller set them, and what it last told the
/// cluster of them. Announcements go out only when the patterns changed since, so a hub greeting
/// a joining client sends the same shared frame everyone got.
#[derive(Debug, Default)]
pub(super) struct OwnInterest {
    /// The patterns with their listener counts, as the caller last set them.
    pub(super) patterns: Vec<(String, u32)>,
    /// The version of `patterns`, bumped on every change.
    pub(super) version: u64,
    /// The same patterns, to match topics against: an [`Event`](crate::Event) is made only for
    /// an event a listener here wants (the hub relays the rest without making one). `None`
    /// until the caller first sets its patterns: until then every event is delivered, and the
    /// caller drops what it does not want.
    pub(super) matcher: Option<Trie<()>>,
    /// What this node last announced on its current link, if anything yet.
    pub(super) announced: Option<Announced>,
    /// The version of this node's announcements on the wire: every announcement gets a higher
    /// one, so a new hub and its clients take it over whatever they heard before.
    pub(super) announcement_version: u64,
}

impl OwnInterest {
    /// Takes the caller's patterns, if they changed.
    pub(super) fn set(&mut self, patterns: Vec<(String, u32)>) {
        if self.matcher.is_some() && patterns == self.patterns {
            return;
        }
        let mut matcher = Trie::default();
        for (pattern, _) in &patterns {
            matcher.insert(pattern, ());
        }
        self.matcher = Some(matcher);
        if patterns != self.patterns {
            self.patterns = patterns;
            self.version += 1;
        }
    }

    /// Whether a listener here may want an event on `topic` (see [`OwnInterest::matcher`]).
    pub(super) fn wants(&self, topic: &str) -> bool {
        self.matcher.as_ref().is_none_or(|matcher| matcher.matches_any(topic))
    }
}

/// This node's last announcement of its patterns on its current link.
#[derive(Debug)]
pub(super) struct Announced {
    /// The version of the patterns it told: a later version is announced again.
    pub(super) version: u64,
    /// Its frame: what a hub greets each joining client with, as it told everyone (one shared
    /// buffer, however many join).
    pub(super) frame: Bytes,
}

impl Node {
    /// A hub's hello tells what it relayed so far (where a new client starts); a joining
    /// client's tells what it holds (so the hub knows what it is owed). Every hello tells the
    /// latest sequence number this node sent and the oldest it can still send again, so a
    /// member that is behind asks again, or learns that what it lacks is lost for good.
    pub(super) fn send_hello(&mut self, joining: Joining) {
        let hello = self.hello(joining);
        self.send(hello.encode());
        self.told_returning_members();
    }

    fn hello(&self, joining: Joining) -> Hello {
        let (received, members) = match self.phase.hub() {
            Some(hub) => {
                let members = hub.relay.members().into_iter();
                (hub.relay.relayed(), members.map(|m| (m, self.bindings.hash_of(m))).collect())
            }
            None if joining == Joining::Again => {
                let members = self.known_members().into_iter().map(|m| (m, 0)).collect();
                (self.receiver.delivered(), members)
            }
            None if joining == Joining::Fresh => (self.receiver.delivered(), Vec::new()),
            None => (Vec::new(), Vec::new()),
        };
        // A client's joining hello is its first on the connection: it proves the id.
        let proof = match self.phase.hub() {
            None if joining != Joining::No => Proof::Key(self.key),
            _ => Proof::None,
        };
        Hello {
            node: self.id,
            epoch: self.epoch,
            hub: self.phase.hub().is_some(),
            joining,
            service: self.settings.service.clone(),
            last_seq: self.sender.last_sent(),
            retained_from: self.sender.retained_from(),
            received: listed(received),
            members: listed(members),
            owed: listed(self.owed_list()),
            proof,
        }
    }

    /// The hub greets a client that introduced itself (its first hello), and it alone: its
    /// hello, then what everyone listens to, its own last (what the cluster already knows; a
    /// client that connects costs the others nothing). Not before: a connection that says
    /// nothing costs the hub nothing to send, and the hello it is greeted with already carries
    /// the epoch that client knew, if it was newer.
    pub(super) fn greet(&mut self, now: Instant, conn: ConnId) {
        let hello = self.hello(Joining::No);
        self.send_to(conn, hello.encode());
        let known: Vec<Bytes> = self.interests.frames().cloned().collect();
        for frame in known {
            self.send_frame_to(conn, frame);
        }
        match self.own_interest.announced.as_ref().map(|own| own.frame.clone()) {
            Some(own) => self.send_frame_to(conn, own),
            // Not announced yet (see `FIRST_SUBSCRIPTIONS`): the client learns it with everyone.
            None => self.announce_interest(now),
        }
    }

    /// The liveness beat: hello, pending announcements, forgetting departed nodes, and the
    /// checks of the role (a silent hub, slow or silent clients).
    pub(super) fn beat(&mut self, now: Instant) {
        if !self.phase.is_linked() {
            return;
        }
        self.send_hello(Joining::No);
        self.announce_interest(now);
        self.forget_departed(now);
        self.forget_owed(now);
        self.bindings.expire(now);
        let silent_after = self.settings.liveness_interval * 3;
        match &self.phase {
            Phase::Client(client) if now.duration_since(client.last_from_hub) >= silent_after => {
                self.crash("the hub went silent");
            }
            Phase::Hub(_) => self.hub_beat(now),
            _ => {}
        }
    }

    /// This node itself was not running: every peer counts as just heard from, and a hub
    /// gives its clients, and the members it awaits, a fresh period to show up.
    pub(super) fn stalled(&mut self, now: Instant) {
        match &mut self.phase {
            Phase::Client(client) => client.last_from_hub = now,
            // Members of another hub find it dead after three silent liveness intervals.
            Phase::Hub(hub) => hub.relay.stalled(now, self.settings.liveness_interval * 3),
            _ => {}
        }
    }

    pub(super) fn receive_hello(
        &mut self,
        now: Instant,
        mut hello: Hello,
        from: Option<ConnId>,
        raw: Bytes,
    ) {
        let on_hub = from.filter(|_| self.phase.hub().is_some());
        if on_hub.is_some_and(|conn| !self.admits_hello(now, conn, &hello)) {
            return;
        }
        if hello.node == self.id {
            return;
        }
        match (self.phase.hub_mut(), from) {
            (Some(hub), Some(conn)) => {
                let first = hub.relay.node_of(conn).is_none();
                hub.relay.hello(conn, &hello, now);
                if hello.joining == Joining::Again {
                    // Members the client knew of that this hub may never have heard of.
                    let listed = hello.members.iter().map(|(node, _)| node);
                    let unknown = listed.filter(|n| !self.departed.contains_key(n));
                    let refused = unknown.filter(|&&node| !hub.relay.await_member(node, now));
                    Stats::add(&self.stats.over_budget, refused.count() as u64);
                }
                self.overtake_epoch(now, hello.epoch);
                // The key stays here: the others learn what the id is bound to (the hub bound
                // it to this key's hash as it admitted the hello).
                let frame = match hello.proof {
                    Proof::Key(_) => {
                        hello.proof = Proof::KeyHash(self.bindings.hash_of(hello.node));
                        Bytes::from(hello.encode())
                    }
                    _ => raw,
                };
                self.act(Action::Relay { except: conn, frame });
                if first {
                    self.greet(now, conn);
                }
            }
            (None, None) if hello.hub => {
                if hello.epoch < self.epoch {
                    return self.crash("the hub is of an older election (stale)");
                }
                self.epoch = hello.epoch;
                self.hub_members =
                    hello.members.iter().map(|(n, _)| *n).filter(|n| *n != self.id).collect();
                let not_kept = self.bindings.listed_by_hub(&hello.members, now + DEPARTED_KEPT);
                Stats::add(&self.stats.over_budget, not_kept as u64);
                let early = self.phase.client_mut().and_then(|c| c.before_hub_hello.take());
                if let Some(early) = early {
                    for &(sender, seq) in &hello.received {
                        self.receiver.start_after(sender, seq);
                    }
                    for events in early {
                        self.admit(now, &events);
                    }
                }
            }
            (None, None) => {
                // A member joined through this client's hub, which bound its id.
                if let Proof::KeyHash(key_hash) = hello.proof {
                    if !self.bindings.heard_join(hello.node, key_hash) {
                        Stats::add(&self.stats.over_budget, 1);
                    }
                }
            }
            _ => {}
        }
        if hello.joining == Joining::Again {
            // A member came back after a lost hub: whatever it may miss of this node's events
            // past what it holds is still in flight here. (A first-time member is owed only what
            // is relayed after it connected: what is in flight either reached the hub before, or
            // reaches the member on its way.) Re-sent as if it asked: members coming back
            // together cost one re-send.
            let held = hello.received.iter().find(|(sender, _)| *sender == self.id);
            self.resend_on_request(now, held.map_or(0, |(_, seq)| seq.saturating_add(1)));
        }
        self.departed.remove(&hello.node);
        self.came_back(hello.node);
        self.loss_claims.heard(hello.node, now);
        for change in self.membership.hello(&hello, now) {
            self.member_change(Some(change));
        }
        if let Some(&(_, held)) = hello.owed.iter().find(|(node, _)| *node == self.id) {
            // This node went away without a goodbye and came back: it holds the sender's events
            // up to `held` at least, and if it never heard the sender before, exactly that.
            if let Some(lost) = self.receiver.owed(hello.node, held) {
                self.lagged(now, hello.node, lost);
            }
        }
        let (lost, behind) = self.receiver.behind(
            hello.node,
            hello.last_seq,
            hello.retained_from,
            now,
            (self.settings.liveness_interval, NACK_INTERVAL),
        );
        if let Some(lost) = lost {
            self.lagged(now, hello.node, lost);
        }
        self.ask_again(hello.node, behind);
    }

    /// A goodbye on the hub; on a client, the hub's word that a member left. A client takes
    /// that word only for members it knows (heard from, or listed by its hub): the hub also
    /// gives up on members it awaited on another member's word, which nobody else may know, and
    /// remembering those would grow every client with what one member claimed.
    pub(super) fn receive_left(&mut self, now: Instant, left: Left, from: Option<ConnId>) {
        match from {
            Some(conn) => self.client_leaving(now, left, conn),
            None if left.epoch >= self.epoch && left.node != self.id && self.knows(left.node) => {
                self.peer_left(now, left.node, left.reason);
            }
            None => {}
        }
    }

    /// Whether `node` is a member this node knows of: heard from, or listed by its last hub.
    fn knows(&self, node: u64) -> bool {
        self.membership.knows(node) || self.hub_members.contains(&node)
    }

    /// Tells the cluster this node's patterns, if they changed since it last did. Subscriptions
    /// are announced at once, so other nodes start sending within one round trip.
    pub(super) fn announce_interest(&mut self, now: Instant) {
        if self
            .own_interest
            .announced
            .as_ref()
            .is_some_and(|own| own.version == self.own_interest.version)
        {
            return;
        }
        let linked_at = match &self.phase {
            Phase::Client(client) => client.linked_at,
            Phase::Hub(hub) => hub.linked_at,
            _ => return,
        };
        let wait = FIRST_SUBSCRIPTIONS.min(self.settings.liveness_interval);
        if self.own_interest.version == 0 && now.duration_since(linked_at) < wait {
            // Nothing subscribed yet, just after linking: see `FIRST_SUBSCRIPTIONS`.
            return;
        }
        self.own_interest.announcement_version += 1;
        let interest = Interest {
            node: self.id,
            version: self.own_interest.announcement_version,
            patterns: self.own_interest.patterns.clone(),
        };
        let frame = Bytes::from(interest.encode());
        self.own_interest.announced =
            Some(Announced { version: self.own_interest.version, frame: frame.clone() });
        self.send_frame(frame);
    }

    pub(super) fn receive_interest(
        &mut self,
        interest: Interest,
        from: Option<ConnId>,
        raw: Bytes,
    ) {
        if interest.node == self.id {
            return;
        }
        let taken = self.interests.set(&interest, &raw);
        if matches!(taken, Taken::Widened(_)) {
            Stats::add(&self.stats.over_budget, 1);
        }
        match (from, taken) {
            (Some(conn), Taken::AsAnnounced) => {
                self.act(Action::Relay { except: conn, frame: raw })
            }
            // The members learn what the hub keeps: they keep no more than it does.
            (Some(conn), Taken::Widened(widened)) => {
                self.act(Action::Relay { except: conn, frame: widened });
            }
            (Some(_), Taken::Unchanged) => {}
            // The hub sends every interest it knows, then its own, to a client that joins.
            (None, _) if Some(interest.node) == self.membership.hub() => {
                self.interests_complete = true
            }
            (None, _) => {}
        }
    }

    /// The other members this node knows of: heard from, or listed by its last hub.
    fn known_members(&self) -> Vec<u64> {
        let mut known: Vec<u64> =
            self.membership.nodes().chain(self.hub_members.iter().copied()).collect();
        known.sort_unstable();
        known.dedup();
        known.retain(|node| *node != self.id);
        known
    }

    /// A node left: forget it, and tell the listeners.
    pub(super) fn peer_left(&mut self, now: Instant, node: u64, reason: LeftReason) {
        self.departed.insert(node, now);
        self.hub_members.remove(&node);
        if reason != LeftReason::Closed {
            self.went_silent(now, node);
        }
        let change = self.membership.left(node, reason);
        self.member_change(change);
    }

    /// Drops every trace of nodes that left longer than [`DEPARTED_KEPT`] ago.
    fn forget_departed(&mut self, now: Instant) {
        let gone: Vec<u64> = self
            .departed
            .iter()
            .filter(|(_, at)| now.duration_since(**at) >= DEPARTED_KEPT)
            .map(|(node, _)| *node)
            .collect();
        for node in gone {
            self.departed.remove(&node);
            self.interests.forget(node);
            self.receiver.forget(node);
            self.loss_claims.forget(node);
            if let Some(hub) = self.phase.hub_mut() {
                hub.relay.forget_sender(node);
            }
        }
    }

    pub(super) fn member_change(&mut self, change: Option<Change>) {
        let Some(change) = change else { return };
        debug!(topic = change.topic, data = %change.data, "membership");
        if change.topic == membership::HUB_CHANGED {
            Stats::add(&self.stats.hub_changes, 1);
        }
        let notice = self.notice(change.topic, change.data);
        self.deliver(notice, None);
    }
}

/// At most [`MAX_LISTED`] entries of a hello's list, in order: a hub has at most that many
/// clients and a node owes at most that many members, so only the senders a node lists (what
/// it relayed or received of each) can be more, after churn, and leaving some out costs little:
/// a joining client starts on an unlisted sender at the oldest event that sender still holds,
/// as on any sender it hears first, and a hub may re-send a rejoining client events of an
/// unlisted sender that it then drops as duplicates.
fn listed<T: Ord>(mut list: Vec<T>) -> Vec<T> {
    if list.len() > MAX_LISTED {
        list.sort_unstable();
        list.truncate(MAX_LISTED);
    }
    list
}
