// "Your keys": every key of the account (name, kind, when made and last used), a passkey added and a key removed,
// each proved by a live key's passkey answering a fresh single-use challenge: an access token alone does neither.
import {
  addPasskey,
  additionChallenge,
  listKeys,
  revocationChallenge,
  revokeKey,
  type Client,
  type KeyView,
} from "../../clients/typescript/src/index.js";
import { assertOver, makePasskey } from "./passkeys.js";

type AsUser = <R extends { response?: Response }>(call: () => Promise<R>) => Promise<R>;

const KINDS: Record<KeyView["type"], string> = {
  passKey: "Passkey",
  deviceKey: "Device key",
  wallet: "Wallet",
  recoveryKey: "Recovery key",
};

const day = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : "never");

/** A passkey's answer to a step-up challenge: an assertion over the challenge's 32 bytes. */
async function proof(challengeData: string): Promise<{ challengeData: string; credential: never } | null> {
  const credential = await assertOver(challengeData);
  return credential ? { challengeData, credential } : null;
}

export function keysPage(client: Client, asUser: AsUser, say: (text: string) => void): { show(): Promise<void> } {
  const list = document.querySelector<HTMLUListElement>("#key-list")!;

  async function show(): Promise<void> {
    const answer = await asUser(() => listKeys({ client }));
    list.replaceChildren(...(answer.data?.keys ?? []).map(row));
  }

  function row(key: KeyView): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "key";
    const name = key.device?.name ?? KINDS[key.type];
    const heading = document.createElement("h3");
    heading.textContent = name;
    const facts = document.createElement("p");
    const used = key.passkey ? `, last used ${day(key.passkey.lastUsedAt)}` : "";
    facts.textContent = `${KINDS[key.type]}, added ${day(key.createdAt)}${used}`;
    item.append(heading, facts);
    if (key.revokedAt) {
      facts.textContent += `; removed ${day(key.revokedAt)}`;
      return item;
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "deny";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${name}`);
    remove.addEventListener("click", () => void removeKey(key, name));
    item.append(remove);
    return item;
  }

  async function removeKey(key: KeyView, name: string): Promise<void> {
    const asked = await asUser(() => revocationChallenge({ client, path: { keyId: key.id } }));
    if (!asked.data) return say(`${name} cannot be removed now.`);
    const proved = await proof(asked.data.challengeData);
    if (!proved) return say("Not removed: no passkey was used.");
    const answer = await asUser(() => revokeKey({ client, path: { keyId: key.id }, body: proved }));
    if (answer.data) say(`${name} is removed; ${answer.data.sessionsEnded} of its sessions ended.`);
    else if (answer.error && "error" in answer.error && answer.error.error === "LAST_KEY")
      say(`${name} is your last key: add another before removing it.`);
    else say(`${name} was not removed.`);
    await show();
  }

  async function addKey(deviceName: string): Promise<void> {
    const asked = await asUser(() => additionChallenge({ client }));
    if (!asked.data) return say("A passkey cannot be added now.");
    // First a live passkey proves it is you; then the new one is made.
    const proved = await proof(asked.data.challengeData);
    if (!proved) return say("Not added: no passkey proved it is you.");
    const credential = await makePasskey(client, deviceName);
    if (!credential) return say("No passkey was made.");
    const answer = await asUser(() =>
      addPasskey({ client, body: { passkey: { credential, device: { name: deviceName } }, proof: proved } }),
    );
    say(answer.data ? `${deviceName} is added.` : "The passkey was not added.");
    await show();
  }

  document.querySelector<HTMLFormElement>("#add-key")!.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = new FormData(event.target as HTMLFormElement).get("name");
    void addKey(String(name || "A passkey"));
  });
  return { show };
}
