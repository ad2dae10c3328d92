// Canonical document encoding over raw bytes (identical to the Python pipeline):
// split after every 0x0A; inside a piece, well-formed UTF-8 runs go through the byte-level
// BPE tokenizer (no special tokens added), each ill-formed byte becomes the token of its
// GPT-2 byte character. Decoding inverts the byte-level mapping, so any bytes round-trip.
import * as fs from 'node:fs';
import { LRUCache } from 'lru-cache';
import type { Tokenizer as TokenizerT } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };

// The package is ESM with a CommonJS build ("node.require" export); this CommonJS project
// loads that build. Types come from the package's ESM typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: typeof TokenizerT };
import { utf8Runs, lineStarts } from './utf8';

/** GPT-2's bytes_to_unicode table: byte -> printable character. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let c = 0x21; c <= 0x7e; c++) bs.push(c);
  for (let c = 0xa1; c <= 0xac; c++) bs.push(c);
  for (let c = 0xae; c <= 0xff; c++) bs.push(c);
  const table: string[] = new Array(256);
  for (const b of bs) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) { table[b] = String.fromCodePoint(256 + n); n++; }
  }
  return table;
}

interface TokenizerJson {
  model: { vocab: Record<string, number> };
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/**
 * The library's BPE word cache is an LRU that re-inserts into a Map on every hit; measured on
 * this machine that made up ~45% of encode time (0.4 MB/s). A bounded Map without reordering
 * (cleared when full) gives the same results faster. Only applied when the internals look as
 * expected (get/put/clear); otherwise the library's own cache stays.
 */
function speedUpWordCache(tok: TokenizerT, capacity = 200_000): void {
  const model = tok.model as unknown as { cache?: { get?: unknown; put?: unknown; clear?: unknown } } | null;
  const c = model?.cache;
  if (!model || !c || typeof c.get !== 'function' || typeof c.put !== 'function' || typeof c.clear !== 'function') return;
  const map = new Map<string, unknown>();
  model.cache = {
    get: (k: string) => map.get(k),
    put: (k: string, v: unknown) => { if (map.size >= capacity) map.clear(); map.set(k, v); },
    clear: () => map.clear(),
  };
}

