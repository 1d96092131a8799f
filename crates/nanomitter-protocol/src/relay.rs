//! The hub's relay state, as plain data: what the hub knows and decides while it relays: who is
//! connected, what each client acknowledged, which frames are still on their way, and when a
//! sender may forget its events.
//!
//! Owns: how many events frames the hub took from each client (what it tells a sender, see
//! [`crate::wire::Relayed`]), the hub's window toward its clients under
//! [`SlowConsumer::Wait`](crate::settings::SlowConsumer::Wait) (at most `window` events frames
//! unacknowledged by the slowest client) and the relay queue behind it, end-to-end
//! acknowledgements (a sender may forget an event only when every member holds it), members
//! awaited after an election, and which clients to cut off: under
//! [`SlowConsumer::Evict`](crate::settings::SlowConsumer::Evict) the hub relays at once and cuts off
//! a client that falls too far behind, in time, frames or bytes. It must not touch sockets or
//! actors: it is plain data over a connection key `P` and a queued message type `M`, and the
//! node carries out what it decides.

use crate::hashing::{Map, Set};
use crate::stats::EvictionReason;
use crate::wire::{Hello, Joining, LeftReason};
use std::collections::VecDeque;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// What the hub knows of the client on one connection.
struct Client {
    /// The node id the client introduced itself as in its first hello (`None` until then). It
    /// binds the connection: a later frame naming another node is dropped. Only a client that
    /// said hello counts as a member (see [`Relay::members`]), holds back upstream
    /// acknowledgements, and is awaited if it goes without a word.
    node: Option<u64>,
    /// Set when the client is known to be going: cut off by the hub, or said goodbye.
    leaving: Option<LeftReason>,
    /// Per sender, the latest sequence this client holds (or was never owed).
    acked: Map<u64, u64>,
    /// Per sender, the latest sequence relayed before it connected: what it may lack of those
    /// comes as re-sends, and does not count as falling behind.
    relayed_before: Map<u64, u64>,
    /// Events frames the hub took from this connection (see [`crate::wire::Relayed`]).
    taken: u64,
    /// The last count of `taken` the client was told.
    told_taken: u64,
    /// When a frame last came from this client (or it connected, or the hub ran again after a
    /// stall): one silent too long is cut off (see [`Relay::overdue`]).
    last_heard: Instant,
    /// When its acknowledgements last moved (or it connected).
    last_progress: Instant,
    /// When it connected: what monitoring shows as the member's time on this hub.
    connected_at: Instant,
    /// When it last said hello.
    last_hello: Option<Instant>,
    /// Per sender, when a re-send request of this client's was last passed on to it, and what
    /// the client held of that sender then: another request goes on only once the client took
    /// something since, or after a while (see [`Relay::nack_allowed`]).
    last_nack: Map<u64, (Instant, u64)>,
}

/// The most members the hub awaits on another member's word (the members a rejoining client
/// lists, see [`Relay::await_member`]): a claim the hub cannot check, so it is bounded, and so
/// is the burst of `left` notices once the hub gives up on them (one per member, to every
/// client, well within a connection's writer queue of 4,096 frames).
pub(crate) const MAX_AWAITED_ON_WORD: usize = 1024;

/// A member the hub waits for before any sender may forget what it may lack: a client gone
/// without a word (it may be partitioned, not dead), or a member of the previous hub's cluster.
struct Awaited {
    /// When the hub gives up on it. Set when it is first awaited and moved only by the hub's
    /// own stall: neither other departures nor other members' word keep it awaited longer, so
    /// the time anyone can hold flushes back is bounded per member.
    until: Instant,
    /// Per sender, what it held when its connection closed: it holds back only what followed.
    /// `None` for a member of the previous cluster, whose holdings this hub never heard: it
    /// holds back everything.
    held: Option<Map<u64, u64>>,
}

/// An events frame sent downstream and not yet acknowledged by every client.
struct Sent<P> {
    /// The connection it came from, `None` for the hub's own frame. Its origin owes no
    /// acknowledgement of it, and it leaves the log when that connection closes (see
    /// [`Relay::disconnected`]).
    origin: Option<P>,
    /// The node whose events it carries.
    sender: u64,
    /// The last sequence number it accounts for: a client holds the frame once it holds
    /// `sender`'s events up to here.
    last_seq: u64,
    /// Its size as it came to the hub (or, the hub's own, as sent), before routing cut it for
    /// each client: what [`LoggedBytes`] adds up for [`Relay::lagging`].
    bytes: u64,
    /// When it went downstream (or when the hub ran again after a stall): a client that still
    /// lacks it this long after is cut off (see [`Relay::overdue`]).
    at: Instant,
}

/// One sender's frames in the log, in the order sent, each with the running total of their
/// bytes: what a client lacks of them, in frames and bytes, is a binary search and a subtraction.
#[derive(Default)]
struct LoggedBytes {
    /// (last sequence number of the frame, running total of bytes up to and with it).
    frames: VecDeque<(u64, u64)>,
    /// The running total before the first of `frames`.
    before: u64,
}

impl LoggedBytes {
    fn push(&mut self, last_seq: u64, bytes: u64) {
        let total = self.frames.back().map_or(self.before, |f| f.1) + bytes;
        self.frames.push_back((last_seq, total));
    }

    fn pop(&mut self) {
        if let Some((_, total)) = self.frames.pop_front() {
            self.before = total;
        }
    }

    /// The frames past `held`, and their bytes.
    fn past(&self, held: u64) -> (u64, u64) {
        let end = self.frames.back().map_or(self.before, |f| f.1);
        let held_through = self.frames.partition_point(|f| f.0 <= held);
        let bytes_held = held_through.checked_sub(1).map_or(self.before, |i| self.frames[i].1);
        ((self.frames.len() - held_through) as u64, end - bytes_held)
    }
}

/// What the hub knows of one client's progress, for monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientView {
    /// How long it has been connected to this hub.
    pub connected_for: Duration,
    /// Events frames relayed since it connected that it has not acknowledged yet: its lag.
    pub behind_frames: u64,
    /// Their bytes, as they came to the hub.
    pub behind_bytes: u64,
    /// How long the oldest of them has waited for its acknowledgement (`None`: it holds them
    /// all); the hub cuts it off at the eviction delay.
    pub oldest_unacknowledged: Option<Duration>,
    /// Its own events frames the hub relayed that some other member does not hold yet: how
    /// much of its window of unacknowledged frames (the `window` setting) is in use.
    pub in_window: u64,
}

