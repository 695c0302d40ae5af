/**
 * The writer every file spawn-audit writes goes through (src/atomic-write.ts):
 * all the bytes or an error, and on any error the original as it was, byte
 * for byte, with no temporary file left. Failures are injected through the
 * writer's file system seam: at every call a write makes, as `ENOSPC` or
 * `EIO`, and as short writes (what a nearly full disk gives).
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  fstatSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { NODE_FILE_SYSTEM, ProtectedFileError, writeAtomically, type WriterFileSystem } from "../src/atomic-write.ts";

/**
 * Where the test writes: a memory file system where there is one (Linux's
 * /dev/shm), since on ext4 every rename over a file flushes it to disk and
 * the property test makes about a thousand writes.
 */
const BASE = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();

let dir = "";
before(() => {
  dir = mkdtempSync(join(BASE, "spawn-audit-write-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const REAL = NODE_FILE_SYSTEM;

type Call = keyof WriterFileSystem;

/** An error as `node:fs` throws it. */
function fsError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
}

/**
 * The real file system with every call counted; call number `failAt`
 * (0-based, across all calls) throws `code`, and each write writes at most
 * `chunk` bytes (a short write) when given. `fsyncSync` is counted but does
 * not reach the disk (the property test makes thousands of writes).
 */
function injected(options: { failAt?: number; code?: string; chunk?: number }): WriterFileSystem & { calls: Call[] } {
  const calls: Call[] = [];
  const wrap = <K extends Call>(name: K): WriterFileSystem[K] =>
    ((...args: unknown[]) => {
      calls.push(name);
      if (calls.length - 1 === options.failAt) throw fsError(options.code ?? "EIO", name);
      if (name === "writeSync" && options.chunk !== undefined) {
        const [fd, buffer, offset, length] = args as [number, Uint8Array, number, number];
        return writeSync(fd, buffer, offset, Math.min(length, options.chunk));
      }
      if (name === "fsyncSync") return undefined;
      return (REAL[name] as (...all: unknown[]) => unknown)(...args);
    }) as WriterFileSystem[K];
  const fs = Object.fromEntries(
    Object.keys(REAL).map((name) => [name, wrap(name as Call)]),
  ) as unknown as WriterFileSystem;
  return Object.assign(fs, { calls });
}

/** Names in `folder` that are temporary files of the writer. */
function temporaries(folder: string): string[] {
  return readdirSync(folder).filter((name) => /\.spawn-audit-\d+-[0-9a-z]+\.tmp$/.test(name));
}

/** A fresh folder under the test directory, holding `file` with `original` when given. */
function fixture(original?: Uint8Array): { folder: string; file: string } {
  const folder = mkdtempSync(join(dir, "case-"));
  const file = join(folder, "report.json");
  if (original !== undefined) writeFileSync(file, original);
  return { folder, file };
}

describe("writeAtomically", () => {
  test("continues a short write until every byte is written", () => {
    const { file } = fixture(Buffer.from("old\n"));
    const text = "x".repeat(10_000) + "\n";
    const fs = injected({ chunk: 7 });
    writeAtomically(file, text, { fileSystem: fs });
    assert.equal(readFileSync(file, "utf8"), text);
    assert.ok(fs.calls.filter((call) => call === "writeSync").length > 1000);
  });

  // Issue 18, defect 1: the writer wrote once, ignored the count, and renamed the partial file over the original.
  test("a short write followed by ENOSPC (a nearly full disk) leaves the original and reports the error", () => {
    const original = Buffer.from('{"findings": []}\n');
    const { folder, file } = fixture(original);
    let writes = 0;
    const fs: WriterFileSystem = {
      ...REAL,
      writeSync: (fd, buffer, offset, length) => {
        if (writes++ > 0) throw fsError("ENOSPC", "write");
        return writeSync(fd, buffer, offset, Math.floor(length / 2));
      },
    };
    assert.throws(() => writeAtomically(file, "y".repeat(4096), { fileSystem: fs }), { code: "ENOSPC" });
    assert.deepEqual(readFileSync(file), original);
    assert.deepEqual(temporaries(folder), []);
  });

  test("a file whose size after writing is not the content's is not renamed into place", () => {
    const original = Buffer.from("kept\n");
    const { folder, file } = fixture(original);
    const fs: WriterFileSystem = { ...REAL, fstatSync: (fd) => ({ size: fstatSync(fd).size - 1 }) };
    assert.throws(() => writeAtomically(file, "new content\n", { fileSystem: fs }), { code: "EIO" });
    assert.deepEqual(readFileSync(file), original);
    assert.deepEqual(temporaries(folder), []);
  });

  test("property: ENOSPC or EIO at any call of any write leaves the original byte for byte, or the write completes", () => {
    const bytes = fc.uint8Array({ maxLength: 3000, size: "max" });
    // Text with a byte order mark, CRLF and LF line endings and multi-byte characters, as UTF-8.
    const text = fc.array(fc.constantFrom("a", "é", "€", "😀", "\r\n", "\n", " "), { maxLength: 800, size: "max" })
      .map((parts) => Buffer.from(`\uFEFF${parts.join("")}`));
    fc.assert(
      fc.property(
        fc.option(fc.oneof(bytes, text), { nil: undefined }),
        fc.oneof(bytes, text),
        fc.option(fc.integer({ min: 64, max: 2048 }), { nil: undefined }),
        (original, content, chunk) => {
          // One clean run counts the calls a write of this content makes; then each call fails in turn.
          const counting = fixture(original);
          const counter = injected(chunk === undefined ? {} : { chunk });
          writeAtomically(counting.file, content, { fileSystem: counter });
          assert.deepEqual(readFileSync(counting.file), Buffer.from(content));
          const { folder, file } = fixture();
          for (const code of ["ENOSPC", "EIO"]) {
            for (let failAt = 0; failAt < counter.calls.length; failAt++) {
              if (original === undefined) rmSync(file, { force: true });
              else writeFileSync(file, original);
              const fs = injected({ failAt, code, ...(chunk === undefined ? {} : { chunk }) });
              let failed = false;
              try {
                writeAtomically(file, content, { fileSystem: fs });
              } catch (error) {
                failed = true;
                assert.equal((error as NodeJS.ErrnoException).code, code);
              }
              const now = lstatSync(file, { throwIfNoEntry: false }) === undefined ? undefined : readFileSync(file);
              const call = `${code} at call ${failAt} (${fs.calls[failAt]})`;
              // Failing the directory flush after the rename is not a failure of the write: the file is complete.
              if (failed) assert.deepEqual(now, original === undefined ? undefined : Buffer.from(original), call);
              else assert.deepEqual(now, Buffer.from(content), call);
              assert.deepEqual(temporaries(folder), [], call);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test("keeps the bytes as given (byte order mark, CRLF) and the file's mode", () => {
    const { file } = fixture(Buffer.from("old\n"));
    chmodSync(file, 0o754);
    writeAtomically(file, "\uFEFFline one\r\nline two\r\n");
    assert.deepEqual(readFileSync(file), Buffer.from("\uFEFFline one\r\nline two\r\n", "utf8"));
    assert.equal(statSync(file).mode & 0o777, 0o754);
  });

  // Issue 18, defect 2: a file with two links was written in place (truncated first) and cut off on ENOSPC.
  test("a file with other hard links is refused, both names keeping their content; replaceProtected replaces this name only", () => {
    const { folder, file } = fixture(Buffer.from("shared\n"));
    const other = join(folder, "other-name.json");
    linkSync(file, other);
    assert.throws(() => writeAtomically(file, "new\n"), (error: Error) => {
      assert.ok(error instanceof ProtectedFileError);
      assert.match(error.message, /2 hard links.*--force-write/);
      return true;
    });
    assert.equal(readFileSync(file, "utf8"), "shared\n");
    assert.equal(readFileSync(other, "utf8"), "shared\n");
    writeAtomically(file, "new\n", { replaceProtected: true });
    assert.equal(readFileSync(file, "utf8"), "new\n");
    assert.equal(readFileSync(other, "utf8"), "shared\n");
    assert.deepEqual(temporaries(folder), []);
  });

  test("a read-only file is refused; replaceProtected replaces it and keeps it read-only", () => {
    const { file } = fixture(Buffer.from("locked\n"));
    chmodSync(file, 0o444);
    assert.throws(() => writeAtomically(file, "new\n"), /read-only \(mode 0444\).*--force-write/);
    assert.equal(readFileSync(file, "utf8"), "locked\n");
    writeAtomically(file, "new\n", { replaceProtected: true });
    assert.equal(readFileSync(file, "utf8"), "new\n");
    assert.equal(statSync(file).mode & 0o777, 0o444);
  });

  test("a folder is never replaced", () => {
    const { folder } = fixture();
    assert.throws(() => writeAtomically(folder, "x"), { code: "EISDIR" });
    assert.ok(statSync(folder).isDirectory());
  });

  test("writes through a symbolic link: the file it points to changes, the link stays", () => {
    const { folder, file } = fixture(Buffer.from("target\n"));
    const link = join(folder, "link.json");
    symlinkSync(file, link);
    writeAtomically(link, "through the link\n");
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(file, "utf8"), "through the link\n");
  });

  test("exclusive: a new file all or nothing, EEXIST (the file untouched) when it exists", () => {
    const { folder, file } = fixture();
    writeAtomically(file, "first\n", { exclusive: true });
    assert.equal(readFileSync(file, "utf8"), "first\n");
    assert.throws(() => writeAtomically(file, "second\n", { exclusive: true }), { code: "EEXIST" });
    assert.equal(readFileSync(file, "utf8"), "first\n");
    assert.deepEqual(temporaries(folder), []);
  });
});
