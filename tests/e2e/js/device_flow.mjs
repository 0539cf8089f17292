// A device app's flow with WebCrypto P-256 keys (ECDSA signatures in IEEE P1363 form, r‖s), as
// Hyphen's docs describe it: sign up, sign in by challenge, approve a client's operation, then sign a
// second device in with the first one's approval (2FA). Prints each answer as JSON.
//
//   node device_flow.mjs <api base url> <email> <client API key>
import "./approval_digest.js";

const [base, email, apiKey] = process.argv.slice(2);
const { approvalDigest } = globalThis;
const { subtle } = globalThis.crypto;
const ECDSA = { name: "ECDSA", namedCurve: "P-256" };
const hex = (bytes) => Buffer.from(bytes).toString("hex");

async function newDevice(name) {
  const keys = await subtle.generateKey(ECDSA, false, ["sign", "verify"]);
  const raw = new Uint8Array(await subtle.exportKey("raw", keys.publicKey)); // 0x04 ‖ x ‖ y
  return {
    publicKey: hex(raw.slice(1)),
    device: { name, osName: "web", type: "browser" },
    // The UTF-8 bytes of the text, hashed with SHA-256 and signed: WebCrypto answers r‖s.
    sign: async (text) =>
      hex(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, new TextEncoder().encode(text))),
  };
}

async function call(method, path, body, headers = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function approve(device, accessToken, shown, number) {
  const digest = await approvalDigest("approve", shown, number);
  const decided = await call(
    "POST",
    `device/v1/operations/${shown.requestId}/approve`,
    { publicKey: device.publicKey, signature: await device.sign(digest), authType: "biom", number },
    { Authorization: `Bearer ${accessToken}` },
  );
  return { digest, listedDigest: shown.digests.approve, decided };
}

const pendingFor = (accessToken) =>
  call("GET", "device/v1/operations/pending", undefined, { Authorization: `Bearer ${accessToken}` });

const phone = await newDevice("phone");
const signedUp = await call("POST", "auth/v1/signup", {
  method: "test",
  token: email,
  chainName: "flow-testnet",
  userKey: { type: "deviceKey", publicKey: phone.publicKey, device: phone.device },
});
const userId = signedUp.body.account.id;

const challenge = await call("POST", "auth/v1/signin/challenge", { challengeType: "deviceKey", publicKey: phone.publicKey });
const signedIn = await call("POST", "auth/v1/signin/challenge/respond", {
  challengeType: "deviceKey",
  challengeData: challenge.body.challengeData,
  deviceKey: { signature: await phone.sign(challenge.body.challengeData) },
});
const access = signedIn.body.credentials.accessToken;

const operationId = `order-${Date.now()}`;
const created = await call(
  "POST",
  `v2/users/${userId}/operations`,
  { operationId, operationPayload: "Pay 10 EUR to Bob" },
  { "X-Api-Key": apiKey },
);
const listed = await pendingFor(access);
const operationApproval = await approve(phone, access, listed.body.operations[0]);
const keyless = await call("GET", `v2/operations/${operationId}`, undefined, { "X-Api-Key": apiKey });

const laptop = await newDevice("laptop");
const twoFactor = await call("POST", "auth/v1/signin/2fa", {
  request: { method: "test", token: email, chainName: "flow-testnet" },
  userKey: { type: "deviceKey", publicKey: laptop.publicKey, device: laptop.device },
});
const finishBody = {
  twoFactorAuthRequestId: twoFactor.body.twoFactorAuth.id,
  signature: await laptop.sign(twoFactor.body.challengeData),
};
const whilePending = await call("POST", "auth/v1/signin/2fa/finish", finishBody);
const shownToPhone = (await pendingFor(access)).body.operations.find((op) => op.purpose === "device.signin");
// The person reads the number on the laptop and types it on the phone.
const deviceApproval = await approve(phone, access, shownToPhone, twoFactor.body.number);
const finished = await call("POST", "auth/v1/signin/2fa/finish", finishBody);
const laptopChallenge = await call("POST", "auth/v1/signin/challenge", { challengeType: "deviceKey", publicKey: laptop.publicKey });
const laptopSignedIn = await call("POST", "auth/v1/signin/challenge/respond", {
  challengeType: "deviceKey",
  challengeData: laptopChallenge.body.challengeData,
  deviceKey: { signature: await laptop.sign(laptopChallenge.body.challengeData) },
});

console.log(
  JSON.stringify({
    userId,
    phone: phone.publicKey,
    laptop: laptop.publicKey,
    signedUp,
    signedIn,
    created,
    listed,
    operationApproval,
    keyless,
    twoFactor,
    whilePending,
    shownToPhone,
    deviceApproval,
    finished,
    laptopSignedIn,
  }),
);