/// An events frame that went downstream: whose, how far it accounts, and its size.
pub(crate) struct SentFrame {
    /// The node whose events it carries.
    pub(crate) sender: u64,
    /// The last sequence number it accounts for (its `covers_to`): it raises what the hub
    /// relayed of `sender`, and clients hold it once they acknowledged `sender` this far.
    pub(crate) last_seq: u64,
    /// The lowest sequence number `sender` can still send again, as the frame says: nobody is
    /// waited for below it.
    pub(crate) retained_from: u64,
    /// Its size as it came to the hub (or, the hub's own, as sent), before routing cut it for
    /// each client: counted toward what a client lacks, in bytes.
    pub(crate) bytes: u64,
}

/// A received events frame waiting for room in the window.
pub(crate) struct Queued<P, M> {
    /// The client connection it came from: it is never relayed back there, and it counts as
    /// taken from that connection (what the hub tells the client, see [`crate::wire::Relayed`]).
    pub(crate) origin: P,
    /// The node whose events it carries (the frame's `node`).
    pub(crate) sender: u64,
    /// The last sequence number it accounts for (its `covers_to`): past what the hub relayed of
    /// `sender` it is new and queues in `sender`'s order; otherwise it is a repair, relayed at
    /// once to the clients that lack it.
    pub(crate) last_seq: u64,
    /// The lowest sequence number `sender` can still send again, as the frame says: clients
    /// count as holding what is below it.
    pub(crate) retained_from: u64,
    /// The frame itself, opaque to the relay, handed back when it is to be relayed.
    pub(crate) message: M,
}

/// The hub's relay: its clients, the frames on their way to them, and what every member holds.
pub(crate) struct Relay<P, M> {
    /// This hub's own node id: it never awaits itself, and it holds its own events, so only its
    /// clients hold back their upstream acknowledgement (see [`Relay::take_upstream_acks`]).
    node: u64,
    /// Under [`SlowConsumer::Wait`](crate::settings::SlowConsumer::Wait), at most this many
    /// frames go downstream unacknowledged by the slowest client; `None`: no such bound (a
    /// client that falls behind is cut off instead, see [`Relay::lagging`]).
    window: Option<usize>,
    /// Per connection key, the client on it: added when the connection opens, removed when it
    /// closes. A node back on a new connection while its old one is silent has two for a while.
    clients: Map<P, Client>,
    /// The members awaited, each with its own deadline.
    awaited: Map<u64, Awaited>,
    /// Until when the hub takes a rejoining client's word for members to await: the members
    /// of the previous cluster reach this hub within its opening grace period, and whoever
    /// lists members later could keep every flush waiting by naming new ones.
    opening_until: Instant,
    /// How long a member is awaited from when it is first awaited (a client gone without a
    /// word, a member a rejoining client named; after a stall of the hub, from when it ran
    /// again). Set by the election: twice the election timeout, plus one more for each
    /// candidate before this hub's.
    grace: Duration,
    /// Before this instant no sender may forget anything (see [`Relay::take_upstream_acks`]):
    /// the clients of the lost hub reach this one by then, even those it never heard of and so
    /// cannot await by name. Set by the election (an election timeout for each candidate before
    /// this hub's, and a quarter more; no hold for a node never linked before), never moved.
    hold_until: Instant,
    /// New events frames that went downstream to some client other than their origin
    /// (relayed from a connection still open, or the hub's own; repairs never enter), oldest
    /// first, from the oldest one some client other than its origin does not hold yet: frames
    /// leave only from the front (see [`Relay::trim`]), or when their origin's connection
    /// closes. Under [`SlowConsumer::Wait`](crate::settings::SlowConsumer::Wait) its length
    /// is what fills the window; [`Relay::overdue`] finds in it the oldest frame each client
    /// owes.
    log: VecDeque<Sent<P>>,
    /// Per sender, its frames in `log`.
    logged_bytes: Map<u64, LoggedBytes>,
    /// New events frames received and not relayed yet, in the order they go: each sender's in
    /// sequence order (one that fills a gap goes before its sender's later ones), and a frame
    /// sent again while it waits is not queued twice. Under
    /// [`SlowConsumer::Wait`](crate::settings::SlowConsumer::Wait) they wait here for room in
    /// the window, and count as taken from their origin only when they leave; otherwise they
    /// leave at once (see [`Relay::next_relay`]).
    queue: VecDeque<Queued<P, M>>,
    /// Per sender node id, the highest sequence number (last `covers_to`) of that sender's
    /// events frames that went downstream, new or repaired, the hub's own included (raised by
    /// [`Relay::resent`], which [`Relay::sent`] calls; frames still in `queue` do not count).
    /// A frame at or below it is a repair (see [`Relay::receive`]). A client connecting now is
    /// not owed what is up to it: its `acked` and `relayed_before` start there, and the hub's
    /// hello tells it (see [`Relay::relayed`]). Its keys are the senders the hub tracks:
    /// acknowledgements and re-send requests naming any other sender are dropped, and upstream
    /// acknowledgements are computed for these senders only, never past this value.
    last_relayed: Map<u64, u64>,
    /// Per sender node id, the `retained_from` of the frame of that sender the hub last took in
    /// or sent downstream (the latest one wins, so it may step back when a frame that waited in
    /// `queue` leaves it): the lowest sequence number the sender can still send again. Every
    /// client counts as holding what is below it (see [`Relay::holds_of`]): the sender cannot
    /// send it again, so neither the window, nor repairs, eviction or upstream acknowledgements
    /// wait for it; a client that lacks it learns the loss from the sender (`$lagged`).
    retained_from: Map<u64, u64>,
    /// Per sender node id, the latest sequence number the hub told everyone that every member
    /// holds (an upstream acknowledgement: the sender may forget its events up to it). Raised
    /// by [`Relay::take_upstream_acks`], which tells only senders whose value moved past it;
    /// [`Relay::acked_upstream()`] repeats all of it in case an acknowledgement was lost.
    acked_upstream: Map<u64, u64>,
    /// Per sender node id (other than the hub itself), the latest sequence number the hub's
    /// own listeners took (events no listener here wants count as taken once those before them
    /// are), set through [`Relay::delivered_here`]: the hub is a member too, so an upstream
    /// acknowledgement of a sender never passes it (one missing here holds it at 0). It
    /// follows what listeners took, not what was handed to them.
    taken_here: Map<u64, u64>,
}

