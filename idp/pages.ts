/** The IdP's HTML: plain pages, no external resources, every value escaped. */

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const shell = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title>` +
  `<style>body{font-family:sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0}input{width:100%;padding:.4rem}` +
  `.error{color:#a00;border:1px solid #a00;padding:.6rem}button{margin-top:1rem;padding:.5rem 1.2rem}</style></head><body>${body}</body></html>`;

export function signInPage(p: { org: string; pending: string; csrf: string; error?: string; userId?: string }): string {
  return shell(
    'Sign in with PureConnect',
    `<h1>Sign in to ${esc(p.org)}</h1><p>Use your PureConnect (CIC) user name and password.</p>` +
      (p.error ? `<p class="error" role="alert" id="error">${esc(p.error)}</p>` : '') +
      `<form method="post" action="/saml/signin" autocomplete="off">` +
      `<input type="hidden" name="pending" value="${esc(p.pending)}"><input type="hidden" name="csrf" value="${esc(p.csrf)}">` +
      `<label>CIC user name <input name="username" id="username" required maxlength="256" value="${esc(p.userId ?? '')}"></label>` +
      `<label>Password <input name="password" id="password" type="password" required maxlength="1024"></label>` +
      `<button type="submit" id="submit">Sign in</button></form>`,
  );
}

/** The HTTP-POST binding: a form the browser posts to the ACS by itself (a button when scripts are off). */
export function autoPostPage(p: { acsUrl: string; samlResponse: string; relayState?: string; nonce: string }): string {
  return shell(
    'Signing in…',
    `<form method="post" action="${esc(p.acsUrl)}" id="saml">` +
      `<input type="hidden" name="SAMLResponse" value="${esc(p.samlResponse)}">` +
      (p.relayState ? `<input type="hidden" name="RelayState" value="${esc(p.relayState)}">` : '') +
      `<noscript><button type="submit">Continue to Genesys Cloud</button></noscript></form>` +
      `<script nonce="${p.nonce}">document.getElementById('saml').submit()</script>`,
  );
}

export function messagePage(title: string, text: string): string {
  return shell(title, `<h1>${esc(title)}</h1><p class="error" role="alert" id="error">${esc(text)}</p>`);
}
