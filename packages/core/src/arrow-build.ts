/**
 * Rows (plain objects) → an Arrow record batch, one column at a time. Lists of numbers given as
 * typed arrays are copied into one buffer with `set` and described by an offsets array, never
 * pushed value by value: a tokens dataset is 100k rows × 512 ids, and per-value builders cost
 * seconds there. Every other type goes through a small recursive builder; wrong values throw a
 * TooltuneError that names the row and the field path.
 */
import { Data, DataType, Field, makeData, RecordBatch, Schema, Struct, Type, type TypeMap } from "apache-arrow";
import { TooltuneError } from "./errors.js";

type TypedArrayCtor = Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor
  | Uint16ArrayConstructor | Uint32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor;

/** Where we are, for error messages (`rows:12:messages[].tool_calls[].name`), and the arena. */
interface Ctx { where: string; rowOf: (i: number) => number; path: string; arena?: Arena }

/**
 * Scratch memory for the flat value buffers of list<number> columns, reused batch after batch.
 * Why: first-touching fresh memory cost ~5 ms per MB on these machines, rewriting warm memory
 * ~0.1 ms/MB; a tokens row group is ~40 MB of ids. Only for batches that are consumed (copied
 * into wasm) before `reset()`: DatasetWriter resets it after each row group is written.
 */
export class Arena {
  private buffer = new ArrayBuffer(0);
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  alloc(ctor: TypedArrayCtor, length: number): InstanceType<TypedArrayCtor> {
    const start = Math.ceil(this.used / 8) * 8;
    const end = start + length * ctor.BYTES_PER_ELEMENT;
    if (end > this.buffer.byteLength) {
      // views handed out earlier keep the old buffer alive until their batch is gone
      this.buffer = new ArrayBuffer(Math.max(end - start, this.buffer.byteLength * 1.5, 1 << 20));
      this.used = 0;
      return this.alloc(ctor, length);
    }
    this.used = end;
    return new ctor(this.buffer, start, length);
  }
}

export function rowsToBatch(schema: Schema, rows: readonly object[], where = "rows", firstRow = 0, arena?: Arena): RecordBatch {
  const children = schema.fields.map((field) =>
    buildColumn(field, rows.map((r) => (r as Record<string, unknown>)[field.name]), { where, rowOf: (i) => firstRow + i, path: field.name, arena }),
  );
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

function fail(ctx: Ctx, i: number, message: string): never {
  throw new TooltuneError("SCHEMA", `${message} (row ${ctx.rowOf(i)}, field ${ctx.path})`, {
    where: `${ctx.where}:${ctx.rowOf(i)}:${ctx.path}`,
    fix: "make the rows match the dataset's Arrow schema (see arrowSchemas)",
  });
}

/** Validity bitmap (null for no nulls) and null count; nulls in a non-nullable field are errors. */
function validity(field: Field, values: readonly unknown[], ctx: Ctx): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === null || values[i] === undefined) nullCount++;
  if (nullCount === 0) return { nullCount: 0 };
  if (!field.nullable) fail(ctx, values.findIndex((v) => v === null || v === undefined), "null in a non-nullable field");
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) bitmap[i >> 3] |= 1 << (i & 7);
  return { nullBitmap: bitmap, nullCount };
}

function buildColumn(field: Field, values: readonly unknown[], ctx: Ctx): Data {
  const type = field.type as DataType;
  const { nullBitmap, nullCount } = validity(field, values, ctx);
  const base = { type, length: values.length, nullCount, nullBitmap } as const;
  switch (type.typeId) {
    case Type.Utf8: return makeData({ ...base, type, ...utf8Buffers(values, ctx) } as never);
    case Type.Bool: return makeData({ ...base, type, data: boolBits(values, ctx) } as never);
    case Type.Int:
    case Type.Float: return makeData({ ...base, type, data: numbers(type, values, ctx) } as never);
    case Type.List: return buildList(base, type as TypeMap[Type.List], values, ctx);
    case Type.Struct: {
      const children = (type as Struct).children.map((child) =>
        buildColumn(child, values.map((v) => (v == null ? null : (v as Record<string, unknown>)[child.name])), {
          ...ctx, path: `${ctx.path}.${child.name}`,
        }),
      );
      return makeData({ ...base, type: type as Struct, children });
    }
    default: throw new TooltuneError("INTERNAL", `column type ${type} of ${ctx.path} is not supported for writing`);
  }
}

