// Types for otlp-proto-dir.cjs, so the TypeScript tests can use it.
export declare const OTLP_PROTO_MODULE: string;
export declare function otlpProtoDir(): string;
