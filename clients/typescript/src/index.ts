// Assent's API, typed from docs/openapi.json: every endpoint as a function (src/generated/sdk.gen.ts) taking
// `{ client, path, query, body }`, and a client bound to one deployment and one caller.
import { createClient, createConfig, type Client } from "./generated/client/index.js";

export * from "./generated/index.js";
export type { Client } from "./generated/client/index.js";

/** Who calls: a client back end with its API key, or a signed-in user with an access token (or no one). */
export interface Caller {
  /** A client's API key: sent as `X-Api-Key` to Keyless and Metasky routes and as `Bearer` to UNLOQ's. */
  apiKey?: string;
  /** A user's access token, or a function that gives the current one (refreshed elsewhere, in one place). */
  accessToken?: string | (() => string | undefined);
}

/** A client for the Assent API at `baseUrl` (the stack's `ApiUrl`, or the local API's address). */
export function assentClient(baseUrl: string, caller: Caller = {}): Client {
  return createClient(
    createConfig({
      baseUrl,
      // Each route names how it is called (the document's security); the generated code asks for the value.
      auth: (scheme) => {
        if (scheme.in === "header" && scheme.name === "X-Api-Key") return caller.apiKey;
        const token = typeof caller.accessToken === "function" ? caller.accessToken() : caller.accessToken;
        return token ?? caller.apiKey;
      },
    }),
  );
}
