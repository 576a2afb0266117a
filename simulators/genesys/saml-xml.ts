import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

/** DOM helpers for SAML verification: a parser that refuses DTDs and errors, and namespace-exact lookups. */

/** A refused SAML message: 400 for what cannot be read, 403 for what is read but not trusted. */
export class SamlError extends Error {
  constructor(
    readonly status: 400 | 403,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseXml(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new SamlError(400, 'saml.malformed', 'DTDs and entity declarations are not allowed.');
  try {
    return new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (err) {
    throw new SamlError(400, 'saml.malformed', `The XML cannot be parsed: ${(err as Error).message}`);
  }
}

export function children(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local)
      out.push(n as Element);
  }
  return out;
}

export const child = (el: Element, ns: string, local: string) => children(el, ns, local)[0];

function toArray(list: { length: number; item(i: number): Element | null }): Element[] {
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  return out;
}

export function descendants(doc: Document | Element, ns: string, local: string): Element[] {
  return toArray(doc.getElementsByTagNameNS(ns, local));
}

export const text = (el: Element | undefined) => (el?.textContent ?? '').trim();

export function countIds(doc: Document, id: string): number {
  let n = 0;
  for (const el of toArray(doc.getElementsByTagName('*'))) {
    for (const name of ['ID', 'Id', 'id']) if (el.getAttribute(name) === id) n++;
  }
  return n;
}
