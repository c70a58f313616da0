// Request ids: accept a well-formed incoming one, otherwise make a new one.
import { randomUUID } from 'node:crypto';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** A new request id: a random UUID (version 4). */
export function newRequestId(): string {
  return randomUUID();
}

/** The incoming header value when it is 1–128 chars of `[A-Za-z0-9._:-]`, else a new random id. */
export function requestIdFrom(header: string | string[] | undefined): string {
  // A repeated header is ambiguous: take none of them rather than guess.
  if (typeof header === 'string' && WELL_FORMED.test(header)) return header;
  return newRequestId();
}
