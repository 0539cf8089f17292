// The approver: sign in with a passkey, see every request waiting for you as exactly what you approve, and
// approve or deny it with your passkey. It calls the API only through the generated client.
import {
  approveOperation,
  assentClient,
  denyOperation,
  finishTwoFactor,
  pendingApprovals,
  refresh,
  requestTwoFactor,
  signInChallenge,
  signInRespond,
  signUp,
  type PendingApproval,
} from "../../clients/typescript/src/index.js";
import { approvalDigest } from "./digest.js";
import { assertOver, makePasskey } from "./passkeys.js";
import { describe, timeLeft } from "./display.js";
import { keysPage } from "./keys.js";
import { recoveryScreens } from "./recovery.js";
import { confirmEmail, injectedWallet, onboardWallet, signInWithWallet } from "./wallet.js";

// The session lives in memory only: a reload or a closed tab signs out. Tokens in localStorage would be
// readable by any script the page ever runs (docs/approver.md).
interface Session {
  accessToken: string;
  refreshToken: string;
  userId: string;
}
let session: Session | null = null;

// The API's URL: the page's own origin (the local API serves both), or, where the page is hosted apart (S3
// behind CloudFront, docs/approver.md), the `apiUrl` of the config.json deployed beside it.
const api = await apiUrl();
const anyone = assentClient(api);
const signedIn = assentClient(api, { accessToken: () => session?.accessToken });

async function apiUrl(): Promise<string> {
  const config = await fetch("/config.json").catch(() => undefined);
  if (config?.ok && config.headers.get("content-type")?.includes("json")) {
    const { apiUrl } = (await config.json()) as { apiUrl?: string };
    if (apiUrl) return apiUrl.replace(/\/$/, "");
  }
  return location.origin;
}

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;
const say = (text: string): void => {
  $("#status").textContent = text;
};

/** A call as the signed-in user; on 401 the refresh token is rotated once, here and only here, and the call made
 * again. A refresh refused (the session was ended elsewhere) signs out. */
async function asUser<R extends { response?: Response }>(call: () => Promise<R>): Promise<R> {
  const first = await call();
  if (first.response?.status !== 401 || session === null) return first;
  const renewed = await refresh({ client: anyone, body: { refreshToken: session.refreshToken } });
  if (!renewed.data) {
    signOut("Your session ended. Sign in again.");
    return first;
  }
  session = { ...session, ...renewed.data.credentials };
  return call();
}

async function createPasskeyAccount(email: string, deviceName: string): Promise<void> {
  const credential = await makePasskey(anyone, email);
  if (!credential) return say("No passkey was made.");
  const answer = await signUp({
    client: anyone,
    body: {
      // Locally, the test method vouches for the address; a deployment uses an identity provider's token.
      method: "test",
      token: email,
      chainName: "flow-testnet",
      userKey: { type: "passKey", credential, device: { name: deviceName } },
    },
  });
  if (!answer.data) return say("Sign-up refused: " + JSON.stringify(answer.error));
  start(answer.data.credentials, answer.data.account.id);
}

async function signInWithPasskey(): Promise<void> {
  const asked = await signInChallenge({ client: anyone, body: { challengeType: "passKey" } });
  if (!asked.data?.publicKey) return say("Could not start signing in.");
  const options = PublicKeyCredential.parseRequestOptionsFromJSON(asked.data.publicKey as never);
  const credential = (await navigator.credentials.get({ publicKey: options })) as PublicKeyCredential | null;
  if (!credential) return say("No passkey was used.");
  const answer = await signInRespond({
    client: anyone,
    body: {
      challengeType: "passKey",
      challengeData: asked.data.challengeData,
      passKey: { credential: credential.toJSON() as never },
    },
  });
  if (!answer.data) return say("Sign-in refused.");
  start(answer.data.credentials, answer.data.account.id);
}

/** A new device asks one already signed in to let it in: it makes its passkey, shows the number the other
 * device must enter, and once approved proves the passkey over the request's challenge to get its session. */
