import type { RequestHandler } from 'express';

// Defence in depth on top of the page rendering every text with textContent: even an
// injected <script> or inline handler can never run, and the page cannot be framed.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * Sets the security headers on every answer: a strict Content-Security-Policy, `nosniff`
 * and a same-origin referrer policy. Mount it before every route.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
};