impl<P: Copy + Eq + Hash, M> Relay<P, M> {
    /// A hub that lets no sender forget events before `hold_until` (time for clients of a lost
    /// hub to rejoin, known or not), nor, for `grace`, before the `awaited` members of the
    /// previous hub's cluster rejoined.
    pub(crate) fn new(
        node: u64,
        window: Option<usize>,
        awaited: Set<u64>,
        now: Instant,
        hold_until: Instant,
        grace: Duration,
    ) -> Self {
        let until = hold_until.max(now + grace);
        let awaited = awaited.into_iter().map(|node| (node, Awaited { until, held: None }));
        Relay {
            node,
            window,
            clients: Map::default(),
            awaited: awaited.collect(),
            opening_until: until,
            grace,
            hold_until,
            log: VecDeque::new(),
            logged_bytes: Map::default(),
            queue: VecDeque::new(),
            last_relayed: Map::default(),
            retained_from: Map::default(),
            acked_upstream: Map::default(),
            taken_here: Map::default(),
        }
    }

    /// A client connected: it is owed everything relayed from now on.
    pub(crate) fn connected(&mut self, pipe: P, now: Instant) {
        let acked = self.last_relayed.clone();
        let client = Client {
            node: None,
            leaving: None,
            relayed_before: acked.clone(),
            acked,
            taken: 0,
            told_taken: 0,
            last_heard: now,
            last_progress: now,
            connected_at: now,
            last_hello: None,
            last_nack: Map::default(),
        };
        self.clients.insert(pipe, client);
    }

    /// How many clients are connected.
    pub(crate) fn clients(&self) -> usize {
        self.clients.len()
    }

    /// The hub cuts the client off for `reason`.
    pub(crate) fn cut_off(&mut self, pipe: P, reason: LeftReason) {
        if let Some(client) = self.clients.get_mut(&pipe) {
            client.leaving = Some(reason);
        }
    }

    /// `node` said goodbye on `pipe`: it is owed nothing once its connection closes. A goodbye
    /// can be handled after the connection's close (they travel different paths): then the
    /// node is no longer awaited. Returns whether that was the case.
    pub(crate) fn goodbye(&mut self, pipe: P, node: u64) -> bool {
        if let Some(client) = self.clients.get_mut(&pipe) {
            client.leaving = Some(LeftReason::Closed);
            return false;
        }
        self.awaited.remove(&node).is_some()
    }

    /// Forgets a sender that left for good: its sequence numbers need no tracking any more.
    pub(crate) fn forget_sender(&mut self, sender: u64) {
        self.last_relayed.remove(&sender);
        self.retained_from.remove(&sender);
        self.acked_upstream.remove(&sender);
        self.taken_here.remove(&sender);
        for client in self.clients.values_mut() {
            client.acked.remove(&sender);
            client.relayed_before.remove(&sender);
            client.last_nack.remove(&sender);
        }
    }

    /// A client's connection closed. Returns its node id, if it said hello, and why it left.
    /// One that went without a word may be cut off from the hub by a partition, not dead: it is
    /// awaited for the grace period, so senders keep what it may still be owed: what followed
    /// what it held (see [`Relay::take_upstream_acks`]).
    /// Its frames still unacknowledged leave the window: a client that lost one on the way can
    /// have it again only from its sender, which may be gone for good. Waiting for them would
    /// stall every other sender and cut healthy clients off as slow. If the sender comes back,
    /// what it sends again is a repair, relayed outside the window.
    /// A connection superseded by a newer one of the same node (a member back on a new
    /// connection while its old one was silent) closes without a word about the node, which is
    /// still here.
    pub(crate) fn disconnected(&mut self, pipe: P, now: Instant) -> Option<(u64, LeftReason)> {
        let client = self.clients.remove(&pipe)?;
        self.log.retain(|sent| sent.origin != Some(pipe));
        if let Some(node) = client.node {
            self.count_logged_bytes(node);
        }
        self.trim();
        let node = client.node?;
        if self.clients.values().any(|other| other.node == Some(node)) {
            return None;
        }
        if client.leaving.is_none() {
            let held = Some(client.acked);
            self.awaited.insert(node, Awaited { until: now + self.grace, held });
        }
        Some((node, client.leaving.unwrap_or(LeftReason::Closed)))
    }

    /// A client said hello. A joining one reports what it already holds: a first-time client is
    /// owed the rest of what is relayed after it connected; one coming back after a lost hub is
    /// owed everything it does not hold, as far as senders still have it.
    pub(crate) fn hello(&mut self, pipe: P, hello: &Hello, now: Instant) {
        let Some(client) = self.clients.get_mut(&pipe) else { return };
        client.last_heard = now;
        client.last_hello = Some(now);
        client.node = Some(hello.node);
        if hello.joining == Joining::Again {
            client.acked.clear();
        }
        if hello.joining != Joining::No {
            for &(sender, seq) in &hello.received {
                client.acked.insert(sender, seq);
            }
        }
        self.awaited.remove(&hello.node);
    }

    /// The node id the connection `pipe` introduced itself as, once it said hello.
    pub(crate) fn node_of(&self, pipe: P) -> Option<u64> {
        self.clients.get(&pipe).and_then(|c| c.node)
    }

    /// When the client on `pipe` last said hello (`None`: not yet).
    pub(crate) fn last_hello(&self, pipe: P) -> Option<Instant> {
        self.clients.get(&pipe).and_then(|c| c.last_hello)
    }

    /// Whether a request of the client on `from` to re-send `sender`'s events may go on: its
    /// last one for that sender is at least `every` old, and the client took some of `sender`'s
    /// events since, or that last one is at least `patience` old. A member asks at most once
    /// per interval (it waits for an answer before asking again), so what comes faster is a
    /// flood to drop; and an answer re-sends up to a sender's whole window, so a member asking
    /// again before it took anything of the answer (it is still on its way, or the member does
    /// not want it) gets no second one before `patience`: each member can have a sender's
    /// window re-sent at most once per `patience` unless it takes what it asked for. A request
    /// for a sender the hub relayed nothing of goes nowhere (so a client naming made-up senders
    /// grows nothing).
    pub(crate) fn nack_allowed(
        &mut self,
        from: P,
        sender: u64,
        now: Instant,
        (every, patience): (Duration, Duration),
    ) -> bool {
        if !self.last_relayed.contains_key(&sender) {
            // It relayed nothing of that sender: nothing to re-send, and nothing to remember.
            return false;
        }
        let Some(held) = self.clients.get(&from).map(|client| self.holds(client, sender)) else {
            return false;
        };
        let Some(client) = self.clients.get_mut(&from) else { return false };
        let allowed = client.last_nack.get(&sender).is_none_or(|&(at, held_then)| {
            let since = now.duration_since(at);
            since >= every && (held > held_then || since >= patience)
        });
        if allowed {
            client.last_nack.insert(sender, (now, held));
        }
        allowed
    }