async function addThisDevice(email: string, deviceName: string): Promise<void> {
  const made = await makePasskey(anyone, email);
  if (!made) return say("No passkey was made.");
  const requested = await requestTwoFactor({
    client: anyone,
    body: {
      request: { method: "test", token: email },
      userKey: { type: "passKey", credential: made, device: { name: deviceName } },
    },
  });
  if (!requested.data) return say("The request could not be made: is the address right?");
  const { twoFactorAuth, challengeData, number } = requested.data;
  $("#new-device").hidden = true;
  $("#waiting").hidden = false;
  $("#number").textContent = number;
  say("Waiting for your other device.");
  $("#continue").onclick = async () => {
    const credential = await assertOver(challengeData);
    if (!credential) return say("No passkey was used.");
    const finished = await finishTwoFactor({
      client: anyone,
      body: { twoFactorAuthRequestId: twoFactorAuth.id, credential },
    });
    const refusal = finished.error && "error" in finished.error ? finished.error.error : undefined;
    if (finished.data) {
      $("#waiting").hidden = true;
      $("#new-device").hidden = false;
      start(finished.data.credentials, finished.data.account.id);
    } else if (refusal === "TWO_FACTOR_PENDING") say("Not approved yet: approve it on your other device first.");
    else if (refusal === "TWO_FACTOR_DENIED") say("Your other device denied this device.");
    else say("The request has expired: ask again.");
  };
}

async function walletSignIn(): Promise<void> {
  const wallet = injectedWallet();
  if (!wallet) return say("No wallet was found in this browser.");
  const outcome = await signInWithWallet(anyone, wallet);
  if ("refused" in outcome) return say(outcome.refused);
  if ("session" in outcome) return start(outcome.session, outcome.session.account);
  say("This wallet has no account yet.");
  const form = $<HTMLFormElement>("#wallet-onboard");
  form.hidden = false;
  form.onsubmit = async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const person = {
      firstName: String(fields.get("firstName")),
      lastName: String(fields.get("lastName")),
      email: String(fields.get("email")),
    };
    const session = await onboardWallet(anyone, outcome.onboard, outcome.account, person);
    if (!session) return say("The account could not be made.");
    form.hidden = true;
    askForCode(session);
  };
}

/** A new wallet's account is signed in at once; its e-mail address counts only once its code is entered. */
function askForCode(session: { accessToken: string; refreshToken: string; account: string }): void {
  const form = $<HTMLFormElement>("#email-code");
  form.hidden = false;
  say("We e-mailed you a code: enter it to confirm your address.");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const code = String(new FormData(form).get("code")).trim();
    if (!(await confirmEmail(anyone, session.accessToken, code))) return say("That code is not right.");
    form.hidden = true;
    start(session, session.account);
  };
}

function start(credentials: { accessToken: string; refreshToken: string }, userId: string): void {
  session = { ...credentials, userId };
  $("#welcome").hidden = true;
  $("#approvals").hidden = false;
  $("#keys").hidden = false;
  $("#sign-out").hidden = false;
  void keys.show();
  $("#who").textContent = `Signed in: account ${userId}`;
  say("");
  poll.now();
}

function signOut(reason = "Signed out."): void {
  session = null;
  poll.stop();
  $("#welcome").hidden = false;
  $("#approvals").hidden = true;
  $("#keys").hidden = true;
  $("#sign-out").hidden = true;
  $("#who").textContent = "";
  $("#approval-list").replaceChildren();
  say(reason);
}

/** New requests appear without a reload: the list is read every 2 s, backing off to 20 s while nothing changes,
 * and at once when the page is shown again. */
const poll = (() => {
  let timer: number | undefined;
  let delay = 2000;
  let seen = "";
  const read = async (): Promise<void> => {
    timer = undefined;
    if (session === null) return;
    const answer = await asUser(() => pendingApprovals({ client: signedIn }));
    const operations = answer.data?.operations ?? [];
    const ids = operations.map((op) => op.requestId).join(",");
    delay = ids === seen ? Math.min(delay * 1.5, 20000) : 2000;
    seen = ids;
    render(operations);
    if (session !== null && !document.hidden) timer = window.setTimeout(read, delay);
  };
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && session !== null) poll.now();
  });
  return {
    now(): void {
      if (timer !== undefined) window.clearTimeout(timer);
      delay = 2000;
      void read();
    },
    stop(): void {
      if (timer !== undefined) window.clearTimeout(timer);
      timer = undefined;
      seen = "";
    },
  };
})();

const cards = new Map<string, HTMLElement>();

