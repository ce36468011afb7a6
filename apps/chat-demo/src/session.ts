import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'chat_session';
const MAX_AGE_S = 7 * 24 * 3600;

/**
 * Signed, stateless sessions: the cookie is `base64url(json).base64url(hmac)`. Any
 * instance holding the same secret can verify it, so a reconnect may land anywhere.
 */
export interface SessionCodec {
  /** The `Set-Cookie` value for `user`. */
  issue(user: string): string;
  /** The user of a valid, unexpired cookie header, else `undefined`. */
  read(cookieHeader: string | undefined): string | undefined;
}

/**
 * Creates the codec.
 * @param secret - HMAC-SHA256 key; every instance must share it.
 * @param secure - add the `Secure` attribute (behind HTTPS).
 * @returns the codec.
 */
export function createSessions(secret: string, secure = false): SessionCodec {
  const sign = (body: string): string =>
    createHmac('sha256', secret).update(body).digest('base64url');
  return {
    issue(user) {
      const body = Buffer.from(
        JSON.stringify({ u: user, exp: Math.floor(Date.now() / 1000) + MAX_AGE_S }),
      ).toString('base64url');
      const value = `${body}.${sign(body)}`;
      return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_S}${secure ? '; Secure' : ''}`;
    },
    read(cookieHeader) {
      const raw = cookieValue(cookieHeader, SESSION_COOKIE);
      if (!raw) return undefined;
      const dot = raw.indexOf('.');
      if (dot <= 0) return undefined;
      const body = raw.slice(0, dot);
      const given = Buffer.from(raw.slice(dot + 1), 'base64url');
      const expected = Buffer.from(sign(body), 'base64url');
      // Constant-time compare: a timing oracle must not reveal the signature byte by byte.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
          u?: unknown;
          exp?: unknown;
        };
        if (typeof parsed.u !== 'string' || typeof parsed.exp !== 'number') return undefined;
        if (parsed.exp < Date.now() / 1000) return undefined;
        return parsed.u;
      } catch {
        return undefined;
      }
    },
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