    /// The connection bound to `node`, if it is connected and not going.
    pub(crate) fn conn_of(&self, node: u64) -> Option<P> {
        self.clients
            .iter()
            .find(|(_, c)| c.node == Some(node) && c.leaving.is_none())
            .map(|(pipe, _)| *pipe)
    }

    /// The clients other than `origin` (`None`: the hub's own frame) that do not hold
    /// `sender`'s events up to `last_seq`: those a re-sent frame is for.
    pub(crate) fn clients_lacking(
        &self,
        origin: Option<P>,
        sender: u64,
        last_seq: u64,
    ) -> Vec<(P, Option<u64>)> {
        self.clients
            .iter()
            .filter(|(pipe, c)| Some(**pipe) != origin && self.holds(c, sender) < last_seq)
            .map(|(p, c)| (*p, c.node))
            .collect()
    }

    /// The clients other than `origin`, with their node ids (`None` for one that did not say
    /// hello).
    pub(crate) fn clients_except(&self, origin: P) -> Vec<(P, Option<u64>)> {
        self.clients
            .iter()
            .filter(|(pipe, _)| **pipe != origin)
            .map(|(p, c)| (*p, c.node))
            .collect()
    }

    /// The node ids of the clients that said hello: the members a successor must wait for.
    pub(crate) fn members(&self) -> Vec<u64> {
        let mut members: Vec<u64> = self.clients.values().filter_map(|c| c.node).collect();
        members.sort_unstable();
        members.dedup();
        members
    }