function render(operations: PendingApproval[]): void {
  const list = $("#approval-list");
  const live = new Set(operations.map((op) => op.requestId));
  for (const [id, card] of cards) {
    // A decided card keeps its outcome on screen; one that left the list otherwise (expired, cancelled) goes.
    if (!live.has(id) && !card.dataset.decided) {
      card.remove();
      cards.delete(id);
    }
  }
  for (const operation of operations) {
    const card = cards.get(operation.requestId) ?? list.appendChild(newCard(operation));
    cards.set(operation.requestId, card);
    card.querySelector(".time-left")!.textContent = timeLeft(operation.expiresAt);
  }
  $("#approvals-empty").hidden = operations.length > 0 || cards.size > 0;
}

function newCard(operation: PendingApproval): HTMLElement {
  const template = $<HTMLTemplateElement>("#approval-card");
  const card = (template.content.firstElementChild as HTMLElement).cloneNode(true) as HTMLElement;
  const shown = describe(operation);
  card.dataset.requestId = operation.requestId;
  card.querySelector(".title")!.textContent = shown.title;
  card.querySelector(".asker")!.textContent = `Asked by ${operation.clientName}`;
  card.querySelector(".message")!.textContent = shown.message;
  const details = card.querySelector(".details")!;
  for (const [term, value] of shown.details) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    details.append(dt, dd);
  }
  const approve = card.querySelector<HTMLButtonElement>(".approve")!;
  const deny = card.querySelector<HTMLButtonElement>(".deny")!;
  approve.textContent = shown.approve;
  deny.textContent = shown.deny;
  approve.setAttribute("aria-label", `${shown.approve}: ${shown.title}`);
  deny.setAttribute("aria-label", `${shown.deny}: ${shown.title}`);
  const numberBox = card.querySelector<HTMLElement>(".number")!;
  const number = numberBox.querySelector("input")!;
  numberBox.hidden = !operation.numberMatching;
  approve.addEventListener("click", () => void decide(card, operation, "approve", number.value.trim()));
  deny.addEventListener("click", () => void decide(card, operation, "deny"));
  return card;
}

async function decide(
  card: HTMLElement,
  operation: PendingApproval,
  decision: "approve" | "deny",
  number?: string,
): Promise<void> {
  const outcome = card.querySelector(".outcome")!;
  const entered = decision === "approve" && operation.numberMatching ? number : undefined;
  if (decision === "approve" && operation.numberMatching && !/^[0-9]{2}$/.test(entered ?? "")) {
    outcome.textContent = "Enter the two digits shown where you started this.";
    return;
  }
  // The passkey signs the digest of exactly what this card shows (and the number typed), computed here.
  const credential = await assertOver(await approvalDigest(decision, operation, entered));
  if (!credential) {
    outcome.textContent = "Not decided: no passkey was used.";
    return;
  }
  const body = {
    credential,
    authType: "biom" as const,
    ...(entered !== undefined ? { number: entered } : {}),
  };
  const options = { client: signedIn, path: { requestId: operation.requestId }, body };
  const answer = await asUser(() => (decision === "approve" ? approveOperation(options) : denyOperation(options)));
  card.dataset.decided = "true";
  for (const button of card.querySelectorAll("button")) button.disabled = true;
  const refusal = answer.error && "error" in answer.error ? answer.error.error : undefined;
  if (answer.data?.state === "approved") outcome.textContent = "Approved.";
  else if (answer.data?.state === "denied") outcome.textContent = "Denied.";
  else if (refusal === "NUMBER_MISMATCH")
    // The request is denied for good: a guessed number must not get a second try.
    outcome.textContent = "Denied: the number you entered did not match. Start again where you asked.";
  else outcome.textContent = "This request could not be decided: it was decided, cancelled or expired already.";
}

const keys = keysPage(signedIn, asUser, say);
recoveryScreens(anyone, say, start);

$("#sign-up").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  void createPasskeyAccount(String(form.get("email")), String(form.get("device")));
});
$("#sign-in").addEventListener("click", () => void signInWithPasskey());
$("#wallet-sign-in").hidden = injectedWallet() === undefined;
$("#wallet-sign-in").addEventListener("click", () => void walletSignIn());
$("#new-device").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  void addThisDevice(String(form.get("email")), String(form.get("device")));
});
$("#sign-out").addEventListener("click", () => signOut());
