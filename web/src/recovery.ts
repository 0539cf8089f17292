// Recovering an account on a new device after every other one is lost: this browser's passkey is made, the
// e-mailed code confirms it, and the account is this device's once the cooling-off ends, or sooner if one of the
// account's devices approves with the number shown here (any of them can deny it instead).
import { confirmRecovery, finishRecovery, recover, type Client } from "../../clients/typescript/src/index.js";
import { assertOver, makePasskey } from "./passkeys.js";

type Credentials = { accessToken: string; refreshToken: string };
type SignedIn = (credentials: Credentials, userId: string) => void;

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

export function recoveryScreens(client: Client, say: (text: string) => void, signedIn: SignedIn): void {
  $<HTMLFormElement>("#recover").addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = new FormData(event.target as HTMLFormElement);
    void begin(String(fields.get("email")), String(fields.get("device")));
  });

  async function begin(email: string, deviceName: string): Promise<void> {
    const credential = await makePasskey(client, email);
    if (!credential) return say("No passkey was made.");
    const started = await recover({
      client,
      body: { email, userKey: { type: "passKey", credential, device: { name: deviceName } } },
    });
    if (!started.data) return say("The recovery could not start.");
    const { recoveryId } = started.data;
    // The same answer whether or not the address has an account: only an account's address gets a code.
    say("If this address has an account, we e-mailed it a recovery code.");
    $("#recover").hidden = true;
    const form = $<HTMLFormElement>("#recover-code");
    form.hidden = false;
    form.onsubmit = async (submitted) => {
      submitted.preventDefault();
      const code = String(new FormData(form).get("code")).trim();
      const credential = await assertOver(recoveryId);
      if (!credential) return say("No passkey was used.");
      const confirmed = await confirmRecovery({ client, body: { recoveryId, code, credential } });
      if (!confirmed.data) return say("That code is not right, or the recovery has expired.");
      form.hidden = true;
      coolingOff(recoveryId, confirmed.data);
    };
  }

  function coolingOff(recoveryId: string, confirmed: { availableAt: string; challengeData: string; number: string }): void {
    $("#cooling-off").hidden = false;
    $("#cooling-off-text").textContent =
      `Your account will be recovered on this device at ${new Date(confirmed.availableAt).toLocaleString()}. ` +
      "If you still have a device signed in, approve the recovery there with this number to finish now:";
    $("#recover-number").textContent = confirmed.number;
    say("");
    $("#recover-finish").onclick = async () => {
      const credential = await assertOver(confirmed.challengeData);
      if (!credential) return say("No passkey was used.");
      const finished = await finishRecovery({ client, body: { recoveryId, credential } });
      const refusal = finished.error && "error" in finished.error ? finished.error.error : undefined;
      if (finished.data) {
        $("#cooling-off").hidden = true;
        $("#recover").hidden = false;
        signedIn(finished.data.credentials, finished.data.account.id);
      } else if (refusal === "RECOVERY_COOLING_OFF") say("Not yet: the cooling-off has not ended, and no device approved it.");
      else if (refusal === "RECOVERY_DENIED") say("A device of yours denied this recovery.");
      else say("The recovery can no longer finish: start again.");
    };
  }
}
