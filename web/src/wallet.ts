// Signing in with an Ethereum wallet the browser injects (EIP-1193 `window.ethereum`): the wallet signs the
// Sign-In with Ethereum message the API wrote (`personal_sign`), the API checks it, and a new wallet's account is
// made with a name and an e-mail address whose code is then entered.
import {
  verifyAccount,
  web3Onboard,
  web3Request,
  web3Validate,
  type Client,
} from "../../clients/typescript/src/index.js";

interface Eip1193 {
  request(call: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface WalletSession {
  accessToken: string;
  refreshToken: string;
  account: string;
}

export const injectedWallet = (): Eip1193 | undefined => (window as { ethereum?: Eip1193 }).ethereum;

const hexOfText = (text: string): string =>
  "0x" + [...new TextEncoder().encode(text)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

/** The wallet signs in; a wallet already on an account gets its session, a new one the step token onboarding
 * takes (and no session yet). */
export async function signInWithWallet(
  client: Client,
  wallet: Eip1193,
): Promise<{ session: WalletSession } | { onboard: string; account: string } | { refused: string }> {
  const [account] = (await wallet.request({ method: "eth_requestAccounts" })) as string[];
  if (!account) return { refused: "The wallet shared no account." };
  const asked = await web3Request({ client, body: { account } });
  if (!asked.data) return { refused: "The wallet's address was refused." };
  const { message, tempToken } = asked.data.data;
  // EIP-1193 wallets take the message as hex of its UTF-8 bytes, and show it decoded to the person.
  const signedMessage = (await wallet.request({ method: "personal_sign", params: [hexOfText(message), account] })) as string;
  const checked = await web3Validate({ client, body: { signedMessage, tempToken: tempToken.token } });
  if (!checked.data) return { refused: "The wallet's signature was refused." };
  const data = checked.data.data;
  if (!data.isOnboarded) return { onboard: data.tempToken.token, account: data.account };
  return { session: { accessToken: data.tempToken.token, refreshToken: data.refreshToken ?? "", account: data.account } };
}

export async function onboardWallet(
  client: Client,
  stepToken: string,
  account: string,
  person: { firstName: string; lastName: string; email: string },
): Promise<WalletSession | null> {
  const made = await web3Onboard({ client, body: { tempToken: stepToken, ...person } });
  if (!made.data) return null;
  return { accessToken: made.data.data.tempToken.token, refreshToken: made.data.data.refreshToken, account };
}

export async function confirmEmail(client: Client, accessToken: string, code: string): Promise<boolean> {
  const answer = await verifyAccount({ client, body: { tempToken: accessToken, token: code } });
  return Boolean(answer.data);
}
