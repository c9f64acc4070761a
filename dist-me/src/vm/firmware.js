// UEFI firmware for guests that need a key the kernel trusts: Debian's OVMF,
// with a copy of its variable store that holds the key in `db`. Debian's
// kernels load db's certificates into the .platform keyring whether or not
// Secure Boot is on, and verify module signatures against it too (Debian's
// "Make use of platform keyring for module signature verify"), so a guest
// booted this way with module.sig_enforce=1 loads a module signed with that
// key and refuses any other: a Secure Boot host after `mokutil --import`,
// without shim or a key enrolled by hand.
//
// The store is edk2's authenticated-variable format, little-endian: a
// firmware-volume header, a variable-store header, then records (a 60-byte
// header, the UTF-16 name, the data, each record 4-byte aligned), free
// space 0xff. No Debian package writes one, so it is written here.
import { join } from "node:path";
import { nodeHost } from "../host/host.js";
import { HostError } from "../errors.js";
const OVMF = "/usr/share/OVMF";
/** The firmware's code (no Secure Boot keys, no SMM), read-only. */
export const OVMF_CODE = join(OVMF, "OVMF_CODE_4M.fd");
/** Its empty variable store, the template every guest copies. */
export const OVMF_VARS = join(OVMF, "OVMF_VARS_4M.fd");
/** A GUID as EFI lays it out: the first three fields little-endian, the rest as written. */
export function efiGuid(text) {
    const h = Buffer.from(text.replace(/-/g, ""), "hex");
    if (h.length !== 16)
        throw new Error(`${text} is not a GUID`);
    return Buffer.concat([
        Buffer.from(h.subarray(0, 4)).reverse(),
        Buffer.from(h.subarray(4, 6)).reverse(),
        Buffer.from(h.subarray(6, 8)).reverse(),
        h.subarray(8),
    ]);
}
/** EFI_IMAGE_SECURITY_DATABASE_GUID: db and dbx. */
export const IMAGE_SECURITY_DATABASE = efiGuid("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
const CERT_X509 = efiGuid("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
const AUTHENTICATED_STORE = efiGuid("aaf32c78-947b-439a-a180-2e144ec37792");
// A signature's owner is only a label to the kernel: one of the project's own.
const OWNER = efiGuid("6b707463-7473-4b50-a754-4b6579733031");
/** An EFI_SIGNATURE_LIST holding one X.509 certificate (DER). */
export function signatureList(der) {
    const head = Buffer.alloc(28);
    CERT_X509.copy(head, 0);
    head.writeUInt32LE(28 + 16 + der.length, 16); // the list
    head.writeUInt32LE(0, 20); // no list header
    head.writeUInt32LE(16 + der.length, 24); // one signature: owner and certificate
    return Buffer.concat([head, OWNER, der]);
}
const RECORD = 60;
const VALID = 0x3f;
// Cleared in a record's state when the firmware deletes it.
const DELETED_BIT = 0x02;
/** Attributes: non-volatile, boot and runtime access, time-based authenticated (as db has). */
export const DB_ATTRIBUTES = 0x01 | 0x02 | 0x04 | 0x20;
/**
 * A copy of variable store `store` with variable `name` set: appended, and an
 * earlier record of the same name marked deleted, as the firmware does.
 */
export function withVariable(store, name, guid, attributes, data) {
    const out = Buffer.from(store);
    if (out.length < 0x100 || out.toString("latin1", 0x28, 0x2c) !== "_FVH")
        throw new HostError("not a UEFI firmware volume (no _FVH)");
    const start = out.readUInt16LE(0x30);
    if (!out.subarray(start, start + 16).equals(AUTHENTICATED_STORE))
        throw new HostError("not an authenticated-variable store");
    if (out[start + 20] !== 0x5a || out[start + 21] !== 0xfe)
        throw new HostError("the variable store is not formatted and healthy");
    const end = start + out.readUInt32LE(start + 16);
    const wanted = Buffer.from(`${name}\0`, "utf16le");
    let off = (start + 28 + 3) & ~3;
    while (off + RECORD <= end && out.readUInt16LE(off) === 0x55aa) {
        const nameSize = out.readUInt32LE(off + 36);
        const dataSize = out.readUInt32LE(off + 40);
        const state = out[off + 2];
        const same = out.subarray(off + 44, off + 60).equals(guid) &&
            out.subarray(off + RECORD, off + RECORD + nameSize).equals(wanted);
        if (same && (state === VALID || state === (VALID & ~0x01)))
            out[off + 2] = state & ~DELETED_BIT;
        off = (off + RECORD + nameSize + dataSize + 3) & ~3;
    }
    const head = Buffer.alloc(RECORD);
    head.writeUInt16LE(0x55aa, 0);
    head[2] = VALID;
    head.writeUInt32LE(attributes, 4);
    head.writeUInt32LE(wanted.length, 36);
    head.writeUInt32LE(data.length, 40);
    guid.copy(head, 44);
    const record = Buffer.concat([head, wanted, data]);
    if (off + record.length > end || out.subarray(off, off + record.length).some((b) => b !== 0xff))
        throw new HostError("no room left in the variable store");
    record.copy(out, off);
    return out;
}
/**
 * Writes a variable store whose db holds certificate `certDer` to `into`, for
 * one guest (the firmware writes to it): its kernel then trusts that key.
 */
export function storeTrusting(certDer, into, host = nodeHost) {
    if (!host.exists(OVMF_VARS))
        throw new HostError(`${OVMF_VARS} is missing: run scripts/setup.sh (ovmf)`);
    const store = host.readFile(OVMF_VARS);
    const db = withVariable(store, "db", IMAGE_SECURITY_DATABASE, DB_ATTRIBUTES, signatureList(certDer));
    host.writeFileAtomic(into, db);
    return into;
}
//# sourceMappingURL=firmware.js.map