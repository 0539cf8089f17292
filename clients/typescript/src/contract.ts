// What the compiler must refuse: each line below is a mistake a caller could make, and `tsc --strict` fails if
// any of them compiles (an unused @ts-expect-error is itself an error). Not exported; `make test` checks it.
import { assentClient, approveOperation, authorize, createOperation, createWebhook } from "./index.js";

const client = assentClient("http://localhost:3000", { apiKey: "ak_example" });

export async function mistakes(): Promise<void> {
  // @ts-expect-error Keyless names it operationId, not id
  await createOperation({ client, path: { userId: "0A1B" }, body: { id: "order-1" } });
  // @ts-expect-error the user is a path parameter, not a body field
  await createOperation({ client, body: { operationId: "order-1" } });
  await approveOperation({
    client,
    path: { requestId: "cl_1.order-1" },
    // @ts-expect-error authType is "biom" or "pin"
    body: { publicKey: "04ab", signature: "0x00", authType: "face" },
  });
  // @ts-expect-error an event type Assent does not send
  await createWebhook({ client, body: { url: "https://hooks.example.com/", events: ["operation.exploded"] } });
  const answer = await authorize({ client, path: { code: "pay" }, body: { email: "ada@example.com", reference: "r" } });
  if (answer.data) {
    // @ts-expect-error an approval's state has no "finished"
    const finished: boolean = answer.data.result.state === "finished";
    void finished;
  }
}
