import { NeupushError, type FieldIssue, type NeupushErrorOptions } from '../../shared/errors.js';

/** An answer the API decided on: status, message, and for 400 the failing fields. */
export class HttpError extends NeupushError {
  readonly statusCode: number;
  readonly issues: readonly FieldIssue[] | undefined;
  constructor(statusCode: number, message: string, issues?: readonly FieldIssue[], options?: NeupushErrorOptions) {
    super(message, `ERR_HTTP_${statusCode}`, options);
    this.statusCode = statusCode;
    this.issues = issues;
  }
}
