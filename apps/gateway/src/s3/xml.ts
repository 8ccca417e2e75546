/**
 * The little XML S3 speaks: responses built from plain objects, and the few request bodies
 * (DeleteObjects, CompleteMultipartUpload) read with a small parser that knows only elements and text.
 */
import { S3Error } from './errors.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** A child element: text, nested elements, or a list of either (repeated elements); undefined is left out. */
export type XmlValue = string | number | boolean | XmlNode | XmlValue[] | undefined;
export interface XmlNode {
  [name: string]: XmlValue;
}

function render(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => render(name, v)).join('');
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([n, v]) => render(n, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * A whole document with S3's namespace on the root element, except `<Error>`: S3 sends its errors without one,
 * and botocore (boto3, the aws CLI) takes a document for an error only if its root is named plain `Error`:
 * with the namespace it reads an empty error code.
 */
export function xmlDocument(root: string, body: XmlNode): string {
  const inner = Object.entries(body)
    .map(([n, v]) => render(n, v))
    .join('');
  const namespace = root === 'Error' ? '' : ` xmlns="${S3_NAMESPACE}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${namespace}>${inner}</${root}>`;
}

/** A parsed element: its name, its text (entities decoded) and its child elements. */
export interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

/** Parses a small XML document (no DTDs, no CDATA needed by S3 request bodies); bad input is MalformedXML. */
export function parseXml(text: string): XmlElement {
  const src = text
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const root: XmlElement = { name: '', text: '', children: [] };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(src); m; m = tag.exec(src)) {
    stack[stack.length - 1].text += decodeEntities(src.slice(at, m.index));
    at = tag.lastIndex;
    const [, closing, qualified, , selfClosing] = m;
    const name = qualified.replace(/^.*:/, '');
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) throw new S3Error('MalformedXML', 'the XML you provided was not well-formed');
    } else {
      const element: XmlElement = { name, text: '', children: [] };
      stack[stack.length - 1].children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1 || src.slice(at).trim() !== '' || root.children.length !== 1) {
    throw new S3Error('MalformedXML', 'the XML you provided was not well-formed');
  }
  return root.children[0];
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }[e]!;
  });
}
