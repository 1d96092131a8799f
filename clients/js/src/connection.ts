/**
 * One connection to a hub, from its opening to its end (docs/wire.md §4): the hub's preamble,
 * the cluster secret's handshake when there is one, then frames in both directions, tagged with
 * a secret. A hub's refusal is read where an opening message was expected, and this client tells
 * the hub why it refuses it where the hub waits for its challenge or proof.
 *
 * Owns: the opening, the refusals, the framing of what is sent and received, the tags, and
 * decoding received frames. Must not decide anything about a frame's meaning: the member does.
 */

import { BadProof, Dialing, TAG_LEN, type Tagger } from './auth.js';
import { NanomitterError } from './errors.js';
import { Deframer, type Message, lengthPrefix } from './framing.js';
import { type Refusal, type RefusalReason, decodeRefusal, encodeRefusal, isFinal } from './refusal.js';
import { type ByteStream, StreamOpenError, type TlsOptions, openStream } from './transport.js';
import { type Frame, FrameError, MAGIC, VERSION, decode } from './wire.js';

/** The longest handshake message (the preamble included). */
const HANDSHAKE_MAX = 256;

export interface ConnectionHandlers {
  /** A well-formed frame arrived. */
  onFrame(frame: Frame): void;
  /** A frame that does not decode arrived: it is dropped (the connection stays). */
  onMalformed(error: FrameError): void;
  /** Everything that arrived so far was handed over (a good moment to acknowledge). */
  onDrained(): void;
  /** The connection ended (not called after {@link Connection.close}). */
  onClose(reason: string): void;
}

/** What this client proves when it opens a connection. */
export interface Proof {
  /** The cluster secret's bytes, or a scoped credential's key. */
  key: Uint8Array;
  /** A scoped credential's claims, sent in the challenge; `null` with the cluster secret. */
  claims: Uint8Array | null;
}

export interface ConnectionOptions {
  /** What this client proves, or `null` for a hub without a secret. */
  proof: Proof | null;
  /** The longest frame accepted from the hub. */
  maxFrame: number;
  /** How long the stream, the preamble and the handshake may take together. */
  timeoutMs: number;
  /** TLS for `tls+tcp://` addresses. */
  tls: TlsOptions | null;
}

/** Why a connection could not be opened (code `Unreachable`), and whether trying again may help. */
export class OpenError extends NanomitterError {
  constructor(
    message: string,
    /** The hub answered but disagrees (wire version, secret): another try will not help. */
    readonly refused: boolean,
    /** Why the hub refused this client or this client the hub, when one side said or could tell. */
    readonly reason: RefusalReason | null = null,
  ) {
    super('Unreachable', message);
    this.name = 'OpenError';
  }

  /** Whether dialing the same hub again, unchanged, cannot help: someone must change a setting. */
  get final(): boolean {
    return this.reason !== null && isFinal(this.reason);
  }
}

/** What this client reports for a refusal the hub sent it. */
function hubRefused(address: string, refusal: Refusal): OpenError {
  const why: Record<RefusalReason, string> = {
    'origin-not-allowed': "the hub does not allow this page's origin",
    'wrong-secret': "the hub did not accept this client's proof of the cluster secret: the two secrets differ",
    'secret-required': 'the hub requires the cluster secret and this client has none',
    'secret-not-expected': 'this client has a cluster secret and the hub has none',
    'over-limit': 'the hub takes no more connections for now',
    'credential-expired': "this client's credential expired",
    'credential-invalid': "the hub does not take this client's credential: it was not minted with the hub's secret, was changed, or does not read",
    'not-authorized': "the hub does not authorize this client's credential",
    'wire-version': 'the hub speaks another wire format',
    other: `the hub refused this client (reason ${refusal.code})`,
  };
  const text = refusal.text ? ` (${refusal.text})` : '';
  return new OpenError(`${address}: ${why[refusal.reason]}${text}`, true, refusal.reason);
}

export class Connection {
  private readonly deframer = new Deframer(HANDSHAKE_MAX);
  private stream: ByteStream | null = null;
  private sealer: Tagger | null = null;
  private opener: Tagger | null = null;
  private started = false;
  private closed = false;
  private opening = true;
  /** During the opening: the one waiting for the next handshake message. */
  private waiter: { resolve(m: Message): void; reject(e: Error): void } | null = null;
  private openFailure: Error | null = null;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();

  private constructor(private readonly handlers: ConnectionHandlers) {}

