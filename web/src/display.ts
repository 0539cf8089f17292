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

interface NewKey {
  type?: string;
  fingerprint?: string;
  device?: Record<string, unknown>;
}

const DEVICE_FIELDS: Record<string, string> = {
  name: "Device",
  osName: "System",
  osVersion: "Version",
  deviceManufacturer: "Maker",
  deviceModel: "Model",
  lang: "Language",
  type: "Kind of device",
};

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
    // `{newKey: {type, fingerprint, device: {name, osName, ...}}}`: the key the approval binds (its fingerprint)
    // and what the new device says of itself.
    const shown = payload ? (JSON.parse(payload) as { newKey?: NewKey }) : {};
    const key = shown.newKey ?? {};
    const details: [string, string][] = Object.entries(key.device ?? {})
      .filter(([, value]) => typeof value === "string")
      .map(([name, value]): [string, string] => [DEVICE_FIELDS[name] ?? name, String(value)]);
    if (key.type) details.push(["Kind", key.type === "passKey" ? "Passkey" : "Device key"]);
    if (key.fingerprint) details.push(["Key fingerprint", key.fingerprint]);
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
