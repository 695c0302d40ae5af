/**
 * File names as the tool shows them: a name is bytes on Linux, and not
 * every byte sequence is UTF-8 nor every character printable. A name that
 * is not valid UTF-8 is read as bytes and never opened by a decoded
 * (wrong) name; any name is shown with its invalid bytes and control
 * characters escaped (`\xff`, `\x1b`), as `ls -b` and git's quoting do, so a
 * file name never writes raw control characters to a terminal.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Whether UTF-16 code unit `code` is a C0 or C1 control character or DEL: what a terminal may act on. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * `text` with every control character (C0, DEL, C1) written as `\xNN`.
 *
 * @param text a file name or path, already decoded.
 * @returns the text, safe to print on a terminal.
 */
export function escapeControl(text: string): string {
  let shown = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    shown += isControl(code) ? `\\x${code.toString(16).padStart(2, "0")}` : text[i];
  }
  return shown;
}

/**
 * Whether `name` (as `readdir` gives it with `encoding: "buffer"`) is
 * valid UTF-8, i.e. decoding it gives back the same bytes.
 *
 * @param name the raw bytes of a file name.
 */
export function isUtf8Name(name: Uint8Array): boolean {
  return Buffer.from(Buffer.from(name).toString("utf8"), "utf8").equals(name);
}

/**
 * A file name of any bytes, for display: its valid UTF-8 sequences
 * decoded, each byte of an invalid one as `\xNN`, control characters
 * escaped as by {@link escapeControl}.
 *
 * @param name the raw bytes of a file name.
 * @returns the name, printable.
 */
export function displayName(name: Uint8Array): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let shown = "";
  let start = 0;
  // Decode the longest valid run, then escape one byte, until the end.
  while (start < name.length) {
    let end = name.length;
    for (; end > start; end--) {
      try {
        shown += decoder.decode(name.subarray(start, end));
        break;
      } catch {
        // Shorter: the invalid byte is inside [start, end).
      }
    }
    if (end === start) {
      shown += `\\x${name[start]!.toString(16).padStart(2, "0")}`;
      end = start + 1;
    }
    start = end;
  }
  return escapeControl(shown);
}
