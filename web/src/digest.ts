// What a passkey signs to decide on a request, computed from what the page shows, never taken from the server:
// the SHA-256 of these lines (the same as a device app computes, docs/hyphen.md).
import type { PendingApproval } from "../../clients/typescript/src/index.js";

const hex = (buffer: ArrayBuffer): string =>
  [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

export const sha256hex = async (text: string): Promise<string> =>
  hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

export async function approvalDigest(
  decision: "approve" | "deny",
  shown: PendingApproval,
  number?: string,
): Promise<string> {
  const lines = [
    "assent-approval/v3",
    `decision:${decision}`,
    `purpose:${shown.purpose}`,
    `request:${shown.requestId}`,
    `client:${shown.clientName}`,
    `instance:${shown.instance}`,
    `expires:${shown.expiresAt}`,
    `payload-sha256:${await sha256hex(shown.payload ?? "")}`,
  ];
  // Number matching: the number the person typed, read off the screen where the request started.
  if (number !== undefined) lines.push(`number:${number}`);
  return sha256hex(lines.join("\n"));
}

export const bytesOfHex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

export const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
