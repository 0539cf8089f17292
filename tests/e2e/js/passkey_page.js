// A web page's passkey calls to the Assent API, made with the browser's own WebAuthn (navigator.credentials and
// the WebAuthn Level 3 JSON methods), as a front end makes them. A plain script, loaded into a page the local
// gateway serves, after approval_digest.js; it sets globalThis.passkeyPage.
(() => {
  const call = async (method, path, body, token) => {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const bytesOfHex = (text) => Uint8Array.from(text.match(/../g), (pair) => parseInt(pair, 16));
  const base64url = (bytes) =>
    btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  // What navigator.credentials.get() gives, as the JSON the API takes.
  const assert = async (options) =>
    (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) })).toJSON();

  globalThis.passkeyPage = {
    async signUp(email, name) {
      const asked = await call("POST", "/auth/v1/passkeys/registration-options", { displayName: name });
      const options = PublicKeyCredential.parseCreationOptionsFromJSON(asked.body.options);
      const created = await navigator.credentials.create({ publicKey: options });
      const userKey = { type: "passKey", credential: created.toJSON(), device: { name } };
      return call("POST", "/auth/v1/signup", { method: "test", token: email, chainName: "flow-testnet", userKey });
    },
    // No username: the challenge names no one, and the passkey the person picks answers it.
    async signIn() {
      const asked = await call("POST", "/auth/v1/signin/challenge", { challengeType: "passKey" });
      const credential = await assert(asked.body.publicKey);
      const body = { challengeType: "passKey", challengeData: asked.body.challengeData, passKey: { credential } };
      return call("POST", "/auth/v1/signin/challenge/respond", body);
    },
    pending: (token) => call("GET", "/device/v1/operations/pending", undefined, token),
    // The passkey asserts the 32 bytes of the digest the page computed from what it shows.
    async decide(token, shown, decision) {
      const digest = await approvalDigest(decision, shown);
      const challenge = base64url(bytesOfHex(digest));
      const credential = await assert({ challenge, rpId: location.hostname, userVerification: "required" });
      const path = `/device/v1/operations/${shown.requestId}/${decision}`;
      return call("POST", path, { credential, authType: "biom" }, token);
    },
  };
})();