function utf8Buffers(values: readonly unknown[], ctx: Ctx): { valueOffsets: Int32Array; data: Uint8Array } {
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v !== "string") fail(ctx, i, `expected a string, got ${describe(v)}`);
    total += Buffer.byteLength(v, "utf8");
  }
  const data = Buffer.allocUnsafe(total);
  const valueOffsets = new Int32Array(values.length + 1);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "string") at += data.write(v, at, "utf8");
    valueOffsets[i + 1] = at;
  }
  return { valueOffsets, data: new Uint8Array(data.buffer, data.byteOffset, total) };
}

function boolBits(values: readonly unknown[], ctx: Ctx): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) continue;
    if (typeof v !== "boolean") fail(ctx, i, `expected a boolean, got ${describe(v)}`);
    if (v) bits[i >> 3] |= 1 << (i & 7);
  }
  return bits;
}

/** Scalar numbers; int64 columns take bigint (exact) or safe-integer numbers. */
function numbers(type: DataType, values: readonly unknown[], ctx: Ctx): ArrayLike<number | bigint> {
  const out = new (type.ArrayType as { new (n: number): Int32Array | BigInt64Array })(values.length);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) continue;
    if (big) (out as BigInt64Array)[i] = toBigInt(v, ctx, i);
    else if (typeof v === "number") (out as Int32Array)[i] = checkInt(type, v, ctx, i);
    else fail(ctx, i, `expected a number, got ${describe(v)}`);
  }
  return out;
}

function toBigInt(v: unknown, ctx: Ctx, i: number): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  return fail(ctx, i, `expected a bigint or a safe integer for int64, got ${describe(v)}`);
}

function checkInt(type: DataType, v: number, ctx: Ctx, i: number): number {
  if (type.typeId === Type.Int && !Number.isInteger(v)) fail(ctx, i, `expected an integer, got ${v}`);
  return v;
}

type ListBase = { type: DataType; length: number; nullCount: number; nullBitmap?: Uint8Array };

function buildList(base: ListBase, type: TypeMap[Type.List], values: readonly unknown[], ctx: Ctx): Data {
  const childField = type.children[0];
  const childCtx = { ...ctx, path: `${ctx.path}[]` };
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const n = v == null ? 0 : isListLike(v) ? v.length : fail(ctx, i, `expected an array, got ${describe(v)}`);
    valueOffsets[i + 1] = valueOffsets[i] + n;
  }
  const total = valueOffsets[values.length];
  const ctor = childField.type.ArrayType as TypedArrayCtor | undefined;
  let child: Data;
  if (isFlatNumeric(childField) && ctor) {
    // The fast path: one allocation, one `set` per row (typed arrays convert element-wise, plain
    // arrays too); ids outside the type's range would wrap silently, so plain arrays are checked.
    const flat = ctx.arena ? ctx.arena.alloc(ctor, total) : new ctor(total);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as ArrayLike<number> | null | undefined;
      if (v == null) continue;
      if (Array.isArray(v)) checkNumberArray(v, childField, ctx, i);
      flat.set(v as ArrayLike<number>, valueOffsets[i]);
    }
    child = makeData({ type: childField.type, length: total, nullCount: 0, data: flat } as never);
  } else {
    const flat: unknown[] = new Array(total);
    const rowOfChild = new Int32Array(total);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as ArrayLike<unknown> | null;
      if (v == null) continue;
      for (let k = 0; k < v.length; k++) {
        flat[valueOffsets[i] + k] = v[k];
        rowOfChild[valueOffsets[i] + k] = i;
      }
    }
    child = buildColumn(childField, flat, { ...childCtx, rowOf: (j) => ctx.rowOf(rowOfChild[j]) });
  }
  return makeData({ ...base, type, valueOffsets, child } as never);
}

function isFlatNumeric(field: Field): boolean {
  const id = field.type.typeId;
  return !field.nullable && (id === Type.Int || id === Type.Float) && (field.type as { bitWidth?: number }).bitWidth !== 64;
}

function checkNumberArray(v: unknown[], field: Field, ctx: Ctx, row: number): void {
  const t = field.type as { typeId: Type; isSigned?: boolean; bitWidth?: number };
  const lo = t.typeId === Type.Int ? (t.isSigned ? -(2 ** ((t.bitWidth ?? 32) - 1)) : 0) : -Infinity;
  const hi = t.typeId === Type.Int ? 2 ** ((t.bitWidth ?? 32) - (t.isSigned ? 1 : 0)) - 1 : Infinity;
  for (const x of v) {
    if (typeof x !== "number" || x < lo || x > hi || (t.typeId === Type.Int && !Number.isInteger(x))) {
      fail({ ...ctx, path: `${ctx.path}[]` }, row, `expected ${field.type} values, got ${describe(x)}`);
    }
  }
}

function isListLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v} ${typeof v === "object" ? "" : String(v)}`.trim();
}
