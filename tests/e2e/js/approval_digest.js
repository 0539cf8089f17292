// What a device signs to decide on an operation, computed from what it shows (never taken from the server):
// the hex SHA-256 of the lines below. A plain script, so that a browser page loads it as a <script> and Node
// imports it alike; it sets globalThis.approvalDigest and globalThis.sha256hex.
(() => {
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const sha256hex = async (text) => hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

  globalThis.sha256hex = sha256hex;
  globalThis.approvalDigest = async (decision, shown, number) => {
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
    // Number matching: the number the person typed, read off the requesting screen.
    if (number !== undefined) lines.push(`number:${number}`);
    return sha256hex(lines.join("\n"));
  };
})();
