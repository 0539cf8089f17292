// The generator's settings: docs/openapi.json in, src/generated out. The output is committed; `make test`
// generates it again into ASSENT_CLIENT_OUT and fails on any difference.
import { defineConfig } from "@hey-api/openapi-ts";

export default defineConfig({
  input: "../../docs/openapi.json",
  output: { path: process.env.ASSENT_CLIENT_OUT ?? "src/generated", postProcess: [] },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk"],
});
