// The browser's WebAuthn, as every screen uses it: a new passkey made from the API's registration options, and
// an assertion over the bytes of a hex value (a challenge, an approval's digest, a recovery id).
import { registrationOptions, type Client } from "../../clients/typescript/src/index.js";
import { base64url, bytesOfHex } from "./digest.js";

/** A new passkey for `displayName`, as the JSON the API takes (RegistrationResponseJSON); null if none was made. */
export async function makePasskey(client: Client, displayName: string): Promise<never | null> {
  const asked = await registrationOptions({ client, body: { displayName } });
  if (!asked.data) return null;
  const created = (await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(asked.data.options as never),
  })) as PublicKeyCredential | null;
  return created ? (created.toJSON() as never) : null;
}

/** A passkey's assertion whose challenge is the bytes `hex` stands for (AuthenticationResponseJSON); null if
 * the person used none. */
export async function assertOver(hex: string): Promise<never | null> {
  const credential = (await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON({
      challenge: base64url(bytesOfHex(hex)),
      rpId: location.hostname,
      userVerification: "required",
    }),
  })) as PublicKeyCredential | null;
  return credential ? (credential.toJSON() as never) : null;
}
