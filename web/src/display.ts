// How each kind of request reads on screen: its exact text (an UNLOQ request's rendered title and message, a
// Keyless operation's payload, a new device's own words), who asks, and the time left.
import type { PendingApproval } from "../../clients/typescript/src/index.js";

export interface Shown {
  title: string;
  message: string;
  details: [string, string][];
  approve: string;
  deny: string;
}

export function describe(operation: PendingApproval): Shown {
  const payload = operation.payload ?? "";
  if (operation.purpose === "authorization") {
    const display = JSON.parse(payload) as Record<string, string | null>;
    const details: [string, string][] = [["Reference", display.reference ?? ""]];
    if (display.ip) details.push(["From", display.ip]);
    return {
      title: display.title ?? "",
      message: display.message ?? "",
      details,
      approve: display.approve ?? "Approve",
      deny: display.deny ?? "Deny",
    };
  }
  if (operation.purpose === "device.signin" || operation.purpose === "account.recovery") {
    const device = payload ? (JSON.parse(payload) as Record<string, unknown>) : {};
    const details = Object.entries(device)
      .filter(([, value]) => typeof value === "string")
      .map(([name, value]): [string, string] => [name, String(value)]);
    const title = operation.purpose === "device.signin" ? "A new device asks to sign in" : "Your account is being recovered";
    return { title, message: "Only approve if you started this yourself, now.", details, approve: "Approve", deny: "Deny" };
  }
  return {
    title: `${operation.clientName} asks for your approval`,
    message: payload,
    details: [["Reference", operation.operationId]],
    approve: "Approve",
    deny: "Deny",
  };
}

export function timeLeft(expiresAt: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s left` : `${seconds} s left`;
}
