import { describe, expect, it } from 'vitest';
import { issuesToFieldErrors, mapFieldErrors } from './field-errors.js';

describe('mapFieldErrors', () => {
  it('puts server errors (body.<field>) on the form fields and keeps the rest aside', () => {
    const mapped = mapFieldErrors(
      [
        { path: 'body.email', message: 'must be a valid email address' },
        { path: 'body.email', message: 'is taken' },
        { path: 'query.page', message: 'must be a number' },
        { path: '', message: 'must change at least one field' },
      ],
      ['email', 'password'],
    );
    expect(mapped.byField).toEqual({ email: 'must be a valid email address; is taken' });
    expect(mapped.other.map((f) => f.path)).toEqual(['query.page', '']);
  });
});

describe('issuesToFieldErrors', () => {
  it('joins zod issue paths the way the server does', () => {
    expect(issuesToFieldErrors([{ path: ['scheduledEnd'], message: 'x' }])).toEqual([
      { path: 'scheduledEnd', message: 'x' },
    ]);
  });
});

describe('mapFieldErrors labels', () => {
  it('names other fields the way the form does', () => {
    const mapped = mapFieldErrors(
      [{ path: 'body.scheduledEnd', message: 'must be after scheduledStart' }],
      ['scheduledEnd'],
      { scheduledStart: 'the start' },
    );
    expect(mapped.byField.scheduledEnd).toBe('must be after the start');
  });
});
