import { describe, expect, it } from 'vitest';
import { isSseError } from '../errors.js';
import { encodeComment, encodeFrame, encodeFrameText } from './frame-encoder.js';

describe('encodeFrame', () => {
  it('writes event, data, id and retry lines and ends with a blank line', () => {
    expect(encodeFrameText({ event: 'chat', data: 'hi', id: 'e-1', retry: 1500 })).toBe(
      'event: chat\ndata: hi\nid: e-1\nretry: 1500\n\n',
    );
  });

  it('splits data on CR, LF and CRLF into one data line each', () => {
    expect(encodeFrameText({ data: 'a\nb\r\nc\rd' })).toBe(
      'data: a\ndata: b\ndata: c\ndata: d\n\n',
    );
    expect(encodeFrameText({ data: '\n' })).toBe('data: \ndata: \n\n');
  });

  it('encodes an empty string as one empty data line', () => {
    expect(encodeFrameText({ data: '' })).toBe('data: \n\n');
  });

  it('keeps NUL and a forged frame inside data as plain data lines', () => {
    expect(encodeFrameText({ data: 'x\n\nevent: evil\ndata: y\0' })).toBe(
      'data: x\ndata: \ndata: event: evil\ndata: data: y\0\n\n',
    );
  });

  it.each([
    ['event', { event: 'a\nb' }],
    ['event', { event: 'a\rb' }],
    ['id', { id: 'a\r\nb' }],
    ['id', { id: 'a\0b' }],
  ])('rejects frame injection through %s', (_field, fields) => {
    let caught: unknown;
    try {
      encodeFrame(fields);
    } catch (error) {
      caught = error;
    }
    expect(isSseError(caught, 'SSE_FRAME_INJECTION')).toBe(true);
  });

  it('rejects a retry that is not a non-negative integer', () => {
    for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => encodeFrame({ retry })).toThrowError(/retry/);
    }
  });

  it('rejects comments with line breaks and encodes an empty comment', () => {
    expect(encodeComment().toString()).toBe(':\n\n');
    expect(encodeComment('ping').toString()).toBe(': ping\n\n');
    expect(() => encodeComment('a\nretry: 1')).toThrowError(/comment/);
  });

  it('produces UTF-8 bytes', () => {
    expect(encodeFrame({ data: 'é🚀' }).equals(Buffer.from('data: é🚀\n\n', 'utf8'))).toBe(true);
  });
});
