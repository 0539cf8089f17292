// A client back end's round trip with the typed client, on Node 20: create an operation for a user, read it,
// cancel it. Usage: node examples/operation.mjs <api url> <api key> <user id> <operation id>
import { assentClient, cancelOperation, createOperation, getOperation } from "../dist/index.js";

const [baseUrl, apiKey, userId, operationId] = process.argv.slice(2);
const client = assentClient(baseUrl, { apiKey });

const created = await createOperation({
  client,
  path: { userId },
  body: { operationId, operationPayload: "Pay 25.00 EUR to Example Shop" },
});
const read = await getOperation({ client, path: { operationId } });
const cancelled = await cancelOperation({ client, path: { operationId } });
const again = await cancelOperation({ client, path: { operationId } });

console.log(
  JSON.stringify({
    created: [created.response.status, created.data],
    read: [read.response.status, read.data?.state],
    cancelled: [cancelled.response.status, cancelled.data?.state],
    again: [again.response.status, again.error],
  }),
);
