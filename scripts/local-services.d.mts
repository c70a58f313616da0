// Types for local-services.mjs, so the TypeScript tests can use it.
export declare const SETUP_COMMAND: string;
export declare const MARIADB_SETUP_COMMAND: string;
export declare function missingServices(options?: { mariadb?: boolean }): string[];
export interface LocalServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** With `{ mariadb: true }`: a MariaDB any user reaches without a password. */
  readonly mariadbUrl?: string;
  stop(): Promise<void>;
}
export declare function startServices(options?: { mariadb?: boolean }): Promise<LocalServices>;
