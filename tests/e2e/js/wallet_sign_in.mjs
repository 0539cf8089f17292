// A front end's wallet sign-in, as one written against Pakt's docs does it: request the message,
// sign it with ethers v6 (`signMessage`, EIP-191), validate, onboard. Prints each answer as JSON.
//
//   node wallet_sign_in.mjs <api base url> <email> [<private key>]
import { Wallet } from "ethers";

const [base, email, privateKey] = process.argv.slice(2);
const wallet = privateKey ? new Wallet(privateKey) : Wallet.createRandom();

async function post(path, body) {
  const response = await fetch(new URL(path, base), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const requested = await post("v1/auth/web3/request", { account: wallet.address });
const signedMessage = await wallet.signMessage(requested.body.data.message);
const validated = await post("v1/auth/web3/validate", {
  signedMessage,
  tempToken: requested.body.data.tempToken.token,
});
let onboarded = null;
if (validated.status === 202 && !validated.body.data.isOnboarded) {
  onboarded = await post("v1/auth/web3/onboard", {
    tempToken: validated.body.data.tempToken.token,
    firstName: "Ada",
    lastName: "Lovelace",
    email,
  });
}
console.log(JSON.stringify({ address: wallet.address, privateKey: wallet.privateKey, requested, validated, onboarded }));
