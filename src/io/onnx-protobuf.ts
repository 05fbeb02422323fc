// A minimal protobuf writer for the ONNX messages the classifier graph uses (onnx.proto field numbers), so shipped code needs no protobuf library.
//
// Field numbers are those of onnx/onnx.proto (IR version 8). Tests decode the output with onnx-proto
// (a devDependency) and load it in onnxruntime-node.

/** Bytes built field by field; nested messages are written to their own writer and embedded. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(value: bigint): void {
    // int64 fields: negative values are their 64-bit two's complement (ten bytes).
    let v = BigInt.asUintN(64, value);
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: 0 | 2): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  /** A varint field (int32, int64, enum). */
  int(field: number, value: number): this {
    this.key(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** onnx.proto field numbers of the messages written. */
export const ONNX_FIELDS = {
  model: {
    irVersion: 1,
    producerName: 2,
    producerVersion: 3,
    docString: 6,
    graph: 7,
    opsetImport: 8,
    metadataProps: 14,
  },
  opset: { domain: 1, version: 2 },
  entry: { key: 1, value: 2 },
  graph: { node: 1, name: 2, initializer: 5, input: 11, output: 12 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5 },
  attribute: { name: 1, i: 3, type: 20 },
  tensor: { dims: 1, dataType: 2, name: 8, rawData: 9 },
  valueInfo: { name: 1, type: 2 },
  type: { tensorType: 1 },
  tensorType: { elemType: 1, shape: 2 },
  shape: { dim: 1 },
  dimension: { value: 1, param: 2 },
} as const;

/** TensorProto.DataType and AttributeProto.AttributeType values used. */
export const ONNX_DATA_TYPE = { float32: 1, uint8: 2, int8: 3, float16: 10 } as const;
export const ONNX_ATTRIBUTE_INT = 2;
