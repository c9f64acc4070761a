// Pins the UEFI variable store written for guests that trust a key: EFI's
// GUID byte order, the signature list, and a variable appended to Debian's
// own empty OVMF store where the firmware reads it. That the kernel then
// trusts the key is test/vm/debian.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DB_ATTRIBUTES, efiGuid, IMAGE_SECURITY_DATABASE, OVMF_VARS, signatureList, withVariable, } from "../../src/vm/firmware.js";
test("EFI GUIDs: the first three fields little-endian, the last two as written", () => {
    assert.equal(efiGuid("d719b2cb-3d3a-4596-a3bc-dad00e67656f").toString("hex"), "cbb219d73a3d9645a3bcdad00e67656f");
});
test("a signature list of one X.509 certificate: its type, sizes, owner and the DER", () => {
    const der = Buffer.from("3082000a", "hex");
    const esl = signatureList(der);
    assert.equal(esl.subarray(0, 16).toString("hex"), "a159c0a5e494a74a87b5ab155c2bf072");
    assert.equal(esl.readUInt32LE(16), esl.length);
    assert.equal(esl.readUInt32LE(20), 0);
    assert.equal(esl.readUInt32LE(24), 16 + der.length);
    assert.deepEqual(esl.subarray(44), der);
});
test("db set in Debian's empty OVMF store: the first record, valid; set again, the old one deleted", () => {
    const store = readFileSync(OVMF_VARS);
    const data = signatureList(Buffer.alloc(700, 0x30));
    const once = withVariable(store, "db", IMAGE_SECURITY_DATABASE, DB_ATTRIBUTES, data);
    assert.equal(once.length, store.length);
    const at = 0x64;
    assert.equal(once.readUInt16LE(at), 0x55aa);
    assert.equal(once[at + 2], 0x3f, "added");
    assert.equal(once.readUInt32LE(at + 4), 0x27);
    assert.equal(once.readUInt32LE(at + 36), 6, "db\\0 in UTF-16");
    assert.equal(once.readUInt32LE(at + 40), data.length);
    assert.deepEqual(once.subarray(at + 44, at + 60), IMAGE_SECURITY_DATABASE);
    assert.equal(once.toString("utf16le", at + 60, at + 64), "db");
    assert.deepEqual(once.subarray(at + 66, at + 66 + data.length), data);
    assert.deepEqual(once.subarray(0, at), store.subarray(0, at), "headers untouched");
    const twice = withVariable(once, "db", IMAGE_SECURITY_DATABASE, DB_ATTRIBUTES, data);
    assert.equal(twice[at + 2], 0x3d, "the first record is deleted");
    const next = (at + 66 + data.length + 3) & ~3;
    assert.equal(twice.readUInt16LE(next), 0x55aa);
    assert.equal(twice[next + 2], 0x3f);
    assert.throws(() => withVariable(store, "db", IMAGE_SECURITY_DATABASE, 7, Buffer.alloc(store.length)), /no room left/);
    assert.throws(() => withVariable(Buffer.alloc(4096), "db", IMAGE_SECURITY_DATABASE, 7, data), /not a UEFI firmware volume/);
});
//# sourceMappingURL=firmware.test.js.map