    /// The members still awaited: of the previous hub's cluster, or clients that went without
    /// a word.
    pub(crate) fn awaited(&self) -> impl Iterator<Item = u64> + '_ {
        self.awaited.keys().copied()
    }

    /// A member a rejoining client knew of: unless it is connected or already awaited, it is
    /// awaited like a member of the previous cluster, so senders keep what it may still be owed.
    /// The hub cannot check the claim, so it takes it only while its opening grace period runs
    /// (when the previous cluster's members rejoin) and while it awaits fewer than
    /// [`MAX_AWAITED_ON_WORD`] members. Returns `false` when it refused the claim for that.
    pub(crate) fn await_member(&mut self, node: u64, now: Instant) -> bool {
        if node == self.node
            || self.awaited.contains_key(&node)
            || self.clients.values().any(|c| c.node == Some(node))
        {
            return true;
        }
        if now >= self.opening_until || self.awaited.len() >= MAX_AWAITED_ON_WORD {
            return false;
        }
        self.awaited.insert(node, Awaited { until: now + self.grace, held: None });
        true
    }

    /// Any frame from a client shows it is alive.
    pub(crate) fn heard(&mut self, pipe: P, now: Instant) {
        if let Some(client) = self.clients.get_mut(&pipe) {
            client.last_heard = now;
        }
    }

    /// The hub itself did not run for a while: clients count as just heard from, frames sent
    /// as just sent, and members awaited, or found gone now (their connections closed while
    /// the hub did not run), get a fresh `grace` and `to_find_out` more: they may be members
    /// of another hub meanwhile, and come here only once they find that one dead too.
    pub(crate) fn stalled(&mut self, now: Instant, to_find_out: Duration) {
        for client in self.clients.values_mut() {
            client.last_heard = now;
        }
        for sent in &mut self.log {
            sent.at = now;
        }
        let until = now + self.grace + to_find_out;
        for awaited in self.awaited.values_mut() {
            awaited.until = awaited.until.max(until);
        }
        self.opening_until = self.opening_until.max(until);
    }

    /// A client acknowledged events. Acknowledgements name senders the hub relays (it tracks
    /// what each client holds of those only): one naming another is dropped, so a client
    /// cannot grow the hub's state by naming senders that do not exist.
    pub(crate) fn acked(&mut self, pipe: P, acks: &[(u64, u64)], now: Instant) {
        if let Some(client) = self.clients.get_mut(&pipe) {
            for &(sender, seq) in acks {
                if !self.last_relayed.contains_key(&sender) {
                    continue;
                }
                let held = client.acked.entry(sender).or_insert(0);
                if seq > *held {
                    *held = seq;
                    client.last_progress = now;
                }
            }
            self.trim();
        }
    }

    /// The hub itself delivered `sender`'s events up to `seq` (it is a member too).
    pub(crate) fn delivered_here(&mut self, sender: u64, seq: u64) {
        let held = self.taken_here.entry(sender).or_insert(0);
        *held = (*held).max(seq);
    }

    /// Takes a received events frame. New events queue (behind the window, when there is one).
    /// A frame the hub relayed before is a repair (a sender answering a request or a new
    /// member): it comes back at once, outside the window, since the window may be waiting for
    /// exactly this frame, or `None` if every client already holds it. Every frame counts as
    /// taken from its origin's connection when it arrives, or, behind the window, when it
    /// leaves the queue.
    pub(crate) fn receive(&mut self, queued: Queued<P, M>) -> Option<Queued<P, M>> {
        self.retained_from.insert(queued.sender, queued.retained_from);
        let sender = queued.sender;
        let new = queued.last_seq > self.last_relayed.get(&sender).copied().unwrap_or(0);
        if !new || self.window.is_none() {
            self.took(queued.origin);
        }
        if new {
            // A frame already waiting in the queue, sent again, waits there once. One that
            // fills a gap (its first sending was lost on the way, and later frames of its
            // sender came in the meantime) waits before them: in its sender's order, so
            // clients get no gap that only the sender could fill, and it may be gone by then.
            let waiting =
                self.queue.iter().position(|q| q.sender == sender && q.last_seq >= queued.last_seq);
            match waiting {
                Some(at) if self.queue[at].last_seq == queued.last_seq => {
                    if self.window.is_some() {
                        self.took(queued.origin);
                    }
                }
                Some(at) => self.queue.insert(at, queued),
                None => self.queue.push_back(queued),
            }
            return None;
        }
        let wanted = self.clients.iter().any(|(pipe, client)| {
            *pipe != queued.origin && self.holds(client, queued.sender) < queued.last_seq
        });
        wanted.then_some(queued)
    }

    /// The next queued frame, if the window has room; the caller sends it and calls
    /// [`Relay::sent`].
    pub(crate) fn next_relay(&mut self) -> Option<Queued<P, M>> {
        if !self.has_room() {
            return None;
        }
        let queued = self.queue.pop_front()?;
        if self.window.is_some() {
            self.took(queued.origin);
        }
        Some(queued)
    }

    /// Counts one events frame taken from the connection `pipe`.
    fn took(&mut self, pipe: P) {
        if let Some(client) = self.clients.get_mut(&pipe) {
            client.taken += 1;
        }
    }

    /// The clients the hub took at least `at_least` (1 or more) events frames from since it last
    /// told them, with the count so far (see [`crate::wire::Relayed`]).
    pub(crate) fn take_taken_news(&mut self, at_least: u64) -> Vec<(P, u64)> {
        let at_least = at_least.max(1);
        let mut news = Vec::new();
        for (pipe, client) in &mut self.clients {
            if client.taken >= client.told_taken + at_least && client.leaving.is_none() {
                client.told_taken = client.taken;
                news.push((*pipe, client.taken));
            }
        }
        news
    }

    /// Whether one more events frame may go downstream now.
    pub(crate) fn has_room(&self) -> bool {
        self.window.is_none_or(|window| self.log.len() < window)
    }

    /// The clients to cut off because their acknowledgements did not move for `stuck_after`
    /// while they lack more than `max_frames` frames or `max_bytes` bytes of what went
    /// downstream since they connected (what they lack of older frames comes as re-sends,
    /// through no fault of theirs). Their senders keep those frames for them (up to a bound,
    /// then new events wait), so a client that takes nothing must go before it makes every
    /// sender wait. One that keeps acknowledging, only slower than the senders emit, slows them
    /// down once they keep all they may (and goes if it leaves a frame unacknowledged for the
    /// eviction delay, see [`Relay::overdue`]). Under
    /// [`SlowConsumer::Wait`](crate::settings::SlowConsumer::Wait) nobody is cut off: everyone
    /// slows to the slowest.
    pub(crate) fn lagging(
        &self,
        now: Instant,
        stuck_after: Duration,
        max_frames: u64,
        max_bytes: u64,
    ) -> Vec<(P, Option<u64>)> {
        if self.window.is_some() {
            return Vec::new();
        }
        self.clients
            .iter()
            .filter(|(_, client)| client.leaving.is_none())
            .filter(|(_, client)| now.duration_since(client.last_progress) >= stuck_after)
            .filter(|(_, client)| {
                let (frames, bytes) = self.behind(client);
                frames > max_frames || bytes > max_bytes
            })
            .map(|(pipe, client)| (*pipe, client.node))
            .collect()
    }

    /// What `client` lacks of the frames that went downstream since it connected, in frames and
    /// bytes (what it lacks of older ones comes as re-sends, through no fault of its own).
    fn behind(&self, client: &Client) -> (u64, u64) {
        let (mut frames, mut bytes) = (0, 0);
        for (sender, logged) in &self.logged_bytes {
            if client.node == Some(*sender) {
                continue;
            }
            let (f, b) = logged.past(self.holds_or_not_owed(client, *sender));
            frames += f;
            bytes += b;
        }
        (frames, bytes)
    }

    /// The oldest frame in the log that `client`, on `pipe`, owes an acknowledgement of.
    fn oldest_owed(&self, pipe: P, client: &Client) -> Option<&Sent<P>> {
        self.log.iter().find(|sent| {
            sent.origin != Some(pipe) && self.holds_or_not_owed(client, sent.sender) < sent.last_seq
        })
    }

    /// Each client that said hello and is not going, as monitoring shows it (see
    /// [`ClientView`]).
    pub(crate) fn client_views(&self, now: Instant) -> Vec<(u64, ClientView)> {
        // One pass over the log for every client's frames in it.
        let mut in_window: Map<P, u64> = Map::default();
        for origin in self.log.iter().filter_map(|sent| sent.origin) {
            *in_window.entry(origin).or_default() += 1;
        }
        self.clients
            .iter()
            .filter(|(_, client)| client.leaving.is_none())
            .filter_map(|(pipe, client)| {
                let node = client.node?;
                let (behind_frames, behind_bytes) = self.behind(client);
                let view = ClientView {
                    connected_for: now.saturating_duration_since(client.connected_at),
                    behind_frames,
                    behind_bytes,
                    oldest_unacknowledged: self
                        .oldest_owed(*pipe, client)
                        .map(|sent| now.saturating_duration_since(sent.at)),
                    in_window: in_window.get(pipe).copied().unwrap_or(0),
                };
                Some((node, view))
            })
            .collect()
    }

    /// A new events frame went downstream (relayed from `origin`, or the hub's own when `None`).
    /// A frame that waited in the queue while its origin's connection closed does not enter
    /// the window, for the reason [`Relay::disconnected`] gives.
    pub(crate) fn sent(&mut self, origin: Option<P>, frame: SentFrame, now: Instant) {
        let SentFrame { sender, last_seq, retained_from, bytes } = frame;
        self.resent(sender, last_seq, retained_from);
        if origin.is_some_and(|pipe| !self.clients.contains_key(&pipe)) {
            return;
        }
        if self.clients.keys().any(|pipe| Some(*pipe) != origin) {
            self.log.push_back(Sent { origin, sender, last_seq, bytes, at: now });
            self.logged_bytes.entry(sender).or_default().push(last_seq, bytes);
        }
    }

    /// Counts again the bytes of `sender`'s frames in the log (after some left it out of order).
    fn count_logged_bytes(&mut self, sender: u64) {
        let mut counted = LoggedBytes::default();
        for sent in self.log.iter().filter(|sent| sent.sender == sender) {
            counted.push(sent.last_seq, sent.bytes);
        }
        if !counted.frames.is_empty() {
            self.logged_bytes.insert(sender, counted);
        }
    }

    /// An events frame went downstream outside the window: a repair, or the hub's own frames
    /// sent again after it took over.
    pub(crate) fn resent(&mut self, sender: u64, last_seq: u64, retained_from: u64) {
        self.retained_from.insert(sender, retained_from);
        let relayed = self.last_relayed.entry(sender).or_insert(0);
        *relayed = (*relayed).max(last_seq);
    }

    /// How far `client` cannot fall behind on `sender`'s events through this connection: what
    /// it holds (see [`Relay::holds`]), or what was relayed before it connected, which it may
    /// lack only as re-sends, through no fault of its own.
    fn holds_or_not_owed(&self, client: &Client, sender: u64) -> u64 {
        let before = client.relayed_before.get(&sender).copied().unwrap_or(0);
        self.holds(client, sender).max(before)
    }

    /// What `client` holds of `sender`: what it acknowledged, or what the sender no longer has.
    fn holds(&self, client: &Client, sender: u64) -> u64 {
        self.holds_of(&client.acked, sender)
    }

    /// What a member whose acknowledgements are `acked` holds of `sender` (see [`Relay::holds`]).
    fn holds_of(&self, acked: &Map<u64, u64>, sender: u64) -> u64 {
        let retained = self.retained_from.get(&sender).map_or(0, |r| r.saturating_sub(1));
        acked.get(&sender).copied().unwrap_or(0).max(retained)
    }

    fn trim(&mut self) {
        while let Some(front) = self.log.front() {
            let everyone = self.clients.iter().all(|(pipe, c)| {
                front.origin == Some(*pipe) || self.holds(c, front.sender) >= front.last_seq
            });
            if !everyone {
                break;
            }
            if let Some(sent) = self.log.pop_front() {
                if let Some(logged) = self.logged_bytes.get_mut(&sent.sender) {
                    logged.pop();
                    if logged.frames.is_empty() {
                        self.logged_bytes.remove(&sent.sender);
                    }
                }
            }
        }
    }

    /// Per sender, the latest sequence every member holds, where it moved since the last call.
    /// Members awaited count as members: nothing moves while members of the previous cluster
    /// are awaited, and a client gone without a word holds back what followed what it held.
    /// Both until they rejoin or [`Relay::take_missing`] gives up on them, not merely until
    /// their time is up: the hub's beat gives up on them only after it saw whether the hub
    /// itself stalled (a hub that did not run finds every deadline past), and any input may
    /// come before that beat.
    pub(crate) fn take_upstream_acks(&mut self, now: Instant) -> Vec<(u64, u64)> {
        if now < self.hold_until || self.awaited.values().any(|a| a.held.is_none()) {
            return Vec::new();
        }
        let mut moved = Vec::new();
        let senders: Vec<u64> = self.last_relayed.keys().copied().collect();
        for sender in senders {
            let members = self
                .clients
                .values()
                .filter(|c| c.node.is_some_and(|n| n != sender))
                .map(|c| self.holds(c, sender));
            let away = self
                .awaited
                .iter()
                .filter(|(node, _)| **node != sender)
                .filter_map(|(_, awaited)| awaited.held.as_ref())
                .map(|held| self.holds_of(held, sender));
            let all_clients = members.chain(away).fold(u64::MAX, u64::min);
            let hub_holds = if sender == self.node {
                u64::MAX
            } else {
                self.taken_here.get(&sender).copied().unwrap_or(0)
            };
            let relayed = self.last_relayed[&sender];
            let everyone = all_clients.min(hub_holds).min(relayed);
            let acked = self.acked_upstream.entry(sender).or_insert(0);
            if everyone > *acked {
                *acked = everyone;
                moved.push((sender, everyone));
            }
        }
        moved
    }

    /// Per sender, the latest sequence relayed: what a client connecting now is not owed.
    pub(crate) fn relayed(&self) -> Vec<(u64, u64)> {
        self.last_relayed.iter().map(|(sender, seq)| (*sender, *seq)).collect()
    }

    /// Every acknowledgement sent upstream so far, to repeat in case one was lost.
    pub(crate) fn acked_upstream(&self) -> Vec<(u64, u64)> {
        self.acked_upstream.iter().map(|(sender, seq)| (*sender, *seq)).collect()
    }

    /// Members awaited that did not come back in time, in order; they are no longer awaited.
    pub(crate) fn take_missing(&mut self, now: Instant) -> Vec<u64> {
        let mut missing: Vec<u64> =
            self.awaited.iter().filter(|(_, a)| now >= a.until).map(|(node, _)| *node).collect();
        missing.sort_unstable();
        for node in &missing {
            self.awaited.remove(node);
        }
        missing
    }

    /// Clients to cut off: one that left an events frame unacknowledged for `evict_after`
    /// (`None`: wait forever), or was not heard from for `silent_after`.
    pub(crate) fn overdue(
        &self,
        now: Instant,
        evict_after: Option<Duration>,
        silent_after: Duration,
    ) -> Vec<(P, Option<u64>, EvictionReason)> {
        self.clients
            .iter()
            .filter(|(_, client)| client.leaving.is_none())
            .filter_map(|(pipe, client)| {
                if now.duration_since(client.last_heard) >= silent_after {
                    return Some((*pipe, client.node, EvictionReason::Silent));
                }
                let evict_after = evict_after?;
                let oldest_owed = self.oldest_owed(*pipe, client)?;
                (now.duration_since(oldest_owed.at) >= evict_after).then_some((
                    *pipe,
                    client.node,
                    EvictionReason::Unacknowledged,
                ))
            })
            .collect()
    }

    /// What peers can grow here, counted (see [`Footprint`](crate::footprint::Footprint)).
    #[cfg(test)]
    pub(crate) fn footprint(&self) -> crate::footprint::RelayFootprint {
        let maps = |c: &Client| crate::footprint::ClientMaps {
            acked: c.acked.len(),
            relayed_before: c.relayed_before.len(),
            last_nack: c.last_nack.len(),
        };
        crate::footprint::RelayFootprint {
            clients: self.clients.values().map(maps).collect(),
            awaited: self.awaited.values().map(|a| a.held.as_ref().map(Map::len)).collect(),
            log: self.log.len(),
            logged_bytes: self.logged_bytes.values().map(|l| 1 + l.frames.len()).sum(),
            queue: self.queue.len(),
            last_relayed: self.last_relayed.len(),
            retained_from: self.retained_from.len(),
            acked_upstream: self.acked_upstream.len(),
            taken_here: self.taken_here.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUB: u64 = 100;

    fn hello(node: u64, received: Vec<(u64, u64)>) -> Hello {
        Hello { received, ..Hello::sample(node, false, Joining::Fresh) }
    }

    /// A hub with clients on pipes 1..=n, node ids 11..
    fn hub_with(n: u32, window: Option<usize>) -> (Relay<u32, &'static str>, Instant) {
        let now = Instant::now();
        let mut hub = Relay::new(HUB, window, Set::default(), now, now, Duration::from_secs(1));
        for pipe in 1..=n {
            hub.connected(pipe, now);
            hub.hello(pipe, &hello(10 + u64::from(pipe), vec![]), now);
        }
        (hub, now)
    }

    fn sent_frame(queued: &Queued<u32, &'static str>) -> SentFrame {
        let (sender, last_seq, retained_from) =
            (queued.sender, queued.last_seq, queued.retained_from);
        SentFrame { sender, last_seq, retained_from, bytes: 100 }
    }

    fn relay(hub: &mut Relay<u32, &'static str>, origin: u32, last_seq: u64, now: Instant) {
        let sender = 10 + u64::from(origin);
        assert!(hub
            .receive(Queued { origin, sender, last_seq, retained_from: 1, message: "frame" })
            .is_none());
        let queued = hub.next_relay().expect("room in the window");
        hub.sent(Some(queued.origin), sent_frame(&queued), now);
        hub.delivered_here(sender, last_seq);
    }

    #[test]
    fn monitoring_sees_each_clients_lag_and_the_frames_of_its_own_in_the_window() {
        let (mut hub, now) = hub_with(3, None);
        relay(&mut hub, 1, 1, now);
        relay(&mut hub, 1, 2, now);
        hub.acked(2, &[(11, 2)], now);
        let later = now + Duration::from_millis(300);
        let views: Map<u64, ClientView> = hub.client_views(later).into_iter().collect();
        let (sender, caught_up, behind) = (&views[&11], &views[&12], &views[&13]);
        assert_eq!((behind.behind_frames, behind.behind_bytes), (2, 200), "client 3 lacks both");
        assert_eq!(behind.oldest_unacknowledged, Some(Duration::from_millis(300)));
        assert_eq!((caught_up.behind_frames, caught_up.oldest_unacknowledged), (0, None));
        assert_eq!(sender.behind_frames, 0, "a sender does not lag behind its own frames");
        assert_eq!(sender.in_window, 2, "both its frames wait for client 3");
        assert_eq!(caught_up.in_window, 0);
        assert_eq!(sender.connected_for, Duration::from_millis(300));
        hub.acked(3, &[(11, 2)], later);
        let views: Map<u64, ClientView> = hub.client_views(later).into_iter().collect();
        assert_eq!((views[&13].behind_frames, views[&11].in_window), (0, 0), "all held");
        hub.cut_off(3, LeftReason::Evicted);
        assert_eq!(hub.client_views(later).len(), 2, "a client cut off is no longer shown");
    }

    #[test]
    fn the_window_closes_until_the_slowest_client_acknowledges() {
        let (mut hub, now) = hub_with(3, Some(2));
        relay(&mut hub, 1, 1, now);
        relay(&mut hub, 1, 2, now);
        let third =
            Queued { origin: 1, sender: 11, last_seq: 3, retained_from: 1, message: "third" };
        assert!(hub.receive(third).is_none());
        assert!(hub.next_relay().is_none(), "window of 2 is full");
        let repair =
            Queued { origin: 1, sender: 11, last_seq: 2, retained_from: 1, message: "again" };
        assert_eq!(
            hub.receive(repair).map(|q| q.message),
            Some("again"),
            "a repair skips the window"
        );
        hub.acked(2, &[(11, 2)], now);
        assert!(hub.next_relay().is_none(), "client 3 has acknowledged nothing yet");
        hub.acked(3, &[(11, 2)], now);
        assert_eq!(hub.next_relay().map(|q| q.message), Some("third"));
        let held_by_all =
            Queued { origin: 1, sender: 11, last_seq: 2, retained_from: 1, message: "again" };
        assert!(hub.receive(held_by_all).is_none(), "nobody needs it");
    }

    #[test]
    fn a_frame_relayed_after_its_origin_left_does_not_hold_the_window() {
        let (mut hub, now) = hub_with(3, Some(1));
        relay(&mut hub, 2, 1, now);
        let waiting =
            Queued { origin: 1, sender: 11, last_seq: 1, retained_from: 1, message: "waiting" };
        assert!(hub.receive(waiting).is_none());
        assert!(hub.next_relay().is_none(), "window of 1 is full");
        hub.disconnected(1, now);
        hub.acked(3, &[(12, 1)], now);
        let queued = hub.next_relay().expect("room again");
        hub.sent(Some(queued.origin), sent_frame(&queued), now);
        // Client 2 may never get sender 11's frame (if it was lost on the way, only the sender
        // could send it again, and it left): the window does not wait for it.
        assert!(hub.has_room());
    }

    #[test]
    fn a_sender_may_forget_events_only_when_every_member_holds_them() {
        let (mut hub, now) = hub_with(3, Some(8));
        relay(&mut hub, 1, 5, now);
        assert_eq!(hub.take_upstream_acks(now), vec![]);
        hub.acked(2, &[(11, 5)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![]);
        hub.acked(3, &[(11, 4)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 4)]);
        hub.acked(3, &[(11, 5)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 5)]);
        assert_eq!(hub.take_upstream_acks(now), vec![], "acknowledged upstream once");
    }

    #[test]
    fn a_late_joiner_is_owed_only_what_came_after_it_unless_it_reports_less() {
        let (mut hub, now) = hub_with(2, Some(8));
        relay(&mut hub, 1, 5, now);
        hub.acked(2, &[(11, 5)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 5)]);
        hub.connected(3, now);
        hub.hello(3, &hello(13, vec![]), now);
        relay(&mut hub, 1, 6, now);
        hub.acked(2, &[(11, 6)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![], "the new client owes an ack for 6");
        hub.acked(3, &[(11, 6)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 6)]);
    }

    #[test]
    fn members_of_the_previous_cluster_hold_acks_until_they_rejoin_or_time_runs_out() {
        let now = Instant::now();
        let mut hub: Relay<u32, ()> =
            Relay::new(HUB, Some(8), Set::from_iter([12, 13]), now, now, Duration::from_secs(1));
        hub.connected(1, now);
        hub.hello(1, &hello(12, vec![]), now);
        hub.sent(None, SentFrame { sender: HUB, last_seq: 3, retained_from: 1, bytes: 100 }, now);
        hub.acked(1, &[(HUB, 3)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![], "13 is still awaited");
        assert_eq!(hub.take_missing(now), Vec::<u64>::new());
        let later = now + Duration::from_millis(1100);
        assert_eq!(hub.take_missing(later), vec![13]);
        assert_eq!(hub.take_upstream_acks(later), vec![(HUB, 3)]);
    }

    #[test]
    fn a_client_that_does_not_acknowledge_in_time_is_cut_off() {
        let (mut hub, now) = hub_with(2, Some(8));
        relay(&mut hub, 1, 1, now);
        let evict = Some(Duration::from_secs(1));
        let silent = Duration::from_secs(10);
        assert!(hub.overdue(now + Duration::from_millis(500), evict, silent).is_empty());
        assert_eq!(
            hub.overdue(now + Duration::from_secs(1), evict, silent),
            vec![(2, Some(12), EvictionReason::Unacknowledged)],
            "pipe 1 sent the frame, pipe 2 owes it"
        );
        assert!(hub.overdue(now + Duration::from_secs(1), None, silent).is_empty(), "wait policy");
        hub.cut_off(2, LeftReason::Evicted);
        assert_eq!(hub.disconnected(2, now), Some((12, LeftReason::Evicted)));
        assert!(hub.has_room());
        hub.acked(1, &[(11, 1)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 1)], "an evicted client is not awaited");
    }

    #[test]
    fn a_client_gone_without_a_word_is_awaited_for_the_grace_period() {
        let (mut hub, now) = hub_with(3, Some(8));
        relay(&mut hub, 1, 1, now);
        hub.acked(2, &[(11, 1)], now);
        assert_eq!(hub.disconnected(3, now), Some((13, LeftReason::Closed)));
        assert_eq!(hub.take_upstream_acks(now), vec![], "13 may be partitioned, not dead");
        hub.connected(4, now);
        let back = Hello { joining: Joining::Again, ..hello(13, vec![]) };
        hub.hello(4, &back, now);
        assert_eq!(hub.take_upstream_acks(now), vec![], "back, and owed event 1");
        hub.acked(4, &[(11, 1)], now);
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 1)]);
    }

    #[test]
    fn waiting_for_nobody_the_hub_relays_at_once_and_cuts_off_who_falls_behind() {
        let (mut hub, now) = hub_with(3, None);
        for seq in 1..=5 {
            relay(&mut hub, 1, seq, now);
        }
        hub.acked(2, &[(11, 5)], now);
        let (later, stuck) = (now + Duration::from_secs(1), Duration::from_secs(1));
        assert_eq!(hub.lagging(later, stuck, 5, 10_000), vec![]);
        relay(&mut hub, 1, 6, now);
        assert_eq!(hub.lagging(later, stuck, 5, 10_000), vec![(3, Some(13))], "6 frames behind");
        assert_eq!(hub.lagging(later, stuck, 10, 550), vec![(3, Some(13))], "600 bytes behind");
        assert_eq!(hub.lagging(now, stuck, 5, 10_000), vec![], "not stuck yet");
        hub.acked(3, &[(11, 1)], later);
        assert_eq!(hub.lagging(later, stuck, 5, 10_000), vec![], "slow, but taking events");
        hub.acked(3, &[(11, 2)], now);
        assert_eq!(hub.lagging(later + stuck, stuck, 5, 10_000), vec![]);
    }

    #[test]
    fn a_member_coming_back_is_not_behind_for_what_was_relayed_before_it_connected() {
        let (mut hub, now) = hub_with(2, None);
        for seq in 1..=5 {
            relay(&mut hub, 1, seq, now);
        }
        hub.connected(3, now);
        let back = Hello { joining: Joining::Again, ..hello(13, vec![]) };
        hub.hello(3, &back, now);
        let (later, stuck) = (now + Duration::from_secs(1), Duration::from_secs(1));
        assert_eq!(hub.lagging(later, stuck, 2, 10_000), vec![(2, Some(12))], "2 took nothing");
        relay(&mut hub, 1, 6, now);
        hub.acked(2, &[(11, 6)], now);
        assert_eq!(hub.lagging(later, stuck, 2, 10_000), vec![], "3 owes 1..=5 as re-sends");
        let later = now + Duration::from_secs(2);
        let overdue = hub.overdue(later, Some(Duration::from_secs(1)), Duration::from_secs(10));
        assert_eq!(overdue, vec![(3, Some(13), EvictionReason::Unacknowledged)], "it owes event 6");
    }

    #[test]
    fn acknowledgements_naming_senders_the_hub_does_not_relay_grow_nothing() {
        let (mut hub, now) = hub_with(2, None);
        relay(&mut hub, 1, 3, now);
        let made_up: Vec<(u64, u64)> = (1_000..101_000).map(|sender| (sender, 1)).collect();
        hub.acked(2, &made_up, now);
        hub.acked(2, &[(11, 3)], now);
        let tracked = hub.clients.values().map(|c| c.acked.len()).max();
        assert_eq!(tracked, Some(1), "one sender relayed, one tracked");
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 3)], "the real one still counts");
    }

    #[test]
    fn a_client_gone_without_a_word_holds_back_only_what_it_lacked() {
        let (mut hub, now) = hub_with(3, None);
        relay(&mut hub, 1, 1, now);
        hub.acked(2, &[(11, 1)], now);
        hub.acked(3, &[(11, 1)], now);
        relay(&mut hub, 1, 2, now);
        hub.acked(2, &[(11, 2)], now);
        assert_eq!(hub.disconnected(3, now), Some((13, LeftReason::Closed)));
        assert_eq!(hub.take_upstream_acks(now), vec![(11, 1)], "13 held 1 when it went");
        assert_eq!(hub.take_missing(now + Duration::from_millis(999)), Vec::<u64>::new());
        let later = now + Duration::from_secs(1);
        assert_eq!(hub.take_missing(later), vec![13], "its own grace period ran out");
        assert_eq!(hub.take_upstream_acks(later), vec![(11, 2)]);
    }

    #[test]
    fn frames_count_as_taken_when_they_arrive_or_behind_the_window_when_they_leave_the_queue() {
        let frame =
            |last_seq| Queued { origin: 1, sender: 11, last_seq, retained_from: 1, message: "f" };
        let (mut at_once, _) = hub_with(2, None);
        assert!(at_once.receive(frame(1)).is_none());
        assert_eq!(at_once.take_taken_news(1), vec![(1, 1)]);
        assert_eq!(at_once.take_taken_news(1), vec![], "told once");
        assert!(at_once.receive(frame(2)).is_none());
        assert_eq!(at_once.take_taken_news(2), vec![], "one more only");
        assert!(at_once.receive(frame(3)).is_none());
        assert_eq!(at_once.take_taken_news(2), vec![(1, 3)], "two more");
        let (mut waiting, now) = hub_with(2, Some(1));
        assert!(waiting.receive(frame(1)).is_none());
        assert!(waiting.receive(frame(2)).is_none());
        assert_eq!(waiting.take_taken_news(1), vec![]);
        let first = waiting.next_relay().expect("room");
        waiting.sent(Some(1), sent_frame(&first), now);
        assert!(waiting.next_relay().is_none(), "window full");
        assert_eq!(waiting.take_taken_news(1), vec![(1, 1)], "the second waits in the queue");
    }
}
