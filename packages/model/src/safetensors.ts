// safetensors: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the raw bytes
// (offsets relative to the end of the header). Read F32/F16/BF16 to float32; write F32, F16 or BF16.
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from "node:fs";
import { TooltuneError, verifyInputFileSync } from "@tooltune/core";

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export type StDtype = "F32" | "F16" | "BF16";

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const notSafetensors = (file: string, message: string, cause?: unknown) =>
  new TooltuneError("INPUT", message, { where: file, fix: "give a directory with the safetensors file the format needs (what save_pretrained or the train stage writes)", cause });

/**
 * Read every tensor as float32. A file inside a finished stage output is checked against its
 * manifest first; a missing file, or one whose header or data offsets point past its end
 * (truncated, or not safetensors), is refused with its name rather than read as zeros.
 */
export function readSafetensors(file: string): Map<string, HostTensor> {
  verifyInputFileSync(file);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") throw notSafetensors(file, "no such file");
    throw notSafetensors(file, `cannot read: ${(cause as Error).message}`, cause);
  }
  try {
    const size = fstatSync(fd).size;
    const bad = (what: string) => new TooltuneError("INPUT", `not a complete safetensors file: ${what}`, {
      where: file, fix: "the file is truncated or damaged: save or copy it again (or rerun the stage that wrote it)",
    });
    if (size < 8) throw bad(`it has ${size} bytes, fewer than the 8 of the header length`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const headerLen = lenBuf.readBigUInt64LE(0);
    if (headerLen > BigInt(size - 8)) throw bad(`the header says it is ${headerLen} bytes, the file has ${size - 8} after the length`);
    const headerBuf = Buffer.alloc(Number(headerLen));
    readSync(fd, headerBuf, 0, headerBuf.length, 8);
    let header: Record<string, HeaderEntry>;
    try {
      header = JSON.parse(headerBuf.toString("utf8")) as Record<string, HeaderEntry>;
    } catch {
      throw bad("the header is not JSON");
    }
    const dataBytes = size - 8 - headerBuf.length;
    const out = new Map<string, HostTensor>();
    for (const [name, e] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const [begin, end] = e.data_offsets;
      if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= dataBytes)) {
        throw bad(`${name}'s data_offsets [${begin}, ${end}] point past the end of its ${dataBytes} data bytes`);
      }
      const bytes = Buffer.alloc(end - begin);
      readSync(fd, bytes, 0, end - begin, 8 + headerBuf.length + begin);
      out.set(name, { shape: e.shape, data: toFloat32(bytes, e.dtype, `${file}:${name}`) });
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function toFloat32(bytes: Buffer, dtype: string, where: string): Float32Array {
  const n = bytes.length;
  if (dtype === "F32") {
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n)); // little-endian host
  }
  if (dtype === "BF16") {
    const u32 = new Uint32Array(n / 2);
    for (let i = 0; i < u32.length; i++) u32[i] = bytes.readUInt16LE(i * 2) << 16;
    return new Float32Array(u32.buffer);
  }
  if (dtype === "F16") {
    const out = new Float32Array(n / 2);
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
    return out;
  }
  throw new TooltuneError("INPUT", `dtype ${dtype} is not supported (F32, F16, BF16)`, { where, fix: "convert the checkpoint to one of these (torch: model.to(torch.bfloat16).save_pretrained)" });
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → bfloat16 bits, round to nearest even (as torch does). */
function floatToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return 0x7fc0; // NaN
  return ((b + 0x7fff + ((b >> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, round to nearest even. */
function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let v = mant >> shift;
    if (rest > half || (rest === half && v & 1)) v++;
    return sign | v;
  }
  let v = (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && v & 1)) v++;
  return sign | v;
}

function encode(t: HostTensor, dtype: StDtype): Buffer {
  if (dtype === "F32") return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = Buffer.alloc(t.data.length * 2);
  const conv = dtype === "BF16" ? floatToBf16 : floatToHalf;
  for (let i = 0; i < t.data.length; i++) out.writeUInt16LE(conv(t.data[i]), i * 2);
  return out;
}

export function writeSafetensors(file: string, tensors: Map<string, HostTensor>, dtype: StDtype = "F32", metadata: Record<string, string> = { format: "pt" }): void {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = encode(t, dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8); // the Rust writer pads the header to 8 bytes
  const jsonBuf = Buffer.from(json, "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(jsonBuf.length));
  writeFileSync(file, Buffer.concat([len, jsonBuf, ...chunks]));
}

export function dtypeBytes(dtype: StDtype): number {
  return dtype === "F32" ? 4 : 2;
}
