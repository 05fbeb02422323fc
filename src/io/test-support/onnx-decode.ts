// Test helper: decodes ONNX bytes with onnx-proto (a devDependency), independently of the writer in src/io/onnx-protobuf.ts.
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

export function decodeOnnxModel(bytes: Uint8Array): Onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** metadata_props as a record. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const entries = decodeOnnxModel(bytes).metadataProps.map((p): [string, string] => [
    p.key ?? '',
    p.value ?? '',
  ]);
  return Object.fromEntries(entries);
}
