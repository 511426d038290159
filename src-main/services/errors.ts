/** Typed errors the engine throws; the dispatcher turns them into ApiError objects. */
import type { ApiErrorCode } from '../../src-shared/contract';

export class ServiceError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string) => new ServiceError('NOT_FOUND', `${what} not found`);
export const invalidInput = (message: string, issues?: { path: string; message: string }[]) =>
  new ServiceError('INVALID_INPUT', message, issues);
