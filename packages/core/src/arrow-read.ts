/**
 * Arrow data → plain row values, as CONTRIBUTING.md fixes them: utf8 → string, int8/16/32,
 * uint8/16/32 and floats → number, int64/uint64 → bigint (exact), lists of non-null numbers →
 * typed arrays (views into the batch, no copy), other lists → arrays, struct → plain object,
 * dictionary → its value, nulls → null. Anything rarer falls back to Arrow's own getter.
 */
import { Data, makeVector, RecordBatch, Type, type DataType, type Table } from "apache-arrow";

type Reader = (i: number) => unknown;

export function batchToRows(batch: RecordBatch): Record<string, unknown>[] {
  const names = batch.schema.fields.map((f) => f.name);
  const readers = batch.data.children.map((d) => columnReader(d));
  const rows: Record<string, unknown>[] = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]] = readers[c](i);
    rows[i] = row;
  }
  return rows;
}

export function tableToRows(table: Table): Record<string, unknown>[] {
  return table.batches.flatMap((b) => batchToRows(b));
}

export function columnReader(data: Data): Reader {
  const read = valueReader(data);
  if (data.nullCount === 0) return read;
  return (i) => (data.getValid(i) ? read(i) : null);
}

function valueReader(data: Data): Reader {
  const type = data.type as DataType;
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8: {
      const bytes = data.values as Uint8Array;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const off = data.valueOffsets as Int32Array | BigInt64Array;
      return (i) => buf.toString("utf8", Number(off[i]), Number(off[i + 1]));
    }
    case Type.Int:
    case Type.Float: {
      if ((type as { precision?: number }).precision === 0) break; // float16: Arrow's getter decodes it
      const values = data.values as ArrayLike<number | bigint>;
      return (i) => values[i];
    }
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      const offset = data.offset; // bool values are not sliced by Arrow JS; the bit offset applies
      return (i) => ((bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1) === 1;
    }
    case Type.List:
    case Type.LargeList: return listReader(data);
    case Type.Struct: {
      const fields = (type as { children: { name: string }[] }).children.map((f) => f.name);
      const readers = data.children.map((c) => columnReader(c));
      return (i) => {
        const obj: Record<string, unknown> = {};
        for (let k = 0; k < fields.length; k++) obj[fields[k]] = readers[k](i);
        return obj;
      };
    }
    case Type.Dictionary: {
      const dict = data.dictionary!;
      const indices = data.values as ArrayLike<number | bigint>;
      const chunks = dict.data.length === 1 ? columnReader(dict.data[0]) : (j: number) => plain(dict.get(j));
      return (i) => chunks(Number(indices[i]));
    }
    default: break;
  }
  const vector = makeVector(data);
  return (i) => plain(vector.get(i));
}

function listReader(data: Data): Reader {
  const child = data.children[0];
  const off = data.valueOffsets as Int32Array | BigInt64Array;
  const id = child.type.typeId;
  const precision = (child.type as { precision?: number }).precision;
  if ((id === Type.Int || (id === Type.Float && precision !== 0)) && child.nullCount === 0) {
    const values = child.values as Int32Array; // any typed array; subarray is a view, not a copy
    return (i) => values.subarray(Number(off[i]), Number(off[i + 1]));
  }
  const read = columnReader(child);
  return (i) => {
    const start = Number(off[i]), end = Number(off[i + 1]);
    const out = new Array(end - start);
    for (let k = start; k < end; k++) out[k - start] = read(k);
    return out;
  };
}

/** Arrow's getter values (Vectors, StructRows, Maps) → plain values, for the rare types. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== "object") return v;
  if (ArrayBuffer.isView(v) || v instanceof Date) return v;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  const o = v as { toArray?: () => unknown[]; toJSON?: () => unknown };
  if (typeof o.toArray === "function") {
    const arr = o.toArray();
    return ArrayBuffer.isView(arr) ? arr : Array.from(arr, plain);
  }
  if (typeof o.toJSON === "function") {
    const j = o.toJSON() as Record<string, unknown>;
    return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}