export class DocTokenizer {
  private readonly tok: TokenizerT;
  /** id -> bytes it stands for (lazily filled). */
  private readonly idBytes: (Uint8Array | undefined)[];
  private readonly idStrings: string[];
  private readonly added = new Map<number, string>();
  private readonly byteIds = new Int32Array(256);
  private readonly charToByte = new Map<string, number>();
  private readonly lineCache: LRUCache<string, Int32Array>;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });
  /** Every prefix of every ordinary token's bytes (latin1 keys), built on first use. */
  private tokenPrefixes?: Set<string>;
  lineCacheHits = 0;
  lineCacheMisses = 0;

  constructor(json: TokenizerJson, readonly vocabSize: number, lineCacheIds = 4_000_000) {
    this.tok = new Tokenizer(json, {});
    speedUpWordCache(this.tok);
    const table = bytesToUnicode();
    table.forEach((ch, b) => this.charToByte.set(ch, b));
    this.idStrings = [];
    for (const [s, id] of Object.entries(json.model.vocab)) this.idStrings[id] = s;
    for (const a of json.added_tokens ?? []) { this.added.set(a.id, a.content); this.idStrings[a.id] = a.content; }
    this.idBytes = new Array(Math.max(vocabSize, this.idStrings.length));
    for (let b = 0; b < 256; b++) {
      const id = json.model.vocab[table[b]];
      if (id === undefined) throw new Error(`tokenizer.json: byte-level vocab lacks the character for byte ${b}`);
      this.byteIds[b] = id;
    }
    this.lineCache = new LRUCache<string, Int32Array>({
      maxSize: lineCacheIds,
      sizeCalculation: (v) => Math.max(1, v.length),
    });
  }

  static fromFile(file: string, vocabSize: number): DocTokenizer {
    let json: TokenizerJson;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8')) as TokenizerJson;
    } catch (e) {
      throw new Error(`${file}: cannot read tokenizer (${(e as Error).message})`);
    }
    if (!json?.model?.vocab) throw new Error(`${file}: not a byte-level BPE tokenizer.json (no model.vocab)`);
    return new DocTokenizer(json, vocabSize);
  }

  /** Token id of a single raw byte (the GPT-2 byte character). */
  byteId(b: number): number { return this.byteIds[b]; }

  /** Encodes one piece (a line with its newline, or the last piece) canonically. */
  encodePiece(piece: Uint8Array): number[] {
    const out: number[] = [];
    for (const r of utf8Runs(piece)) {
      if (r.valid) {
        const text = Buffer.from(piece.buffer, piece.byteOffset + r.start, r.end - r.start).toString('utf8');
        const ids = this.tok.encode(text, { add_special_tokens: false }).ids;
        for (const id of ids) out.push(id);
      } else {
        out.push(this.byteIds[r.byte]);
      }
    }
    return out;
  }

  /** encodePiece through the content-keyed line cache (lines repeat across versions and files). */
  encodeLine(piece: Uint8Array): Int32Array {
    const key = latin1(piece);
    const hit = this.lineCache.get(key);
    if (hit) { this.lineCacheHits++; return hit; }
    this.lineCacheMisses++;
    const ids = Int32Array.from(this.encodePiece(piece));
    this.lineCache.set(key, ids);
    return ids;
  }

  /** Canonical encoding of a whole byte string. */
  encodeBytes(bytes: Uint8Array, useCache = true): Int32Array {
    const starts = lineStarts(bytes);
    const parts: ArrayLike<number>[] = [];
    let total = 0;
    for (let i = 0; i < starts.length; i++) {
      const end = i + 1 < starts.length ? starts[i + 1] : bytes.length;
      const piece = bytes.subarray(starts[i], end);
      const ids = useCache ? this.encodeLine(piece) : this.encodePiece(piece);
      parts.push(ids);
      total += ids.length;
    }
    const out = new Int32Array(total);
    let o = 0;
    for (const p of parts) { out.set(p as ArrayLike<number>, o); o += p.length; }
    return out;
  }

  encodeText(text: string): Int32Array {
    return this.encodeBytes(Buffer.from(text, 'utf8'));
  }

  /** Bytes a token stands for: special/added tokens give their content as UTF-8. */
  tokenBytes(id: number): Uint8Array {
    const cached = this.idBytes[id];
    if (cached) return cached;
    let out: Uint8Array;
    const s = this.idStrings[id];
    if (s === undefined) out = new Uint8Array(0);
    else if (this.added.has(id)) out = Buffer.from(s, 'utf8');
    else {
      const bytes: number[] = [];
      for (const ch of s) {
        const b = this.charToByte.get(ch);
        if (b === undefined) for (const x of Buffer.from(ch, 'utf8')) bytes.push(x);
        else bytes.push(b);
      }
      out = Uint8Array.from(bytes);
    }
    this.idBytes[id] = out;
    return out;
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    let n = 0;
    for (let i = 0; i < ids.length; i++) n += this.tokenBytes(ids[i]).length;
    const out = new Uint8Array(n);
    let o = 0;
    for (let i = 0; i < ids.length; i++) { const b = this.tokenBytes(ids[i]); out.set(b, o); o += b.length; }
    return out;
  }

  /** Text of the ids (ill-formed bytes shown as U+FFFD). */
  decodeText(ids: ArrayLike<number>): string {
    return this.utf8.decode(this.decodeBytes(ids));
  }

  isSpecial(id: number): boolean { return this.added.has(id); }

  /** Whether the bytes begin (or are) some ordinary token: a word cut short by the cursor can still be one token. */
  startsSomeToken(bytes: Uint8Array): boolean {
    if (!this.tokenPrefixes) {
      const set = new Set<string>();
      for (let id = 0; id < this.idStrings.length; id++) {
        if (this.idStrings[id] === undefined || this.added.has(id)) continue;
        const b = this.tokenBytes(id);
        for (let n = 1; n <= b.length; n++) set.add(latin1(b.subarray(0, n)));
      }
      this.tokenPrefixes = set;
    }
    return this.tokenPrefixes.has(latin1(bytes));
  }

  clearLineCache(): void { this.lineCache.clear(); }
}
