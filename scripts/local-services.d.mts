// Types for local-services.mjs, so the TypeScript tests can use it.
export declare const SETUP_COMMAND: string;
export declare function missingServices(): string[];
export interface LocalServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  stop(): Promise<void>;
}
export declare function startServices(): Promise<LocalServices>;