  /** Opens a connection to the hub at `address`; frames flow once {@link start} is called. */
  static async open(address: string, options: ConnectionOptions, handlers: ConnectionHandlers): Promise<Connection> {
    const connection = new Connection(handlers);
    const opened = connection.run(address, options);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OpenError(`${address}: the hub did not open the connection within ${options.timeoutMs} ms`, false)),
        options.timeoutMs,
      );
    });
    try {
      await Promise.race([opened, timeout]);
      return connection;
    } catch (error) {
      connection.close();
      if (error instanceof OpenError) throw error;
      const refused = error instanceof StreamOpenError && error.refused;
      throw new OpenError(String((error as Error)?.message ?? error), refused);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(address: string, options: ConnectionOptions): Promise<void> {
    this.stream = await openStream(
      address,
      {
        onData: (bytes) => this.received(bytes),
        onClose: (reason) => this.ended(reason),
      },
      options,
    );
    if (this.closed) throw new OpenError(`${address}: closed while opening`, false);
    const preamble = await this.nextOpening(address);
    const { proof } = options;
    const expected = Uint8Array.of(...MAGIC, VERSION, proof ? 1 : 0);
    if (preamble.length !== expected.length || preamble.some((b, i) => b !== expected[i])) {
      const isHub = preamble.length >= 5 && MAGIC.every((b, i) => preamble[i] === b);
      if (!isHub) throw new OpenError(`${address}: not a nanomitter hub`, true);
      if (preamble[4] !== VERSION) {
        const why = `the hub speaks wire format ${preamble[4]}, this client ${VERSION}`;
        throw new OpenError(`${address}: ${why}`, true, 'wire-version');
      }
      if (proof) {
        throw new OpenError(`${address}: this client has a cluster secret and the hub has none`, true, 'secret-not-expected');
      }
      // The hub waits for a challenge: it is told why none comes.
      this.refuse('secret-required', 'this node has no secret');
      throw new OpenError(`${address}: the hub requires the cluster secret and this client has none`, true, 'secret-required');
    }
    if (proof) {
      const dialing = new Dialing(proof.key, proof.claims);
      this.write([lengthPrefix(dialing.challenge), dialing.challenge]);
      const answer = await this.nextOpening(address);
      let answered;
      try {
        answered = await dialing.answer(answer);
      } catch (error) {
        if (error instanceof BadProof && proof.claims) {
          this.refuse('credential-invalid', "the hub's proof does not check out with this credential's key");
          throw hubRefused(address, { reason: 'credential-invalid', code: 7, text: '' });
        }
        if (error instanceof BadProof) {
          this.refuse('wrong-secret', 'the proof of the secret does not check out');
          const why = 'the hub did not prove this client\'s cluster secret: the two secrets differ, or it is not the cluster\'s hub';
          throw new OpenError(`${address}: ${why}`, true, 'wrong-secret');
        }
        throw new OpenError(`${address}: ${(error as Error).message}`, true);
      }
      this.sealer = answered.session.sealer;
      this.opener = answered.session.opener;
      this.openUp(options.maxFrame);
      this.write([lengthPrefix(answered.proof), answered.proof]);
    } else {
      this.openUp(options.maxFrame);
    }
  }

  /** The next opening message; a refusal the hub sent in its place is thrown. */
  private async nextOpening(address: string): Promise<Uint8Array> {
    const message = (await this.nextMessage()).frame;
    const refusal = decodeRefusal(message);
    if (refusal) throw hubRefused(address, refusal);
    return message;
  }

  /** Tells the hub why this client will not go on, in place of its next opening message. */
  private refuse(reason: RefusalReason, text: string): void {
    const refusal = encodeRefusal(reason, text);
    this.write([lengthPrefix(refusal), refusal]);
  }

  private openUp(maxFrame: number): void {
    this.opening = false;
    this.deframer.maxFrame = maxFrame;
  }

  private nextMessage(): Promise<Message> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pump();
      // What arrived before the stream ended is read first: a hub's refusal, then its close.
      if (this.waiter && this.openFailure) {
        this.waiter = null;
        reject(this.openFailure);
      }
    });
  }

  /** Frames start flowing to the handlers (those that came early were kept). */
  start(): void {
    this.started = true;
    this.pump();
  }

  private received(bytes: Uint8Array): void {
    this.deframer.push(bytes);
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    try {
      if (this.opening) {
        if (!this.waiter) return;
        const message = this.deframer.next(0);
        if (message) {
          const waiter = this.waiter;
          this.waiter = null;
          waiter.resolve(message);
        }
        return;
      }
      if (!this.started) return;
      const tagLen = this.opener ? TAG_LEN : 0;
      let message;
      let any = false;
      while ((message = this.deframer.next(tagLen)) !== null) {
        any = true;
        if (this.opener) {
          const { frame } = message;
          const checked = this.opener.check(frame, message.tag!);
          this.inbound = this.inbound.then(
            () => checked.then(() => this.deliver(frame)),
            () => undefined,
          );
        } else {
          this.deliver(message.frame);
        }
      }
      if (!any) return;
      if (this.opener) {
        this.inbound = this.inbound.then(
          () => {
            if (!this.closed) this.handlers.onDrained();
          },
          (error: Error) => this.fail(error.message),
        );
      } else {
        this.handlers.onDrained();
      }
    } catch (error) {
      this.fail((error as Error).message);
    }
  }

  private deliver(frame: Uint8Array): void {
    if (this.closed) return;
    let decoded: Frame;
    try {
      decoded = decode(frame);
    } catch (error) {
      if (error instanceof FrameError) return this.handlers.onMalformed(error);
      throw error;
    }
    this.handlers.onFrame(decoded);
  }

  private write(parts: Uint8Array[]): void {
    this.stream?.write(parts);
  }

  /** Sends one frame (tagged, with a secret), after every frame sent before it. */
  send(frame: Uint8Array): void {
    if (this.closed || !this.stream) return;
    const prefix = lengthPrefix(frame);
    if (!this.sealer) return this.write([prefix, frame]);
    // The tag is computed later: the bytes are copied, as the caller may rewrite its frame
    // (a re-send changes `retained_from`) before they are written.
    const bytes = frame.slice();
    const tag = this.sealer.tag(bytes);
    this.outbound = this.outbound.then(async () => this.write([prefix, bytes, await tag]));
  }

  /** Resolves once every frame handed to {@link send} was written. */
  sent(): Promise<void> {
    return this.outbound;
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    this.handlers.onClose(reason);
  }

  private ended(reason: string): void {
    if (this.opening) {
      this.openFailure = new OpenError(reason, false);
      this.waiter?.reject(this.openFailure);
      this.waiter = null;
      return;
    }
    this.fail(reason);
  }

  /** Closes the connection; no handler is called after this. */
  close(): void {
    this.closed = true;
    this.waiter?.reject(new OpenError('closed', false));
    this.waiter = null;
    this.stream?.close();
  }
}
