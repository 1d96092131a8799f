/**
 * The one error type the package throws: a {@link NanomitterError} with a `code` saying what
 * went wrong.
 *
 * Owns: the error class and its codes. Must not decide when an error is thrown.
 */

export type NanomitterErrorCode =
  | 'InvalidTopic'
  | 'InvalidSetting'
  | 'Overflow'
  | 'EventTooLarge'
  | 'Closed'
  | 'Unreachable'
  | 'Timeout'
  | 'Encode';

export class NanomitterError extends Error {
  constructor(
    readonly code: NanomitterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NanomitterError';
  }
}
