// x86-64 instruction boundaries and the positions of their constant fields,
// which is what a binary differ needs: where each instruction starts, which
// bytes a relocation patches, and how control leaves it. Everything else of
// iced-x86 stays behind this module.
import { createRequire } from "node:module";
const flowsOf = (FlowControl) => ({
    [FlowControl.Next]: "next",
    [FlowControl.UnconditionalBranch]: "jump",
    [FlowControl.IndirectBranch]: "indirect-jump",
    [FlowControl.ConditionalBranch]: "cond-jump",
    [FlowControl.Return]: "return",
    [FlowControl.Call]: "call",
    [FlowControl.IndirectCall]: "indirect-call",
    [FlowControl.Interrupt]: "interrupt",
    [FlowControl.XbeginXabortXend]: "xbegin",
    [FlowControl.Exception]: "exception",
});
let flows;
/**
 * iced-x86 is loaded on the first decode, and with require: an ESM import of
 * its 900 KB of CommonJS glue scans it for exports first, which took most
 * of a create-diff-object run's start-up (150 ms against 35).
 */
let iced;
let loader = createRequire(import.meta.url);
const load = () => (iced ??= loader("iced-x86"));
/**
 * Loads the decoder through `host`, which may keep its compiled code
 * between processes: for a process that decodes a little and exits.
 */
export function loadDecoderThrough(host) {
    loader = (specifier) => host.requireCompiled(specifier);
}
const mnemonics = [];
function mnemonicName(m) {
    return (mnemonics[m] ??= load().Mnemonic[m].toLowerCase());
}
/**
 * Decodes code[start, end) by linear sweep. Offsets and branch targets are
 * indices into `code`, so decoding a function out of a section buffer gives
 * section offsets, the coordinates relocations use. Never throws on bad
 * bytes: data, padding or truncated instructions come out as 1-byte invalid
 * instructions and decoding resumes at the next byte.
 */
export function decode(code, start = 0, end = code.length) {
    const out = [];
    if (start >= end)
        return out;
    // The decoder copies its input into WASM memory: one copy per range, and
    // one reused Instruction, both freed explicitly since WASM memory is not
    // garbage collected.
    const { Decoder, DecoderOptions, FlowControl, Instruction, Mnemonic, OpKind } = load();
    flows ??= flowsOf(FlowControl);
    const decoder = new Decoder(64, code.subarray(start, end), DecoderOptions.None);
    const insn = new Instruction();
    try {
        decoder.ip = BigInt(start);
        while (decoder.canDecode) {
            const pos = decoder.position;
            decoder.decodeOut(insn);
            if (insn.isInvalid) {
                out.push(invalid(start + pos));
                decoder.position = pos + 1;
                decoder.ip = BigInt(start + pos + 1);
                continue;
            }
            const co = decoder.getConstantOffsets(insn);
            const op0 = insn.op0Kind;
            const direct = op0 === OpKind.NearBranch64 || op0 === OpKind.NearBranch32 || op0 === OpKind.NearBranch16;
            const mnemonic = insn.mnemonic;
            out.push({
                offset: start + pos,
                length: insn.length,
                dispOffset: co.displacementOffset,
                dispSize: co.displacementSize,
                immOffset: co.immediateOffset,
                immSize: co.immediateSize,
                imm2Offset: co.immediateOffset2,
                imm2Size: co.immediateSize2,
                flow: flows[insn.flowControl],
                target: direct ? Number(BigInt.asIntN(64, insn.nearBranchTarget)) : undefined,
                isNop: mnemonic === Mnemonic.Nop,
                isInvalid: false,
                mnemonic: mnemonicName(mnemonic),
            });
            co.free();
        }
    }
    finally {
        insn.free();
        decoder.free();
    }
    return out;
}
function invalid(offset) {
    return {
        offset,
        length: 1,
        dispOffset: 0,
        dispSize: 0,
        immOffset: 0,
        immSize: 0,
        imm2Offset: 0,
        imm2Size: 0,
        flow: "exception",
        target: undefined,
        isNop: false,
        isInvalid: true,
        mnemonic: "(bad)",
    };
}
/** The instruction whose bytes include `offset`, by binary search over decode()'s result. */
export function insnAt(insns, offset) {
    let lo = 0;
    let hi = insns.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const i = insns[mid];
        if (offset < i.offset)
            hi = mid - 1;
        else if (offset >= i.offset + i.length)
            lo = mid + 1;
        else
            return i;
    }
    return undefined;
}
//# sourceMappingURL=decode.js.map