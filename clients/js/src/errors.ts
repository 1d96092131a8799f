/**
 * The one error type the package throws: a {@link NanomitterError} with a `code` saying what
 * went wrong.
 *
 * Owns: the error class, its codes, and how a message names a value that was refused. Must not
 * decide when an error is thrown.
 */

/** What went wrong; the README's table says when each is thrown. */
export type NanomitterErrorCode =
  | 'InvalidSetting'
  | 'InvalidArgument'
  | 'InvalidTopic'
  | 'Encode'
  | 'Malformed'
  | 'EventTooLarge'
  | 'Overflow'
  | 'Closed'
  | 'Unreachable'
  | 'Refused'
  | 'AuthFailed'
  | 'Forbidden'
  | 'Unsupported'
  | 'Timeout';

export class NanomitterError extends Error {
  constructor(
    readonly code: NanomitterErrorCode,
    message: string,
    /**
     * Which case of the code: with `Refused`, why the hub refused this client or this client the
     * hub (a `RefusalReason`); with `Malformed` from the wire decoder, what was wrong.
     */
    readonly reason: string | null = null,
  ) {
    super(message);
    this.name = 'NanomitterError';
  }
}

/** A refused value as a message names it, for any value (a symbol or a bigint too). */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      return value.constructor?.name && value.constructor !== Object ? `a ${value.constructor.name}` : 'an object';
    default:
      return String(value);
  }
}
